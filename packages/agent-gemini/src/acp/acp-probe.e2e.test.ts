import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { client, ndJsonStream, type ClientConnection, type RequestPermissionRequest, type SessionNotification } from '@agentclientprotocol/sdk';
import { startModelServer, type ModelServer } from '@agent-runtime/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultGeminiCliEntryPath } from '../create-gemini-architecture.js';
import { geminiSettings } from '../profile-files.js';

/**
 * The experiments behind docs/acp-findings.md, kept as assertions: the real Gemini CLI 0.61.0 in
 * `--acp` mode (host process, no sandbox) against the scripted model server.
 */
describe('gemini --acp (real CLI 0.61.0) findings', () => {
  let server: ModelServer;
  let home: string;
  let workspace: string;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    server = await startModelServer();
    home = mkdtempSync(join(tmpdir(), 'acp-probe-home-'));
    workspace = mkdtempSync(join(tmpdir(), 'acp-probe-ws-'));
    mkdirSync(join(home, '.gemini'), { recursive: true });
    mkdirSync(join(home, 'tmp'), { recursive: true });
    writeFileSync(join(home, '.gemini', 'settings.json'), JSON.stringify(geminiSettings({ id: 'p', name: 'p' })));
  });
  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await server?.close();
    rmSync(home, { recursive: true, force: true });
    rmSync(workspace, { recursive: true, force: true });
  });

  const start = (extraArgs: string[] = []) => {
    const child = spawn(process.execPath, [defaultGeminiCliEntryPath(), '--acp', '-m', 'fake-model', ...extraArgs], {
      cwd: workspace,
      env: {
        PATH: '/usr/local/bin:/usr/bin:/bin',
        HOME: home,
        GEMINI_CLI_HOME: home,
        TMPDIR: join(home, 'tmp'),
        GEMINI_API_KEY: 'k',
        GOOGLE_GEMINI_BASE_URL: server.url,
        GEMINI_CLI_TRUST_WORKSPACE: 'true',
        GEMINI_CLI_NO_RELAUNCH: 'true',
        TERM: 'dumb',
        NO_COLOR: '1',
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    children.push(child);
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const updates: SessionNotification[] = [];
    const permissions: RequestPermissionRequest[] = [];
    let answer: 'allow' | 'deny' = 'allow';
    const app = client()
      .onNotification('session/update', ({ params }) => {
        updates.push(params);
      })
      .onRequest('session/request_permission', ({ params }) => {
        permissions.push(params);
        const option = params.options.find((o) => (answer === 'allow' ? o.kind === 'allow_once' : o.kind === 'reject_once'))!;
        return { outcome: { outcome: 'selected', optionId: option.optionId } };
      });
    const stream = ndJsonStream(Writable.toWeb(child.stdin!) as WritableStream<Uint8Array>, Readable.toWeb(child.stdout!) as ReadableStream<Uint8Array>);
    const connection: ClientConnection = app.connect(stream);
    return { child, connection, updates, permissions, stderr: () => stderr, setAnswer: (a: 'allow' | 'deny') => (answer = a) };
  };

  const sessionFiles = () => {
    const found: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (path.includes('/chats/')) found.push(path);
      }
    };
    walk(join(home, '.gemini', 'tmp'));
    return found;
  };

  it('delivers live thoughts, tool calls, permissions; session/load keeps the file and the history', async () => {
    server.setScenario({
      turns: [
        { match: { lastUserText: 'Write hello' }, reply: { thinking: ['**Plan** write it'], text: ['Writing.'], toolCalls: [{ name: 'write_file', input: { file_path: 'hello.txt', content: 'hi\n' } }] } },
        { match: { lastToolResult: { name: 'write_file' } }, reply: { text: ['Written.'] } },
        { match: { lastUserText: 'What did you write' }, reply: { text: ['hello.txt'] } },
      ],
    });
    const first = start();
    const agent = first.connection.agent;
    const init = await agent.request('initialize', { protocolVersion: 1, clientCapabilities: { fs: { readTextFile: false, writeTextFile: false } } });
    console.log('initialize', JSON.stringify(init));
    const session = await agent.request('session/new', { cwd: workspace, mcpServers: [] });
    console.log('session/new', JSON.stringify(session));
    const t0 = performance.now();
    const result = await agent.request('session/prompt', { sessionId: session.sessionId, prompt: [{ type: 'text', text: 'Write hello' }] });
    console.log('prompt 1 ms', Math.round(performance.now() - t0), JSON.stringify(result));
    for (const update of first.updates) console.log('update', JSON.stringify(update.update).slice(0, 400));
    for (const permission of first.permissions) console.log('permission', JSON.stringify(permission).slice(0, 800));
    console.log('files', sessionFiles());
    const before = sessionFiles().map((path) => [path, readFileSync(path, 'utf8')] as const);
    for (const [p, t] of before) console.log('session file', p, t.length, t.slice(-2500));

    // Second prompt in the same process: time to the first update.
    const countBefore = first.updates.length;
    const t1 = performance.now();
    let firstUpdateMs = -1;
    const poll = setInterval(() => {
      if (firstUpdateMs < 0 && first.updates.length > countBefore) firstUpdateMs = performance.now() - t1;
    }, 1);
    await agent.request('session/prompt', { sessionId: session.sessionId, prompt: [{ type: 'text', text: 'What did you write?' }] });
    clearInterval(poll);
    console.log('warm second prompt: first update ms', Math.round(firstUpdateMs), 'total', Math.round(performance.now() - t1));
    const rss = readFileSync(`/proc/${first.child.pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)?.[1];
    console.log('rss kB idle', rss);
    first.child.kill('SIGKILL');

    // Restart, load.
    const second = start();
    const agent2 = second.connection.agent;
    const init2 = await agent2.request('initialize', { protocolVersion: 1, clientCapabilities: {} });
    expect(init2.agentCapabilities?.loadSession).toBe(true);
    let loaded: unknown;
    try {
      loaded = await agent2.request('session/load', { sessionId: session.sessionId, cwd: workspace, mcpServers: [] });
    } catch (error) {
      console.log('tree', sessionFiles(), readdirSync(join(home, '.gemini', 'tmp')), (() => { try { return readFileSync(join(home, '.gemini', 'projects.json'), 'utf8'); } catch { return 'no projects.json'; } })());
      console.log('load error', JSON.stringify(error), String(error), 'stderr', second.stderr().slice(-3000));
      await new Promise((resolve) => setTimeout(resolve, 1000));
      loaded = await agent2.request('session/load', { sessionId: session.sessionId, cwd: workspace, mcpServers: [] });
      console.log('load retry succeeded');
    }
    console.log('session/load', JSON.stringify(loaded), 'replayed updates', second.updates.length);
    for (const update of second.updates) console.log('replay', JSON.stringify(update.update).slice(0, 300));
    const after = sessionFiles().map((path) => [path, readFileSync(path, 'utf8')] as const);
    console.log('files after load', after.map(([p, t]) => [p, t.length]), 'before', before.map(([p, t]) => [p, t.length]));
    server.setScenario({ turns: [{ match: { lastUserText: 'And now' }, reply: { text: ['Still here.'] } }] });
    await agent2.request('session/prompt', { sessionId: session.sessionId, prompt: [{ type: 'text', text: 'And now?' }] });
    const contents = JSON.stringify((server.generationRequests('gemini').at(-1)!.body as { contents: unknown }).contents);
    console.log('history has Write hello', contents.includes('Write hello'), 'functionResponse', contents.includes('functionResponse'));
    for (const [p, t] of sessionFiles().map((path) => [path, readFileSync(path, 'utf8')] as const)) console.log('after file', p, t.length, t.slice(0, 300), '...', t.slice(-1200));

    // yolo mode through session/set_mode, then cancel a running shell tool, then another prompt.
    await agent2.request('session/set_mode', { sessionId: session.sessionId, modeId: 'yolo' });
    server.setScenario({
      turns: [
        { match: { lastUserText: 'Sleep' }, reply: { text: ['Sleeping.'], toolCalls: [{ name: 'run_shell_command', input: { command: 'sleep 30' } }] } },
        { match: { lastUserText: 'After' }, reply: { text: ['After cancel.'] } },
      ],
    });
    const permissionsBefore = second.permissions.length;
    const updatesBefore = second.updates.length;
    const sleeping = agent2.request('session/prompt', { sessionId: session.sessionId, prompt: [{ type: 'text', text: 'Sleep' }] });
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (second.updates.slice(updatesBefore).some((u) => u.update.sessionUpdate === 'tool_call' || u.update.sessionUpdate === 'tool_call_update')) {
          clearInterval(check);
          resolve();
        }
      }, 10);
    });
    const tc = performance.now();
    await agent2.notify('session/cancel', { sessionId: session.sessionId });
    const stopped = await sleeping;
    console.log('cancel ->', JSON.stringify(stopped), 'ms', Math.round(performance.now() - tc), 'permissions asked in yolo', second.permissions.length - permissionsBefore);
    for (const update of second.updates.slice(updatesBefore)) console.log('sleep update', JSON.stringify(update.update).slice(0, 300));
    const afterCancel = await agent2.request('session/prompt', { sessionId: session.sessionId, prompt: [{ type: 'text', text: 'After' }] });
    console.log('after cancel prompt', JSON.stringify(afterCancel), 'alive', second.child.exitCode === null);
    console.log('stderr2', second.stderr().slice(-2000));
  }, 120_000);
});
