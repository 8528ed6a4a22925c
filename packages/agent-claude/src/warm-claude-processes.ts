import type { AgentEvent, AgentTurnContext, Logger } from '@agent-runtime/core';
import { claudeSessionIdFor, claudeTranscriptPaths } from './claude-paths.js';
import type { ClaudeTurnSettings } from './run-claude-turn.js';
import { WarmClaudeProcess, type WarmClaudeProcessInfo } from './warm-claude-process.js';

/**
 * The warm Claude processes of one architecture, one per session. A turn reuses the session's
 * process when it runs in the same sandbox with the same options; otherwise (first turn, a new
 * sandbox, a changed profile, a process that died) a new one starts, resuming the session when
 * its transcript exists.
 */
export class WarmClaudeProcesses {
  private readonly bySession = new Map<string, WarmClaudeProcess>();

  constructor(
    private readonly logger: Logger,
    private readonly onExit?: (process: WarmClaudeProcessInfo) => void,
  ) {}

  async *runTurn(context: AgentTurnContext, settings: ClaudeTurnSettings): AsyncGenerator<AgentEvent> {
    const fingerprint = JSON.stringify([settings.executablePath, settings.env, settings.options]);
    let process = this.bySession.get(context.sessionId);
    if (process && (!process.alive || process.sandbox !== context.sandbox || (process.fingerprint !== fingerprint && !process.busy))) {
      this.logger.info({ sessionId: context.sessionId, processId: process.processId }, 'claude: replacing the warm process');
      process.stop();
      this.bySession.delete(context.sessionId);
      process = undefined;
    }
    if (!process) {
      const paths = claudeTranscriptPaths(context.sandbox.workspacePath, claudeSessionIdFor(context.sessionId));
      const resume = await context.sandbox.readFile(paths.main, { root: 'home' }).then(() => true, () => false);
      process = new WarmClaudeProcess(context.sandbox, context.sessionId, fingerprint, settings, resume, (ended) => {
        if (this.bySession.get(ended.sessionId) === ended) this.bySession.delete(ended.sessionId);
        this.logger.info({ sessionId: ended.sessionId, processId: ended.processId }, 'claude: warm process ended');
        this.onExit?.(ended.info());
      });
      this.bySession.set(context.sessionId, process);
      this.logger.info({ sessionId: context.sessionId, processId: process.processId, resume }, 'claude: warm process started');
    }
    yield* process.runTurn(context);
  }

  list(): WarmClaudeProcessInfo[] {
    return [...this.bySession.values()].filter((process) => process.alive).map((process) => process.info());
  }

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
