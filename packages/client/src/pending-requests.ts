import {
  approvalBlockId,
  MAIN_CONVERSATION_ID,
  type ApprovalBlock,
  type ConversationBlock,
  type PendingRequest,
  type PermissionResolvedEvent,
  type QuestionResolvedEvent,
} from '@agent-runtime/core';
import { findBlock, putBlock } from './conversation-blocks.js';
import type { SessionState } from './session-state.js';

/**
 * How the session state keeps `pendingRequests` and the `approval` blocks in step. The events and
 * the blocks may arrive in either order (or only one of them): a request event adds the request
 * and, when its block is not there yet, an `approval` block in its conversation (the engine's own
 * block later replaces it by id); a `...:resolved` event removes the request and marks the block
 * resolved; an `approval` block that arrives resolved removes the request too.
 */

/** The requests of the pending `approval` blocks, oldest first (a snapshot without `pendingRequests`). */
export function pendingFromBlocks(conversations: Record<string, ConversationBlock[]>): PendingRequest[] {
  const pending: PendingRequest[] = [];
  for (const blocks of Object.values(conversations)) {
    for (const block of blocks) if (block.type === 'approval' && block.status === 'pending') pending.push(block.request);
  }
  return pending.sort((left, right) => left.createdAt - right.createdAt);
}

function withoutRequest(state: SessionState, requestId: string): SessionState {
  if (!state.pendingRequests.some((request) => request.requestId === requestId)) return state;
  return { ...state, pendingRequests: state.pendingRequests.filter((request) => request.requestId !== requestId) };
}

function withRequest(state: SessionState, request: PendingRequest): SessionState {
  const index = state.pendingRequests.findIndex((candidate) => candidate.requestId === request.requestId);
  if (index === -1) return { ...state, pendingRequests: [...state.pendingRequests, request] };
  const pendingRequests = state.pendingRequests.slice();
  pendingRequests[index] = request;
  return { ...state, pendingRequests };
}

/** `session:permission:request` / `session:question:request`. */
export function withPendingRequest(state: SessionState, request: PendingRequest): SessionState {
  const conversationId = request.conversationId || MAIN_CONVERSATION_ID;
  const blocks = state.conversations[conversationId] ?? [];
  const existing = findBlock(blocks, approvalBlockId(request.requestId));
  // Already answered (a replayed request after its resolution was folded from a block): keep it resolved.
  if (existing?.type === 'approval' && existing.status === 'resolved') return state;
  const next = withRequest(state, request);
  if (existing) return next;
  const block: ApprovalBlock = {
    id: approvalBlockId(request.requestId),
    timestamp: new Date(request.createdAt).toISOString(),
    type: 'approval',
    request,
    status: 'pending',
  };
  return { ...next, conversations: { ...next.conversations, [conversationId]: putBlock(blocks, block) } };
}

/** `session:permission:resolved` / `session:question:resolved`. */
export function approvalResolved(state: SessionState, event: PermissionResolvedEvent | QuestionResolvedEvent): SessionState {
  const { sessionId: _sessionId, requestId, ...resolution } = event;
  const blockId = approvalBlockId(requestId);
  let next = withoutRequest(state, requestId);
  for (const [conversationId, blocks] of Object.entries(next.conversations)) {
    const block = findBlock(blocks, blockId);
    if (block?.type !== 'approval') continue;
    const resolved: ApprovalBlock = { ...block, status: 'resolved', resolution };
    next = { ...next, conversations: { ...next.conversations, [conversationId]: putBlock(blocks, resolved) } };
    break;
  }
  return next;
}

/** An `approval` block arrived (`block:start` / `block:complete`): the pending list follows its status. */
export function withPendingBlock(state: SessionState, block: ConversationBlock): SessionState {
  if (block.type !== 'approval') return state;
  return block.status === 'pending' ? withRequest(state, block.request) : withoutRequest(state, block.request.requestId);
}
