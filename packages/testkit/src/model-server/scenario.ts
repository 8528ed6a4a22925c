/**
 * The scenario format of the scripted model server. A scenario is plain data (JSON-serialisable
 * except where a `RegExp` is used for convenience): a list of turns, each with a `match` and
 * either a `reply` or an `error`. For every generation request the server picks the FIRST turn
 * whose `match` holds and which still has uses left (`times`, default 1); when none does, it
 * answers with `fallback` (default: plain text "ok"), which ends any tool loop.
 */

/** Which model API a request used. */
export type ModelApi = 'anthropic' | 'gemini';

/**
 * Matches a piece of text: a plain string is a case-sensitive substring test; a `RegExp` or the
 * serialisable `{ regex, flags }` form is a regular-expression test.
 */
export type TextMatcher = string | RegExp | { regex: string; flags?: string };

/** Matches one tool result in the last user message (Anthropic tool_result / Gemini functionResponse). */
export interface ToolResultMatch {
  /** Tool name as the API sees it (Claude: Write, Edit, Read, Bash, Agent; Gemini: write_file, replace, read_file, run_shell_command). */
  name?: string;
  /** Tool call id the result answers (tool_use_id / functionResponse.id). */
  id?: string;
  /** Matches the result's text output (for Gemini: response.output, or response.error, else the JSON of response). */
  output?: TextMatcher;
  /** Whether the tool failed (Anthropic `is_error`; Gemini `response.error` present). */
  isError?: boolean;
}

/** Conditions on a request; every condition given must hold. An empty match matches everything. */
export interface TurnMatch {
  /** Only requests to this API. */
  api?: ModelApi;
  /**
   * Text of the last user message, without `<system-reminder>` blocks (Claude) or the
   * `<session_context>` part (Gemini). A message holding only tool results has the text ''.
   * Only user messages after the last assistant message count; if they hold nothing but
   * reminders, the text is '' and there are no tool results.
   */
  lastUserText?: TextMatcher;
  /** At least one tool result in the last user message matches. `true` = any tool result. */
  lastToolResult?: ToolResultMatch | true;
  /**
   * Claude: the request reports a finished background task (`<task-notification>`, sent inside a
   * system reminder after a background subagent ends). `true`/`false` test presence; a text
   * matcher tests its content (e.g. the subagent's `<result>`).
   */
  taskNotification?: boolean | TextMatcher;
  /** `true`: no assistant/model message yet (a new conversation, e.g. a subagent's first request). `false`: the opposite. */
  fresh?: boolean;
  /** The system prompt (Anthropic `system`, Gemini `systemInstruction`). */
  system?: TextMatcher;
  /** The requested model name. */
  model?: TextMatcher;
  /** The request offers a tool with this name (e.g. distinguish agent requests from tool-less side requests). */
  hasTool?: string;
  /** `true` for streamed requests (SSE), `false` for plain JSON ones. */
  stream?: boolean;
}

/** One tool call the model makes. */
export interface ScriptedToolCall {
  /** Tool name as the API sees it (see {@link ToolResultMatch.name}). */
  name: string;
  /** Tool input / function-call args. `{{cwd}}` in a string stands for the agent's working directory, read from its request. */
  input: Record<string, unknown>;
  /**
   * Tool call id. Default: generated (`toolu_fake_<n>` / `call_fake_<n>`), recorded in
   * `RecordedRequest.response.toolCallIds`. For Gemini, `null` sends no id, like the real API.
   */
  id?: string | null;
}

/** Token usage reported with a reply; API-neutral names, mapped to each API's fields. */
export interface ScriptedUsage {
  inputTokens?: number;
  outputTokens?: number;
  cacheReadInputTokens?: number;
  cacheCreationInputTokens?: number;
  /** Gemini `thoughtsTokenCount`. */
  thoughtsTokens?: number;
}

/**
 * What the model says. Blocks are emitted in the order thinking, text, tool calls. A string
 * array streams as several deltas/chunks. An empty reply `{}` produces a message without content.
 */
export interface ScriptedReply {
  /** Thinking (Anthropic thinking block with a signature; Gemini parts with `thought: true`). */
  thinking?: string | string[];
  /** Anthropic thinking signature; default `fake-signature-<n>`. */
  signature?: string;
  /** Answer text, as one chunk or several. */
  text?: string | string[];
  toolCalls?: ScriptedToolCall[];
  usage?: ScriptedUsage;
  /** Override the stop reason (Anthropic `stop_reason`, Gemini `finishReason`). */
  stopReason?: string;
  /** Wait this long before each streamed event (to test live streaming or interrupts). Default 0. */
  chunkDelayMs?: number;
  /**
   * Send only this many streamed events (SSE events: Anthropic `message_start`,
   * `content_block_delta`, …; Gemini one chunk each), then send nothing more and keep the stream
   * open until the client goes away or the server closes: a reply stuck mid-stream, so interrupt
   * tests need no timing. Unset: the whole reply.
   */
  stallAfterEvents?: number;
}

/** An HTTP error answer, shaped like the real API's error body. */
export interface ScriptedError {
  /** HTTP status, e.g. 429, 500, 529. */
  status: number;
  /** Anthropic `error.type` (default from the status: rate_limit_error, api_error, overloaded_error, ...). */
  type?: string;
  message?: string;
  /**
   * With a `reply` on the same turn: answer with this error the first `times` matches (default 1),
   * then with the reply. Without a reply the error is the turn's only answer.
   */
  times?: number;
  /** Sets the `retry-after` header (seconds). */
  retryAfterSeconds?: number;
}

/** One scripted step. */
export interface ScenarioTurn {
  /** Label for assertions (`RecordedRequest.turnId`); default `turn-<index>`. */
  id?: string;
  /** When to answer with this turn; omitted = any request (turns then play in order). */
  match?: TurnMatch;
  reply?: ScriptedReply;
  error?: ScriptedError;
  /** How many requests this turn may answer; default 1. `'always'` never runs out. */
  times?: number | 'always';
}

/** A whole script for one test. */
export interface Scenario {
  /** Label shown in error messages. */
  name?: string;
  turns: ScenarioTurn[];
  /** Answer for requests no turn matches; default `{ text: 'ok' }`. */
  fallback?: ScriptedReply;
  /**
   * Hard cap on generation requests under this scenario; after it every request gets an HTTP
   * 500 explaining that the agent is probably looping. Default: the server's `maxRequests` (200).
   */
  maxRequests?: number;
}
