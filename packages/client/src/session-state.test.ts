import { foldBlockEvents, type BlockListEvent, type ConversationBlock, type RuntimeSessionData } from '@agent-runtime/core';
import { describe, expect, it } from 'vitest';
import { applySessionEvent, createSessionState, mainBlocks, type SessionEventFrame, type SessionState } from './session-state.js';

const sessionId = 's-1';

function snapshot(blocks: ConversationBlock[] = []): RuntimeSessionData {
  return {
    sessionId,
    type: 'claude-agent-sdk',
    agentProfileReference: 'p',
    status: 'active',
    blocks,
    subagents: [],
    workspaceFiles: [],
    lastEventSeq: 0,
  } as RuntimeSessionData;
}

function text(id: string, content = ''): ConversationBlock {
  return { id, timestamp: '2026-01-01T00:00:00.000Z', type: 'assistant_text', content };
}

function tool(id: string): ConversationBlock {
  return { id, timestamp: '2026-01-01T00:00:00.000Z', type: 'tool_use', toolName: 'Bash', toolUseId: id, input: {}, status: 'pending' };
}

/** A small deterministic random source (no flakiness). */
function random(seed: number): () => number {
  let value = seed;
  return () => {
    value = (value * 1103515245 + 12345) % 2 ** 31;
    return value / 2 ** 31;
  };
}

/** Random block events over a few conversations, as frames and as the reference's events. */
function randomStream(count: number, seed: number): { frame: SessionEventFrame; conversationId: string; event: BlockListEvent }[] {
  const next = random(seed);
  const stream: { frame: SessionEventFrame; conversationId: string; event: BlockListEvent }[] = [];
  for (let seq = 1; seq <= count; seq++) {
    const conversationId = next() < 0.8 ? 'main' : 'agent-1';
    const blockId = `b${Math.floor(next() * 30)}`; // some never started: events for unknown blocks
    const kind = next();
    const base = { sessionId, conversationId };
    if (kind < 0.2) {
      const block = next() < 0.7 ? text(blockId) : tool(blockId);
      stream.push({ frame: { event: 'session:block:start', data: { ...base, block }, seq }, conversationId, event: { type: 'block:start', block } });
    } else if (kind < 0.8) {
      const delta = `d${seq}`;
      stream.push({ frame: { event: 'session:block:delta', data: { ...base, blockId, delta }, seq }, conversationId, event: { type: 'block:delta', blockId, delta } });
    } else if (kind < 0.9) {
      const updates = { status: 'running' as const };
      stream.push({ frame: { event: 'session:block:update', data: { ...base, blockId, updates }, seq }, conversationId, event: { type: 'block:update', blockId, updates } });
    } else {
      const block = text(blockId, `final ${seq}`);
      stream.push({ frame: { event: 'session:block:complete', data: { ...base, blockId, block }, seq }, conversationId, event: { type: 'block:complete', blockId, block } });
    }
  }
  return stream;
}

describe('applySessionEvent (block folding)', () => {
  it('gives what core’s BlockList gives, for random streams over several conversations', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const initial = [text('b0', 'kept '), tool('b1')];
      const stream = randomStream(2000, seed);
      let state = createSessionState(snapshot(initial));
      for (const { frame } of stream) state = applySessionEvent(state, frame);
      const expectedMain = foldBlockEvents(stream.filter((item) => item.conversationId === 'main').map((item) => item.event), initial);
      const expectedSub = foldBlockEvents(stream.filter((item) => item.conversationId === 'agent-1').map((item) => item.event));
      expect(mainBlocks(state)).toEqual(expectedMain);
      expect(state.conversations['agent-1'] ?? []).toEqual(expectedSub);
      expect(state.lastSeq).toBe(2000);
    }
  });

  it('keeps the progress message of a status until a status without one', () => {
    const building = applySessionEvent(createSessionState(snapshot()), {
      event: 'session:status',
      data: { sessionId, status: 'building-sandbox', message: 'building image (15 s)' },
      seq: 1,
    });
    expect(building).toMatchObject({ status: 'building-sandbox', statusMessage: 'building image (15 s)' });
    const active = applySessionEvent(building, { event: 'session:status', data: { sessionId, status: 'active' }, seq: 2 });
    expect(active.status).toBe('active');
    expect(active.statusMessage).toBeUndefined();
  });

  it('is pure: earlier states are unchanged, and one state folded two ways gives two right answers', () => {
    let base = createSessionState(snapshot());
    base = applySessionEvent(base, { event: 'session:block:start', data: { sessionId, conversationId: 'main', block: text('a') }, seq: 1 });
    const frozen = JSON.stringify(base);
    const left = applySessionEvent(base, { event: 'session:block:start', data: { sessionId, conversationId: 'main', block: text('x', 'left') }, seq: 2 });
    const right = applySessionEvent(base, { event: 'session:block:start', data: { sessionId, conversationId: 'main', block: text('y', 'right') }, seq: 2 });
    const leftDelta = applySessionEvent(left, { event: 'session:block:delta', data: { sessionId, conversationId: 'main', blockId: 'y', delta: '!' }, seq: 3 });
    const rightDelta = applySessionEvent(right, { event: 'session:block:delta', data: { sessionId, conversationId: 'main', blockId: 'y', delta: '!' }, seq: 3 });
    expect(JSON.stringify(base)).toBe(frozen);
    expect(mainBlocks(leftDelta).map((block) => [block.id, (block as { content: string }).content])).toEqual([['a', ''], ['x', 'left']]);
    expect(mainBlocks(rightDelta).map((block) => [block.id, (block as { content: string }).content])).toEqual([['a', ''], ['y', 'right!']]);
  });

  it('a delta for an unknown block changes no blocks; an event already folded returns the same state', () => {
    const state: SessionState = createSessionState(snapshot([text('a', 'x')]));
    const next = applySessionEvent(state, { event: 'session:block:delta', data: { sessionId, conversationId: 'main', blockId: 'ghost', delta: 'y' }, seq: 1 });
    expect(next.conversations).toBe(state.conversations);
    expect(next.lastSeq).toBe(1);
    expect(applySessionEvent(next, { event: 'session:block:delta', data: { sessionId, conversationId: 'main', blockId: 'a', delta: 'y' }, seq: 1 })).toBe(next);
    expect(applySessionEvent(next, { event: 'session:block:delta', data: { sessionId: 'other', conversationId: 'main', blockId: 'a', delta: 'y' }, seq: 2 })).toBe(next);
  });

  it('streams into a long conversation without touching the other blocks', () => {
    const initial = Array.from({ length: 5000 }, (_, index) => text(`old-${index}`, 'x'));
    let state = createSessionState(snapshot(initial));
    state = applySessionEvent(state, { event: 'session:block:start', data: { sessionId, conversationId: 'main', block: text('live') }, seq: 1 });
    for (let seq = 2; seq <= 5001; seq++) {
      state = applySessionEvent(state, { event: 'session:block:delta', data: { sessionId, conversationId: 'main', blockId: 'live', delta: 'y' }, seq });
    }
    const blocks = mainBlocks(state);
    expect(blocks).toHaveLength(5001);
    expect((blocks.at(-1) as { content: string }).content).toBe('y'.repeat(5000));
    expect(blocks[0]).toBe(initial[0]); // the same object: blocks that did not change are shared
  });
});
