import type { AgentEvent, Sandbox } from '@agent-runtime/core';
import type { ClaudeStreamReducer } from '@agent-runtime/transcript-claude';

const NEWLINE = 10;

/**
 * Follows subagent transcripts (`<session>/subagents/agent-<id>.jsonl`) and feeds their new
 * complete lines to the reducer: the SDK does not forward a synchronous subagent's dialogue, so
 * its live blocks come from the file the CLI appends to.
 */
export class SubagentTail {
  private readonly offsets = new Map<string, number>();
  private running: Promise<void> | undefined;

  constructor(
    private readonly sandbox: Sandbox,
    private readonly pathOf: (agentId: string) => string,
    private readonly reducer: ClaudeStreamReducer,
    private readonly emit: (events: AgentEvent[]) => void,
  ) {}

  follow(agentId: string): void {
    if (!this.offsets.has(agentId)) this.offsets.set(agentId, 0);
  }

  get following(): number {
    return this.offsets.size;
  }

  /** Read what the followed files gained since the last poll (one poll at a time). */
  poll(): Promise<void> {
    this.running ??= this.readAll().finally(() => (this.running = undefined));
    return this.running;
  }

  private async readAll(): Promise<void> {
    for (const [agentId, offset] of this.offsets) {
      let bytes: Uint8Array;
      try {
        bytes = await this.sandbox.readFile(this.pathOf(agentId), { root: 'home' });
      } catch {
        continue; // not written yet
      }
      const end = bytes.lastIndexOf(NEWLINE);
      if (end < offset) continue;
      this.offsets.set(agentId, end + 1);
      const text = new TextDecoder().decode(bytes.subarray(offset, end));
      const events: AgentEvent[] = [];
      for (const line of text.split('\n')) events.push(...this.reducer.pushSubagentLine(agentId, line));
      if (events.length > 0) this.emit([...events, { type: 'transcript:changed', subagentId: agentId }]);
    }
  }
}
