import { createHash } from 'node:crypto';
import type { AgentArchitecture, AgentTranscripts, PersistenceAdapter, Sandbox } from '@agent-runtime/core';

function digest(text: string): string {
  return createHash('sha1').update(text).digest('base64');
}

/** Reads the agent's transcripts from the sandbox and saves the ones that changed. */
export class TranscriptSync {
  /** Digest of what was last saved, by `''` (main) or subagent id. */
  private readonly saved = new Map<string, string>();

  constructor(
    private readonly sessionId: string,
    private readonly architecture: AgentArchitecture,
    private readonly persistence: PersistenceAdapter,
  ) {}

  /** Remember stored transcripts so an unchanged one is not written again. */
  remember(transcripts: AgentTranscripts): void {
    if (transcripts.main !== undefined) this.saved.set('', digest(transcripts.main));
    for (const subagent of transcripts.subagents) this.saved.set(subagent.id, digest(subagent.rawTranscript));
  }

  /** Save what changed; returns the transcripts read (for re-parsing). */
  async sync(sandbox: Sandbox): Promise<AgentTranscripts> {
    const transcripts = await this.architecture.readTranscripts(sandbox, this.sessionId);
    if (transcripts.main !== undefined) await this.saveIfChanged('', transcripts.main);
    for (const subagent of transcripts.subagents) await this.saveIfChanged(subagent.id, subagent.rawTranscript);
    return transcripts;
  }

  private async saveIfChanged(key: string, text: string): Promise<void> {
    const hash = digest(text);
    if (this.saved.get(key) === hash) return;
    await this.persistence.saveTranscript(this.sessionId, text, key === '' ? undefined : key);
    this.saved.set(key, hash);
  }
}
