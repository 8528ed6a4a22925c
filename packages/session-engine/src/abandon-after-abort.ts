import type { Clock } from './clock.js';

/** How long an agent gets to end its turn after the turn was aborted before the engine stops waiting. */
export const ABORT_GRACE_MS = 15_000;

/**
 * The agent's events, until it ends — or until `graceMs` after `signal` aborted, whichever comes
 * first. A real CLI ends soon after an abort (its process is killed); an adapter that ignores the
 * abort (a hung SDK call, a wedged exec) would otherwise keep the turn — and a shutdown or a
 * cluster drain waiting for it — open for ever. `onAbandoned` is told when it gave up; the
 * iterator is then closed without waiting for it.
 */
export async function* untilAbandoned<T>(events: AsyncIterable<T>, signal: AbortSignal, clock: Clock, onAbandoned: () => void, graceMs = ABORT_GRACE_MS): AsyncGenerator<T> {
  const iterator = events[Symbol.asyncIterator]();
  let timer: unknown;
  let giveUp: () => void = () => undefined;
  const abandoned = new Promise<'abandoned'>((resolve) => (giveUp = () => resolve('abandoned')));
  const arm = () => {
    timer = clock.setTimeout(giveUp, graceMs);
  };
  if (signal.aborted) arm();
  else signal.addEventListener('abort', arm, { once: true });
  let finished = false;
  try {
    for (;;) {
      const next = await Promise.race([iterator.next(), abandoned]);
      if (next === 'abandoned') {
        onAbandoned();
        void Promise.resolve(iterator.return?.()).catch(() => undefined);
        finished = true;
        return;
      }
      if (next.done) {
        finished = true;
        return;
      }
      yield next.value;
    }
  } finally {
    signal.removeEventListener('abort', arm);
    if (timer !== undefined) clock.clearTimeout(timer);
    // The consumer stopped early (a break or a throw): close the agent's iterator as a for-await would.
    if (!finished) await iterator.return?.();
  }
}
