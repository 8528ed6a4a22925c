import type { ConversationBlock } from '@agent-runtime/core';
import { applyClaudeEntry, parseClaudeLine } from './apply-claude-entry.js';
import { ConversationBuilder } from './conversation-builder.js';

/** A line that produced no block, and why (1-based line number). */
export interface SkippedLine {
  line: number;
  reason: string;
}

export interface ParseClaudeTranscriptOptions {
  /**
   * Subagent ids by the prompt they were given, to identify a subagent whose `Agent` call has no
   * result yet (a transcript cut off while the subagent ran). `parseClaudeSession` fills it.
   */
  subagentIdsByPrompt?: ReadonlyMap<string, string>;
}

export interface ParsedClaudeTranscript {
  blocks: ConversationBlock[];
  /** Lines that produced no block: non-message entries, meta entries, garbage, a truncated tail. */
  skipped: SkippedLine[];
}

/**
 * Parse one Claude Code session JSONL file (main or subagent) into blocks. Pure; never throws on
 * bad data: every unusable line is reported in `skipped` with its reason.
 */
export function parseClaudeTranscript(jsonl: string, options: ParseClaudeTranscriptOptions = {}): ParsedClaudeTranscript {
  const builder = new ConversationBuilder();
  const skipped: SkippedLine[] = [];
  let start = 0;
  let lineNumber = 0;
  const length = jsonl.length;
  while (start < length) {
    let end = jsonl.indexOf('\n', start);
    if (end === -1) end = length;
    lineNumber++;
    const line = jsonl.slice(start, end);
    start = end + 1;
    if (line.length === 0 || (line.length < 3 && line.trim() === '')) continue;
    const parsed = parseClaudeLine(line);
    if ('reason' in parsed) {
      skipped.push({ line: lineNumber, reason: parsed.reason });
      continue;
    }
    const reason = applyClaudeEntry(builder, parsed.entry);
    if (reason !== undefined) skipped.push({ line: lineNumber, reason });
  }
  if (options.subagentIdsByPrompt) {
    for (const block of builder.blocks()) {
      if (block.type !== 'subagent' || block.subagentId !== block.toolUseId) continue;
      const id = options.subagentIdsByPrompt.get(block.input);
      if (id) builder.identifySubagent(block.id, id);
    }
  }
  return { blocks: builder.blocks(), skipped };
}
