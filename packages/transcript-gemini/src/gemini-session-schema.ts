/**
 * Wire types of the Gemini CLI session file (`~/.gemini/tmp/<slug>/chats/session-*.jsonl`),
 * as written by the CLI's `ChatRecordingService` (checked against @google/gemini-cli 0.61.0).
 *
 * The file is append-only JSONL with four record kinds:
 * - a header `{sessionId, projectHash, startTime, lastUpdated, kind}`, appended on every CLI start;
 * - `{"$set": {...}}` patches; `$set.messages` replaces the whole message history;
 * - `{"$rewindTo": "<messageId>"}`, which drops that message and everything after it;
 * - message records `{id, timestamp, type, content, ...}`, upserted by id (the last one wins).
 *
 * The older format is one JSON object `{sessionId, projectHash, messages: [...]}`.
 *
 * @see https://github.com/google-gemini/gemini-cli/blob/main/packages/core/src/services/chatRecordingService.ts
 */

/** A part of a Gemini `Content` (`@google/genai` `Part`), reduced to what we read. */
export interface GeminiPart {
  text?: string;
  thought?: boolean;
  functionCall?: { id?: string; name?: string; args?: Record<string, unknown> };
  functionResponse?: { id?: string; name?: string; response?: Record<string, unknown> };
  inlineData?: { mimeType?: string; data?: string };
  [key: string]: unknown;
}

/** A thought summary the CLI records for a model response (`**subject** description`). */
export interface GeminiThought {
  subject?: string;
  description?: string;
  timestamp?: string;
}

/** Token counts of one model response. */
export interface GeminiTokens {
  input?: number;
  output?: number;
  cached?: number;
  thoughts?: number;
  tool?: number;
  total?: number;
}

/** A completed tool call as recorded on a `gemini` message. */
export interface GeminiToolCallRecord {
  /** The same id as the stream-json `tool_id`. */
  id: string;
  name: string;
  args?: Record<string, unknown>;
  /** `Part[]` with the functionResponse sent back to the model (or a string in old files). */
  result?: GeminiPart[] | string | null;
  /** `success`, `error`, `cancelled`, ... */
  status?: string;
  timestamp?: string;
  resultDisplay?: unknown;
  description?: string;
  displayName?: string;
}

export type GeminiMessageType = 'user' | 'gemini' | 'info' | 'error' | 'warning';

/** A message record. `content` is a string in live `gemini` records and `Part[]` elsewhere. */
export interface GeminiMessageRecord {
  id: string;
  timestamp?: string;
  type: GeminiMessageType | (string & {});
  content?: string | GeminiPart[] | GeminiPart;
  /** What the user typed when it differs from `content` (e.g. `@file` expansion, slash commands). */
  displayContent?: string | GeminiPart[];
  thoughts?: GeminiThought[];
  tokens?: GeminiTokens | null;
  model?: string;
  toolCalls?: GeminiToolCallRecord[];
}

/** The header appended each time the CLI starts on a session file. */
export interface GeminiSessionHeader {
  sessionId: string;
  projectHash: string;
  startTime?: string;
  lastUpdated?: string;
  kind?: string;
  /** Only in the older single-JSON format. */
  messages?: GeminiMessageRecord[];
}
