import type { RequestView } from './request-view.js';
import type { Endpoint } from './route.js';
import type { ModelApi } from './scenario.js';

/** A tool call the server sent, with the id it generated (or was given). */
export interface RecordedToolCall {
  id: string | undefined;
  name: string;
  input: Record<string, unknown>;
}

/** What the server answered. */
export interface RecordedResponse {
  status: number;
  /** Generated message id (`msg_fake_…`, Gemini `responseId` `resp_fake_…`) of a scripted reply. */
  messageId?: string;
  text: string;
  thinking: string;
  toolCalls: RecordedToolCall[];
  /** Error body type / message of an error answer. */
  error?: { type: string; message: string };
}

/** One request the server received. */
export interface RecordedRequest {
  /** 0-based position among all requests since the last reset. */
  index: number;
  method: string;
  /** Path with query, e.g. `/v1/messages?beta=true`. */
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body; the raw text when it was not JSON; undefined when empty. */
  body: unknown;
  api: ModelApi | 'unknown';
  endpoint: Endpoint;
  /** Matching facts (generation requests only). */
  view?: RequestView;
  /** Scenario turn that answered: its id, `'fallback'` or `'request-limit'` (generation requests only). */
  turnId?: string;
  response: RecordedResponse;
  receivedAt: Date;
}
