import type { AgentEvent, AgentTurnContext, Logger, Sandbox } from '@agent-runtime/core';
import { WarmProcessesBySession } from '@agent-runtime/core/helpers';
import { claudeSessionIdFor, claudeTranscriptPaths } from './claude-paths.js';
import type { ClaudeTurnSettings } from './run-claude-turn.js';
import { ClaudeSpares } from './claude-spares.js';
import { WarmClaudeProcess, warmProcessSettings, type WarmClaudeProcessInfo } from './warm-claude-process.js';

/**
 * The warm Claude processes of one architecture, one per session. A turn reuses the session's
 * process when it runs in the same sandbox with the same options; otherwise (first turn, a new
 * sandbox, a changed profile, a process that died) a new one starts, resuming the session when
 * its transcript exists.
 */
export class WarmClaudeProcesses {
  private readonly bySession = new WarmProcessesBySession<WarmClaudeProcessInfo, WarmClaudeProcess>();
  private readonly starting = new Map<string, Promise<void>>();
  private readonly spares: ClaudeSpares;

  /**
   * @param maxProcesses most warm processes at once; starting one more first stops the least
   *   recently used idle one (its session resumes transparently on its next turn).
   */
  constructor(
    private readonly logger: Logger,
    private readonly onExit?: (process: WarmClaudeProcessInfo) => void,
    private readonly maxProcesses = Number.POSITIVE_INFINITY,
  ) {
    this.spares = new ClaudeSpares(logger);
  }

  /**
   * Park a spare CLI (SDK `prewarm()`) in a pooled sandbox for the session id it was created for;
   * the session's first warm-up or turn claims it. Counts toward `maxProcesses`.
   */
  async park(sessionId: string, sandbox: Sandbox, settings: ClaudeTurnSettings): Promise<void> {
    this.makeRoom(1);
    await this.spares.park(sessionId, sandbox, warmProcessSettings(settings));
  }

  async *runTurn(context: AgentTurnContext, settings: ClaudeTurnSettings): AsyncGenerator<AgentEvent> {
    const process = await this.acquire(context, settings);
    yield* process.runTurn(context);
  }

  /**
   * Start the session's process ahead of its first turn (with the options the turn will have, so
   * that the turn reuses it); resolves once the CLI is initialized.
   */
  async warm(context: Pick<AgentTurnContext, 'sessionId' | 'sandbox' | 'profile'>, settings: ClaudeTurnSettings): Promise<void> {
    const process = await this.acquire(context, settings);
    await process.started;
  }

  /** The session's process for these options, one start at a time per session (a warm-up and a turn never start two). */
  private acquire(context: Pick<AgentTurnContext, 'sessionId' | 'sandbox' | 'profile'>, settings: ClaudeTurnSettings): Promise<WarmClaudeProcess> {
    const previous = this.starting.get(context.sessionId) ?? Promise.resolve();
    const next = previous.then(() => this.reuseOrStart(context, settings));
    const settled = next.then(() => undefined, () => undefined);
    this.starting.set(context.sessionId, settled);
    void settled.then(() => {
      if (this.starting.get(context.sessionId) === settled) this.starting.delete(context.sessionId);
    });
    return next;
  }

  private async reuseOrStart(context: Pick<AgentTurnContext, 'sessionId' | 'sandbox' | 'profile'>, settings: ClaudeTurnSettings): Promise<WarmClaudeProcess> {
    const fingerprint = JSON.stringify([settings.executablePath, settings.env, settings.options]);
    let process = this.bySession.get(context.sessionId);
    if (process && (!process.alive || process.sandbox !== context.sandbox || (process.fingerprint !== fingerprint && !process.busy))) {
      this.logger.info({ sessionId: context.sessionId, processId: process.processId }, 'claude: replacing the warm process');
      process.stop();
      this.bySession.delete(context.sessionId);
      process = undefined;
    }
    if (process) return process;
    const paths = claudeTranscriptPaths(context.sandbox.workspacePath, claudeSessionIdFor(context.sessionId));
    const resume = await context.sandbox.readFile(paths.main, { root: 'home' }).then(() => true, () => false);
    // A session with a transcript to resume cannot use a spare (a claim starts a new session): it is closed.
    const parked = resume ? this.spares.discard(context.sessionId) : this.spares.take(context.sessionId, context.sandbox, warmProcessSettings(settings), context.profile);
    if (parked) {
      const claimed = this.startProcess(context, fingerprint, settings, false, parked);
      try {
        await claimed.claimed;
        return claimed;
      } catch (error) {
        this.logger.warn({ sessionId: context.sessionId, error: String(error) }, 'claude: the spare refused its claim; starting the CLI as usual');
        claimed.stop();
        if (this.bySession.get(context.sessionId) === claimed) this.bySession.delete(context.sessionId);
      }
    }
    this.makeRoom();
    return this.startProcess(context, fingerprint, settings, resume);
  }

  private startProcess(
    context: Pick<AgentTurnContext, 'sessionId' | 'sandbox' | 'profile'>,
    fingerprint: string,
    settings: ClaudeTurnSettings,
    resume: boolean,
    parked?: ConstructorParameters<typeof WarmClaudeProcess>[6],
  ): WarmClaudeProcess {
    const process = new WarmClaudeProcess(context.sandbox, context.sessionId, fingerprint, settings, resume, (ended) => {
      if (this.bySession.get(ended.sessionId) === ended) this.bySession.delete(ended.sessionId);
      this.logger.info({ sessionId: ended.sessionId, processId: ended.processId }, 'claude: warm process ended');
      this.onExit?.(ended.info());
    }, parked);
    this.bySession.set(context.sessionId, process);
    this.logger.info({ sessionId: context.sessionId, processId: process.processId, resume, fromSpare: parked !== undefined }, 'claude: warm process started');
    return process;
  }

  /** Below the cap, stop least recently used idle processes (busy ones are never stopped). */
  private makeRoom(extra = 0): void {
    for (const process of this.bySession.stopToFit(this.maxProcesses, this.spares.size + extra)) {
      this.logger.info({ sessionId: process.sessionId, processId: process.processId, maxProcesses: this.maxProcesses }, 'claude: stopping the least recently used warm process');
    }
  }

  list(): WarmClaudeProcessInfo[] {
    return this.bySession.infos();
  }

  stop(sessionId: string, kill: boolean): boolean {
    return this.bySession.stopSession(sessionId, kill);
  }

  stopAll(): void {
    this.spares.closeAll();
    this.bySession.stopAll();
  }
}
