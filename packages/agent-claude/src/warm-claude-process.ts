import type { AgentEvent, AgentTurnContext, Sandbox } from '@agent-runtime/core';
import { query, type Query, type SDKMessage, type SDKUserMessage } from '@anthropic-ai/claude-agent-sdk';
import { EventChannel, type WarmProcessInfo } from '@agent-runtime/core/helpers';
import { claudeSessionIdFor, claudeTranscriptPaths, uuidFrom } from './claude-paths.js';
import { claudeQueryOptions } from './claude-query-options.js';
import { claimOptions, type ParkedClaude } from './claude-spares.js';
import type { ClaudeTurnSettings } from './run-claude-turn.js';
import type { SandboxSpawnedProcess } from './sandbox-spawn.js';
import { sdkUserMessage } from './user-message.js';
import { WarmTurn } from './warm-turn.js';

/** What a warm process reports about itself (`ClaudeArchitecture.warmProcesses()`). */
export interface WarmClaudeProcessInfo extends WarmProcessInfo {
  /** The CLI has answered the SDK's initialize request: a turn sent now skips its start-up. */
  ready: boolean;
  /** Started as a spare in a pooled sandbox (SDK `prewarm()`) and claimed for this session. */
  fromSpare: boolean;
}

let nextProcessId = 1;

/** A warm process's settings: the CLI then says when it is idle (the end of a turn, background subagents included). */
export function warmProcessSettings(settings: ClaudeTurnSettings): ClaudeTurnSettings {
  return { ...settings, env: { ...settings.env, CLAUDE_CODE_EMIT_SESSION_STATE_EVENTS: '1' } };
}

/**
 * One Claude Code process kept running between the turns of a session: a single SDK `query`
 * whose streaming input gets one user message per turn. It lives until `stop()`, until the
 * sandbox stops (which ends the process), or until the CLI dies; `onExit` then runs once and the
 * next turn starts a new process that resumes the session from its transcript.
 */
export class WarmClaudeProcess {
  readonly processId = nextProcessId++;
  readonly startedAt = Date.now();
  private readonly input = new EventChannel<SDKUserMessage>();
  private readonly abortController: AbortController;
  private readonly run: Query;
  private readonly paths: ReturnType<typeof claudeTranscriptPaths>;
  private spawned: SandboxSpawnedProcess | undefined;
  private turn: WarmTurn | undefined;
  private exited = false;
  private initialized = false;
  /** Settles once the CLI is started and initialized (or has failed to). */
  readonly started: Promise<void>;
  /** Resolves once a claimed spare accepted its session (at once for a process started normally); rejects when refused. */
  readonly claimed: Promise<void>;
  /** True when this process is a spare parked in the pool's sandbox and claimed for the session. */
  readonly fromSpare: boolean;
  private turns = 0;
  private lastUsedAt = this.startedAt;
  private readonly cost = { totalUsd: 0 };

  constructor(
    readonly sandbox: Sandbox,
    readonly sessionId: string,
    /** The options this process was started with; another set needs another process. */
    readonly fingerprint: string,
    private readonly settings: ClaudeTurnSettings,
    resume: boolean,
    private readonly onExit: (process: WarmClaudeProcess) => void,
    parked?: ParkedClaude,
  ) {
    const claudeSessionId = claudeSessionIdFor(sessionId);
    this.paths = claudeTranscriptPaths(sandbox.workspacePath, claudeSessionId);
    const processSettings = warmProcessSettings(settings);
    this.fromSpare = parked !== undefined;
    if (parked) {
      // Claimed now, before any message: the claim's work (folder, CLAUDE.md, session) is off the first turn too.
      this.abortController = parked.abortController;
      this.run = parked.spare.claim({ prompt: this.input, options: claimOptions(sandbox, settings) });
      this.claimed = parked.spare.claimed.then(
        () => undefined,
        (error: unknown) => {
          // `option_not_applied`: only the model was refused and the session runs; anything else: it never ran.
          if (!String(error instanceof Error ? error.message : error).startsWith('option_not_applied')) throw error;
        },
      );
      this.claimed.catch(() => undefined);
      this.spawned = parked.spawned();
    } else {
      this.abortController = new AbortController();
      const options = claudeQueryOptions(
        sandbox,
        processSettings,
        { claudeSessionId, resume, logContext: { sessionId, processId: this.processId } },
        this.abortController,
        (process) => (this.spawned = process),
      );
      this.run = query({ prompt: this.input, options });
      this.claimed = Promise.resolve();
    }
    this.started = this.run.initializationResult().then(
      () => void (this.initialized = true),
      () => undefined,
    );
    void this.consume();
  }

  get alive(): boolean {
    return !this.exited;
  }

  get busy(): boolean {
    return this.turn !== undefined;
  }

  info(): WarmClaudeProcessInfo {
    return {
      sessionId: this.sessionId,
      sandboxId: this.sandbox.id,
      processId: this.processId,
      startedAt: this.startedAt,
      turns: this.turns,
      lastUsedAt: this.lastUsedAt,
      busy: this.busy,
      ready: this.initialized && !this.exited,
      fromSpare: this.fromSpare,
    };
  }

  /** Run one turn through the process: block events, then exactly one `turn:end`. */
  async *runTurn(context: AgentTurnContext): AsyncGenerator<AgentEvent> {
    if (this.exited || this.turn) {
      yield { type: 'turn:end', outcome: 'error', error: { code: 'AGENT_ERROR', message: this.exited ? 'The Claude process has stopped.' : 'A turn is already running.' } };
      return;
    }
    const turn = new WarmTurn(context.sandbox, this.paths.subagent, this.settings.subagentPollMs, this.cost);
    this.turn = turn;
    let grace: NodeJS.Timeout | undefined;
    const onAbort = () => {
      turn.interrupted = true;
      // The CLI stops the turn and stays; one that does not stop in time is ended (the next turn resumes).
      this.run.interrupt().catch(() => undefined);
      grace = setTimeout(() => {
        if (!turn.ended) this.stop();
      }, this.settings.interruptGraceMs);
      grace.unref();
    };
    if (context.signal.aborted) onAbort();
    else context.signal.addEventListener('abort', onAbort, { once: true });
    this.input.push(sdkUserMessage(context.message, uuidFrom(`${context.sessionId}:${context.turnId}`)));
    try {
      yield* turn.channel.drain();
    } finally {
      context.signal.removeEventListener('abort', onAbort);
      clearTimeout(grace);
      // The consumer stopped before the turn ended: never leave the CLI working on it.
      if (!turn.ended) this.stop();
    }
    this.settings.logger.info({ sessionId: this.sessionId, processId: this.processId, durationMs: turn.durationMs }, 'claude warm turn ended');
  }

  /** End the process (the session went idle, its options changed, or a turn would not stop). */
  stop(): void {
    this.input.close();
    this.abortController.abort();
  }

  /** Kill the CLI abruptly, as a crash would (operations and tests). */
  kill(): void {
    this.spawned?.kill('SIGKILL');
  }

  private async consume(): Promise<void> {
    let failure: { code: string; message: string } | undefined;
    try {
      for await (const message of this.run as AsyncIterable<SDKMessage>) {
        this.settings.onSdkMessage?.(message);
        const turn = this.turn;
        if (!turn) {
          this.settings.logger.debug({ sessionId: this.sessionId, type: message.type }, 'claude message between turns');
          continue;
        }
        if (await turn.handle(message)) {
          this.turn = undefined;
          this.turns++;
          this.lastUsedAt = Date.now();
          await turn.finish(undefined, '');
        }
      }
    } catch (error) {
      failure = { code: 'AGENT_ERROR', message: error instanceof Error ? error.message : String(error) };
    }
    this.exited = true;
    this.input.close();
    this.onExit(this);
    const turn = this.turn;
    this.turn = undefined;
    if (!turn) return;
    const stderrTail = this.spawned?.stderrTail ?? '';
    const stopped = this.spawned?.stopError; // a sandbox limit killed the CLI
    if (stopped) failure = { code: stopped.code, message: stopped.message };
    failure ??= { code: 'AGENT_ERROR', message: `Claude Code exited during the turn.${stderrTail ? ` ${stderrTail.slice(-500)}` : ''}` };
    this.settings.logger.warn({ sessionId: this.sessionId, processId: this.processId, error: failure.message }, 'claude process ended during a turn');
    await turn.finish(turn.interrupted ? undefined : failure, stderrTail);
  }
}
