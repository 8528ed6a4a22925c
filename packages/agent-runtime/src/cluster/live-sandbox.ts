import type { Sandbox } from '@agent-runtime/core';
import type { Clock } from '@agent-runtime/session-engine';

/** How long a lost node's sandbox gets to run `true` before the session gets a new sandbox instead. */
export const REATTACH_PROBE_TIMEOUT_MS = 5_000;

/**
 * True when a sandbox a lost node left running can be kept for its session: its provider can stop
 * the processes that node left in it (`stopLeftoverProcesses`: sandboxes that outlive their host,
 * i.e. Modal — a local sandbox died with its node), and an exec of `true` exits 0 within
 * `timeoutMs` (a sandbox whose command router hangs or that is dying is not reattached).
 */
export async function canReattach(sandbox: Sandbox, timeoutMs: number, clock: Clock): Promise<boolean> {
  if (typeof sandbox.stopLeftoverProcesses !== 'function') return false;
  let timer: unknown;
  const late = new Promise<boolean>((resolve) => {
    timer = clock.setTimeout(() => resolve(false), timeoutMs);
  });
  const probe = (async () => {
    if (!(await sandbox.isRunning())) return false;
    const child = await sandbox.exec(['true'], { timeoutMs });
    return (await child.wait()) === 0;
  })().catch(() => false);
  try {
    return await Promise.race([probe, late]);
  } finally {
    clock.clearTimeout(timer);
  }
}
