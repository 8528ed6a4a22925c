import { renderHook, type RenderHookOptions } from '@testing-library/react';
import { useEffect } from 'react';

const DIAGNOSTIC_TIMEOUT_MS = 45_000;

/**
 * `renderHook` that waits on renders instead of polling on a clock: `until(check)` resolves at the
 * first committed render where `check` passes (it may use `expect`; a throw means "not yet"). The
 * only timeout is a generous diagnostic one that reports the last failed check, so a loaded
 * machine makes the test slower, never red.
 */
export function observeHook<T>(useHook: () => T, options: RenderHookOptions<unknown> = {}) {
  const waiters = new Set<() => void>();
  // The value of the last committed render (renderHook's own `result` is set by an effect that
  // runs after ours, so it would lag one render behind here).
  let committed: { value: T } | undefined;
  const view = renderHook(() => {
    const value = useHook();
    useEffect(() => {
      committed = { value };
      for (const waiter of [...waiters]) waiter();
    });
    return value;
  }, options);
  const current = (): T => (committed ? committed.value : view.result.current);

  function until(check: (value: T) => void | boolean): Promise<T> {
    const actEnvironment = globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean };
    const previous = actEnvironment.IS_REACT_ACT_ENVIRONMENT;
    // Updates come from socket events, outside act(): let React schedule them as in an app.
    actEnvironment.IS_REACT_ACT_ENVIRONMENT = false;
    let lastError: unknown;
    const passes = () => {
      try {
        return check(current()) !== false;
      } catch (error) {
        lastError = error;
        return false;
      }
    };
    return new Promise<T>((resolve, reject) => {
      const finish = (outcome: () => void) => {
        waiters.delete(waiter);
        clearTimeout(timer);
        actEnvironment.IS_REACT_ACT_ENVIRONMENT = previous;
        outcome();
      };
      const waiter = () => {
        if (passes()) finish(() => resolve(current()));
      };
      const timer = setTimeout(() => {
        finish(() => reject(lastError instanceof Error ? lastError : new Error(`observeHook: condition never held (${String(lastError ?? 'returned false')})`)));
      }, DIAGNOSTIC_TIMEOUT_MS);
      waiters.add(waiter);
      waiter();
    });
  }

  return { ...view, until };
}

/** Resolves at the first DOM change in `container` (or now) after which `check` passes. */
export function untilDom(container: Element, check: () => void | boolean): Promise<void> {
  const actEnvironment = globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean };
  const previous = actEnvironment.IS_REACT_ACT_ENVIRONMENT;
  actEnvironment.IS_REACT_ACT_ENVIRONMENT = false;
  let lastError: unknown;
  const passes = () => {
    try {
      return check() !== false;
    } catch (error) {
      lastError = error;
      return false;
    }
  };
  return new Promise((resolve, reject) => {
    const finish = (outcome: () => void) => {
      observer.disconnect();
      clearTimeout(timer);
      actEnvironment.IS_REACT_ACT_ENVIRONMENT = previous;
      outcome();
    };
    const observer = new MutationObserver(() => {
      if (passes()) finish(resolve);
    });
    observer.observe(container, { subtree: true, childList: true, characterData: true, attributes: true });
    const timer = setTimeout(() => finish(() => reject(lastError ?? new Error('untilDom: condition never held'))), DIAGNOSTIC_TIMEOUT_MS);
    if (passes()) finish(resolve);
  });
}
