import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { noopLogger } from '@agent-runtime/core';
import { systemClock } from './clock.js';
import { IdleTimer } from './idle-timer.js';
import { SyncScheduler } from './sync-scheduler.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('IdleTimer', () => {
  it('warns warnBeforeMs before the stop, stops after idleTimeoutMs, and re-arming starts over', () => {
    const calls: string[] = [];
    const timer = new IdleTimer({
      clock: systemClock,
      idleTimeoutMs: 10_000,
      warnBeforeMs: 2_000,
      onWarning: (idleAt) => calls.push(`warn ${idleAt - Date.now()}`),
      onIdle: () => calls.push('idle'),
    });
    timer.arm();
    vi.advanceTimersByTime(7_999);
    expect(calls).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(calls).toEqual(['warn 2000']);
    timer.arm();
    vi.advanceTimersByTime(9_999);
    expect(calls).toEqual(['warn 2000', 'warn 2000']);
    vi.advanceTimersByTime(1);
    expect(calls).toEqual(['warn 2000', 'warn 2000', 'idle']);
  });

  it('cancel stops both timers; a warning as long as the timeout is never sent', () => {
    const calls: string[] = [];
    const timer = new IdleTimer({ clock: systemClock, idleTimeoutMs: 1_000, warnBeforeMs: 1_000, onWarning: () => calls.push('warn'), onIdle: () => calls.push('idle') });
    timer.arm();
    vi.advanceTimersByTime(999);
    timer.cancel();
    vi.advanceTimersByTime(10_000);
    expect(calls).toEqual([]);
    timer.arm();
    vi.advanceTimersByTime(1_000);
    expect(calls).toEqual(['idle']);
  });
});

describe('SyncScheduler', () => {
  it('syncs every intervalMs while started, transcripts once per delay however many changes, nothing once stopped', async () => {
    const calls: string[] = [];
    const scheduler = new SyncScheduler({
      clock: systemClock,
      logger: noopLogger,
      intervalMs: 1_000,
      transcriptDelayMs: 100,
      syncAll: async () => {
        calls.push('all');
      },
      syncTranscripts: async () => {
        calls.push('transcripts');
      },
    });
    scheduler.transcriptChanged(); // not started: ignored
    scheduler.start();
    scheduler.transcriptChanged();
    scheduler.transcriptChanged();
    await vi.advanceTimersByTimeAsync(100);
    expect(calls).toEqual(['transcripts']);
    await vi.advanceTimersByTimeAsync(900);
    expect(calls).toEqual(['transcripts', 'all']);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(calls).toEqual(['transcripts', 'all', 'all']);
    scheduler.stop();
    scheduler.transcriptChanged();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(calls).toEqual(['transcripts', 'all', 'all']);
  });

  it('a failing sync is logged and the next tick tries again', async () => {
    const warnings: string[] = [];
    let attempts = 0;
    const scheduler = new SyncScheduler({
      clock: systemClock,
      logger: { ...noopLogger, warn: (_fields, message) => warnings.push(message ?? '') },
      intervalMs: 1_000,
      transcriptDelayMs: 100,
      syncAll: async () => {
        attempts++;
        throw new Error('db down');
      },
      syncTranscripts: async () => undefined,
    });
    scheduler.start();
    await vi.advanceTimersByTimeAsync(2_000);
    expect(attempts).toBe(2);
    expect(warnings).toEqual(['periodic sync failed', 'periodic sync failed']);
    scheduler.stop();
  });
});
