import { leastRecentlyUsedIdle, type CappedWarmProcess } from './least-recently-used-idle.js';

/** What every agent's warm process reports about itself (each agent adds its own fields). */
export interface WarmProcessInfo {
  sessionId: string;
  sandboxId: string;
  /** Distinguishes processes of one session: a restart gets a new one. */
  processId: number;
  startedAt: number;
  turns: number;
  /** End of the last turn (or the start, before the first). */
  lastUsedAt: number;
  busy: boolean;
  /** Ready for a turn without the CLI's start-up (what that takes is the agent's). */
  ready: boolean;
}

/** What an agent's warm-process registry needs of one process. */
export interface WarmSessionProcess<Info extends { lastUsedAt: number }> extends CappedWarmProcess {
  readonly sessionId: string;
  /** Ends it gracefully. */
  stop(): void;
  /** Ends it abruptly, as a crash would. */
  kill(): void;
  info(): Info;
}

/**
 * An agent's warm processes, one per session (a Map by session id), with what every agent does
 * with them: make room under a cap, list the live ones, stop one or all.
 */
export class WarmProcessesBySession<Info extends { lastUsedAt: number }, P extends WarmSessionProcess<Info>> extends Map<string, P> {
  /**
   * Stop and forget idle processes, least recently used first, so one more fits under
   * `maxProcesses` with `alsoCounted` more counted (see `leastRecentlyUsedIdle`). Returns them.
   */
  stopToFit(maxProcesses: number, alsoCounted = 0): P[] {
    const stopped = leastRecentlyUsedIdle(this.values(), maxProcesses, alsoCounted);
    for (const process of stopped) {
      process.stop();
      this.delete(process.sessionId);
    }
    return stopped;
  }

  /** The live processes' info. */
  infos(): Info[] {
    return [...this.values()].filter((process) => process.alive).map((process) => process.info());
  }

  /** Stop a session's process; `kill` ends it abruptly. False when the session has none. */
  stopSession(sessionId: string, kill: boolean): boolean {
    const process = this.get(sessionId);
    if (!process) return false;
    if (kill) process.kill();
    else process.stop();
    return true;
  }

  stopAll(): void {
    for (const process of this.values()) process.stop();
    this.clear();
  }
}
