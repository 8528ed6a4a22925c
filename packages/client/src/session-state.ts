import {
  MAIN_CONVERSATION_ID,
  type AnyServerEvent,
  type PendingRequest,
  type ConversationBlock,
  type ErrorEvent,
  type RuntimeSessionData,
  type SessionListData,
  type SessionStatus,
  type TurnEndEvent,
  type WorkspaceFile,
} from '@agent-runtime/core';
import { approvalResolved, pendingFromBlocks, withPendingBlock, withPendingRequest } from './pending-requests.js';
import { changeBlock, findBlock, putBlock } from './conversation-blocks.js';

export interface SubagentState {
  id: string;
  name?: string;
  toolUseId?: string;
  status?: 'pending' | 'running' | 'success' | 'error';
}

/** A session as a UI shows it, folded from `GET /sessions/:id` and the events that followed. */
export interface SessionState {
  sessionId: string;
  /** The session record (without blocks). */
  record: SessionListData;
  status: SessionStatus;
  /** Progress while the status holds (e.g. the sandbox's image build); cleared by the next status without one. */
  statusMessage?: string;
  /** Blocks per conversation: `'main'` and one entry per subagent id. */
  conversations: Record<string, ConversationBlock[]>;
  subagents: Record<string, SubagentState>;
  /** Workspace files, by path order of arrival. */
  files: WorkspaceFile[];
  /** Token usage, cost, model (from `session:metadata:update`). */
  metadata: Record<string, unknown>;
  /** The running turn, if any. */
  turn: { turnId: string; clientMessageId?: string } | undefined;
  lastTurn: TurnEndEvent | undefined;
  lastError: ErrorEvent | undefined;
  /**
   * Permission requests and agent questions waiting for an answer, oldest first: from the
   * snapshot's `pendingRequests` (or its pending `approval` blocks), then every
   * `session:permission:request` / `session:question:request` adds one and its `...:resolved`
   * removes it. Each also has an `approval` block (id `approval:<requestId>`) in its conversation.
   */
  pendingRequests: PendingRequest[];
  /** Sequence number of the last event folded in (the `since` for a join). */
  lastSeq: number;
}

/** A server event as the socket delivers it. */
export type SessionEventFrame = AnyServerEvent & { seq?: number };

/** The state of a session loaded with `GET /sessions/:sessionId`. */
export function createSessionState(data: RuntimeSessionData): SessionState {
  const { blocks, workspaceFiles, subagents, lastEventSeq, pendingRequests, ...record } = data;
  const conversations: Record<string, ConversationBlock[]> = { [MAIN_CONVERSATION_ID]: blocks };
  const subagentStates: Record<string, SubagentState> = {};
  for (const subagent of subagents) {
    conversations[subagent.id] = subagent.blocks;
    subagentStates[subagent.id] = {
      id: subagent.id,
      ...(subagent.name === undefined ? {} : { name: subagent.name }),
      ...(subagent.toolUseId === undefined ? {} : { toolUseId: subagent.toolUseId }),
      ...(subagent.status === undefined ? {} : { status: subagent.status }),
    };
  }
  return {
    sessionId: data.sessionId,
    record,
    status: data.status,
    conversations,
    subagents: subagentStates,
    files: workspaceFiles,
    metadata: { ...(data.metadata ?? {}) },
    turn: undefined,
    lastTurn: undefined,
    lastError: undefined,
    pendingRequests: pendingRequests ?? pendingFromBlocks(conversations),
    lastSeq: lastEventSeq ?? 0,
  };
}

/** The state with one conversation's blocks replaced (the same state when they did not change). */
function withBlocks(state: SessionState, conversationId: string, update: (blocks: ConversationBlock[]) => readonly ConversationBlock[]): SessionState {
  const blocks = state.conversations[conversationId] ?? [];
  const next = update(blocks);
  if (next === blocks) return state;
  return { ...state, conversations: { ...state.conversations, [conversationId]: next as ConversationBlock[] } };
}

function appendDelta(block: ConversationBlock, delta: string): ConversationBlock | undefined {
  if (!('content' in block) || typeof block.content !== 'string') return undefined;
  return { ...block, content: block.content + delta } as ConversationBlock;
}

/**
 * Folds one event into the state and returns the new state (the same object when the event is
 * for another session or was already applied, i.e. `seq <= state.lastSeq`). Pure: never mutates.
 */
export function applySessionEvent(state: SessionState, frame: SessionEventFrame): SessionState {
  const data = frame.data as { sessionId?: string };
  if (data.sessionId !== state.sessionId) return state;
  if (frame.seq !== undefined && frame.seq <= state.lastSeq) return state;
  const next = applyEvent(state, frame);
  return frame.seq === undefined ? next : { ...next, lastSeq: frame.seq };
}

function applyEvent(state: SessionState, frame: SessionEventFrame): SessionState {
  switch (frame.event) {
    // Each costs a lookup by id and one copy of the conversation's array of references: no
    // rebuild of the block list per delta.
    case 'session:block:start':
      return withPendingBlock(withBlocks(state, frame.data.conversationId, (blocks) => putBlock(blocks, frame.data.block)), frame.data.block);
    case 'session:block:delta':
      return withBlocks(state, frame.data.conversationId, (blocks) => changeBlock(blocks, frame.data.blockId, (block) => appendDelta(block, frame.data.delta)));
    case 'session:block:update': {
      const next = withBlocks(state, frame.data.conversationId, (blocks) =>
        changeBlock(blocks, frame.data.blockId, (block) => ({ ...block, ...frame.data.updates, id: block.id, type: block.type }) as ConversationBlock),
      );
      const updated = next === state ? undefined : findBlock(next.conversations[frame.data.conversationId] ?? [], frame.data.blockId);
      return updated ? withPendingBlock(next, updated) : next;
    }
    case 'session:block:complete':
      return withPendingBlock(withBlocks(state, frame.data.conversationId, (blocks) => putBlock(blocks, frame.data.block)), frame.data.block);
    case 'session:permission:request':
    case 'session:question:request':
      return withPendingRequest(state, frame.data);
    case 'session:permission:resolved':
    case 'session:question:resolved':
      return approvalResolved(state, frame.data);
    case 'session:file:created':
    case 'session:file:modified': {
      const file = frame.data.file;
      if (!file) return state;
      const index = state.files.findIndex((candidate) => candidate.path === file.path);
      const files = index === -1 ? [...state.files, file] : state.files.map((candidate, position) => (position === index ? file : candidate));
      return { ...state, files };
    }
    case 'session:file:deleted': {
      const path = frame.data.path ?? frame.data.file?.path;
      return path === undefined ? state : { ...state, files: state.files.filter((file) => file.path !== path) };
    }
    case 'session:status': {
      const { statusMessage: _previous, ...rest } = state;
      const { status, message } = frame.data;
      return { ...rest, status, record: { ...state.record, status }, ...(message === undefined ? {} : { statusMessage: message }) };
    }
    case 'session:metadata:update':
      return { ...state, metadata: { ...state.metadata, ...frame.data.metadata } };
    case 'session:subagent:discovered': {
      const { subagent } = frame.data;
      return {
        ...state,
        subagents: { ...state.subagents, [subagent.id]: { ...state.subagents[subagent.id], ...subagent, status: 'running' } },
        conversations: { ...state.conversations, [subagent.id]: state.conversations[subagent.id] ?? [] },
      };
    }
    case 'session:subagent:completed': {
      const known = state.subagents[frame.data.subagentId] ?? { id: frame.data.subagentId };
      return { ...state, subagents: { ...state.subagents, [known.id]: { ...known, status: frame.data.status } } };
    }
    case 'session:turn:start':
      return {
        ...state,
        turn: { turnId: frame.data.turnId, ...(frame.data.clientMessageId === undefined ? {} : { clientMessageId: frame.data.clientMessageId }) },
      };
    case 'session:turn:end':
      return { ...state, turn: undefined, lastTurn: frame.data };
    case 'error':
      return { ...state, lastError: frame.data };
    default:
      return state;
  }
}

/** The blocks of the main conversation. */
export function mainBlocks(state: SessionState): ConversationBlock[] {
  return state.conversations[MAIN_CONVERSATION_ID] ?? [];
}
