import type { AgentEvent, Sandbox, TokenUsage } from '@agent-runtime/core';
import { createClaudeStreamReducer } from '@agent-runtime/transcript-claude';
import type { SDKMessage } from '@anthropic-ai/claude-agent-sdk';
import { EventChannel } from '@agent-runtime/core/helpers';
import { SubagentTail } from './subagent-tail.js';

type Failure = { code: string; message: string };

/**
 * One turn of a warm Claude process: the SDK messages the process yields while the turn runs,
 * turned into block events that end with exactly one `turn:end`. The turn is over when the CLI
 * says `session_state_changed: idle` after a `result` (it says so once background subagents and
 * the model turns their notifications start have finished, as a per-turn CLI would exit). A CLI
 * that sends no state events ends it at a `result` with no background task still running, or at
 * the first `result` once interrupted.
 */
export class WarmTurn {
  readonly channel = new EventChannel<AgentEvent>();
  private readonly reducer = createClaudeStreamReducer();
  private readonly tail: SubagentTail;
  private readonly runningTasks = new Set<string>();
  private readonly poller: NodeJS.Timeout;
  private readonly started = Date.now();
  private resultSeen = false;
  private stateEvents = false;
  interrupted = false;
  ended = false;

  /**
   * @param cost the process's running cost: a `result`'s `total_cost_usd` is cumulative over
   *   the life of a streaming-input query, so the turn reports what it added since the last one.
   */
  constructor(
    private readonly sandbox: Sandbox,
    subagentPath: (agentId: string) => string,
    subagentPollMs: number,
    private readonly cost: { totalUsd: number },
  ) {
    this.tail = new SubagentTail(sandbox, subagentPath, this.reducer, (events) => this.channel.push(...events));
    this.poller = setInterval(() => {
      if (this.tail.following > 0) void this.tail.poll();
    }, subagentPollMs);
  }

  /** Feed one SDK message; true when it ended the turn. */
  async handle(message: SDKMessage): Promise<boolean> {
    if (message.type === 'system' && message.subtype === 'session_state_changed') {
      this.stateEvents = true;
      // Idle after an interrupt is the end too, even if the CLI stopped before any result.
      return message.state === 'idle' && (this.resultSeen || this.interrupted);
    }
    if (message.type === 'result') this.resultSeen = true;
    if (message.type === 'system' && message.subtype === 'task_started') this.runningTasks.add(message.task_id);
    if (message.type === 'system' && message.subtype === 'task_notification') this.runningTasks.delete(message.task_id);
    const events = this.reducer.push(message as unknown as Parameters<typeof this.reducer.push>[0]);
    if (message.type === 'result' && typeof message.total_cost_usd === 'number') {
      const total = message.total_cost_usd;
      for (const event of events) if (event.type === 'metadata' && event.costUsd !== undefined) event.costUsd = Math.max(0, total - this.cost.totalUsd);
      this.cost.totalUsd = Math.max(this.cost.totalUsd, total);
    }
    for (const event of events) if (event.type === 'subagent:discovered') this.tail.follow(event.subagent.id);
    // The CLI appends a transcript line per assistant and user message: ask for a (debounced) sync.
    if (message.type === 'assistant' || message.type === 'user' || message.type === 'result') events.push({ type: 'transcript:changed' });
    this.channel.push(...events);
    // A subagent's tool result ends its run: make its own blocks complete first.
    if (events.some((event) => event.type === 'subagent:completed')) await this.tail.poll();
    return message.type === 'result' && !this.stateEvents && (this.interrupted || this.runningTasks.size === 0);
  }

  /**
   * End the turn: `failure` when the process failed under it (it exited, or the SDK threw).
   * Emits the one `turn:end` and closes the channel; later calls do nothing.
   */
  async finish(failure: Failure | undefined, stderrTail: string): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    clearInterval(this.poller);
    await this.tail.poll().catch(() => undefined);
    const last = this.reducer.lastResult;
    let outcome: 'completed' | 'interrupted' | 'error' = 'completed';
    if (this.interrupted) outcome = 'interrupted';
    else if (failure || last?.isError || !last) {
      outcome = 'error';
      const running = await this.sandbox.isRunning().catch(() => false);
      if (!running) failure = { code: 'SANDBOX_TERMINATED', message: 'The sandbox stopped during the turn.' };
      else if (last?.isError && !failure) failure = { code: 'AGENT_ERROR', message: last.text ?? 'Claude Code reported an error.' };
      else failure ??= { code: 'AGENT_ERROR', message: `Claude Code ended without a result.${stderrTail ? ` ${stderrTail.slice(-500)}` : ''}` };
    }
    const end: AgentEvent = { type: 'turn:end', outcome };
    if (outcome === 'error' && failure) end.error = failure;
    const usage: TokenUsage | undefined = this.reducer.usage;
    if (usage) end.usage = usage;
    this.channel.push(end);
    this.channel.close();
  }

  get durationMs(): number {
    return Date.now() - this.started;
  }
}
