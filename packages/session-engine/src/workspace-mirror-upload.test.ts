import { describe, expect, it } from 'vitest';
import type { WorkspaceFile } from '@agent-runtime/core';
import { createMemoryPersistence } from '@agent-runtime/persistence-memory';
import { FakeSandbox } from '@agent-runtime/testkit';
import { WorkspaceMirror } from './workspace-mirror.js';

async function setup() {
  const persistence = createMemoryPersistence({ profiles: [{ id: 'p', name: 'P' }] });
  await persistence.createSessionRecord({ sessionId: 's', type: 'claude-agent-sdk', agentProfileReference: 'p', status: 'active' });
  const changes: string[] = [];
  const mirror = new WorkspaceMirror({
    sessionId: 's',
    persistence,
    logger: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
    maxFileBytes: 1024,
    isIgnored: () => false,
    onChange: (kind, path) => changes.push(`${kind} ${path}`),
  });
  const stored = async () => (await persistence.loadSession('s'))?.workspaceFiles ?? [];
  return { mirror, changes, stored };
}

const bytes = (text: string) => new TextEncoder().encode(text);

describe('WorkspaceMirror.write (uploads)', () => {
  it('stores, announces and writes into the running sandbox; a later scan sees no change', async () => {
    const { mirror, changes, stored } = await setup();
    const sandbox = new FakeSandbox('fake-1', 's', { sessionId: 's' });
    await mirror.write(sandbox, [{ path: 'a.txt', content: bytes('one') }, { path: 'b.bin', content: new Uint8Array([0xff]) }]);
    expect(new TextDecoder().decode(await sandbox.readFile('a.txt'))).toBe('one');
    expect((await stored()).map((file: WorkspaceFile) => file.path).sort()).toEqual(['a.txt', 'b.bin']);
    expect(mirror.get('b.bin')).toEqual({ path: 'b.bin', content: '/w==', encoding: 'base64' });
    await mirror.write(sandbox, [{ path: 'a.txt', content: bytes('two') }]);
    await mirror.scan(sandbox);
    expect(changes).toEqual(['created a.txt', 'created b.bin', 'modified a.txt']);
  });

  it('without a sandbox the files are stored and restored into the next one', async () => {
    const { mirror, stored } = await setup();
    await mirror.write(undefined, [{ path: 'later/c.txt', content: bytes('kept') }]);
    expect(await stored()).toEqual([{ path: 'later/c.txt', content: 'kept' }]);
    const sandbox = new FakeSandbox('fake-2', 's', { sessionId: 's' });
    await mirror.restoreInto(sandbox);
    expect(new TextDecoder().decode(await sandbox.readFile('later/c.txt'))).toBe('kept');
  });
});
