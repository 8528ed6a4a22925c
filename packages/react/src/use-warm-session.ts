import { AgentRuntimeClientError, type AgentRuntimeClient } from '@agent-runtime/client';
import { useCallback, useEffect, useRef } from 'react';
import { useAgentRuntimeClient } from './provider.js';

/** Between two warm signals of one session, unless a message went out in between. */
export const DEFAULT_WARM_COOLDOWN_MS = 30_000;

export interface UseWarmSessionOptions {
  /**
   * After a signal, further `warm()` calls are no-ops for this long (until a message is sent):
   * one signal per message being typed, and again when the user keeps typing past an idle
   * timeout that may have stopped what the first one started. Default 30 s.
   */
  cooldownMs?: number;
}

/** What `warm()` did: `sent: false` when the call was debounced (nothing went out). */
export interface WarmSignalResult {
  sent: boolean;
  /** The server's answer: false when there was nothing to warm (already warm, or a turn runs). */
  warming: boolean;
}

export interface UseWarmSessionResult {
  /**
   * The user is about to send a message: ask the server to warm the session's sandbox and agent
   * process now (`session:warm` over the open socket, else `POST /sessions/:id/warm`). At most one
   * signal per message: a call while one is in flight, or within `cooldownMs` of the last one with
   * no message sent since, does nothing. Rejects with the server's error (e.g. FORBIDDEN).
   */
  warm: () => Promise<WarmSignalResult>;
  /**
   * `onInput` / `onChange` handler for a text box: warms once the box holds text (so clearing it
   * does not count), debounced as `warm()`; a failed hint is dropped (the message reports real errors).
   */
  warmOnInput: (event?: { currentTarget: { value: string } }) => void;
  /** A message went out: the next `warm()` sends again (the cooldown is over). */
  rearm: () => void;
}

const NOT_SENT: WarmSignalResult = { sent: false, warming: false };

async function sendWarmSignal(client: AgentRuntimeClient, sessionId: string): Promise<boolean> {
  try {
    return (await client.socket().warmSession(sessionId)).warming;
  } catch (error) {
    // The socket is (re)connecting: the hint goes over REST instead of being lost.
    if (AgentRuntimeClientError.isInstance(error) && error.code === 'DISCONNECTED') return (await client.warmSession(sessionId)).warming;
    throw error;
  }
}

/**
 * The warm-up hint of one session, debounced: wire `warmOnInput` to the message box and the
 * session's agent starts before the message is sent. `useSession` includes it (and rearms it on
 * its `sendMessage`).
 */
export function useWarmSession(sessionId: string | undefined, options: UseWarmSessionOptions = {}): UseWarmSessionResult {
  const client = useAgentRuntimeClient();
  const cooldownMs = options.cooldownMs ?? DEFAULT_WARM_COOLDOWN_MS;
  // Per session: a signal in flight, and when the last one went out (undefined: rearmed).
  const signal = useRef<{ sessionId: string | undefined; inFlight: boolean; sentAt: number | undefined }>({ sessionId, inFlight: false, sentAt: undefined });

  useEffect(() => {
    signal.current = { sessionId, inFlight: false, sentAt: undefined };
  }, [sessionId]);

  const warm = useCallback(async (): Promise<WarmSignalResult> => {
    if (sessionId === undefined) throw new Error('useWarmSession: no sessionId');
    if (signal.current.sessionId !== sessionId) signal.current = { sessionId, inFlight: false, sentAt: undefined };
    const state = signal.current;
    if (state.inFlight) return NOT_SENT;
    if (state.sentAt !== undefined && Date.now() - state.sentAt < cooldownMs) return NOT_SENT;
    state.inFlight = true;
    state.sentAt = Date.now();
    try {
      return { sent: true, warming: await sendWarmSignal(client, sessionId) };
    } finally {
      state.inFlight = false;
    }
  }, [client, sessionId, cooldownMs]);

  const warmOnInput = useCallback(
    (event?: { currentTarget: { value: string } }) => {
      if (sessionId === undefined) return;
      if (event !== undefined && event.currentTarget.value.trim() === '') return;
      warm().catch(() => {});
    },
    [warm, sessionId],
  );

  const rearm = useCallback(() => {
    if (signal.current.sessionId === sessionId) signal.current.sentAt = undefined;
  }, [sessionId]);

  return { warm, warmOnInput, rearm };
}
