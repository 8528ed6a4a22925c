import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClusterHarness, until, type ClusterTestNode } from './cluster-test-nodes.js';

/**
 * Answers to approval requests across a failover (real PostgreSQL and NATS, a scripted agent):
 * the request is presented again by the node that takes the session, and an answer through any
 * node runs the continuation once — also when no live node owns the session when it arrives.
 */
const cluster = createClusterHarness('answers');

describe('cluster mode: answers to approval requests after the owner died', () => {
  let live: ClusterTestNode[];

  beforeAll(async () => {
    live = [cluster.makeNode('node-a'), cluster.makeNode('node-b'), cluster.makeNode('node-c')];
    await live[0]!.persistence.seedProfiles([{ id: 'careful', name: 'Careful', toolPolicy: { ask: ['Bash'] } }]);
    for (const node of live) await node.manager.start();
  });

  afterAll(() => cluster.stopAll());

  const eventsOf = (node: ClusterTestNode, sessionId: string, name: string) => node.events.filter((event) => event.sessionId === sessionId && event.event === name);
  const requestsOf = (node: ClusterTestNode, sessionId: string, requestId: string) =>
    eventsOf(node, sessionId, 'session:permission:request').filter((event) => (event.data as { requestId: string }).requestId === requestId);
  const runsOf = (sessionId: string) => cluster.ranOn.filter((run) => run.sessionId === sessionId);

  /** A session whose owner died while its turn waited for a permission; resolves once a live node took it and presented the request again. */
  async function sessionWaitingWhenItsOwnerDied(nodeId: string) {
    const doomed = cluster.makeNode(nodeId);
    await doomed.manager.start();
    const { sessionId } = await doomed.manager.createSession({ agentProfileRef: 'careful', architecture: 'claude-agent-sdk' });
    await doomed.manager.sendMessage(sessionId, { content: 'ask-push', clientMessageId: `${nodeId}-1` });
    await until(() => eventsOf(live[0]!, sessionId, 'session:permission:request').length === 1);
    const { requestId } = eventsOf(live[0]!, sessionId, 'session:permission:request')[0]!.data as { requestId: string };
    await cluster.crash(doomed);
    await until(() => live.some((node) => node.coordinator.owns(sessionId)));
    const taker = live.find((node) => node.coordinator.owns(sessionId))!;
    // The lost turn ends once with an error; the same request is presented again by the taker.
    await until(() => eventsOf(taker, sessionId, 'session:turn:end').length === 1 && requestsOf(taker, sessionId, requestId).length === 2);
    expect((eventsOf(taker, sessionId, 'session:turn:end')[0]!.data as { outcome: string }).outcome).toBe('error');
    return { sessionId, requestId, taker };
  }

  it('a request presented again after failover: an answer through another node runs the continuation once; a second answer is idempotent', async () => {
    const { sessionId, requestId, taker } = await sessionWaitingWhenItsOwnerDied('node-e');
    const [other, third] = live.filter((node) => node !== taker);
    const answered = await other!.manager.answerPermission(sessionId, requestId, { decision: 'allow' }, 'alice');
    expect(answered).toMatchObject({ success: true, requestId, alreadyResolved: false, resolution: { decision: 'allow', by: 'alice' } });
    await until(() => eventsOf(taker, sessionId, 'session:turn:end').length === 2);
    expect((eventsOf(taker, sessionId, 'session:turn:end')[1]!.data as { outcome: string }).outcome).toBe('completed');
    expect(await third!.manager.answerPermission(sessionId, requestId, { decision: 'deny' }, 'bob')).toMatchObject({ alreadyResolved: true, resolution: { decision: 'allow', by: 'alice' } });
    expect(await taker.manager.answerPermission(sessionId, requestId, { decision: 'deny' }, 'bob')).toMatchObject({ alreadyResolved: true });
    const continuations = runsOf(sessionId).filter((run) => run.message.startsWith('[approval]'));
    expect(continuations).toEqual([expect.objectContaining({ node: taker.node })]);
    expect(runsOf(sessionId).map((run) => run.node)).toEqual(['node-e', taker.node]);
  });

  it('an answer that arrives when no live node owns the session: the receiving node takes it and runs the continuation once', async () => {
    const { sessionId, requestId, taker } = await sessionWaitingWhenItsOwnerDied('node-f');
    // Nothing is queued any more (the lost turn was ended); the request still waits.
    await until(() => eventsOf(live[0]!, sessionId, 'session:turn:end').length === 1);
    expect(await taker.persistence.turnQueueStore().pending(sessionId)).toEqual([]);
    live = live.filter((node) => node !== taker);
    const [receiver, other] = live;
    // The live nodes would take the session at their next look (a request waits in it): the answer comes first.
    const resumes = await Promise.all(live.map((node) => cluster.pauseTakeovers(node)));
    await cluster.crash(taker);
    const deadline = Date.now() + 10_000;
    while ((await cluster.ownerOf(sessionId)) !== undefined) {
      if (Date.now() > deadline) throw new Error('the dead taker still owns the session');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    let answered;
    try {
      answered = await receiver!.manager.answerPermission(sessionId, requestId, { decision: 'allow' }, 'carol');
    } finally {
      for (const resume of resumes) resume();
    }
    expect(answered).toMatchObject({ success: true, requestId, alreadyResolved: false, resolution: { decision: 'allow', by: 'carol' } });
    expect(receiver!.coordinator.owns(sessionId)).toBe(true);
    await until(() => eventsOf(receiver!, sessionId, 'session:turn:end').some((event) => (event.data as { outcome: string }).outcome === 'completed'));
    // A second answer through the other node goes to the new owner: nothing runs again.
    expect(await other!.manager.answerPermission(sessionId, requestId, { decision: 'deny' }, 'dave')).toMatchObject({ alreadyResolved: true, resolution: { decision: 'allow', by: 'carol' } });
    const continuations = runsOf(sessionId).filter((run) => run.message.startsWith('[approval]'));
    expect(continuations).toEqual([expect.objectContaining({ node: receiver!.node })]);
    const data = await other!.manager.getSession(sessionId);
    expect(data.pendingRequests ?? []).toEqual([]);
  });
});
