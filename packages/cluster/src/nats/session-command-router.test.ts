import { AgentRuntimeError, hasErrorCode, type SessionLease } from '@agent-runtime/core';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testNats, uniqueName } from '../test-services.js';
import { ClusterNotifications, type ClusterNotification } from './cluster-notifications.js';
import type { SessionCommand } from './session-command.js';
import { SessionCommandRouter } from './session-command-router.js';

const subjectPrefix = uniqueName('ar-route').replaceAll('_', '-');
const owners = new Map<string, string>();
const ownership = {
  owner: async (sessionId: string): Promise<SessionLease | null> => {
    const nodeId = owners.get(sessionId);
    return nodeId ? { sessionId, nodeId, fencingToken: 1, acquiredAt: '', expiresAt: '' } : null;
  },
};
let connectionA: NatsConnection;
let connectionB: NatsConnection;
const ranOnA: SessionCommand[] = [];
let routerA: SessionCommandRouter;
let routerB: SessionCommandRouter;

beforeAll(async () => {
  connectionA = await testNats();
  connectionB = await testNats();
  routerA = new SessionCommandRouter({
    connection: connectionA, ownership, nodeId: 'node-a', subjectPrefix,
    handler: async (command) => {
      if (command.sessionId === 'busy') throw new AgentRuntimeError('SESSION_BUSY', 'busy', { details: { sessionId: 'busy' } });
      if (command.sessionId === 'silent') return new Promise(() => undefined);
      ranOnA.push(command);
      return { accepted: true, on: 'node-a' };
    },
  });
  routerB = new SessionCommandRouter({
    connection: connectionB, ownership, nodeId: 'node-b', subjectPrefix, timeoutMs: 5_000,
    handler: async () => ({ on: 'node-b' }),
  });
  await routerA.start();
  await routerB.start();
});
afterAll(async () => {
  await routerB.stop();
  await connectionA.close();
  await connectionB.close();
});

describe('SessionCommandRouter', () => {
  it('delivers a message received by a non-owner to the owner, once, and returns its reply', async () => {
    owners.set('s1', 'node-a');
    const routed = await routerB.send({ type: 'message', sessionId: 's1', request: { content: 'hello', clientMessageId: 'm1' } });
    expect(routed).toEqual({ route: 'remote', nodeId: 'node-a', result: { accepted: true, on: 'node-a' } });
    expect(ranOnA).toEqual([{ type: 'message', sessionId: 's1', request: { content: 'hello', clientMessageId: 'm1' } }]);
    expect(await routerB.send({ type: 'interrupt', sessionId: 's1' })).toMatchObject({ route: 'remote' });
    expect(ranOnA.at(-1)).toEqual({ type: 'interrupt', sessionId: 's1' });
  });

  it('runs locally on the owner, and says `unowned` when no live node owns the session', async () => {
    owners.set('s2', 'node-b');
    expect(await routerB.send({ type: 'terminate', sessionId: 's2' })).toEqual({ route: 'local', nodeId: 'node-b', result: { on: 'node-b' } });
    expect(await routerB.send({ type: 'terminate', sessionId: 'nobody' })).toEqual({ route: 'unowned' });
  });

  it("returns the owner's coded error as the same code", async () => {
    owners.set('busy', 'node-a');
    const error = await routerB.send({ type: 'interrupt', sessionId: 'busy' }).catch((caught: unknown) => caught);
    expect(hasErrorCode(error, 'SESSION_BUSY')).toBe(true);
    expect((error as AgentRuntimeError).details).toEqual({ sessionId: 'busy' });
  });

  it('fails with OWNER_UNREACHABLE when the owner does not answer in time, or is gone', async () => {
    owners.set('silent', 'node-a');
    const late = await routerB.send({ type: 'interrupt', sessionId: 'silent' }, 300).catch((caught: unknown) => caught);
    expect(hasErrorCode(late, 'OWNER_UNREACHABLE')).toBe(true);
    expect((late as AgentRuntimeError).details).toEqual({ sessionId: 'silent', nodeId: 'node-a', timeoutMs: 300 });
    owners.set('orphan', 'node-dead');
    const gone = await routerB.send({ type: 'interrupt', sessionId: 'orphan' }).catch((caught: unknown) => caught);
    expect(hasErrorCode(gone, 'OWNER_UNREACHABLE')).toBe(true);
  });

  it('refuses bad commands with INVALID_INPUT, on the sender and on the owner', async () => {
    const bad = await routerB.send({ type: 'message', sessionId: 's1', request: { content: '' } } as SessionCommand).catch((caught: unknown) => caught);
    expect(hasErrorCode(bad, 'INVALID_INPUT')).toBe(true);
    const badId = await routerB.send({ type: 'interrupt', sessionId: 'a.>' }).catch((caught: unknown) => caught);
    expect(hasErrorCode(badId, 'INVALID_INPUT')).toBe(true);
    const raw = await connectionB.request(`${subjectPrefix}.commands.node-a`, '{"type":"explode"}', { timeout: 5_000 });
    expect(raw.json()).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    const notJson = await connectionB.request(`${subjectPrefix}.commands.node-a`, 'nope', { timeout: 5_000 });
    expect(notJson.json()).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });
});

describe('ClusterNotifications', () => {
  it("reaches every other node with status and list changes, not the sender's own", async () => {
    const onA = new ClusterNotifications({ connection: connectionA, nodeId: 'node-a', subjectPrefix });
    const onB = new ClusterNotifications({ connection: connectionB, nodeId: 'node-b', subjectPrefix });
    const seenByA: ClusterNotification[] = [];
    const seenByB: ClusterNotification[] = [];
    const invalid: unknown[] = [];
    let gotBoth!: () => void;
    const both = new Promise<void>((resolve) => (gotBoth = resolve));
    const stopA = await onA.subscribe((n) => seenByA.push(n));
    const stopB = await onB.subscribe((n) => {
      seenByB.push(n);
      if (seenByB.length === 2) gotBoth();
    }, (error) => invalid.push(error));
    connectionA.publish(`${subjectPrefix}.notifications`, '{"kind":"garbage"}');
    onA.publish({ kind: 'session:status', sessionId: 's1', status: 'active' });
    onA.publish({ kind: 'sessions:list', sessions: [{ sessionId: 's1', type: 'claude-agent-sdk', agentProfileReference: 'p', status: 'active' }] });
    await both;
    await connectionA.flush();
    expect(seenByB.map((n) => n.kind)).toEqual(['session:status', 'sessions:list']);
    expect(seenByB[0]).toEqual({ kind: 'session:status', originNodeId: 'node-a', sessionId: 's1', status: 'active' });
    expect(invalid).toHaveLength(1);
    expect(seenByA).toEqual([]);
    await stopA();
    await stopB();
  });
});
