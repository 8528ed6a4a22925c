import type { AgentEvent, Logger } from '@agent-runtime/core';
import { EventChannel } from '@agent-runtime/core/helpers';
import { createGeminiStreamReducer, type GeminiStreamEvent } from '@agent-runtime/transcript-gemini';
import type { SessionUpdate } from '@agentclientprotocol/sdk';
import { acpUpdateEvents } from './acp-update-events.js';

type Failure = { code: string; message: string };

/** Tool id of the placeholder results that mark a response boundary (never emitted). */
const BOUNDARY = 'agent-runtime-acp-boundary-';

/** How the prompt ended: the `session/prompt` response, or why there is none. */
export type WarmTurnEnding =
  | { kind: 'response'; stopReason: string; meta?: unknown }
  | { kind: 'failed'; failure: Failure };

/**
 * One turn of a warm `gemini --acp` process: its `session/update`s become the stream-json events
 * the transcript-gemini reducer knows, reconciled with the session file at the same points as a
 * stream-json turn, so folding the events gives what the file parses to. The CLI runs a response's
 * tool calls one at a time (call, result, call, result), which the reducer is told, so it holds
 * results and thoughts until the response is over (they follow all its tool uses in the file,
 * and a started block cannot move). Updates are applied in
 * order (each may await a session-file read); `end` waits for them, completes every block from
 * the file and emits the one `turn:end`.
 */
export class WarmGeminiTurn {
  readonly channel = new EventChannel<AgentEvent>();
  private readonly reducer = createGeminiStreamReducer({ toolCallsOneAtATime: true });
  private readonly startedTools = new Set<string>();
  private readonly startedAt = Date.now();
  private chain: Promise<void> = Promise.resolve();
  /** Inside a group of tool calls (until the model's next text). */
  private inToolGroup = false;
  private boundaries = 0;
  interrupted = false;
  ended = false;

  constructor(
    private readonly readSession: () => Promise<string | undefined>,
    private readonly logger: Logger,
    model: string | undefined,
    promptText: string,
    /** The process's session came from `session/new`: its tool calls get records of their own. */
    private readonly separateToolRecords: () => boolean,
  ) {
    this.emit(this.reducer.push({ type: 'init', ...(model ? { model } : {}), timestamp: new Date().toISOString() }));
    this.emit(this.reducer.push({ type: 'message', role: 'user', content: promptText }));
  }

  /** One `session/update` of this turn's prompt. */
  update(update: SessionUpdate): void {
    if (this.ended) return;
    const steps: GeminiStreamEvent[] = [];
    for (const event of acpUpdateEvents(update, this.startedTools)) {
      if (event.type === 'tool_use' && !this.inToolGroup && this.separateToolRecords()) steps.push(...this.boundary());
      if (event.type === 'message' && event.role === 'assistant') this.inToolGroup = false;
      steps.push(event);
    }
    this.enqueue(steps);
  }

  /**
   * A tool call the user denied: the CLI sends the model the refusal and records no tool call, but
   * the model's next response is a new record of the file all the same. A placeholder result lets
   * the reducer look for it at the next model event (more calls of this response may follow).
   */
  denied(): void {
    if (this.ended || (this.inToolGroup && this.separateToolRecords())) return;
    this.inToolGroup = true;
    this.enqueue([this.placeholderResult()]);
  }

  /**
   * In a `session/new` session the CLI (0.61.0) records the first tool calls as a gemini record of
   * their own, after the response's record (a loaded or stream-json session puts them in the
   * response's record): the response index of the stream must move on, as it does after tool
   * results. A placeholder tool result and an empty model message (both filtered from the output)
   * do that in the stream reducer. Later tool calls of such a session are merged into that record
   * by the CLI, which no stream can follow; see WarmGeminiProcesses.
   */
  private boundary(): GeminiStreamEvent[] {
    this.inToolGroup = true;
    return [this.placeholderResult(), { type: 'message', role: 'assistant', content: '', delta: true }];
  }

  private placeholderResult(): GeminiStreamEvent {
    this.boundaries += 1;
    return { type: 'tool_result', tool_id: `${BOUNDARY}${this.boundaries}`, status: 'success', output: '' };
  }

  private enqueue(steps: GeminiStreamEvent[]): void {
    if (steps.length === 0) return;
    this.chain = this.chain.then(() => this.apply(steps)).catch((error: unknown) => {
      this.logger.warn({ error: String(error) }, 'gemini-cli warm: could not apply an update');
    });
  }

  /** Ends the turn once: waits for the updates, completes blocks from the file, one `turn:end`. */
  async end(ending: WarmTurnEnding): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    await this.chain;
    const usage = ending.kind === 'response' ? quotaUsage(ending.meta) : undefined;
    if (ending.kind === 'response' && ending.stopReason !== 'cancelled') {
      this.emit(this.reducer.push({ type: 'result', status: 'success', ...(usage ? { stats: usage } : {}) }));
    }
    try {
      this.emit(this.reducer.finish(await this.readSession()));
    } catch (error) {
      this.logger.warn({ error: String(error) }, 'gemini-cli warm: could not complete the blocks from the session file');
      this.emit(this.reducer.finish(undefined));
    }
    this.channel.push({ type: 'transcript:changed' });
    const usageField = this.reducer.result?.usage ? { usage: this.reducer.result.usage } : {};
    let end: AgentEvent;
    if (this.interrupted || (ending.kind === 'response' && ending.stopReason === 'cancelled')) end = { type: 'turn:end', outcome: 'interrupted', ...usageField };
    else if (ending.kind === 'failed') end = { type: 'turn:end', outcome: 'error', error: ending.failure, ...usageField };
    else end = { type: 'turn:end', outcome: 'completed', ...usageField };
    this.channel.push(end);
    this.channel.close();
  }

  get durationMs(): number {
    return Date.now() - this.startedAt;
  }

  private async apply(steps: GeminiStreamEvent[]): Promise<void> {
    for (const step of steps) {
      if (this.reducer.needsSessionBefore(step)) await this.reconcile();
      this.emit(this.reducer.push(step));
    }
  }

  private async reconcile(): Promise<void> {
    const text = await this.readSession();
    if (text === undefined) return;
    this.emit(this.reducer.reconcile(text));
    this.channel.push({ type: 'transcript:changed' });
  }

  private emit(events: AgentEvent[]): void {
    const kept = events.filter((event) => {
      if (event.type === 'block:delta') return event.delta !== '' && !event.blockId.includes(BOUNDARY);
      if (event.type === 'block:start') return !event.block.id.includes(BOUNDARY);
      if (event.type === 'block:complete' || event.type === 'block:update') return !event.blockId.includes(BOUNDARY);
      return true;
    });
    if (kept.length > 0) this.channel.push(...kept);
  }
}

/** Token counts of a `session/prompt` response (`_meta.quota.token_count`, Gemini CLI 0.61.0). */
function quotaUsage(meta: unknown): { input_tokens: number; output_tokens: number } | undefined {
  const count = (meta as { quota?: { token_count?: { input_tokens?: unknown; output_tokens?: unknown } } } | undefined)?.quota?.token_count;
  if (typeof count?.input_tokens !== 'number' || typeof count.output_tokens !== 'number') return undefined;
  return { input_tokens: count.input_tokens, output_tokens: count.output_tokens };
}
