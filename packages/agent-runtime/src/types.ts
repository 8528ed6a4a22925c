/**
 * `agent-runtime/types`: every type of the public contract, the zod schemas behind them and the
 * block type guards. Browser-safe: it re-exports `@agent-runtime/core` only.
 */
export * from '@agent-runtime/core';
