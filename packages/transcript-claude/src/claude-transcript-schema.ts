/**
 * The parts of Claude Code's session JSONL that the parser reads. Each line of
 * `$CLAUDE_CONFIG_DIR/projects/<cwd slug>/<sessionId>.jsonl` (and of
 * `<sessionId>/subagents/agent-<agentId>.jsonl`) is one entry; only `user` and `assistant`
 * entries carry dialogue. One API response is written as one `assistant` line per content
 * block, all sharing `message.id`.
 *
 * @see https://docs.claude.com/en/docs/claude-code/sdk — the CLI's own format is undocumented;
 * these shapes were recorded from Claude Code 2.1.332 (agent SDK 0.3.332).
 */

/** A content item of an assistant message. */
export type ClaudeAssistantContent =
  | { type: 'text'; text: string }
  | { type: 'thinking'; thinking: string; signature?: string }
  | { type: 'redacted_thinking'; data?: string }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> }
  | { type: string; [key: string]: unknown };

/** A content item of a user message. */
export type ClaudeUserContent =
  | { type: 'text'; text: string }
  | { type: 'image'; source: { type: 'base64'; media_type: string; data: string } | { type: 'url'; url: string } }
  | { type: 'tool_result'; tool_use_id: string; content?: unknown; is_error?: boolean }
  | { type: string; [key: string]: unknown };

export interface ClaudeUserEntry {
  type: 'user';
  uuid?: string;
  promptId?: string;
  timestamp?: string;
  isSidechain?: boolean;
  agentId?: string;
  /** Injected by the CLI (reminders, caveats), never typed by the user. */
  isMeta?: boolean;
  isCompactSummary?: boolean;
  message?: { role: 'user'; content: string | ClaudeUserContent[] };
  /** The tool's structured output (for `Agent`: status, agentId, content, totalDurationMs...). */
  toolUseResult?: unknown;
}

export interface ClaudeAssistantEntry {
  type: 'assistant';
  uuid?: string;
  timestamp?: string;
  isSidechain?: boolean;
  agentId?: string;
  /** Position of this content block in the API response. */
  apiBlockIndex?: number;
  message?: { id?: string; model?: string; content?: ClaudeAssistantContent[] | string };
}

/** Structured output of the `Agent` (a.k.a. `Task`) tool, as far as we read it. */
export interface ClaudeAgentToolResult {
  status?: string;
  agentId?: string;
  agentType?: string;
  prompt?: string;
  content?: unknown;
  totalDurationMs?: number;
}

/** Entry types that carry no dialogue and are skipped on purpose. */
export const CLAUDE_NON_MESSAGE_ENTRY_TYPES: ReadonlySet<string> = new Set([
  'summary',
  'system',
  'attachment',
  'queue-operation',
  'api-request',
  'api-request-shape',
  'api-request-blob',
  'last-prompt',
  'atis-latch',
  'cost-state',
  'tools-used',
  'mode',
  'file-history-snapshot',
  'custom-title',
  'progress',
]);

/** Tool names Claude Code uses for starting a subagent (`Agent` on the wire, `Task` in the SDK). */
export const CLAUDE_SUBAGENT_TOOL_NAMES: ReadonlySet<string> = new Set(['Agent', 'Task']);
