import type { AgentTranscripts, ConversationBlock, ParsedConversations } from '@agent-runtime/core';
import { parseClaudeTranscript, type SkippedLine } from './parse-claude-transcript.js';

/** `agent-<id>` (the file name form) and `<id>` both name subagent `<id>`. */
export function normalizeSubagentId(id: string): string {
  return id.startsWith('agent-') ? id.slice('agent-'.length) : id;
}

export interface ParsedClaudeSession extends ParsedConversations {
  /** Skipped lines per conversation (`main` or a subagent id). */
  skipped: Record<string, SkippedLine[]>;
}

/**
 * Parse a whole Claude Code session: the main transcript and one sidechain transcript per
 * subagent. Subagent conversations are keyed by the CLI's agent id (the `agentId` in the lines,
 * `agent-<agentId>.jsonl` on disk), the same id the stream reducer uses.
 */
export function parseClaudeSession(transcripts: AgentTranscripts): ParsedClaudeSession {
  const skipped: Record<string, SkippedLine[]> = {};
  const subagents = transcripts.subagents.map(({ id, rawTranscript }) => {
    const subagentId = normalizeSubagentId(id);
    const parsed = parseClaudeTranscript(rawTranscript ?? '');
    skipped[subagentId] = parsed.skipped;
    return { id: subagentId, blocks: parsed.blocks };
  });
  const subagentIdsByPrompt = new Map<string, string>();
  for (const subagent of subagents) {
    const first = subagent.blocks[0];
    if (first?.type === 'user_message' && typeof first.content === 'string') subagentIdsByPrompt.set(first.content, subagent.id);
    else if (first?.type === 'user_message' && Array.isArray(first.content) && first.content[0]?.type === 'text') {
      subagentIdsByPrompt.set(first.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n'), subagent.id);
    }
  }
  const main = parseClaudeTranscript(transcripts.main ?? '', { subagentIdsByPrompt });
  skipped.main = main.skipped;
  const starts = new Map<string, { name?: string; toolUseId?: string }>();
  const collect = (blocks: ConversationBlock[]) => {
    for (const block of blocks) {
      if (block.type === 'subagent') starts.set(block.subagentId, { name: block.name, toolUseId: block.toolUseId });
    }
  };
  collect(main.blocks);
  for (const subagent of subagents) collect(subagent.blocks);
  return {
    main: main.blocks,
    subagents: subagents.map((subagent) => {
      const start = starts.get(subagent.id);
      const entry: ParsedConversations['subagents'][number] = { id: subagent.id, blocks: subagent.blocks };
      if (start?.name) entry.name = start.name;
      if (start?.toolUseId) entry.toolUseId = start.toolUseId;
      return entry;
    }),
    skipped,
  };
}
