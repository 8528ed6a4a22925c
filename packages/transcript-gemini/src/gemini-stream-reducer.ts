import type { AgentEvent, ConversationBlock, ToolUseBlock } from '@agent-runtime/core';
import { geminiBlockIds } from './block-ids.js';
import { type GeminiRunResult, runResultOf } from './gemini-run-result.js';
import type { GeminiStreamEvent } from './gemini-stream-events.js';
import type { GeminiStreamReducer, GeminiStreamReducerOptions } from './gemini-stream-reducer-types.js';
import type { PlacedBlock } from './place-gemini-response.js';
import { type DetailedGeminiSession, parseGeminiSessionDetailed } from './parse-gemini-session.js';

export type { GeminiRunResult } from './gemini-run-result.js';
export type { GeminiStreamReducer, GeminiStreamReducerOptions } from './gemini-stream-reducer-types.js';

interface TrackedBlock {
  block: ConversationBlock;
  completed: boolean;
  /** JSON of the block as last completed, to avoid re-completing an unchanged block. */
  completedJson?: string;
}

type Phase = 'before-prompt' | 'awaiting-prompt-id' | 'ready';
type ToolResultEvent = Extract<GeminiStreamEvent, { type: 'tool_result' }>;

export function createGeminiStreamReducer(options: GeminiStreamReducerOptions = {}): GeminiStreamReducer {
  const conversationId = options.conversationId ?? 'main';
  const oneAtATime = options.toolCallsOneAtATime === true;
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
  /** One-at-a-time mode: the current response's tool results, started when the response is over. */
  let heldResults: ToolResultEvent[] = [];
  /** One-at-a-time mode: the session file as the last reconcile read it. */
  let latest: DetailedGeminiSession | undefined;
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

  /**
   * Moves to the next response when a model event follows tool results (one at a time: a tool use
   * only when the file places its call in a later response); returns the events that end the current one.
   */
  const enterResponse = (event: GeminiStreamEvent): AgentEvent[] => {
    if (response >= 0 && !responseHasResults) return [];
    if (response >= 0 && oneAtATime && event.type === 'tool_use' && responseOfCall(event.tool_id) <= response) return [];
    const events = response >= 0 && oneAtATime ? endResponse() : [];
    response += 1;
    responseHasResults = false;
    pendingText = '';
    return events;
  };

  /**
   * The response of a call, from the file: where it is recorded, or (still running, so recorded
   * only once it ends) the prompt's last response, whose record is written before its calls run
   * and is the last until they have all ended. Without a file, a new response (as in stream-json).
   */
  const responseOfCall = (toolId: string): number => {
    if (!latest || !promptId) return response + 1;
    const recorded = latest.placed.find(({ block, promptId: owner }) => owner === promptId && block.type === 'tool_use' && block.toolUseId === toolId);
    return recorded ? recorded.response : (latest.responseCounts.get(promptId) ?? 0) - 1;
  };

  /** One at a time: the response is over; its remaining blocks start in file order, then held results the file lacks. */
  const endResponse = (): AgentEvent[] => {
    const events = latest && promptId ? apply(latest.placed, response) : [];
    for (const held of heldResults) events.push(...startResult(held));
    heldResults = [];
    return events;
  };

  const startResult = (event: ToolResultEvent): AgentEvent[] => {
    const resultId = geminiBlockIds.toolResult(currentPrompt(), response, event.tool_id);
    if (blocks.has(resultId)) return [];
    return [
      start({
        id: resultId,
        type: 'tool_result',
        timestamp: event.timestamp ?? new Date(0).toISOString(),
        toolUseId: event.tool_id,
        output: event.output ?? event.error?.message ?? null,
        isError: event.status === 'error',
      }),
    ];
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
    latest = session;
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
      // One at a time, a result tells nothing yet: the response's thoughts wait for its end.
      if (event.type === 'tool_result') return !oneAtATime && response >= 0 && !settledResponses.has(response);
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
          const ended = enterResponse(event);
          const id = geminiBlockIds.text(currentPrompt(), response);
          const tracked = blocks.get(id);
          if (tracked) {
            if (tracked.completed) return ended;
            const block = tracked.block as { content: string };
            block.content += event.content;
            return [...ended, { type: 'block:delta', conversationId, blockId: id, delta: event.content }];
          }
          pendingText += event.content;
          if (pendingText.trim() === '') return ended;
          const content = pendingText;
          pendingText = '';
          return [
            ...ended,
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
          const ended = enterResponse(event);
          const id = geminiBlockIds.toolUse(currentPrompt(), response, event.tool_id);
          if (blocks.has(id)) return ended;
          return [
            ...ended,
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
          if (oneAtATime) heldResults.push(event);
          else events.push(...startResult(event));
          return events;
        }
        case 'error': {
          if (event.message) warnings.push(event.message);
          return [];
        }
        case 'result': {
          result = runResultOf(event);
          return result.usage ? [{ type: 'metadata', usage: result.usage, ...(model ? { model } : {}) }] : [];
        }
        default:
          return [];
      }
    },

    reconcile(sessionText) {
      // The model events that triggered this reconcile belong to `response` (a finished response
      // before its tool results) or start `response + 1` (the previous one is then complete).
      // One at a time, `response` may still get tool calls: only earlier responses are applied.
      return reconcileText(sessionText, Math.max(oneAtATime ? response - 1 : response, -1));
    },

    finish(sessionText) {
      const events = sessionText === undefined ? [] : reconcileText(sessionText, Number.POSITIVE_INFINITY);
      for (const held of heldResults) events.push(...startResult(held));
      heldResults = [];
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
