import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { query, type SDKMessage } from '@anthropic-ai/claude-agent-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startModelServer, type ModelServer, type Scenario } from '@agent-runtime/testkit';
import { claudeCodeEnv, claudeCodeExecutablePath, prepareClaudeCodeDirs } from './claude-code-launch.js';

// The REAL Claude Code (native binary shipped with the Agent SDK), plain spawn on this host, offline,
// launched with the same helpers the architecture uses: the scripted model server speaks its wire.
describe('real Claude Code against the scripted model server', () => {
  let server: ModelServer;
  let root: string;

  beforeAll(async () => {
    server = await startModelServer();
    root = mkdtempSync(join(tmpdir(), 'claude-offline-'));
  });
  afterAll(async () => {
    await server.close();
    rmSync(root, { recursive: true, force: true });
  });

  async function run(name: string, prompt: string, scenario: (workspace: string) => Scenario, maxRetries = 0) {
    const workspace = join(root, name, 'ws');
    const home = join(root, name, 'home');
    prepareClaudeCodeDirs({ home });
    mkdirSync(workspace, { recursive: true });
    server.setScenario(scenario(workspace));
    const messages: SDKMessage[] = [];
    let thrown: unknown;
    try {
      const options = {
        cwd: workspace,
        env: claudeCodeEnv({ home, path: process.env.PATH, variables: { ANTHROPIC_BASE_URL: server.url, ANTHROPIC_API_KEY: 'sk-ant-fake', CLAUDE_CODE_MAX_RETRIES: String(maxRetries) } }),
        permissionMode: 'bypassPermissions' as const,
        pathToClaudeCodeExecutable: claudeCodeExecutablePath(),
      };
      for await (const message of query({ prompt, options })) messages.push(message);
    } catch (error) {
      thrown = error;
    }
    const results = messages.filter((message) => message.type === 'result');
    return { workspace, home, messages, results, thrown };
  }

  it('plays a Write -> Edit -> answer tool loop', async () => {
    const { workspace, results, thrown } = await run('loop', 'Please create notes.md', (ws) => ({
      turns: [
        {
          id: 'write',
          match: { lastUserText: 'create notes.md', fresh: true },
          reply: { text: ['Creating ', 'it.'], toolCalls: [{ name: 'Write', input: { file_path: join(ws, 'notes.md'), content: 'draft\n' } }] },
        },
        {
          id: 'edit',
          match: { lastToolResult: { name: 'Write', output: 'created successfully' } },
          reply: { toolCalls: [{ name: 'Edit', input: { file_path: join(ws, 'notes.md'), old_string: 'draft', new_string: 'final' } }] },
        },
        { id: 'answer', match: { lastToolResult: { name: 'Edit', isError: false } }, reply: { text: 'notes.md is final' } },
      ],
    }));
    expect(thrown).toBeUndefined();
    expect(readFileSync(join(workspace, 'notes.md'), 'utf8')).toBe('final\n');
    expect(results).toMatchObject([{ subtype: 'success', is_error: false, result: 'notes.md is final' }]);
    expect(server.generationRequests().map((request) => request.turnId)).toEqual(['write', 'edit', 'answer']);
    expect(server.requests.every((request) => request.path.startsWith('/v1/messages'))).toBe(true);
    const [writeId, editId] = [server.toolCallIds('Write')[0], server.toolCallIds('Edit')[0]];
    expect(server.generationRequests()[1]?.view?.toolResults).toMatchObject([{ id: writeId, name: 'Write', isError: false }]);
    expect(server.generationRequests()[2]?.view?.toolResults).toMatchObject([{ id: editId, name: 'Edit' }]);
    expect(server.unusedTurnIds()).toEqual([]);
  });

  it('streams a thinking block with its signature', async () => {
    const { messages, thrown } = await run('thinking', 'think first', () => ({
      turns: [{ id: 'think', match: { lastUserText: 'think first' }, reply: { thinking: ['Let me ', 'think.'], text: 'thought through' } }],
    }));
    expect(thrown).toBeUndefined();
    const blocks = messages.flatMap((message) => (message.type === 'assistant' ? message.message.content : []));
    expect(blocks).toContainEqual(expect.objectContaining({ type: 'thinking', thinking: 'Let me think.', signature: 'fake-signature-0002' }));
    expect(blocks).toContainEqual(expect.objectContaining({ type: 'text', text: 'thought through' }));
    expect(server.generationRequests()[0]?.response.messageId).toBe('msg_fake_0001');
  });

  it('reports a scripted 500 as an error result', async () => {
    const { results, thrown } = await run('error', 'fail please', () => ({
      turns: [{ id: 'boom', match: { lastUserText: 'fail please' }, error: { status: 500, message: 'scripted boom' } }],
    }));
    expect(results[0]).toMatchObject({ is_error: true });
    expect(JSON.stringify(results[0])).toContain('scripted boom');
    expect(thrown).toBeDefined();
    expect(server.generationRequests().map((request) => request.response.status)).toEqual([500]);
  });

  it('retries after a 529 answered only once', async () => {
    const { results, thrown } = await run('retry', 'hello', () => ({
      turns: [{ id: 'flaky', match: { lastUserText: 'hello' }, error: { status: 529, times: 1 }, reply: { text: 'hello after retry' } }],
    }), 1);
    expect(thrown).toBeUndefined();
    expect(results).toMatchObject([{ is_error: false, result: 'hello after retry' }]);
    expect(server.generationRequests().map((request) => [request.turnId, request.response.status])).toEqual([['flaky', 529], ['flaky', 200]]);
    expect(server.generationRequests()[0]?.response.error?.type).toBe('overloaded_error');
  });

  it('answers a synchronous subagent (Agent tool) with its own turn', async () => {
    const { home, results, thrown } = await run('subagent', 'delegate the question', () => ({
      turns: [
        {
          id: 'delegate',
          match: { lastUserText: 'delegate the question', fresh: true },
          reply: { toolCalls: [{ name: 'Agent', input: { description: 'answer', prompt: 'SUBAGENT: what is 6*7?', subagent_type: 'general-purpose', run_in_background: false } }] },
        },
        { id: 'subagent', match: { lastUserText: 'SUBAGENT: what is 6*7?', fresh: true }, reply: { text: 'subagent says 42' } },
        { id: 'final', match: { lastToolResult: { name: 'Agent', output: '42' } }, reply: { text: 'the answer is 42' } },
      ],
    }));
    expect(thrown).toBeUndefined();
    expect(results.at(-1)).toMatchObject({ is_error: false, result: 'the answer is 42' });
    expect(server.generationRequests().map((request) => request.turnId)).toEqual(['delegate', 'subagent', 'final']);
    const projects = readdirSync(join(home, '.claude', 'projects'));
    expect(projects).toHaveLength(1);
  });

  it('answers the <task-notification> turn of a background subagent once', async () => {
    const { results, thrown } = await run('background', 'delegate in background', () => ({
      turns: [
        {
          id: 'delegate',
          match: { lastUserText: 'delegate in background', fresh: true },
          reply: { toolCalls: [{ name: 'Agent', input: { description: 'answer', prompt: 'BACKGROUND: what is 6*7?', subagent_type: 'general-purpose' } }] },
        },
        { id: 'subagent', match: { lastUserText: 'BACKGROUND: what is 6*7?', fresh: true }, reply: { text: 'subagent says 42' } },
        // 'always' would loop forever if a reminder-only turn re-exposed the old tool result.
        { id: 'launched', match: { lastToolResult: { name: 'Agent' } }, reply: { text: 'started a subagent' }, times: 'always' },
        { id: 'notified', match: { taskNotification: '42' }, reply: { text: 'the subagent said 42' } },
      ],
    }));
    expect(thrown).toBeUndefined();
    expect(results.length).toBeGreaterThanOrEqual(1);
    const generation = server.generationRequests();
    expect([...generation.map((request) => request.turnId)].sort()).toEqual(['delegate', 'launched', 'notified', 'subagent']);
    expect(results.at(-1)).toMatchObject({ result: 'the subagent said 42' });
  });
});
