import type { AgentEvent, AgentTurnContext, Logger } from '@agent-runtime/core';
import { WarmGeminiProcess, type WarmGeminiProcessInfo, type WarmGeminiSettings } from './warm-gemini-process.js';

/**
 * The warm `gemini --acp` processes of one architecture, one per session. A turn reuses the
 * session's process when it runs in the same sandbox with the same settings; otherwise (first
 * turn, a new sandbox, changed settings, a process that died or was stopped) a new one starts
 * and loads the session when it has a file.
 */
export class WarmGeminiProcesses {
  private readonly bySession = new Map<string, WarmGeminiProcess>();

  /**
   * @param maxProcesses most warm processes at once; starting one more first stops the least
   *   recently used idle one (its session is loaded again on its next turn).
   */
  constructor(
    private readonly logger: Logger,
    private readonly onExit?: (process: WarmGeminiProcessInfo) => void,
    private readonly maxProcesses = Number.POSITIVE_INFINITY,
  ) {}

  async *runTurn(context: AgentTurnContext, settings: WarmGeminiSettings): AsyncGenerator<AgentEvent> {
    const fingerprint = JSON.stringify([settings.nodePath, settings.cliEntryPath, settings.env, settings.model, settings.approvalMode]);
    let process = this.bySession.get(context.sessionId);
    if (process && (!process.alive || process.sandbox !== context.sandbox || (process.fingerprint !== fingerprint && !process.busy))) {
      this.logger.info({ sessionId: context.sessionId, processId: process.processId }, 'gemini-cli: replacing the warm process');
      process.stop();
      this.bySession.delete(context.sessionId);
      process = undefined;
    }
    if (!process) {
      this.makeRoom();
      process = new WarmGeminiProcess(context.sandbox, context.sessionId, fingerprint, settings, (ended) => {
        if (this.bySession.get(ended.sessionId) === ended) this.bySession.delete(ended.sessionId);
        this.logger.info({ sessionId: ended.sessionId, processId: ended.processId }, 'gemini-cli: warm process ended');
        this.onExit?.(ended.info());
      });
      this.bySession.set(context.sessionId, process);
      this.logger.info({ sessionId: context.sessionId, processId: process.processId }, 'gemini-cli: warm process started');
    }
    yield* process.runTurn(context);
  }

  /** Below the cap, stop least recently used idle processes (busy ones are never stopped). */
  private makeRoom(): void {
    const idle = [...this.bySession.values()].filter((process) => process.alive && !process.busy);
    idle.sort((a, b) => a.info().lastUsedAt - b.info().lastUsedAt);
    let count = [...this.bySession.values()].filter((process) => process.alive).length;
    for (const process of idle) {
      if (count < this.maxProcesses) return;
      this.logger.info({ sessionId: process.sessionId, processId: process.processId, maxProcesses: this.maxProcesses }, 'gemini-cli: stopping the least recently used warm process');
      process.stop();
      this.bySession.delete(process.sessionId);
      count--;
    }
  }

  list(): WarmGeminiProcessInfo[] {
    return [...this.bySession.values()].filter((process) => process.alive).map((process) => process.info());
  }

  /** Stop a session's process; `kill` ends it abruptly, as a crash would. */
  stop(sessionId: string, kill: boolean): boolean {
    const process = this.bySession.get(sessionId);
    if (!process) return false;
    if (kill) process.kill();
    else process.stop();
    return true;
  }

  stopAll(): void {
    for (const process of this.bySession.values()) process.stop();
    this.bySession.clear();
  }
}
