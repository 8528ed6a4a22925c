import type { AgentEvent } from '@agent-runtime/core';
import type { GeminiRunResult } from './gemini-run-result.js';
import type { GeminiStreamEvent } from './gemini-stream-events.js';

export interface GeminiStreamReducerOptions {
  /** `'main'` unless the run is a subagent's. */
  conversationId?: string;
  /**
   * The events come from `gemini --acp` (warm mode), which runs the tool calls of one response one
   * at a time (call, result, call, result) where stream-json announces them all first. A tool use
   * after a result then starts a new response only when the session file (read before it, see
   * `needsSessionBefore`) has that response's record, and a response's tool results and thoughts,
   * which the file places after all its tool uses, start once the response is over (the next
   * response begins, or `finish`). Default `false` (stream-json).
   */
  toolCallsOneAtATime?: boolean;
}

/**
 * Turns one CLI run's stream-json events into block events, reconciled with the session file.
 *
 * Usage, per event: `if (reducer.needsSessionBefore(event)) reconcile(await readFile())`, then
 * `push(event)`; once the process has exited, `finish(await readFile())`. Folding the events
 * gives exactly the blocks `parseGeminiSession` returns for this run's prompt. See README.
 */
export interface GeminiStreamReducer {
  /**
   * True when the session file must be read and passed to `reconcile` before `push(event)`:
   * to learn the prompt's record id (first model event), a finished response's thoughts
   * (first tool result of a response), and the previous response's tool records (first event
   * of the next response). With `toolCallsOneAtATime`, not at tool results: every model event
   * after a result (does it start a new response?).
   */
  needsSessionBefore(event: GeminiStreamEvent): boolean;
  /** Feed one stream-json event. */
  push(event: GeminiStreamEvent): AgentEvent[];
  /** Bring blocks up to date with the session file's current content. */
  reconcile(sessionText: string): AgentEvent[];
  /**
   * The run is over (the process exited): start and complete every remaining block of this
   * run's prompt from the session file. Blocks the file does not have are completed as they are.
   */
  finish(sessionText: string | undefined): AgentEvent[];
  /** The `result` event's outcome, once seen. */
  readonly result: GeminiRunResult | undefined;
  /** The CLI's session uuid from `init`. */
  readonly sessionId: string | undefined;
  /** Non-fatal `error` events of the run. */
  readonly warnings: readonly string[];
}
