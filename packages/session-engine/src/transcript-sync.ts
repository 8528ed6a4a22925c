import { createHash } from 'node:crypto';
import type { AgentArchitecture, AgentTranscripts, PersistenceAdapter, PersistenceExtensions, Sandbox } from '@agent-runtime/core';
import type { SecretRedactor } from './secret-redactor.js';

function digest(text: string): string {
  return createHash('sha1').update(text).digest('base64');
}

export interface TranscriptSyncOptions {
  sessionId: string;
  architecture: AgentArchitecture;
  persistence: PersistenceAdapter & PersistenceExtensions;
  redactor: SecretRedactor;
}

interface Stored {
  length: number;
  digest: string;
}

/**
 * Reads the agent's transcripts from the sandbox and stores what changed, with known secrets
 * redacted. A transcript that only grew (Claude's JSONL; Gemini's session file between resumes)
 * is stored as its new tail through `appendTranscript` when the adapter has it; one that was
 * rewritten (Gemini's `$set` of the whole history on resume) or an adapter without it gets
 * `saveTranscript` with the whole text. An unchanged transcript is not written at all.
 */
export class TranscriptSync {
  private readonly stored = new Map<string, Stored>();

  constructor(private readonly options: TranscriptSyncOptions) {}

  /** Remember stored transcripts so an unchanged one is not written again. */
  remember(transcripts: AgentTranscripts): void {
    if (transcripts.main !== undefined) this.note('', transcripts.main);
    for (const subagent of transcripts.subagents) this.note(subagent.id, subagent.rawTranscript);
  }

  /** Store what changed; returns the transcripts read, redacted (for re-parsing). */
  async sync(sandbox: Sandbox): Promise<AgentTranscripts> {
    const read = await this.options.architecture.readTranscripts(sandbox, this.options.sessionId);
    const redactor = this.options.redactor;
    const transcripts: AgentTranscripts = {
      ...(read.main === undefined ? {} : { main: redactor.text(read.main) }),
      subagents: read.subagents.map((subagent) => ({ id: subagent.id, rawTranscript: redactor.text(subagent.rawTranscript) })),
    };
    if (transcripts.main !== undefined) await this.store('', transcripts.main);
    for (const subagent of transcripts.subagents) await this.store(subagent.id, subagent.rawTranscript);
    return transcripts;
  }

  private note(key: string, text: string): void {
    this.stored.set(key, { length: text.length, digest: digest(text) });
  }

  private async store(key: string, text: string): Promise<void> {
    const { persistence, sessionId } = this.options;
    const subagentId = key === '' ? undefined : key;
    const before = this.stored.get(key);
    if (before && before.length === text.length && before.digest === digest(text)) return;
    const grew = before !== undefined && text.length > before.length && digest(text.slice(0, before.length)) === before.digest;
    if (grew && persistence.appendTranscript) {
      await persistence.appendTranscript(sessionId, text.slice(before.length), subagentId);
    } else {
      await persistence.saveTranscript(sessionId, text, subagentId);
    }
    this.note(key, text);
  }
}
