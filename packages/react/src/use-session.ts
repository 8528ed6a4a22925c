import {
  applySessionEvent,
  createSessionState,
  mainBlocks,
  type InterruptResponse,
  type SessionEventFrame,
  type SessionState,
} from '@agent-runtime/client';
import type {
  AnswerRequestResponse,
  ConversationBlock,
  PendingRequest,
  PermissionResolution,
  QuestionResolution,
  SendMessageResponse,
  SessionStatus,
  UserMessageContent,
  WorkspaceFile,
} from '@agent-runtime/core';
import { useCallback, useEffect, useState } from 'react';
import { useAgentRuntimeClient } from './provider.js';
import { useWarmSession, type UseWarmSessionOptions, type WarmSignalResult } from './use-warm-session.js';

export interface UseSessionResult {
  /** The whole folded state (record, conversations, subagents, files, metadata, turn). */
  session: SessionState | undefined;
  /** Blocks of the main conversation. */
  blocks: ConversationBlock[];
  /** Blocks per conversation: `'main'` and each subagent id. */
  conversations: Record<string, ConversationBlock[]>;
  status: SessionStatus | undefined;
  files: WorkspaceFile[];
  /** True while a turn runs. */
  running: boolean;
  sendMessage: (content: UserMessageContent, options?: { clientMessageId?: string }) => Promise<SendMessageResponse>;
  interrupt: () => Promise<InterruptResponse>;
  /**
   * The user started typing: warm the session's sandbox and agent process ahead of the message
   * (`session:warm`). Debounced: one signal per message (a call while one is in flight, or within
   * the cooldown with no message sent since, sends nothing; `sendMessage` rearms it).
   */
  warm: () => Promise<WarmSignalResult>;
  /** `onInput` / `onChange` handler for the message box: `warm()` once it holds text, errors dropped. */
  warmOnInput: (event?: { currentTarget: { value: string } }) => void;
  /**
   * Permission requests and agent questions waiting for an answer, oldest first (kept up to date
   * from the events; a resolved one leaves the list). Each also has an `approval` block in its
   * conversation.
   */
  pendingRequests: PendingRequest[];
  /** Allows a pending tool call (`remember`: for the rest of the session; `message`: a note to the agent). */
  approve: (requestId: string, options?: { remember?: boolean; message?: string }) => Promise<AnswerRequestResponse<PermissionResolution>>;
  /** Denies a pending tool call; `message` tells the agent why. */
  deny: (requestId: string, message?: string, options?: { remember?: boolean }) => Promise<AnswerRequestResponse<PermissionResolution>>;
  /** Answers an agent question: question text -> the chosen option's label (labels joined with ", " for multi-select) or free text. */
  answerQuestion: (requestId: string, answers: Record<string, string>) => Promise<AnswerRequestResponse<QuestionResolution>>;
  /** Declines an agent question: the agent goes on without an answer. */
  declineQuestion: (requestId: string, message?: string) => Promise<AnswerRequestResponse<QuestionResolution>>;
  error: Error | undefined;
  loading: boolean;
}

const EMPTY_BLOCKS: ConversationBlock[] = [];
const EMPTY_CONVERSATIONS: Record<string, ConversationBlock[]> = {};
const EMPTY_FILES: WorkspaceFile[] = [];
const EMPTY_REQUESTS: PendingRequest[] = [];
const noSession = () => Promise.reject(new Error('useSession: no sessionId'));

export interface UseSessionOptions {
  /** The warm-up hint's debounce (`warm()`, `warmOnInput`). */
  warm?: UseWarmSessionOptions;
}

/**
 * One session, live: loads `GET /sessions/:id`, joins it over the WebSocket from the snapshot's
 * `lastEventSeq` (no gap, no duplicate), folds every event with `applySessionEvent`, and replaces
 * the state when the socket had to resync.
 */
export function useSession(sessionId: string | undefined, options: UseSessionOptions = {}): UseSessionResult {
  const client = useAgentRuntimeClient();
  const { warm, warmOnInput, rearm } = useWarmSession(sessionId, options.warm);
  const [state, setState] = useState<SessionState | undefined>();
  const [error, setError] = useState<Error | undefined>();
  const [loading, setLoading] = useState(sessionId !== undefined);

  useEffect(() => {
    setState(undefined);
    setError(undefined);
    if (sessionId === undefined) {
      setLoading(false);
      return;
    }
    setLoading(true);
    const socket = client.socket();
    let cancelled = false;
    let joined = false;
    let current: SessionState | undefined;
    let buffer: SessionEventFrame[] | undefined = [];
    // Listen before loading the snapshot: nothing published after the snapshot can be missed.
    const offAny = socket.onAny((event) => {
      if (buffer) {
        buffer.push(event);
        return;
      }
      if (!current) return;
      const next = applySessionEvent(current, event);
      if (next !== current) {
        current = next;
        setState(next);
      }
    });
    const offResynced = socket.on('session:resynced', (data) => {
      if (data.sessionId !== sessionId) return;
      current = createSessionState(data.session);
      setState(current);
    });
    client
      .getSession(sessionId)
      .then(async (data) => {
        if (cancelled) return;
        let folded = createSessionState(data);
        const hasSeq = data.lastEventSeq !== undefined;
        for (const event of buffer ?? []) if (hasSeq) folded = applySessionEvent(folded, event);
        buffer = undefined;
        current = folded;
        setState(folded);
        setLoading(false);
        joined = true;
        const ack = await socket.join(sessionId, hasSeq ? { since: folded.lastSeq } : {});
        if (!hasSeq && current && current.lastSeq < ack.latestSeq) current = { ...current, lastSeq: ack.latestSeq };
      })
      .catch((caught: Error) => {
        if (cancelled) return;
        setError(caught);
        setLoading(false);
      });
    return () => {
      cancelled = true;
      offAny();
      offResynced();
      if (joined) void socket.leave(sessionId);
    };
  }, [client, sessionId]);

  const sendMessage = useCallback(
    (content: UserMessageContent, options: { clientMessageId?: string } = {}) => {
      if (sessionId === undefined) return Promise.reject(new Error('useSession: no sessionId'));
      // The next message being typed warms again (the agent may have idled out by then).
      rearm();
      return client.sendMessage(sessionId, content, options);
    },
    [client, sessionId, rearm],
  );
  const interrupt = useCallback(() => {
    if (sessionId === undefined) return Promise.reject(new Error('useSession: no sessionId'));
    return client.interrupt(sessionId);
  }, [client, sessionId]);

  // Answers go over REST: they need no open socket, and a second answer is idempotent on the server.
  const approve = useCallback(
    (requestId: string, options: { remember?: boolean; message?: string } = {}) =>
      sessionId === undefined ? noSession() : client.answerPermission(sessionId, requestId, { decision: 'allow', ...options }),
    [client, sessionId],
  );
  const deny = useCallback(
    (requestId: string, message?: string, options: { remember?: boolean } = {}) =>
      sessionId === undefined
        ? noSession()
        : client.answerPermission(sessionId, requestId, { decision: 'deny', ...(message === undefined ? {} : { message }), ...options }),
    [client, sessionId],
  );
  const answerQuestion = useCallback(
    (requestId: string, answers: Record<string, string>) => (sessionId === undefined ? noSession() : client.answerQuestion(sessionId, requestId, { answers })),
    [client, sessionId],
  );
  const declineQuestion = useCallback(
    (requestId: string, message?: string) =>
      sessionId === undefined ? noSession() : client.answerQuestion(sessionId, requestId, { decline: true, ...(message === undefined ? {} : { message }) }),
    [client, sessionId],
  );

  return {
    session: state,
    blocks: state ? mainBlocks(state) : EMPTY_BLOCKS,
    conversations: state?.conversations ?? EMPTY_CONVERSATIONS,
    status: state?.status,
    files: state?.files ?? EMPTY_FILES,
    running: state?.turn !== undefined,
    sendMessage,
    interrupt,
    warm,
    warmOnInput,
    pendingRequests: state?.pendingRequests ?? EMPTY_REQUESTS,
    approve,
    deny,
    answerQuestion,
    declineQuestion,
    error,
    loading,
  };
}
