/**
 * Profile fields that reach the REAL Gemini CLI (under bubblewrap in the local sandbox), asserted
 * in the requests the CLI sends to the scripted model server: MCP servers of every transport
 * (stdio with its env, http with its headers, sse) are connected and their tools called; a
 * skill's body is loaded by `activate_skill` and its supporting files are readable.
 */
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AgentEvent, AgentProfile, Sandbox } from '@agent-runtime/core';
import { createLocalSandboxProvider } from '@agent-runtime/sandbox-local';
import { MCP_STDIO_SERVER_SOURCE, startMcpHttpServer, startModelServer, type McpHttpServer, type ModelServer, type Scenario } from '@agent-runtime/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGeminiArchitecture } from './create-gemini-architecture.js';

let server: ModelServer;
let remoteMcp: McpHttpServer;
let architecture: ReturnType<typeof createGeminiArchitecture>;
const sandboxes: Sandbox[] = [];
const dataDir = mkdtempSync(join(tmpdir(), 'agent-gemini-fields-'));
const provider = createLocalSandboxProvider({ dataDir });
// The http/sse MCP server of these tests listens on the host's 127.0.0.1, which a sandbox's own
// network namespace cannot reach (by design): the MCP case opts into the shared network.
const sharedNetworkProvider = createLocalSandboxProvider({ dataDir: join(dataDir, 'shared-network'), network: 'shared' });
let sessionCount = 0;

beforeAll(async () => {
  server = await startModelServer();
  remoteMcp = await startMcpHttpServer();
  architecture = createGeminiArchitecture({ env: { GEMINI_API_KEY: 'test-key', GOOGLE_GEMINI_BASE_URL: server.url }, model: 'fake-model' });
});
afterAll(async () => {
  await Promise.all(sandboxes.map((sandbox) => sandbox.terminate()));
  await server?.close();
  await remoteMcp?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** One turn with the profile the callback builds for a fresh sandbox, playing `scenario(sandbox)`. */
async function runWith(
  fields: (sandbox: Sandbox) => Promise<Partial<AgentProfile>>,
  message: string,
  scenario: (sandbox: Sandbox) => Scenario,
  sandboxProvider = provider,
) {
  const sessionId = `s-fields-${++sessionCount}`;
  const sandbox = await sandboxProvider.create({ sessionId, readOnlyPaths: architecture.sandboxReadOnlyPaths(), env: architecture.sandboxEnv() });
  sandboxes.push(sandbox);
  const profile: AgentProfile = { id: 'fields', name: 'Fields', ...(await fields(sandbox)) };
  await architecture.prepare({ sessionId, sandbox, profile });
  server.setScenario(scenario(sandbox));
  const events: AgentEvent[] = [];
  for await (const event of architecture.runTurn({ sessionId, sandbox, profile, message, turnId: 't1', signal: new AbortController().signal })) events.push(event);
  expect(events.at(-1)).toMatchObject({ type: 'turn:end', outcome: 'completed' });
  return { requests: server.generationRequests('gemini'), sandbox };
}

/** What the CLI sent back for a tool, as text (from the request after the call). */
const toolOutput = (requests: ReturnType<ModelServer['generationRequests']>, name: string) =>
  JSON.stringify(requests.flatMap((request) => request.view?.toolResults ?? []).filter((result) => result.name === name));

describe('profile fields reach the real Gemini CLI', () => {
  it('mcpServers: stdio (with env), http (with headers) and sse servers are connected and their tools called', async () => {
    const { requests } = await runWith(
      async (sandbox) => {
        await sandbox.writeFile('mcp-env-server.mjs', MCP_STDIO_SERVER_SOURCE);
        return {
          mcpServers: {
            envshout: { command: realpathSync(process.execPath), args: [join(sandbox.workspacePath, 'mcp-env-server.mjs')], env: { SHOUT_SUFFIX: '+FROM-MCP-ENV-9' } },
            web: { type: 'http', url: remoteMcp.httpUrl, headers: { 'x-profile-header': 'header-value-9' } },
            stream: { type: 'sse', url: remoteMcp.sseUrl },
          },
        };
      },
      'shout everywhere',
      () => ({
        turns: [
          {
            match: { lastUserText: 'shout everywhere' },
            reply: { toolCalls: [
              { name: 'mcp_envshout_shout', input: { text: 'via stdio' } },
              { name: 'mcp_web_shout', input: { text: 'via http' } },
              { name: 'mcp_stream_shout', input: { text: 'via sse' } },
            ] },
          },
          { match: { lastToolResult: true }, reply: { text: ['Shouted.'] } },
        ],
      }),
      sharedNetworkProvider,
    );
    expect(requests[0]?.view?.toolNames).toEqual(expect.arrayContaining(['mcp_envshout_shout', 'mcp_web_shout', 'mcp_stream_shout']));
    expect(toolOutput(requests, 'mcp_envshout_shout')).toContain('VIA STDIO+FROM-MCP-ENV-9');
    expect(toolOutput(requests, 'mcp_web_shout')).toContain('VIA HTTP');
    expect(toolOutput(requests, 'mcp_stream_shout')).toContain('VIA SSE');
    const httpCalls = remoteMcp.requests.filter((request) => request.transport === 'http' && request.method === 'tools/call');
    expect(httpCalls.map((call) => call.headers['x-profile-header'])).toEqual(['header-value-9']);
    expect(remoteMcp.requests.filter((request) => request.transport === 'sse' && request.method === 'tools/call')).toHaveLength(1);
  });

  it("skills: activate_skill loads the skill's body and lists its supporting files, which read_file can read", async () => {
    const { requests } = await runWith(
      async () => ({
        skills: [{ name: 'kumquat-skill', description: 'Knows about kumquats', skillMd: 'KUMQUAT-SKILL-BODY-9: kumquats are small.', supportingFiles: [{ relativePath: 'ref/notes.md', content: 'KUMQUAT-SUPPORT-9' }] }],
      }),
      'tell me about kumquats',
      (sandbox) => ({
        turns: [
          { match: { lastUserText: 'tell me about kumquats' }, reply: { toolCalls: [{ name: 'activate_skill', input: { name: 'kumquat-skill' } }] } },
          { match: { lastToolResult: { name: 'activate_skill' } }, reply: { toolCalls: [{ name: 'read_file', input: { file_path: `${sandbox.homePath}/.gemini/skills/kumquat-skill/ref/notes.md` } }] } },
          { match: { lastToolResult: { name: 'read_file' } }, reply: { text: ['Kumquats are small.'] } },
        ],
      }),
    );
    const activated = toolOutput(requests, 'activate_skill');
    expect(activated).toContain('KUMQUAT-SKILL-BODY-9');
    expect(activated).toContain('notes.md');
    expect(toolOutput(requests, 'read_file')).toContain('KUMQUAT-SUPPORT-9');
  });
});
