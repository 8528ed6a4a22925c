import { z } from 'zod';
import { sessionListDataSchema } from './session-list-data.js';
import { workspaceFileSchema } from './workspace-file.js';

/** A subagent's stored transcript, kept apart from the main one. */
export const savedSubagentSchema = z.object({
  id: z.string().min(1),
  rawTranscript: z.string().optional(),
});

/** Everything persisted for a session: what `loadSession` returns. */
export const savedSessionDataSchema = sessionListDataSchema.extend({
  /** The agent's own transcript (JSONL for Claude Code, the session file for Gemini CLI). */
  rawTranscript: z.string().optional(),
  subagents: z.array(savedSubagentSchema).optional(),
  workspaceFiles: z.array(workspaceFileSchema),
});

export type SavedSubagent = z.infer<typeof savedSubagentSchema>;
export type SavedSessionData = z.infer<typeof savedSessionDataSchema>;
