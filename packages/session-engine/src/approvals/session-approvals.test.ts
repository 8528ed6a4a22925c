import { noopLogger, type AnyServerEvent, type PendingRequest } from '@agent-runtime/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../clock.js';
import { MemoryApprovalRequestStore } from '../durability/memory-approval-request-store.js';
import { mergeApprovalBlocks } from './approval-blocks.js';
import { SessionApprovals } from './session-approvals.js';

function setup() {
  const events: AnyServerEvent[] = [];
  const continued: PendingRequest[] = [];
  const store = new MemoryApprovalRequestStore();
  const approvals = new SessionApprovals({
    sessionId: 's1',
    store,
    clock: systemClock,
    logger: noopLogger,
    publish: async (event) => events.push(event),
    redact: (value) => value,
    continueAfter: async (request) => {
      continued.push(request);
    },
  });
  return { events, continued, store, approvals };
}

const names = (events: AnyServerEvent[]) => events.map((event) => event.event);
const flush = () => vi.advanceTimersByTimeAsync(0);

describe('SessionApprovals', () => {
  beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => vi.useRealTimers());

  it('answers allow and deny from the policy at once, without a request', async () => {
    const { approvals, events } = setup();
    const turn = approvals.forTurn({ allow: ['Read'], deny: ['Bash(rm *)'] }, new AbortController().signal);
    expect(await turn.requestPermission({ toolName: 'Read', toolUseId: 't1', input: { file_path: 'a' } })).toEqual({ decision: 'allow', by: 'policy' });
    expect(await turn.requestPermission({ toolName: 'Bash', toolUseId: 't2', input: { command: 'rm -rf /' } })).toMatchObject({ decision: 'deny', by: 'policy' });
    expect(events).toEqual([]);
  });

  it('asks: a stored, announced request; the first answer wins, a second is idempotent; remember adds a rule', async () => {
    const { approvals, events, store } = setup();
    const turn = approvals.forTurn({ ask: ['Bash'] }, new AbortController().signal);
    const answer = turn.requestPermission({ toolName: 'Bash', toolUseId: 'toolu_1', input: { command: 'git push' } });
    await flush();
    const [pending] = await store.list('s1', { pendingOnly: true });
    const request = pending!.request;
    expect(request).toMatchObject({ kind: 'permission', toolName: 'Bash', toolUseId: 'toolu_1', createdAt: 1_000_000, expiresAt: 1_000_000 + 30 * 60 * 1000 });
    expect(names(events)).toEqual(['session:permission:request', 'session:block:start']);
    const first = await approvals.answerPermission(request.requestId, { decision: 'allow', remember: true }, 'alice');
    expect(first).toMatchObject({ alreadyResolved: false, resolution: { decision: 'allow', by: 'alice', remember: true } });
    expect(await answer).toEqual({ decision: 'allow', by: 'alice' });
    const second = await approvals.answerPermission(request.requestId, { decision: 'deny' }, 'bob');
    expect(second).toMatchObject({ alreadyResolved: true, resolution: { decision: 'allow', by: 'alice' } });
    expect(names(events)).toEqual(['session:permission:request', 'session:block:start', 'session:permission:resolved', 'session:block:complete']);
    // Remembered for this exact call; another command still asks.
    expect(await turn.requestPermission({ toolName: 'Bash', toolUseId: 'toolu_2', input: { command: 'git push' } })).toEqual({ decision: 'allow', by: 'policy' });
    void turn.requestPermission({ toolName: 'Bash', toolUseId: 'toolu_3', input: { command: 'git push --force' } });
    await flush();
    expect(await store.list('s1', { pendingOnly: true })).toHaveLength(1);
    await expect(approvals.answerPermission('nope', { decision: 'allow' }, 'alice')).rejects.toMatchObject({ code: 'REQUEST_NOT_FOUND' });
  });

  it('denies by timeout with a reason the agent sees (never allows)', async () => {
    const { approvals, events } = setup();
    const turn = approvals.forTurn({ default: 'ask', requestTimeoutMs: 5000 }, new AbortController().signal);
    const answer = turn.requestPermission({ toolName: 'Write', toolUseId: 't', input: { file_path: 'x' } });
    await vi.advanceTimersByTimeAsync(4999);
    expect(names(events)).not.toContain('session:permission:resolved');
    await vi.advanceTimersByTimeAsync(1);
    const result = await answer;
    expect(result).toMatchObject({ decision: 'deny', by: 'timeout' });
    expect(result.message).toMatch(/Nobody answered within 5 s/);
  });

  it('a stopped turn gets the runtime\'s deny even when storage refuses it (another node owns the session now); the request stays pending there', async () => {
    const { approvals, store } = setup();
    const abort = new AbortController();
    const answer = approvals.forTurn({ default: 'ask' }, abort.signal).requestPermission({ toolName: 'Bash', toolUseId: 't', input: {} });
    await flush();
    vi.spyOn(store, 'resolve').mockRejectedValue(Object.assign(new Error('lease lost'), { code: 'LEASE_LOST' }));
    abort.abort();
    approvals.detach(); // losing the lease stops the session at once
    expect(await answer).toMatchObject({ decision: 'deny', by: 'runtime' });
    expect(await store.list('s1', { pendingOnly: true })).toHaveLength(1);
  });

  it('denies by runtime when the turn is aborted, and keeps requests pending on a shutdown', async () => {
    const { approvals, store } = setup();
    const abort = new AbortController();
    const answer = approvals.forTurn({ default: 'ask' }, abort.signal).requestPermission({ toolName: 'Bash', toolUseId: 't', input: {} });
    await flush();
    abort.abort();
    expect(await answer).toMatchObject({ decision: 'deny', by: 'runtime' });
    const shutdown = new AbortController();
    void approvals.forTurn({ default: 'ask' }, shutdown.signal).requestPermission({ toolName: 'Bash', toolUseId: 't2', input: {} });
    await flush();
    approvals.detach();
    shutdown.abort();
    await flush();
    expect(await store.list('s1', { pendingOnly: true })).toHaveLength(1);
  });

  it('after a restart: presents the request again; an answer runs a continuation, and the same call is then allowed once', async () => {
    const first = setup();
    void first.approvals.forTurn({ default: 'ask' }, new AbortController().signal).requestPermission({ toolName: 'Bash', toolUseId: 't', input: { command: 'date' } });
    await flush();
    const events: AnyServerEvent[] = [];
    const continued: PendingRequest[] = [];
    const restarted = new SessionApprovals({ sessionId: 's1', store: first.store, clock: systemClock, logger: noopLogger, publish: async (event) => events.push(event), redact: (value) => value, continueAfter: async (request) => { continued.push(request); } });
    await restarted.recover();
    expect(names(events)).toEqual(['session:permission:request']);
    const requestId = (events[0]!.data as PendingRequest).requestId;
    await restarted.answerPermission(requestId, { decision: 'allow' }, 'alice');
    expect(continued.map((request) => request.requestId)).toEqual([requestId]);
    const turn = restarted.forTurn({ default: 'ask' }, new AbortController().signal);
    expect(await turn.requestPermission({ toolName: 'Bash', toolUseId: 't-again', input: { command: 'date' } })).toEqual({ decision: 'allow', by: 'alice' });
    void turn.requestPermission({ toolName: 'Bash', toolUseId: 't-third', input: { command: 'date' } });
    await flush();
    expect(await first.store.list('s1', { pendingOnly: true })).toHaveLength(1);
  });

  it('questions: answered, declined by policy', async () => {
    const { approvals, store } = setup();
    const question = { question: 'Which?', options: [{ label: 'A' }, { label: 'B' }] };
    const answer = approvals.forTurn({}, new AbortController().signal).askQuestion({ toolUseId: 'q', questions: [question] });
    await flush();
    const [pending] = await store.list('s1');
    await approvals.answerQuestion(pending!.request.requestId, { answers: { 'Which?': 'B' } }, 'alice');
    expect(await answer).toEqual({ decision: 'answered', by: 'alice', answers: { 'Which?': 'B' } });
    expect(await approvals.forTurn({ questions: 'deny' }, new AbortController().signal).askQuestion({ toolUseId: 'q2', questions: [question] })).toMatchObject({ decision: 'declined', by: 'policy' });
  });

  it('puts approval blocks before their tool use', async () => {
    const { approvals } = setup();
    void approvals.forTurn({ default: 'ask' }, new AbortController().signal).requestPermission({ toolName: 'Bash', toolUseId: 'toolu_x', input: {} });
    await flush();
    const blocks = mergeApprovalBlocks(
      [
        { id: 'm', type: 'assistant_text', content: 'hi', timestamp: 't' },
        { id: 'toolu_x', type: 'tool_use', toolName: 'Bash', toolUseId: 'toolu_x', input: {}, status: 'running', timestamp: 't' },
      ],
      await approvals.blocks(),
    );
    expect(blocks.map((block) => block.type)).toEqual(['assistant_text', 'approval', 'tool_use']);
  });
});
