import type { AgentEvent, ConversationBlock, TokenUsage, ToolUseBlock } from '@agent-runtime/core';
import { geminiBlockIds } from './block-ids.js';
import type { GeminiStreamEvent, GeminiStreamStats } from './gemini-stream-events.js';
import type { PlacedBlock } from './place-gemini-response.js';
import { parseGeminiSessionDetailed } from './parse-gemini-session.js';

/** How a Gemini CLI run ended, from its `result` event. */
export interface GeminiRunResult {
  status: 'success' | 'error';
  error?: { type?: string; message?: string };
  usage?: TokenUsage;
}

export interface GeminiStreamReducerOptions {
  /** `'main'` unless the run is a subagent's. */
  conversationId?: string;
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
   * of the next response).
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

interface TrackedBlock {
  block: ConversationBlock;
  completed: boolean;
  /** JSON of the block as last completed, to avoid re-completing an unchanged block. */
  completedJson?: string;
}

type Phase = 'before-prompt' | 'awaiting-prompt-id' | 'ready';

export function createGeminiStreamReducer(options: GeminiStreamReducerOptions = {}): GeminiStreamReducer {
  const conversationId = options.conversationId ?? 'main';
  const blocks = new Map<string, TrackedBlock>();
  const warnings: string[] = [];
  let phase: Phase = 'before-prompt';
  let promptId: string | undefined;
  let fallbackPromptId = 'run';
  let response = -1;
  /** The current response has had tool results: the next model event starts a new response. */
  let responseHasResults = false;
  /** Responses whose finished-response reconcile (thoughts) was done. */
  const settledResponses = new Set<number>();
  let pendingText = '';
  let model: string | undefined;
  let sessionId: string | undefined;
  let result: GeminiRunResult | undefined;

  const start = (block: ConversationBlock): AgentEvent => {
    blocks.set(block.id, { block, completed: false });
    return { type: 'block:start', conversationId, block };
  };
  const complete = (tracked: TrackedBlock, block: ConversationBlock): AgentEvent | undefined => {
    const json = JSON.stringify(block);
    if (tracked.completed && tracked.completedJson === json) return undefined;
    tracked.block = block;
    tracked.completed = true;
    tracked.completedJson = json;
    return { type: 'block:complete', conversationId, blockId: block.id, block };
  };
  const currentPrompt = () => promptId ?? fallbackPromptId;
  const isModelEvent = (event: GeminiStreamEvent) =>
    (event.type === 'message' && event.role === 'assistant') || event.type === 'tool_use';

  /** Moves to the next response when a model event follows tool results. */
  const enterResponse = () => {
    if (response < 0 || responseHasResults) {
      response += 1;
      responseHasResults = false;
      pendingText = '';
    }
  };

  /** Applies the session file to blocks of this prompt up to response `frontier`. */
  const apply = (placed: PlacedBlock[], frontier: number): AgentEvent[] => {
    const events: AgentEvent[] = [];
    for (const { block, promptId: owner, response: index } of placed) {
      if (owner !== promptId || index > frontier) continue;
      let tracked = blocks.get(block.id);
      if (!tracked) {
        events.push(start(block));
        tracked = blocks.get(block.id)!;
      }
      if (isFinal(block)) {
        const event = complete(tracked, block);
        if (event) events.push(event);
      }
    }
    return events;
  };

  const reconcileText = (sessionText: string, frontier: number): AgentEvent[] => {
    const session = parseGeminiSessionDetailed(sessionText);
    if (phase === 'awaiting-prompt-id') {
      if (session.lastRunPromptId) promptId = session.lastRunPromptId;
      phase = 'ready';
    }
    if (!promptId) return [];
    return apply(session.placed, frontier);
  };

  return {
    get result() {
      return result;
    },
    get sessionId() {
      return sessionId;
    },
    get warnings() {
      return warnings;
    },

    needsSessionBefore(event) {
      if (phase === 'awaiting-prompt-id') return isModelEvent(event) || event.type === 'tool_result';
      if (phase !== 'ready') return false;
      if (isModelEvent(event)) return responseHasResults;
      if (event.type === 'tool_result') return response >= 0 && !settledResponses.has(response);
      return false;
    },

    push(event) {
      switch (event.type) {
        case 'init': {
          sessionId = event.session_id ?? sessionId;
          model = event.model ?? model;
          fallbackPromptId = `run-${event.timestamp ?? 'unknown'}`;
          return model ? [{ type: 'metadata', model }] : [];
        }
        case 'message': {
          if (event.role === 'user') {
            phase = 'awaiting-prompt-id';
            return [];
          }
          if (phase !== 'ready') phase = 'ready';
          enterResponse();
          const id = geminiBlockIds.text(currentPrompt(), response);
          const tracked = blocks.get(id);
          if (tracked) {
            if (tracked.completed) return [];
            const block = tracked.block as { content: string };
            block.content += event.content;
            return [{ type: 'block:delta', conversationId, blockId: id, delta: event.content }];
          }
          pendingText += event.content;
          if (pendingText.trim() === '') return [];
          const content = pendingText;
          pendingText = '';
          return [
            start({
              id,
              type: 'assistant_text',
              timestamp: event.timestamp ?? new Date(0).toISOString(),
              content,
              ...(model ? { model } : {}),
            }),
          ];
        }
        case 'tool_use': {
          if (phase !== 'ready') phase = 'ready';
          enterResponse();
          const id = geminiBlockIds.toolUse(currentPrompt(), response, event.tool_id);
          if (blocks.has(id)) return [];
          return [
            start({
              id,
              type: 'tool_use',
              timestamp: event.timestamp ?? new Date(0).toISOString(),
              toolName: event.tool_name,
              toolUseId: event.tool_id,
              input: event.parameters ?? {},
              status: 'running',
            }),
          ];
        }
        case 'tool_result': {
          if (phase !== 'ready') phase = 'ready';
          if (response < 0) response = 0;
          responseHasResults = true;
          settledResponses.add(response);
          const events: AgentEvent[] = [];
          const status = event.status === 'error' ? 'error' : 'success';
          const useId = geminiBlockIds.toolUse(currentPrompt(), response, event.tool_id);
          const use = blocks.get(useId);
          if (use && !use.completed && (use.block as ToolUseBlock).status !== status) {
            (use.block as ToolUseBlock).status = status;
            events.push({ type: 'block:update', conversationId, blockId: useId, updates: { status } });
          }
          const resultId = geminiBlockIds.toolResult(currentPrompt(), response, event.tool_id);
          if (!blocks.has(resultId)) {
            events.push(
              start({
                id: resultId,
                type: 'tool_result',
                timestamp: event.timestamp ?? new Date(0).toISOString(),
                toolUseId: event.tool_id,
                output: event.output ?? event.error?.message ?? null,
                isError: status === 'error',
              }),
            );
          }
          return events;
        }
        case 'error': {
          if (event.message) warnings.push(event.message);
          return [];
        }
        case 'result': {
          const usage = mapStats(event.stats);
          result = {
            status: event.status === 'success' ? 'success' : 'error',
            ...(event.error ? { error: event.error } : {}),
            ...(usage ? { usage } : {}),
          };
          return usage ? [{ type: 'metadata', usage, ...(model ? { model } : {}) }] : [];
        }
        default:
          return [];
      }
    },

    reconcile(sessionText) {
      // The model events that triggered this reconcile belong to `response` (a finished response
      // before its tool results) or start `response + 1` (the previous one is then complete).
      return reconcileText(sessionText, Math.max(response, -1));
    },

    finish(sessionText) {
      const events = sessionText === undefined ? [] : reconcileText(sessionText, Number.POSITIVE_INFINITY);
      for (const tracked of blocks.values()) {
        if (tracked.completed) continue;
        const block = { ...tracked.block } as ConversationBlock;
        if (block.type === 'tool_use' && (block.status === 'running' || block.status === 'pending')) {
          (block as ToolUseBlock).status = 'error';
        }
        const event = complete(tracked, block);
        if (event) events.push(event);
      }
      return events;
    },
  };
}

/** Blocks the file holds in their final state (a tool use is final once it has a terminal status). */
function isFinal(block: ConversationBlock): boolean {
  return block.type !== 'tool_use' || block.status === 'success' || block.status === 'error';
}

function mapStats(stats: GeminiStreamStats | undefined): TokenUsage | undefined {
  if (!stats || typeof stats.input_tokens !== 'number' || typeof stats.output_tokens !== 'number') return undefined;
  return {
    inputTokens: stats.input_tokens,
    outputTokens: stats.output_tokens,
    ...(stats.cached ? { cacheReadTokens: stats.cached } : {}),
  };
}
