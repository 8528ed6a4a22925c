import type { AgentEvent, AgentTurnContext, Logger, Sandbox } from '@agent-runtime/core';
import { WarmProcessesBySession } from '@agent-runtime/core/helpers';
import { findGeminiSessionFiles } from '../gemini-paths.js';
import { WarmGeminiProcess, type WarmGeminiProcessInfo, type WarmGeminiSettings } from './warm-gemini-process.js';

/** Which session, in which sandbox. */
type SessionSandbox = { sessionId: string; sandbox: Sandbox };

/** What a process was started with; a turn with other settings needs another process. */
function fingerprintOf(settings: WarmGeminiSettings): string {
  return JSON.stringify([settings.nodePath, settings.cliEntryPath, settings.env, settings.model, settings.approvalMode]);
}

/**
 * The warm `gemini --acp` processes of one architecture, one per session. A turn reuses the
 * session's process when it runs in the same sandbox with the same settings; otherwise (a new
 * sandbox, changed settings, a process that died or was stopped) a new one starts and loads the
 * session (`session/load`).
 *
 * A session's first turn has no file to load. Gemini CLI 0.61.0 records a `session/new`
 * session's tool calls through a second recorder (its ACP `Session` gets a chat the client does
 * not use), so every tool call after the first lands in the first tool record: the file no longer
 * says in which response a call was made, and a later load sends the model a scrambled history.
 * A loaded session records correctly. So the first turn runs as a stream-json turn (as in
 * per-turn mode; it is a cold start either way) while a process starts beside it and loads the
 * session when the turn is over, ready for the next turn. When the session must ask before tools
 * (`approvalMode: 'default'`), the first turn needs ACP's permission requests: it runs through
 * `session/new`, and that process is replaced by a loading one after the turn.
 */
export class WarmGeminiProcesses {
  private readonly bySession = new WarmProcessesBySession<WarmGeminiProcessInfo, WarmGeminiProcess>();

  /**
   * @param maxProcesses most warm processes at once; starting one more first stops the least
   *   recently used idle one (its session is loaded again on its next turn).
   */
  constructor(
    private readonly logger: Logger,
    private readonly onExit?: (process: WarmGeminiProcessInfo) => void,
    private readonly maxProcesses = Number.POSITIVE_INFINITY,
  ) {}

  /**
   * @param firstTurn runs a turn the stream-json way (a session with no file yet).
   * @param options.newSession the session file there is only one a parked spare began (gemini-spares.ts), which the first turn continues.
   */
  async *runTurn(
    context: AgentTurnContext,
    settings: WarmGeminiSettings,
    firstTurn: (context: AgentTurnContext) => AsyncIterable<AgentEvent>,
    options: { newSession?: boolean } = {},
  ): AsyncGenerator<AgentEvent> {
    const process = await this.processFor(context, settings, options.newSession === true);
    if (process.claimFirstTurn()) {
      // The process started (at warm-up or now) and loads the session once this turn is over.
      try {
        yield* firstTurn(context);
      } finally {
        process.firstTurnEnded();
      }
      return;
    }
    yield* process.runTurn(context);
    if (process.newSession && this.bySession.get(context.sessionId) === process) {
      // Replace the session/new process by one that loads the session (see above).
      process.stop();
      this.bySession.delete(context.sessionId);
      this.startProcess(context, fingerprintOf(settings), settings, false);
    }
  }

  /**
   * Starts the session's process ahead of its next turn (`AgentArchitecture.warm`), or keeps the
   * one it has. Settles (never rejects) once the process is ready: initialised and the session
   * loaded, or made with `session/new` when the CLI must ask before tools; for a session with no
   * file in yolo mode, initialised and waiting for the first turn (which runs stream-json, see
   * above). A turn that comes meanwhile uses this process.
   */
  async warm(context: SessionSandbox, settings: WarmGeminiSettings, options: { newSession?: boolean } = {}): Promise<void> {
    const process = await this.processFor(context, settings, options.newSession === true);
    await process.started();
  }

  /** The process for the session's next turn: the running one when it fits, else a new one. */
  private async processFor(context: SessionSandbox, settings: WarmGeminiSettings, newSession = false): Promise<WarmGeminiProcess> {
    const fingerprint = fingerprintOf(settings);
    const current = this.reusable(context, fingerprint);
    if (current) return current;
    const stored = newSession ? undefined : await findGeminiSessionFiles(context.sandbox, await settings.sessionIds.resolve(context.sandbox, context.sessionId));
    // A turn or warm-up of the session may have started one while the file was looked for.
    return this.reusable(context, fingerprint) ?? this.startProcess(context, fingerprint, settings, !stored && settings.approvalMode === 'yolo');
  }

  /** The session's process when a turn can use it; one that died, is in another sandbox or has other settings (and is idle) is stopped. */
  private reusable(context: SessionSandbox, fingerprint: string): WarmGeminiProcess | undefined {
    const process = this.bySession.get(context.sessionId);
    if (!process) return undefined;
    if (process.alive && process.sandbox === context.sandbox && (process.fingerprint === fingerprint || process.busy)) return process;
    this.logger.info({ sessionId: context.sessionId, processId: process.processId }, 'gemini-cli: replacing the warm process');
    process.stop();
    this.bySession.delete(context.sessionId);
    return undefined;
  }

  private startProcess(context: SessionSandbox, fingerprint: string, settings: WarmGeminiSettings, waitsForFirstTurn: boolean): WarmGeminiProcess {
    this.makeRoom();
    const process = new WarmGeminiProcess(
      context.sandbox,
      context.sessionId,
      fingerprint,
      settings,
      (ended) => {
        if (this.bySession.get(ended.sessionId) === ended) this.bySession.delete(ended.sessionId);
        this.logger.info({ sessionId: ended.sessionId, processId: ended.processId }, 'gemini-cli: warm process ended');
        this.onExit?.(ended.info());
      },
      waitsForFirstTurn,
    );
    this.bySession.set(context.sessionId, process);
    this.logger.info({ sessionId: context.sessionId, processId: process.processId }, 'gemini-cli: warm process started');
    return process;
  }

  /** Below the cap, stop least recently used idle processes (busy ones are never stopped). */
  private makeRoom(): void {
    for (const process of this.bySession.stopToFit(this.maxProcesses)) {
      this.logger.info({ sessionId: process.sessionId, processId: process.processId, maxProcesses: this.maxProcesses }, 'gemini-cli: stopping the least recently used warm process');
    }
  }

  list(): WarmGeminiProcessInfo[] {
    return this.bySession.infos();
  }

  /** Stop a session's process; `kill` ends it abruptly, as a crash would. */
  stop(sessionId: string, kill: boolean): boolean {
    return this.bySession.stopSession(sessionId, kill);
  }

  stopAll(): void {
    this.bySession.stopAll();
  }
}
