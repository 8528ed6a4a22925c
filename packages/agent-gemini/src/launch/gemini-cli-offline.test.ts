import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startModelServer, type ModelServer, type Scenario } from '@agent-runtime/testkit';
import { geminiSettings } from '../profile-files.js';
import { geminiCliEnv } from './gemini-cli-launch.js';
import { runGeminiCli } from './run-gemini-cli.js';

// The REAL Gemini CLI (bundle/gemini.js run with node), plain spawn on this host, offline, launched
// with the same helpers and settings.json the architecture uses.
describe('real Gemini CLI against the scripted model server', () => {
  let server: ModelServer;
  let root: string;

  beforeAll(async () => {
    server = await startModelServer();
    root = mkdtempSync(join(tmpdir(), 'gemini-offline-'));
  });
  afterAll(async () => {
    await server.close();
    rmSync(root, { recursive: true, force: true });
  });

  async function run(name: string, prompt: string, scenario: Scenario) {
    const workspace = join(root, name, 'ws');
    const home = join(root, name, 'home');
    mkdirSync(workspace, { recursive: true });
    mkdirSync(join(home, '.gemini'), { recursive: true });
    mkdirSync(join(home, 'tmp'), { recursive: true });
    writeFileSync(join(home, '.gemini', 'settings.json'), JSON.stringify(geminiSettings({ id: 'offline', name: 'Offline' })));
    server.setScenario(scenario);
    const sessionId = randomUUID();
    const env = geminiCliEnv({ home, path: process.env.PATH, variables: { GEMINI_API_KEY: 'fake-key', GOOGLE_GEMINI_BASE_URL: server.url } });
    const outcome = await runGeminiCli({ prompt, model: 'fake-model', sessionId, cwd: workspace, env });
    const result = outcome.events.find((event) => event.type === 'result');
    return { ...outcome, workspace, home, sessionId, result };
  }

  it('writes a file with write_file, then answers', async () => {
    const { workspace, events, result, sessionId } = await run('write', 'Please create hello.txt', {
      turns: [
        {
          id: 'write',
          match: { lastUserText: 'create hello.txt', fresh: true },
          reply: { text: ['Creating ', 'the file.'], toolCalls: [{ name: 'write_file', input: { file_path: 'hello.txt', content: 'hello\n' } }] },
        },
        { id: 'done', match: { lastToolResult: { name: 'write_file', isError: false } }, reply: { text: 'done' } },
      ],
    });
    expect(result).toMatchObject({ status: 'success' });
    expect(readFileSync(join(workspace, 'hello.txt'), 'utf8')).toBe('hello\n');
    expect(events[0]).toMatchObject({ type: 'init', session_id: sessionId, model: 'fake-model' });
    const callId = server.toolCallIds('write_file')[0];
    expect(events).toContainEqual(expect.objectContaining({ type: 'tool_use', tool_name: 'write_file', tool_id: `write_file__${callId}` }));
    expect(events).toContainEqual(expect.objectContaining({ type: 'tool_result', status: 'success' }));
    const generation = server.generationRequests('gemini');
    expect(generation.map((request) => request.turnId)).toEqual(['write', 'done']);
    expect(generation[0]?.path).toBe('/v1beta/models/fake-model:streamGenerateContent?alt=sse');
    expect(generation[1]?.view?.toolResults).toMatchObject([{ id: callId, name: 'write_file', isError: false }]);
    expect(server.requests).toHaveLength(2);
  });

  it('streams thought parts, which the CLI keeps out of stream-json', async () => {
    const { result, events, home } = await run('thinking', 'think first', {
      turns: [{ id: 'think', match: { lastUserText: 'think first' }, reply: { thinking: 'Pondering.', text: ['thought ', 'through'], usage: { thoughtsTokens: 5 } } }],
    });
    expect(result).toMatchObject({ status: 'success' });
    const text = events.filter((event) => event.type === 'message' && event.role === 'assistant').map((event) => event.content).join('');
    expect(text).toBe('thought through');
    expect(JSON.stringify(events)).not.toContain('Pondering');
    // The thought reached the CLI: it is stored in the session file's `thoughts`.
    const chats = join(home, '.gemini', 'tmp');
    const files = readdirSync(chats, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.jsonl'));
    expect(files.map((file) => readFileSync(join(chats, file), 'utf8')).join('')).toContain('Pondering.');
  });

  it('reports a scripted 500 as an error result', async () => {
    const { result, exitCode } = await run('error', 'fail please', {
      turns: [{ id: 'boom', match: { lastUserText: 'fail please' }, error: { status: 500, message: 'scripted boom' } }],
    });
    expect(result).toMatchObject({ status: 'error' });
    expect(JSON.stringify(result)).toContain('scripted boom');
    expect(exitCode).toBe(244);
    expect(server.generationRequests().map((request) => [request.turnId, request.response.status])).toEqual([['boom', 500]]);
  });
});
