import type { AgentEvent, AgentTurnContext, Sandbox, SandboxProcess } from '@agent-runtime/core';
import { client, ndJsonStream, PROTOCOL_VERSION, type ClientConnection, type RequestPermissionRequest, type RequestPermissionResponse } from '@agentclientprotocol/sdk';
import { askPermission, turnApprovals } from './acp-permission.js';
import { findGeminiSessionFiles } from '../gemini-paths.js';
import { promptText } from '../run-gemini-turn.js';
import { readTail } from '../stream-lines.js';
import { prepareSessionFileForLoad, removeStraySessionFiles } from './acp-session-files.js';
import type { WarmGeminiProcessInfo, WarmGeminiSettings } from './warm-gemini-process-types.js';
import { WarmGeminiTurn } from './warm-gemini-turn.js';

export type { WarmGeminiProcessInfo, WarmGeminiSettings } from './warm-gemini-process-types.js';

let nextProcessId = 1;

/**
 * One `gemini --acp` process kept running in a session's sandbox between turns. It starts the
 * session (`session/new`) or loads the stored one (`session/load`, with the file housekeeping of
 * acp-session-files.ts), then serves one `session/prompt` per turn. It lives until `stop()`, the
 * sandbox stops or the CLI dies; `onExit` then runs once, a running turn ends with `error`, and
 * the next turn starts a new process that loads the session with its whole history.
 */
export class WarmGeminiProcess {
  readonly processId = nextProcessId++;
  readonly startedAt = Date.now();
  private process: SandboxProcess | undefined;
  private connection: ClientConnection | undefined;
  private geminiSessionId: string | undefined;
  private sessionPath: string | undefined;
  private readonly ready: Promise<void>;
  private isReady = false;
  private isInitialized = false;
  private turn: { state: WarmGeminiTurn; context: AgentTurnContext } | undefined;
  private exited = false;
  private stopping = false;
  private stderrTail: Promise<string> = Promise.resolve('');
  /** Until the replay of a loaded session's history has passed, updates are not a turn's. */
  private lastUpdateAt = 0;
  private commandsSeen = false;
  /** The session was made with `session/new` (its tool calls are recorded differently; see WarmGeminiProcesses). */
  newSession = false;
  private turns = 0;
  private lastUsedAt = this.startedAt;
  private markInitialized: () => void = () => {};
  /** Settles once the CLI answered `initialize` (it has started; most of its start-up time). */
  private readonly initialized = new Promise<void>((resolve) => (this.markInitialized = resolve));
  /** Present while the process waits for a first (stream-json) turn to write the session file. */
  private readonly sessionGate: Promise<void> | undefined;
  private openSessionGate: () => void = () => {};
  private firstTurnClaimed = false;

  constructor(
    readonly sandbox: Sandbox,
    readonly sessionId: string,
    /** The settings this process was started with; other settings need another process. */
    readonly fingerprint: string,
    private readonly settings: WarmGeminiSettings,
    private readonly onExit: (process: WarmGeminiProcess) => void,
    /**
     * The session has no file yet and must not be made with `session/new` (see
     * WarmGeminiProcesses): the process starts and initialises, then waits until a first
     * (stream-json) turn has run (`claimFirstTurn`, `firstTurnEnded`) and loads the file that turn
     * wrote; when it wrote none the process stops (the next turn is a first turn again).
     */
    waitsForFirstTurn = false,
  ) {
    if (waitsForFirstTurn) this.sessionGate = new Promise<void>((resolve) => (this.openSessionGate = resolve));
    this.ready = this.start(this.sessionGate);
    this.ready.catch((error: unknown) => {
      if (!this.stopping) settings.logger.warn({ sessionId, processId: this.processId, error: String(error) }, 'gemini-cli warm: the process did not start');
      this.stop();
    });
  }

  get alive(): boolean {
    return !this.exited && !this.stopping;
  }

  get busy(): boolean {
    return this.turn !== undefined;
  }

  /**
   * True once for a process waiting for a first turn: the caller runs that turn the stream-json
   * way and calls `firstTurnEnded` after it.
   */
  claimFirstTurn(): boolean {
    if (!this.sessionGate || this.firstTurnClaimed) return false;
    this.firstTurnClaimed = true;
    return true;
  }

  /** The first turn is over: load the session file it wrote (or stop when there is none). */
  firstTurnEnded(): void {
    this.openSessionGate();
  }

  /**
   * Settles (never rejects) once the process is as far as it gets before a turn: ready, or, when
   * it waits for a first turn, initialised; or once it failed to start.
   */
  async started(): Promise<void> {
    await (this.sessionGate && !this.firstTurnClaimed ? Promise.race([this.initialized, this.ready]) : this.ready).catch(() => undefined);
  }

  info(): WarmGeminiProcessInfo {
    return { sessionId: this.sessionId, sandboxId: this.sandbox.id, processId: this.processId, startedAt: this.startedAt, turns: this.turns, lastUsedAt: this.lastUsedAt, busy: this.busy, ready: this.isReady, initialized: this.isInitialized };
  }

  /** Run one turn through the process: block events, then exactly one `turn:end`. */
  async *runTurn(context: AgentTurnContext): AsyncGenerator<AgentEvent> {
    if (this.turn || !this.alive) {
      yield { type: 'turn:end', outcome: 'error', error: { code: 'AGENT_ERROR', message: this.turn ? 'A turn is already running.' : 'The Gemini CLI process has stopped.' } };
      return;
    }
    const text = promptText(context.message, this.settings.logger);
    const state = new WarmGeminiTurn(() => this.readSession(), this.settings.logger, this.settings.model, text, () => this.newSession);
    this.turn = { state, context };
    let grace: NodeJS.Timeout | undefined;
    const onAbort = () => {
      state.interrupted = true;
      if (this.connection && this.geminiSessionId) void this.connection.agent.notify('session/cancel', { sessionId: this.geminiSessionId }).catch(() => undefined);
      // The CLI stops the prompt and stays; one that does not stop in time is ended (the next turn loads the session).
      grace = setTimeout(() => {
        if (!state.ended) this.kill();
      }, this.settings.interruptGraceMs);
      grace.unref();
    };
    void this.prompt(state, text, context.signal, onAbort);
    try {
      yield* state.channel.drain();
    } finally {
      context.signal.removeEventListener('abort', onAbort);
      clearTimeout(grace);
      // The consumer stopped before the turn ended: never leave the CLI working on it.
      if (!state.ended) this.stop();
      if (this.turn?.state === state) this.turn = undefined;
      this.turns++;
      this.lastUsedAt = Date.now();
    }
    this.settings.logger.info({ sessionId: this.sessionId, processId: this.processId, durationMs: state.durationMs }, 'gemini-cli warm turn ended');
  }

  /** End the process (idle session, changed settings, LRU cap, or a turn that would not stop). */
  stop(): void {
    if (this.stopping) return;
    this.stopping = true;
    // A start waiting for a first turn goes on, sees the stop and gives up.
    this.openSessionGate();
    this.process?.kill('SIGTERM');
    const timer = setTimeout(() => this.process?.kill('SIGKILL'), 2000);
    timer.unref();
    if (!this.process) void this.ready.finally(() => this.process?.kill('SIGKILL')).catch(() => undefined);
  }

  /** Kill the CLI abruptly, as a crash would (operations and tests). */
  kill(): void {
    this.process?.kill('SIGKILL');
  }

  private async prompt(state: WarmGeminiTurn, text: string, signal: AbortSignal, onAbort: () => void): Promise<void> {
    try {
      await this.ready;
    } catch (error) {
      await state.end({ kind: 'failed', failure: { code: 'AGENT_ERROR', message: `Gemini CLI (ACP) did not start: ${errorMessage(error)}` } });
      return;
    }
    if (signal.aborted) {
      state.interrupted = true;
      await state.end({ kind: 'response', stopReason: 'cancelled' });
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      const response = await this.connection!.agent.request('session/prompt', { sessionId: this.geminiSessionId!, prompt: [{ type: 'text', text }] });
      await state.end({ kind: 'response', stopReason: response.stopReason, meta: response._meta });
    } catch (error) {
      // A process that died under the prompt is reported by its exit (with the reason); give it a moment.
      if (this.exited || this.connection?.signal.aborted) return;
      await state.end({ kind: 'failed', failure: { code: 'AGENT_ERROR', message: `Gemini CLI failed: ${errorMessage(error)}` } });
    }
  }

  private async start(sessionGate: Promise<void> | undefined): Promise<void> {
    const { sandbox, settings } = this;
    const process = await sandbox.exec([settings.nodePath, settings.cliEntryPath, '--acp', '--approval-mode', settings.approvalMode, ...(settings.model ? ['-m', settings.model] : [])], { stdin: 'pipe', env: settings.env });
    this.process = process;
    if (this.stopping) process.kill('SIGKILL');
    this.stderrTail = readTail(process.stderr);
    void process.wait().then(
      (code) => this.exit(code),
      () => this.exit(-1),
    );
    const app = client()
      .onNotification('session/update', ({ params }) => {
        this.lastUpdateAt = Date.now();
        if (params.update.sessionUpdate === 'available_commands_update') this.commandsSeen = true;
        if (this.geminiSessionId !== undefined && params.sessionId === this.geminiSessionId) this.turn?.state.update(params.update);
      })
      .onRequest('session/request_permission', ({ params }) => this.answerPermission(params));
    const connection = app.connect(ndJsonStream(process.stdin!, process.stdout));
    this.connection = connection;
    const agent = connection.agent;
    await agent.request('initialize', { protocolVersion: PROTOCOL_VERSION, clientCapabilities: {} });
    this.isInitialized = true;
    this.markInitialized();
    // The CLI has started (most of its start-up time); now the session, once its file is complete.
    await sessionGate;
    if (this.stopping) throw new Error('stopped before the session was loaded');
    const storedId = await settings.sessionIds.resolve(sandbox, this.sessionId);
    const stored = await prepareSessionFileForLoad(sandbox, storedId);
    if (!stored && sessionGate) throw new Error('the first turn left no session file to load');
    if (stored) {
      await agent.request('session/load', { sessionId: storedId, cwd: sandbox.workspacePath, mcpServers: [] });
      this.sessionPath = stored;
      await this.historyReplayed();
      this.geminiSessionId = storedId;
    } else {
      const created = await agent.request('session/new', { cwd: sandbox.workspacePath, mcpServers: [] });
      this.geminiSessionId = created.sessionId;
      this.newSession = true;
      await settings.sessionIds.record(sandbox, created.sessionId);
      this.sessionPath = (await findGeminiSessionFiles(sandbox, created.sessionId))?.main;
    }
    if (this.sessionPath) await removeStraySessionFiles(sandbox, this.sessionPath);
    this.isReady = true;
    settings.logger.info({ sessionId: this.sessionId, processId: this.processId, loaded: Boolean(stored), ms: Date.now() - this.startedAt }, 'gemini-cli warm: process ready');
  }

  /**
   * `session/load` replays the history as `session/update`s that keep arriving after its response
   * (and `available_commands_update` after them): they must not be taken for the next turn's.
   * Waits for the commands update and a short quiet period (at most 3 s).
   */
  private async historyReplayed(): Promise<void> {
    const deadline = Date.now() + 3000;
    while (Date.now() < deadline && !this.exited) {
      if (this.commandsSeen && Date.now() - this.lastUpdateAt >= 100) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  private async answerPermission(request: RequestPermissionRequest): Promise<RequestPermissionResponse> {
    const turn = this.turn;
    const option = (kind: string) => request.options.find((candidate) => candidate.kind === kind)?.optionId;
    if (!turn) return { outcome: { outcome: 'cancelled' } };
    const approvals = turnApprovals(turn.context);
    if (!approvals) {
      // No one to ask (the sandbox allows everything): run it.
      const allow = option('allow_once');
      return allow ? { outcome: { outcome: 'selected', optionId: allow } } : { outcome: { outcome: 'cancelled' } };
    }
    const { response, denied } = await askPermission(approvals, request, this.sandbox.workspacePath, turn.context.signal);
    this.settings.logger.info({ sessionId: this.sessionId, toolUseId: request.toolCall.toolCallId, denied }, 'gemini-cli warm: permission answered');
    if (denied) turn.state.denied();
    return response;
  }

  private async readSession(): Promise<string | undefined> {
    try {
      if (!this.sessionPath && this.geminiSessionId) this.sessionPath = (await findGeminiSessionFiles(this.sandbox, this.geminiSessionId))?.main;
      if (!this.sessionPath) return undefined;
      return new TextDecoder().decode(await this.sandbox.readFile(this.sessionPath, { root: 'home' }));
    } catch (error) {
      this.settings.logger.warn({ sessionId: this.sessionId, error: String(error) }, 'gemini-cli warm: could not read the session file');
      return undefined;
    }
  }

  private async exit(code: number): Promise<void> {
    if (this.exited) return;
    this.exited = true;
    this.connection?.close();
    this.onExit(this);
    const turn = this.turn;
    if (!turn || turn.state.ended) return;
    const stderr = await this.stderrTail;
    const stopError = this.process?.stopError;
    let failure = { code: 'AGENT_ERROR', message: `Gemini CLI (ACP) exited with code ${code} during the turn.${stderr.trim() ? ` ${stderr.trim().slice(-500)}` : ''}` };
    if (stopError) failure = { code: stopError.code, message: stopError.message };
    else if (!(await this.sandbox.isRunning().catch(() => false))) failure = { code: 'SANDBOX_TERMINATED', message: 'The sandbox stopped during the turn.' };
    this.settings.logger.warn({ sessionId: this.sessionId, processId: this.processId, code }, 'gemini-cli warm: process ended during a turn');
    await turn.state.end({ kind: 'failed', failure });
  }
}

function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  const details = (error as { data?: { details?: unknown } } | undefined)?.data?.details;
  return typeof details === 'string' ? details : JSON.stringify(error);
}
