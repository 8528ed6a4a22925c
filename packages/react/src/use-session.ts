import {
  applySessionEvent,
  createSessionState,
  mainBlocks,
  type InterruptResponse,
  type SessionEventFrame,
  type SessionState,
} from '@agent-runtime/client';
import type { ConversationBlock, SendMessageResponse, SessionStatus, UserMessageContent, WorkspaceFile } from '@agent-runtime/core';
import { useCallback, useEffect, useState } from 'react';
import { useAgentRuntimeClient } from './provider.js';

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
  error: Error | undefined;
  loading: boolean;
}

const EMPTY_BLOCKS: ConversationBlock[] = [];
const EMPTY_CONVERSATIONS: Record<string, ConversationBlock[]> = {};
const EMPTY_FILES: WorkspaceFile[] = [];

/**
 * One session, live: loads `GET /sessions/:id`, joins it over the WebSocket from the snapshot's
 * `lastEventSeq` (no gap, no duplicate), folds every event with `applySessionEvent`, and replaces
 * the state when the socket had to resync.
 */
export function useSession(sessionId: string | undefined): UseSessionResult {
  const client = useAgentRuntimeClient();
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
      return client.sendMessage(sessionId, content, options);
    },
    [client, sessionId],
  );
  const interrupt = useCallback(() => {
    if (sessionId === undefined) return Promise.reject(new Error('useSession: no sessionId'));
    return client.interrupt(sessionId);
  }, [client, sessionId]);

  return {
    session: state,
    blocks: state ? mainBlocks(state) : EMPTY_BLOCKS,
    conversations: state?.conversations ?? EMPTY_CONVERSATIONS,
    status: state?.status,
    files: state?.files ?? EMPTY_FILES,
    running: state?.turn !== undefined,
    sendMessage,
    interrupt,
    error,
    loading,
  };
}
