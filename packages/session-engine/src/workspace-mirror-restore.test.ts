import { noopLogger, type Sandbox, type SandboxFileWrite } from '@agent-runtime/core';
import { createMemoryPersistence } from '@agent-runtime/persistence-memory';
import { describe, expect, it } from 'vitest';
import { WorkspaceMirror } from './workspace-mirror.js';

function sandboxRecording(withBatch: boolean) {
  const calls: string[] = [];
  const batches: SandboxFileWrite[][] = [];
  const sandbox = {
    id: 'sb',
    sessionId: 's',
    provider: 'recording',
    workspacePath: '/workspace',
    homePath: '/home',
    exec: async () => {
      throw new Error('not used');
    },
    readFile: async () => new Uint8Array(),
    writeFile: async (path: string) => {
      calls.push(path);
    },
    listFiles: async () => [],
    deleteFile: async () => {},
    isRunning: async () => true,
    terminate: async () => {},
    ...(withBatch ? { writeFiles: async (files: readonly SandboxFileWrite[]) => void batches.push([...files]) } : {}),
  } satisfies Sandbox;
  return { sandbox, calls, batches };
}

const mirror = () =>
  new WorkspaceMirror({
    sessionId: 's',
    persistence: createMemoryPersistence(),
    logger: noopLogger,
    maxFileBytes: 1024 * 1024,
    isIgnored: () => false,
    onChange: () => {},
  });

describe('WorkspaceMirror.restoreInto', () => {
  const files = Array.from({ length: 200 }, (_, index) => ({ path: `f-${index}.txt`, content: `${index}` }));

  it('restores in ONE writeFiles call when the sandbox has it (Modal: one exec)', async () => {
    const { sandbox, calls, batches } = sandboxRecording(true);
    const subject = mirror();
    subject.load([...files, { path: 'bin', content: Buffer.from([0, 255]).toString('base64'), encoding: 'base64' }]);
    await subject.restoreInto(sandbox);
    expect(calls).toEqual([]);
    expect(batches).toHaveLength(1);
    expect(batches[0]).toHaveLength(201);
    const last = batches[0]?.at(-1);
    expect(last?.path).toBe('bin');
    expect(Array.from(last?.content as Uint8Array)).toEqual([0, 255]);
  });

  it('falls back to one writeFile per file without it', async () => {
    const { sandbox, calls } = sandboxRecording(false);
    const subject = mirror();
    subject.load(files);
    await subject.restoreInto(sandbox);
    expect(calls).toHaveLength(200);
  });
});
