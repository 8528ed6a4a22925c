// @vitest-environment jsdom
import { AgentRuntimeClientError, type AgentRuntimeClient } from '@agent-runtime/client';
import { cleanup, fireEvent, render, renderHook } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AgentRuntimeProvider, DEFAULT_WARM_COOLDOWN_MS, useWarmSession } from './index.js';

// The debounce reads the clock: fake timers move it, nothing sleeps.

/** A client whose warm signals are recorded and answered when the test says so. */
function warmClient() {
  const sent: { via: 'socket' | 'rest'; sessionId: string; answer: (warming: boolean) => void; fail: (error: Error) => void }[] = [];
  let socketOpen = true;
  const pending = (via: 'socket' | 'rest', sessionId: string) =>
    new Promise<{ success: true; sessionId: string; warming: boolean }>((resolve, reject) => {
      sent.push({ via, sessionId, answer: (warming) => resolve({ success: true, sessionId, warming }), fail: reject });
    });
  const client = {
    socket: () => ({
      warmSession: (sessionId: string) =>
        socketOpen ? pending('socket', sessionId) : Promise.reject(new AgentRuntimeClientError('DISCONNECTED', 'Not connected.')),
    }),
    warmSession: (sessionId: string) => pending('rest', sessionId),
  } as unknown as AgentRuntimeClient;
  return {
    client,
    sent,
    closeSocket: () => {
      socketOpen = false;
    },
    wrapper: ({ children }: { children: ReactNode }) => <AgentRuntimeProvider client={client}>{children}</AgentRuntimeProvider>,
  };
}

/** Lets the hook's promise chain run (no timers involved). */
const settle = () => Promise.resolve().then(() => Promise.resolve());

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(new Date('2026-01-01T00:00:00Z'));
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe('useWarmSession', () => {
  it('sends one signal; calls while it is in flight and within the cooldown send nothing', async () => {
    const { sent, wrapper } = warmClient();
    const { result } = renderHook(() => useWarmSession('s1'), { wrapper });
    const first = result.current.warm();
    await expect(result.current.warm()).resolves.toEqual({ sent: false, warming: false }); // in flight
    expect(sent.map((signal) => [signal.via, signal.sessionId])).toEqual([['socket', 's1']]);
    sent[0]!.answer(true);
    await expect(first).resolves.toEqual({ sent: true, warming: true });

    vi.advanceTimersByTime(DEFAULT_WARM_COOLDOWN_MS - 1);
    await expect(result.current.warm()).resolves.toEqual({ sent: false, warming: false }); // cooling down
    expect(sent).toHaveLength(1);

    vi.advanceTimersByTime(1);
    const again = result.current.warm();
    expect(sent).toHaveLength(2);
    sent[1]!.answer(false);
    await expect(again).resolves.toEqual({ sent: true, warming: false });
  });

  it('rearm (a message went out) ends the cooldown; cooldownMs is configurable', async () => {
    const { sent, wrapper } = warmClient();
    const { result } = renderHook(() => useWarmSession('s1', { cooldownMs: 5_000 }), { wrapper });
    void result.current.warm();
    sent[0]!.answer(true);
    await settle();
    result.current.rearm();
    void result.current.warm();
    expect(sent).toHaveLength(2);
    sent[1]!.answer(true);
    await settle();
    vi.advanceTimersByTime(4_999);
    void result.current.warm();
    expect(sent).toHaveLength(2);
    vi.advanceTimersByTime(1);
    void result.current.warm();
    expect(sent).toHaveLength(3);
  });

  it('another session is not debounced by the first one', async () => {
    const { sent, wrapper } = warmClient();
    const { result, rerender } = renderHook(({ sessionId }) => useWarmSession(sessionId), { wrapper, initialProps: { sessionId: 's1' } });
    void result.current.warm();
    sent[0]!.answer(true);
    await settle();
    rerender({ sessionId: 's2' });
    void result.current.warm();
    expect(sent.map((signal) => signal.sessionId)).toEqual(['s1', 's2']);
  });

  it('goes over REST while the socket is disconnected', async () => {
    const { sent, wrapper, closeSocket } = warmClient();
    closeSocket();
    const { result } = renderHook(() => useWarmSession('s1'), { wrapper });
    const warmed = result.current.warm();
    await settle();
    expect(sent.map((signal) => signal.via)).toEqual(['rest']);
    sent[0]!.answer(true);
    await expect(warmed).resolves.toEqual({ sent: true, warming: true });
  });

  it('rejects with the server error, and the cooldown still holds (no retry on every key)', async () => {
    const { sent, wrapper } = warmClient();
    const { result } = renderHook(() => useWarmSession('s1'), { wrapper });
    const refused = result.current.warm();
    sent[0]!.fail(new AgentRuntimeClientError('FORBIDDEN', 'No message right.'));
    await expect(refused).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(result.current.warm()).resolves.toEqual({ sent: false, warming: false });
    expect(sent).toHaveLength(1);
  });

  it('rejects without a session', async () => {
    const { wrapper } = warmClient();
    const { result } = renderHook(() => useWarmSession(undefined), { wrapper });
    await expect(result.current.warm()).rejects.toThrow('no sessionId');
    expect(() => result.current.warmOnInput({ currentTarget: { value: 'x' } })).not.toThrow();
  });
});

describe('warmOnInput', () => {
  it('in a text box: typing a message sends one signal, an emptied box none, a failure is dropped', async () => {
    const { sent, wrapper } = warmClient();
    function Box() {
      const { warmOnInput } = useWarmSession('s1');
      return <textarea data-testid="box" onInput={warmOnInput} />;
    }
    const { getByTestId } = render(<Box />, { wrapper });
    const box = getByTestId('box') as HTMLTextAreaElement;
    fireEvent.input(box, { target: { value: '   ' } });
    expect(sent).toHaveLength(0); // only blanks: not a message yet
    for (const text of ['H', 'He', 'Hel', 'Hell', 'Hello']) fireEvent.input(box, { target: { value: text } });
    expect(sent).toHaveLength(1);
    sent[0]!.fail(new AgentRuntimeClientError('UNSUPPORTED_OPERATION', 'No warm-up here.'));
    await settle(); // no unhandled rejection: the hint is best effort
    fireEvent.input(box, { target: { value: 'Hello!' } });
    expect(sent).toHaveLength(1);
  });
});
