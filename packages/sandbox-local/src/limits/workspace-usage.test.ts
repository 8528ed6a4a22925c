import { describe, expect, it, vi } from 'vitest';
import { WorkspaceUsage } from './workspace-usage.js';

describe('WorkspaceUsage', () => {
  it('sums allocated sizes, replaces a file’s previous size and forgets deleted files', () => {
    const usage = new WorkspaceUsage(100, () => {});
    usage.record('a', 40);
    usage.record('b', 30);
    usage.record('a', 10);
    expect(usage.usedBytes).toBe(40);
    usage.record('b', null);
    usage.record('never-seen', null);
    expect(usage.usedBytes).toBe(10);
    expect(usage.exceeded).toBe(false);
  });

  it('reports growth past the cap, once per growing update, never for a shrink', () => {
    const onExceeded = vi.fn();
    const usage = new WorkspaceUsage(100, onExceeded);
    usage.record('a', 100);
    expect(onExceeded).not.toHaveBeenCalled(); // at the cap is allowed
    usage.record('b', 8);
    expect(onExceeded).toHaveBeenCalledWith(108, 'b');
    expect(usage.exceeded).toBe(true);
    usage.record('a', 96); // shrinking, still above: the process freeing space is not killed
    expect(onExceeded).toHaveBeenCalledTimes(1);
    usage.record('b', null);
    expect(usage.exceeded).toBe(false);
  });

  it('wouldExceed: a write that would take the total above the cap', () => {
    const usage = new WorkspaceUsage(100, () => {});
    usage.record('a', 60);
    expect(usage.wouldExceed(40)).toBe(false);
    expect(usage.wouldExceed(41)).toBe(true);
  });
});
