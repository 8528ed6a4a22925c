/**
 * The SDK messages the stream reducer reads, typed loosely on purpose so this package does not
 * depend on `@anthropic-ai/claude-agent-sdk` (pass its `SDKMessage` values straight in).
 * Recorded from agent SDK 0.3.332.
 */
export interface ClaudeSdkMessage {
  type: string;
  subtype?: string;
  uuid?: string;
  session_id?: string;
  parent_tool_use_id?: string | null;
  [key: string]: unknown;
}

/** `stream_event` payloads (the Anthropic Messages API SSE events), as far as we read them. */
export interface ClaudeStreamEvent {
  type: string;
  index?: number;
  message?: { id?: string; model?: string };
  content_block?: { type: string; id?: string; name?: string; text?: string; thinking?: string };
  delta?: { type: string; text?: string; thinking?: string; partial_json?: string };
}

/** Usage as Anthropic reports it. */
export interface ClaudeUsage {
  input_tokens?: number;
  output_tokens?: number;
  cache_read_input_tokens?: number;
  cache_creation_input_tokens?: number;
}
