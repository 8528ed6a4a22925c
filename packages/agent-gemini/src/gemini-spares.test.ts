import type { Sandbox, SandboxFileInfo, SandboxProcess } from '@agent-runtime/core';
import { noopLogger } from '@agent-runtime/core';
import { describe, expect, it, vi } from 'vitest';
import { GeminiSpares, SPARE_KEEP_ALIVE, sendPrompt, spareFingerprint, withoutKeepAlive, type GeminiSpareSettings } from './gemini-spares.js';

const decoder = new TextDecoder();
const SESSION_FILE = '.gemini/tmp/workspace/chats/session-2026-01-01T00-00-1234abcd.jsonl';

/** A sandbox whose one process records its stdin and runs until killed; `workspace` lists the workspace. */
function fakeSandbox(workspace: SandboxFileInfo[] = [], sessionFileAfterPolls = 0) {
  let polls = 0;
  const stdin: string[] = [];
  let closed = false;
  let exit: (code: number) => void = () => {};
  const exited = new Promise<number>((resolve) => (exit = resolve));
  const kill = vi.fn(() => exit(137));
  const commands: string[][] = [];
  const deleted: string[] = [];
  const process: SandboxProcess = {
    stdin: new WritableStream<Uint8Array>({ write: (chunk) => void stdin.push(decoder.decode(chunk)), close: () => void (closed = true) }),
    stdout: new ReadableStream(),
    stderr: new ReadableStream(),
    wait: () => exited,
    kill,
  };
  const sandbox = {
    id: 'sb',
    sessionId: 's',
    provider: 'fake',
    workspacePath: '/workspace',
    homePath: '/home/agent',
    exec: async (command: string[]) => (commands.push(command), process),
    readFile: async () => new Uint8Array(),
    writeFile: async () => {},
    listFiles: async (options?: { root?: string }) =>
      options?.root === 'home' ? (polls++ >= sessionFileAfterPolls ? [{ path: SESSION_FILE, size: 1, modifiedAt: 1, type: 'file' } as SandboxFileInfo] : []) : workspace,
    deleteFile: async (path: string) => void deleted.push(path),
    isRunning: async () => true,
    terminate: async () => {},
  } satisfies Sandbox;
  return { sandbox, process, stdin, closed: () => closed, kill, commands, deleted };
}

const settings: GeminiSpareSettings = {
  nodePath: 'node',
  cliEntryPath: 'gemini.js',
  env: { A: '1' },
  model: 'm',
  geminiSessionId: '1234abcd-0000-4000-8000-000000000000',
  files: [{ root: 'home', path: '.gemini/settings.json', content: '{}' }],
};
const fingerprint = spareFingerprint(settings);

describe('GeminiSpares', () => {
  it('parks a stream-json CLI for the session, writing the keep-alive byte at once, and hands it to a matching turn', async () => {
    const fake = fakeSandbox();
    const spares = new GeminiSpares(noopLogger);
    await spares.park('s', fake.sandbox, settings);
    expect(fake.commands[0]).toEqual(['node', 'gemini.js', '-o', 'stream-json', '--yolo', '-m', 'm', '--session-id', settings.geminiSessionId]);
    expect(fake.stdin).toEqual([SPARE_KEEP_ALIVE]);
    expect(await spares.unfitReason('s', fake.sandbox, spareFingerprint({ ...settings, env: { A: '2' } }))).toBe('another executable, environment, model or profile files');
    expect(await spares.unfitReason('s', fake.sandbox, fingerprint)).toBeUndefined();
    const parked = await spares.take('s', fake.sandbox, fingerprint);
    expect(parked?.process).toBe(fake.process);
    expect(spares.has('s')).toBe(false);
    await sendPrompt(parked!, 'hello');
    expect(fake.stdin).toEqual([SPARE_KEEP_ALIVE, 'hello']);
    expect(fake.closed()).toBe(true);
    expect(fake.kill).not.toHaveBeenCalled();
  });

  it('kills a spare that started otherwise (model, env, files) and deletes the session file it began', async () => {
    const fake = fakeSandbox();
    const spares = new GeminiSpares(noopLogger);
    await spares.park('s', fake.sandbox, settings);
    expect(await spares.take('s', fake.sandbox, spareFingerprint({ ...settings, model: 'other' }))).toBeUndefined();
    expect(fake.kill).toHaveBeenCalledWith('SIGKILL');
    expect(fake.deleted).toEqual([SESSION_FILE]);
    expect(await spares.take('s', fake.sandbox, fingerprint)).toBeUndefined();
  });

  it('does not serve a turn whose workspace is no longer empty, nor another sandbox', async () => {
    const busy = fakeSandbox([{ path: 'notes.txt', size: 1, modifiedAt: 1, type: 'file' } as SandboxFileInfo]);
    const spares = new GeminiSpares(noopLogger);
    await spares.park('s', busy.sandbox, settings);
    expect(await spares.take('s', busy.sandbox, fingerprint)).toBeUndefined();
    expect(busy.kill).toHaveBeenCalled();

    const fake = fakeSandbox();
    await spares.park('t', fake.sandbox, settings);
    expect(await spares.take('t', fakeSandbox().sandbox, fingerprint)).toBeUndefined();
    expect(fake.kill).toHaveBeenCalled();
  });

  it('forgets a spare that died while parked; discard and killAll kill the rest', async () => {
    const dying = fakeSandbox();
    const spares = new GeminiSpares(noopLogger);
    await spares.park('s', dying.sandbox, settings);
    dying.process.kill('SIGKILL');
    await dying.process.wait();
    await Promise.resolve();
    expect(spares.has('s')).toBe(false);

    const a = fakeSandbox();
    const b = fakeSandbox();
    await spares.park('a', a.sandbox, settings);
    await spares.park('b', b.sandbox, settings);
    await spares.discard('a', 'test');
    expect(a.kill).toHaveBeenCalled();
    spares.killAll();
    expect(b.kill).toHaveBeenCalled();
    expect(spares.size).toBe(0);
  });

  it('resolves park once the CLI wrote its session file (the end of its start-up); rejects when it exits before', async () => {
    const slow = fakeSandbox([], 3);
    const sleep = vi.fn(async () => {});
    const spares = new GeminiSpares(noopLogger, { sleep });
    await spares.park('s', slow.sandbox, settings);
    expect(sleep).toHaveBeenCalledTimes(3);
    expect(spares.has('s')).toBe(true);

    const dying = fakeSandbox([], 1_000_000);
    const dyingSpares = new GeminiSpares(noopLogger, { sleep: async () => dying.process.kill('SIGKILL') });
    await expect(dyingSpares.park('d', dying.sandbox, settings)).rejects.toThrow('exited during its start-up');
    expect(dyingSpares.has('d')).toBe(false);
  });

  it('fingerprints ignore the order of the profile files', () => {
    const files = [...settings.files, { root: 'workspace' as const, path: 'GEMINI.md', content: 'x' }];
    expect(spareFingerprint({ ...settings, files })).toBe(spareFingerprint({ ...settings, files: [...files].reverse() }));
  });
});

describe('withoutKeepAlive', () => {
  it('takes the keep-alive byte out of the first user message only, as the CLI writes the line', () => {
    const context = JSON.stringify({ id: 'c', type: 'user', content: [{ text: '<session_context>…</session_context>' }] });
    const prompt = JSON.stringify({ id: 'u', timestamp: 't', type: 'user', content: [{ text: `${SPARE_KEEP_ALIVE}say "hi"` }] });
    const reply = JSON.stringify({ id: 'g', type: 'gemini', content: `${SPARE_KEEP_ALIVE}say "hi"` });
    const text = [context, prompt, reply, ''].join('\n');
    const fixed = withoutKeepAlive(text, 'say "hi"');
    expect(fixed.split('\n')).toEqual([context, JSON.stringify({ id: 'u', timestamp: 't', type: 'user', content: [{ text: 'say "hi"' }] }), reply, '']);
    expect(withoutKeepAlive(fixed, 'say "hi"')).toBe(fixed);
  });
});
