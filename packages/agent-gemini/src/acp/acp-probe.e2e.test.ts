import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
    const listeners: (() => void)[] = [];
    const permissions: RequestPermissionRequest[] = [];
    let answer: 'allow' | 'deny' = 'allow';
    const app = client()
      .onNotification('session/update', ({ params }) => {
        updates.push(params);
        for (const listener of listeners) listener();
      })
      .onRequest('session/request_permission', ({ params }) => {
        permissions.push(params);
        const option = params.options.find((o) => (answer === 'allow' ? o.kind === 'allow_once' : o.kind === 'reject_once'))!;
        return { outcome: { outcome: 'selected', optionId: option.optionId } };
      });
    const stream = ndJsonStream(Writable.toWeb(child.stdin!) as WritableStream<Uint8Array>, Readable.toWeb(child.stdout!) as ReadableStream<Uint8Array>);
    const connection: ClientConnection = app.connect(stream);
    return { child, connection, updates, permissions, onUpdate: (listener: () => void) => listeners.push(listener), stderr: () => stderr, setAnswer: (a: 'allow' | 'deny') => (answer = a) };
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

  it('delivers live thoughts, tool calls, permissions and usage; cancel keeps the process; records what session/load does', async () => {
    server.setScenario({
      turns: [
        { match: { lastUserText: 'Write hello' }, reply: { thinking: ['**Plan** write it'], text: ['Writing.'], toolCalls: [{ name: 'write_file', input: { file_path: 'hello.txt', content: 'hi\n' } }] } },
        { match: { lastToolResult: { name: 'write_file' } }, reply: { text: ['Written.'] } },
        { match: { lastUserText: 'What did you write' }, reply: { text: ['hello.txt'] } },
        { match: { lastUserText: 'Sleep' }, reply: { text: ['Sleeping.'], toolCalls: [{ name: 'run_shell_command', input: { command: 'sleep 30' } }] } },
        { match: { lastUserText: 'After' }, reply: { text: ['After cancel.'] } },
        { match: { lastUserText: 'And now' }, reply: { text: ['Still here.'] } },
      ],
    });
    const first = start();
    const agent = first.connection.agent;
    const init = await agent.request('initialize', { protocolVersion: 1, clientCapabilities: { fs: { readTextFile: false, writeTextFile: false } } });
    expect(init.agentCapabilities?.loadSession).toBe(true);
    expect(init.agentInfo?.version).toBe('0.61.0');
    const session = await agent.request('session/new', { cwd: workspace, mcpServers: [] });
    // The CLI picks the session id (a random uuid); a client cannot choose it.
    expect(session.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(session.modes?.currentModeId).toBe('default');

    const result = await agent.request('session/prompt', { sessionId: session.sessionId, prompt: [{ type: 'text', text: 'Write hello' }] });
    expect(result.stopReason).toBe('end_turn');
    // Usage only in the prompt response's _meta (no usage session/update).
    expect(JSON.stringify(result._meta)).toContain('"input_tokens":200');
    const kinds = first.updates.map((u) => u.update.sessionUpdate);
    expect(kinds).toEqual(['available_commands_update', 'agent_thought_chunk', 'agent_message_chunk', 'tool_call_update', 'agent_message_chunk']);
    // The write was asked for in default mode, with the diff, before any tool_call update.
    expect(first.permissions).toHaveLength(1);
    expect(first.permissions[0]!.toolCall).toMatchObject({ toolCallId: 'write_file__call_fake_0002', kind: 'edit', status: 'pending' });
    expect(first.permissions[0]!.options.map((o) => o.kind)).toEqual(['allow_always', 'allow_once', 'reject_once']);

    // A warm second prompt.
    const countBefore = first.updates.length;
    const t1 = performance.now();
    let firstUpdateMs = -1;
    first.onUpdate(() => {
      if (firstUpdateMs < 0 && first.updates.length > countBefore) firstUpdateMs = performance.now() - t1;
    });
    await agent.request('session/prompt', { sessionId: session.sessionId, prompt: [{ type: 'text', text: 'What did you write?' }] });
    console.log('warm second prompt: first update ms', Math.round(firstUpdateMs), 'total', Math.round(performance.now() - t1));
    console.log('rss kB idle', readFileSync(`/proc/${first.child.pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)?.[1]);

    // yolo through session/set_mode; cancel a running shell tool; the process serves the next prompt.
    await agent.request('session/set_mode', { sessionId: session.sessionId, modeId: 'yolo' });
    const permissionsBefore = first.permissions.length;
    const updatesBefore = first.updates.length;
    const toolStarted = new Promise<void>((resolve) =>
      first.onUpdate(() => {
        if (first.updates.slice(updatesBefore).some((u) => u.update.sessionUpdate === 'tool_call')) resolve();
      }),
    );
    const sleeping = agent.request('session/prompt', { sessionId: session.sessionId, prompt: [{ type: 'text', text: 'Sleep' }] });
    await toolStarted;
    await agent.notify('session/cancel', { sessionId: session.sessionId });
    expect((await sleeping).stopReason).toBe('cancelled');
    expect(first.permissions.length).toBe(permissionsBefore);
    console.log('sleep updates', first.updates.slice(updatesBefore).map((u) => JSON.stringify(u.update).slice(0, 200)));
    const afterCancel = await agent.request('session/prompt', { sessionId: session.sessionId, prompt: [{ type: 'text', text: 'After' }] });
    expect(afterCancel.stopReason).toBe('end_turn');
    expect(first.child.exitCode).toBeNull();
    const before = new Map(sessionFiles().map((path) => [path, readFileSync(path, 'utf8')]));
    first.child.kill('SIGKILL');

    // Restart and session/load: record what happens (see docs/acp-findings.md).
    const second = start();
    const agent2 = second.connection.agent;
    await agent2.request('initialize', { protocolVersion: 1, clientCapabilities: {} });
    let loadError: unknown;
    try {
      await agent2.request('session/load', { sessionId: session.sessionId, cwd: workspace, mcpServers: [] });
    } catch (error) {
      loadError = error;
    }
    if (loadError) {
      console.log('session/load failed:', JSON.stringify(loadError));
      expect(JSON.stringify(loadError)).toContain('No previous sessions found for this project.');
    } else {
      console.log('session/load replayed', second.updates.map((u) => u.update.sessionUpdate));
      await agent2.request('session/prompt', { sessionId: session.sessionId, prompt: [{ type: 'text', text: 'And now?' }] });
      const contents = JSON.stringify((server.generationRequests('gemini').at(-1)!.body as { contents: unknown }).contents);
      expect(contents).toContain('Write hello');
    }
    // What happened to the files the first process left (see docs/acp-findings.md).
    const gone = [...before.keys()].filter((path) => !existsSync(path));
    console.log('session', session.sessionId, 'files before', [...before].map(([p, t]) => [p.slice(p.indexOf('chats/')), t.length]), 'gone after restart+load', gone.map((p) => p.slice(p.indexOf('chats/'))));
    const ours = [...before.keys()].find((path) => path.endsWith(`-${session.sessionId.slice(0, 8)}.jsonl`))!;
    expect(existsSync(ours)).toBe(true);
    console.log('files after', sessionFiles().map((path) => [path.slice(path.indexOf('chats/')), readFileSync(path, 'utf8').length]));
  }, 180_000);
});
