import type { AgentRuntimeClient, SessionEventFrame } from '@agent-runtime/client';

/**
 * A connected client's socket that records every frame of one session (and when it arrived) and
 * lets a test wait until what it recorded passes a check. Join with `socket.join(...)` yourself.
 */
export function watchSession(client: AgentRuntimeClient, sessionId: string) {
  const socket = client.socket();
  const frames: SessionEventFrame[] = [];
  const arrivals: number[] = [];
  const waiters: { check: () => boolean; resolve: () => void }[] = [];
  socket.onAny((frame) => {
    if ((frame.data as { sessionId?: string }).sessionId !== sessionId) return;
    frames.push(frame as SessionEventFrame);
    arrivals.push(Date.now());
    for (const waiter of waiters.splice(0)) {
      if (waiter.check()) waiter.resolve();
      else waiters.push(waiter);
    }
  });
  const until = (check: () => boolean) =>
    new Promise<void>((resolve) => {
      if (check()) resolve();
      else waiters.push({ check, resolve });
    });
  /** The frames with a `seq` (from the durable event log), in arrival order. */
  const numbered = () => frames.filter((frame) => frame.seq !== undefined);
  /** Frames of one event, numbered or not (`session:status` after a join has no seq). */
  const count = (event: string) => frames.filter((frame) => frame.event === event).length;
  const countNumbered = (event: string) => numbered().filter((frame) => frame.event === event).length;
  return { socket, frames, arrivals, until, numbered, count, countNumbered };
}

export type SessionWatcher = ReturnType<typeof watchSession>;

/** POST /sessions/:id/message with a `clientMessageId`, as a client that may retry does. */
export async function postMessage(baseUrl: string, sessionId: string, content: string, clientMessageId: string): Promise<{ status: number; body: { queued?: boolean } }> {
  const response = await fetch(`${baseUrl}/sessions/${sessionId}/message`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ content, clientMessageId }),
  });
  return { status: response.status, body: (await response.json()) as { queued?: boolean } };
}
