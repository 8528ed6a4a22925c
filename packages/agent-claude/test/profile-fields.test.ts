/**
 * Each AgentProfile field reaches the REAL Claude Code (run under bubblewrap in the local sandbox):
 * checked in the requests the CLI sends to the scripted model server, or in tool results.
 */
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AgentEvent, AgentProfile, Sandbox } from '@agent-runtime/core';
import { createLocalSandboxProvider } from '@agent-runtime/sandbox-local';
import { MCP_STDIO_SERVER_SOURCE, startMcpHttpServer, startModelServer, type McpHttpServer, type ModelServer, type Scenario } from '@agent-runtime/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClaudeArchitecture } from '../src/index.js';

let server: ModelServer;
let remoteMcp: McpHttpServer;
let architecture: ReturnType<typeof createClaudeArchitecture>;
const sandboxes: Sandbox[] = [];
const dataDir = mkdtempSync(join(tmpdir(), 'agent-claude-profile-'));
const provider = createLocalSandboxProvider({ dataDir });
// The http/sse MCP server of these tests listens on the host's 127.0.0.1, which a sandbox's own
// network namespace cannot reach (by design): those two cases opt into the shared network.
const sharedNetworkProvider = createLocalSandboxProvider({ dataDir: join(dataDir, 'shared-network'), network: 'shared' });
let sessionCount = 0;

beforeAll(async () => {
  server = await startModelServer();
  remoteMcp = await startMcpHttpServer();
  architecture = createClaudeArchitecture({ env: { ANTHROPIC_BASE_URL: server.url, ANTHROPIC_API_KEY: 'sk-ant-test', CLAUDE_CODE_MAX_RETRIES: '0' } });
});
afterAll(async () => {
  await server?.close();
  await remoteMcp?.close();
  for (const sandbox of sandboxes) await sandbox.terminate();
  rmSync(dataDir, { recursive: true, force: true });
});

interface Body {
  model?: string;
  system?: unknown;
  tools?: { name: string; description?: string }[];
  messages?: { role: string; content: unknown }[];
}

/** One turn with this profile; returns the events and the bodies of the generation requests. */
async function runWith(
  fields: Partial<AgentProfile> | ((sandbox: Sandbox) => Promise<Partial<AgentProfile>>),
  message: string,
  scenario: Scenario,
  sandboxProvider = provider,
) {
  const sessionId = `s-profile-${++sessionCount}`;
  const sandbox = await sandboxProvider.create({ sessionId, readOnlyPaths: architecture.sandboxReadOnlyPaths(), env: architecture.sandboxEnv() });
  sandboxes.push(sandbox);
  const profile: AgentProfile = { id: 'p', name: 'p', ...(typeof fields === 'function' ? await fields(sandbox) : fields) };
  await architecture.prepare({ sessionId, sandbox, profile });
  server.setScenario(scenario);
  const events: AgentEvent[] = [];
  for await (const event of architecture.runTurn({ sessionId, sandbox, profile, message, turnId: 't1', signal: new AbortController().signal })) events.push(event);
  expect(events.at(-1)).toMatchObject({ type: 'turn:end', outcome: 'completed' });
  const requests = server.generationRequests('anthropic');
  return { events, requests, bodies: requests.map((request) => request.body as Body), sandbox };
}

const text = (value: unknown) => JSON.stringify(value);
const toolNames = (body: Body | undefined) => (body?.tools ?? []).map((tool) => tool.name);
/** The tool_result the CLI sent back for a tool call, as text. */
const toolResultText = (body: Body | undefined) => {
  const last = body?.messages?.at(-1);
  const result = Array.isArray(last?.content) ? (last.content as { type?: string; content?: unknown }[]).find((item) => item.type === 'tool_result') : undefined;
  return typeof result?.content === 'string' ? result.content : text(result?.content);
};
const answer: Scenario['turns'][number] = { match: { lastToolResult: true }, reply: { text: 'done' } };

describe('every profile field reaches the real Claude Code', () => {
  it('systemPrompt is appended to the request system prompt', async () => {
    const { bodies } = await runWith({ systemPrompt: 'PROFILE_SYSTEM_PROMPT_7' }, 'hi', { turns: [{ reply: { text: 'ok' } }] });
    expect(text(bodies[0]?.system)).toContain('PROFILE_SYSTEM_PROMPT_7');
    expect(text(bodies[0]?.system)).toContain('Claude'); // still the claude_code preset
  });

  it('model is the request model', async () => {
    const { bodies } = await runWith({ model: 'claude-profile-model-7' }, 'hi', { turns: [{ reply: { text: 'ok' } }] });
    expect(bodies[0]?.model).toBe('claude-profile-model-7');
  });

  it('tools limits the tools offered', async () => {
    const all = await runWith({}, 'hi', { turns: [{ reply: { text: 'ok' } }] });
    expect(toolNames(all.bodies[0])).toEqual(expect.arrayContaining(['Read', 'Bash', 'Write', 'Edit', 'Agent']));
    const { bodies } = await runWith({ tools: ['Read', 'Bash'] }, 'hi', { turns: [{ reply: { text: 'ok' } }] });
    const offered = toolNames(bodies[0]);
    // Only the allowed tools (plus the CLI's internal placeholder for deferred tools, which has none here).
    expect(offered.filter((name) => name !== 'DeferredToolPlaceholder').sort()).toEqual(['Bash', 'Read']);
    for (const name of ['Write', 'Edit', 'Agent', 'Skill', 'WebFetch']) expect(text(bodies[0])).not.toContain(`"name":"${name}"`);
  });

  it('agentMDFile becomes CLAUDE.md and reaches the request', async () => {
    const { bodies } = await runWith({ agentMDFile: '# Rules\nPROFILE_CLAUDE_MD_7' }, 'hi', { turns: [{ reply: { text: 'ok' } }] });
    expect(text(bodies[0]?.messages)).toMatch(/CLAUDE\.md[^"]*project instructions[\s\S]*PROFILE_CLAUDE_MD_7/);
  });

  it('skills are listed for the Skill tool and load their SKILL.md', async () => {
    const { bodies } = await runWith(
      { skills: [{ name: 'release-notes', description: 'PROFILE_SKILL_DESCRIPTION_7', skillMd: 'PROFILE_SKILL_BODY_7: write release notes.' }] },
      'use the skill',
      { turns: [{ match: { fresh: true }, reply: { toolCalls: [{ name: 'Skill', input: { skill: 'release-notes' } }] } }, answer] },
    );
    expect(text(bodies[0])).toContain('- release-notes: PROFILE_SKILL_DESCRIPTION_7');
    expect(text(bodies.at(-1)?.messages)).toContain('PROFILE_SKILL_BODY_7');
  });

  it('subagents are listed as Agent types and run with their prompt', async () => {
    const { bodies, requests } = await runWith(
      { subagents: [{ name: 'reviewer', description: 'PROFILE_SUBAGENT_DESCRIPTION_7', prompt: 'PROFILE_SUBAGENT_PROMPT_7' }] },
      'review it',
      { turns: [
        { match: { lastUserText: 'review it', fresh: true }, reply: { toolCalls: [{ name: 'Agent', input: { description: 'review', prompt: 'SUBAGENT_REVIEW', subagent_type: 'reviewer', run_in_background: false } }] } },
        { id: 'reviewer', match: { lastUserText: 'SUBAGENT_REVIEW', fresh: true }, reply: { text: 'Looks good.' } },
        answer,
      ] },
    );
    expect(text(bodies[0])).toContain('- reviewer: PROFILE_SUBAGENT_DESCRIPTION_7');
    const subagentRequest = requests.find((request) => request.turnId === 'reviewer');
    expect(text((subagentRequest?.body as Body | undefined)?.system)).toContain('PROFILE_SUBAGENT_PROMPT_7');
  });

  it('commands expand /name to their prompt', async () => {
    const { requests, bodies } = await runWith({ commands: [{ name: 'greet', prompt: 'PROFILE_COMMAND_PROMPT_7 for $ARGUMENTS' }] }, '/greet Ada', {
      turns: [{ id: 'expanded', match: { lastUserText: 'PROFILE_COMMAND_PROMPT_7 for Ada' }, reply: { text: 'Hello Ada' } }],
    });
    expect(requests.map((request) => request.turnId)).toEqual(['expanded']);
    expect(text(bodies[0]?.messages)).toContain('<command-name>/greet</command-name>');
  });

  it('environmentVariables reach the process (Bash runs in the sandbox)', async () => {
    const { bodies } = await runWith({ environmentVariables: { PROFILE_VAR: 'profile-value-7' } }, 'echo it', {
      turns: [{ match: { fresh: true }, reply: { toolCalls: [{ name: 'Bash', input: { command: 'echo "$PROFILE_VAR"', description: 'echo' } }] } }, answer],
    });
    expect(toolResultText(bodies.at(-1)).trim()).toBe('profile-value-7');
  });

  it('mcpServers start a stdio MCP server whose tool the agent can call', async () => {
    const { bodies } = await runWith(
      async (sandbox) => {
        await sandbox.writeFile('mcp-server.mjs', MCP_STDIO_SERVER_SOURCE);
        return { mcpServers: { shouter: { command: realpathSync(process.execPath), args: [join(sandbox.workspacePath, 'mcp-server.mjs')] } } };
      },
      'shout hello',
      { turns: [{ match: { fresh: true }, reply: { toolCalls: [{ name: 'mcp__shouter__shout', input: { text: 'hello' } }] } }, answer] },
    );
    // Offered (as a deferred tool, named in a reminder, or in `tools`), then called through the server.
    expect(text(bodies[0])).toContain('mcp__shouter__shout');
    expect(toolResultText(bodies.at(-1))).toContain('HELLO');
  });

  it('skills.supportingFiles land beside SKILL.md, where the agent reads them', async () => {
    const { bodies, sandbox } = await runWith(
      { skills: [{ name: 'style-guide', description: 'House style', skillMd: 'Follow reference/rules.md.', supportingFiles: [{ relativePath: 'reference/rules.md', content: 'PROFILE_SKILL_SUPPORT_7' }] }] },
      'read the rules',
      { turns: [{ match: { fresh: true }, reply: { toolCalls: [{ name: 'Read', input: { file_path: '{{cwd}}/.claude/skills/style-guide/reference/rules.md' } }] } }, answer] },
    );
    expect(toolResultText(bodies.at(-1))).toContain('PROFILE_SKILL_SUPPORT_7');
    expect(new TextDecoder().decode(await sandbox.readFile('.claude/skills/style-guide/reference/rules.md'))).toBe('PROFILE_SKILL_SUPPORT_7');
  });

  it("a subagent's model and tools are the ones its requests carry", async () => {
    const { requests } = await runWith(
      { subagents: [{ name: 'checker', description: 'Checks things', prompt: 'PROFILE_SUBAGENT_PROMPT_8', model: 'claude-subagent-model-8', tools: ['Read', 'Grep'] }] },
      'check it',
      { turns: [
        { match: { lastUserText: 'check it', fresh: true }, reply: { toolCalls: [{ name: 'Agent', input: { description: 'check', prompt: 'SUBAGENT_CHECK', subagent_type: 'checker', run_in_background: false } }] } },
        { id: 'checker', match: { lastUserText: 'SUBAGENT_CHECK', fresh: true }, reply: { text: 'Checked.' } },
        answer,
      ] },
    );
    const main = requests[0]?.body as Body | undefined;
    const subagent = requests.find((request) => request.turnId === 'checker')?.body as Body | undefined;
    expect(text(subagent?.system)).toContain('PROFILE_SUBAGENT_PROMPT_8');
    expect(subagent?.model).toBe('claude-subagent-model-8');
    expect(main?.model).not.toBe('claude-subagent-model-8');
    expect(toolNames(subagent).filter((name) => name !== 'DeferredToolPlaceholder').sort()).toEqual(['Grep', 'Read']);
    expect(toolNames(main)).toEqual(expect.arrayContaining(['Write', 'Bash']));
  });

  it("an MCP server's env reaches the stdio server process", async () => {
    const { bodies } = await runWith(
      async (sandbox) => {
        await sandbox.writeFile('mcp-env-server.mjs', MCP_STDIO_SERVER_SOURCE);
        return { mcpServers: { envshout: { command: realpathSync(process.execPath), args: [join(sandbox.workspacePath, 'mcp-env-server.mjs')], env: { SHOUT_SUFFIX: '+FROM-MCP-ENV-7' } } } };
      },
      'shout with env',
      { turns: [{ match: { fresh: true }, reply: { toolCalls: [{ name: 'mcp__envshout__shout', input: { text: 'hello' } }] } }, answer] },
    );
    expect(toolResultText(bodies.at(-1))).toContain('HELLO+FROM-MCP-ENV-7');
  });

  it('an http MCP server is connected (with its headers) and its tool called', async () => {
    const { bodies } = await runWith({ mcpServers: { web: { type: 'http', url: remoteMcp.httpUrl, headers: { 'x-profile-header': 'header-value-7' } } } }, 'shout over http', {
      turns: [{ match: { fresh: true }, reply: { toolCalls: [{ name: 'mcp__web__shout', input: { text: 'over http' } }] } }, answer],
    }, sharedNetworkProvider);
    expect(text(bodies[0])).toContain('mcp__web__shout');
    expect(toolResultText(bodies.at(-1))).toContain('OVER HTTP');
    const calls = remoteMcp.requests.filter((request) => request.transport === 'http' && request.method === 'tools/call');
    expect(calls).toHaveLength(1);
    expect(calls[0]?.headers['x-profile-header']).toBe('header-value-7');
  });

  it('an sse MCP server is connected and its tool called', async () => {
    const { bodies } = await runWith({ mcpServers: { stream: { type: 'sse', url: remoteMcp.sseUrl } } }, 'shout over sse', {
      turns: [{ match: { fresh: true }, reply: { toolCalls: [{ name: 'mcp__stream__shout', input: { text: 'over sse' } }] } }, answer],
    }, sharedNetworkProvider);
    expect(text(bodies[0])).toContain('mcp__stream__shout');
    expect(toolResultText(bodies.at(-1))).toContain('OVER SSE');
    expect(remoteMcp.requests.filter((request) => request.transport === 'sse' && request.method === 'tools/call')).toHaveLength(1);
  });
});
