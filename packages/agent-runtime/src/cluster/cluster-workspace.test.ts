import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClusterHarness, until, type ClusterTestNode } from './cluster-test-nodes.js';

/** Workspace uploads and reads that reach a node which does not run the session (real PostgreSQL and NATS). */
const cluster = createClusterHarness('files');
const encoder = new TextEncoder();

describe('cluster mode: workspace files on a node that does not own the session', () => {
  let a: ClusterTestNode;
  let b: ClusterTestNode;
  let c: ClusterTestNode;

  beforeAll(async () => {
    [a, b, c] = [cluster.makeNode('node-a'), cluster.makeNode('node-b'), cluster.makeNode('node-c')];
    await a.persistence.seedProfiles([{ id: 'helper', name: 'Helper' }]);
    for (const node of [a, b, c]) await node.manager.start();
  });

  afterAll(() => cluster.stopAll());

  const sandboxOf = (node: ClusterTestNode, sessionId: string) => node.sandboxProvider.sandboxes.find((sandbox) => sandbox.options.sessionId === sessionId && !sandbox.terminated);
  const turnEnds = (node: ClusterTestNode, sessionId: string) => node.events.filter((event) => event.sessionId === sessionId && event.event === 'session:turn:end');

  it('an upload to another node reaches the owner\'s running sandbox and mirror; reads on other nodes get the owner\'s copy, a large one from storage', async () => {
    const { sessionId } = await a.manager.createSession({ agentProfileRef: 'helper', architecture: 'claude-agent-sdk' });
    await a.manager.sendMessage(sessionId, { content: 'hello', clientMessageId: 'f-1' });
    await until(() => turnEnds(a, sessionId).length === 1); // a's sandbox runs
    await until(() => b.manager.listSessions().some((session) => session.sessionId === sessionId));

    const written = await b.manager.writeWorkspaceFiles(sessionId, [{ path: 'notes/up.txt', content: encoder.encode('hello from b') }]);
    expect(written).toEqual([{ path: 'notes/up.txt', content: 'hello from b' }]);
    expect(new TextDecoder().decode(sandboxOf(a, sessionId)?.roots.workspace.get('notes/up.txt')?.bytes)).toBe('hello from b');
    expect(await a.manager.readWorkspaceFile(sessionId, 'notes/up.txt')).toEqual({ path: 'notes/up.txt', content: 'hello from b' });
    expect(await c.manager.readWorkspaceFile(sessionId, 'notes/up.txt')).toEqual({ path: 'notes/up.txt', content: 'hello from b' });
    // Announced once, by the owner.
    const created = (node: ClusterTestNode) => node.events.filter((event) => event.sessionId === sessionId && event.event === 'session:file:created');
    await until(() => created(c).length > 0);
    expect(created(a).map((event) => (event.data as { path: string }).path)).toEqual(['notes/up.txt']);

    // Larger than a NATS message (default max_payload 1 MiB): travels through storage only.
    const large = randomBytes(2 * 1024 * 1024);
    await b.manager.writeWorkspaceFiles(sessionId, [{ path: 'data/large.bin', content: large }]);
    expect(Buffer.from(sandboxOf(a, sessionId)!.roots.workspace.get('data/large.bin')!.bytes).equals(large)).toBe(true);
    const read = await c.manager.readWorkspaceFile(sessionId, 'data/large.bin');
    expect(read.encoding).toBe('base64');
    expect(Buffer.from(read.content, 'base64').equals(large)).toBe(true);

    // Changed on the owner after another node first read it: that node reads the new copy.
    await a.manager.writeWorkspaceFiles(sessionId, [{ path: 'notes/up.txt', content: encoder.encode('changed on a') }]);
    expect((await c.manager.readWorkspaceFile(sessionId, 'notes/up.txt')).content).toBe('changed on a');
    await expect(c.manager.readWorkspaceFile(sessionId, 'notes/none.txt')).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
    await expect(c.manager.readWorkspaceFile(sessionId, '../etc/passwd')).rejects.toMatchObject({ code: 'PATH_REFUSED' });
    expect(a.coordinator.owns(sessionId)).toBe(true);
    expect(b.coordinator.owns(sessionId) || c.coordinator.owns(sessionId)).toBe(false);
  });

  it('an upload for a session no live node runs is stored only; the node that runs it next restores it into its sandbox', async () => {
    const d = cluster.makeNode('node-d');
    await d.manager.start();
    const { sessionId } = await d.manager.createSession({ agentProfileRef: 'helper', architecture: 'claude-agent-sdk' });
    await d.manager.stop(); // graceful: the idle session is handed over, and nobody needs to take it
    expect(await cluster.ownerOf(sessionId)).toBeUndefined();

    await b.manager.writeWorkspaceFiles(sessionId, [{ path: 'later.txt', content: encoder.encode('for whoever runs it') }]);
    expect(await cluster.ownerOf(sessionId)).toBeUndefined(); // an upload does not take the session
    expect((await c.manager.readWorkspaceFile(sessionId, 'later.txt')).content).toBe('for whoever runs it');

    await c.manager.sendMessage(sessionId, { content: 'use it', clientMessageId: 'f-2' });
    expect(c.coordinator.owns(sessionId)).toBe(true);
    await until(() => turnEnds(c, sessionId).length === 1);
    expect(new TextDecoder().decode(sandboxOf(c, sessionId)?.roots.workspace.get('later.txt')?.bytes)).toBe('for whoever runs it');
  });
});
