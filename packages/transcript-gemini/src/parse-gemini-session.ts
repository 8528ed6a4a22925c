import type { ConversationBlock } from '@agent-runtime/core';
import { PREAMBLE_PROMPT_ID } from './block-ids.js';
import type { GeminiMessageRecord, GeminiPart } from './gemini-session-schema.js';
import { toParts } from './gemini-parts.js';
import { type MappedMessage, mapMessage, mapMessageEarly } from './map-gemini-message.js';
import { type PlacedBlock, placeResponse } from './place-gemini-response.js';
import { type HistoryEntry, SessionHistory, recordOf } from './session-history.js';

/** A line the parser could not use. Skips are counted, never thrown. */
export interface GeminiSkippedLine {
  /** 1-based line number (1 for the whole file in the single-JSON format). */
  line: number;
  reason: 'invalid-json' | 'truncated-line' | 'unknown-record' | 'unknown-message-type';
  /** The start of the line, for logs. */
  excerpt: string;
}

export interface GeminiSessionParseResult {
  blocks: ConversationBlock[];
  skipped: GeminiSkippedLine[];
  /** The CLI's session uuid, from the last header. */
  sessionId?: string;
}

/** Internal, richer result used by the stream reducer. */
export interface DetailedGeminiSession extends GeminiSessionParseResult {
  placed: PlacedBlock[];
  /** Id of the last user prompt written by the latest CLI run (header), if that run wrote one. */
  lastRunPromptId?: string;
  /** How many model responses (gemini records, with blocks or without) each prompt id has. */
  responseCounts: Map<string, number>;
}

/**
 * Parses a Gemini CLI session file (JSONL, or the older single-JSON format) into blocks.
 * Pure and total: bad lines are reported in `skipped`, never thrown.
 */
export function parseGeminiSession(text: string): GeminiSessionParseResult {
  const { history, skipped, sessionId } = readSession(text);
  const blocks: ConversationBlock[] = [];
  mapEntries(history.entries(), blocks, undefined);
  return sessionId === undefined ? { blocks, skipped } : { blocks, skipped, sessionId };
}

export function parseGeminiSessionDetailed(text: string): DetailedGeminiSession {
  const { history, skipped, sessionId } = readSession(text);
  const entries = history.entries();
  const blocks: ConversationBlock[] = [];
  const placed: PlacedBlock[] = [];
  const responseCounts = new Map<string, number>();
  mapEntries(entries, blocks, placed, responseCounts);
  const lastRunPromptId = findLastRunPrompt(entries, history.runs);
  return {
    blocks,
    placed,
    responseCounts,
    skipped,
    ...(sessionId !== undefined ? { sessionId } : {}),
    ...(lastRunPromptId !== undefined ? { lastRunPromptId } : {}),
  };
}

/** Reads every record into the history; nothing is mapped yet except messages mapped early. */
function readSession(text: string): { history: SessionHistory; skipped: GeminiSkippedLine[]; sessionId?: string } {
  const history = new SessionHistory(mapMessageEarly);
  const skipped: GeminiSkippedLine[] = [];
  let sessionId: string | undefined;

  const legacy = parseLegacy(text);
  if (legacy) {
    history.startRun();
    sessionId = legacy.sessionId;
    for (const message of legacy.messages) acceptMessage(message, history, skipped, 1, JSON.stringify(message), false);
  } else {
    let lineNumber = 0;
    let start = 0;
    const length = text.length;
    while (start < length) {
      let end = text.indexOf('\n', start);
      const terminated = end !== -1;
      if (!terminated) end = length;
      lineNumber += 1;
      const line = text.slice(start, end);
      start = end + 1;
      if (line.length === 0) continue;
      // Most lines of a session are `{"$set":{"lastUpdated":"..."}}`, which change no block.
      if (line.length < 64 && LAST_UPDATED_ONLY.test(line)) continue;
      let record: unknown;
      try {
        record = JSON.parse(line);
      } catch {
        if (line.trim() !== '') {
          skipped.push({ line: lineNumber, reason: terminated ? 'invalid-json' : 'truncated-line', excerpt: excerpt(line) });
        }
        continue;
      }
      const header = applyRecord(record, history, skipped, lineNumber, line);
      if (header !== undefined) sessionId = header;
    }
  }

  return sessionId === undefined ? { history, skipped } : { history, skipped, sessionId };
}

// A regex on purpose: irregexp's native code beat a charCodeAt loop 2-3x here (measured).
const LAST_UPDATED_ONLY = /^\{"\$set":\{"lastUpdated":"[0-9TZ:.+-]*"\}\}\s*$/;

/** Applies one JSONL record; returns the session id when the record is a header. */
function applyRecord(
  record: unknown,
  history: SessionHistory,
  skipped: GeminiSkippedLine[],
  line: number,
  raw: string,
): string | undefined {
  if (!isObject(record)) {
    skipped.push({ line, reason: 'unknown-record', excerpt: excerpt(raw) });
    return undefined;
  }
  if (typeof record['id'] === 'string') {
    acceptMessage(record as unknown as GeminiMessageRecord, history, skipped, line, raw, true, raw);
    return undefined;
  }
  const set = record['$set'];
  if (isObject(set)) {
    const messages = set['messages'];
    if (Array.isArray(messages)) history.replace(messages.filter(isMessageRecord));
    return undefined;
  }
  if (typeof record['$rewindTo'] === 'string') {
    history.rewindTo(record['$rewindTo']);
    return undefined;
  }
  if (typeof record['sessionId'] === 'string' && typeof record['projectHash'] === 'string') {
    history.startRun();
    const messages = record['messages'];
    if (Array.isArray(messages)) for (const m of messages.filter(isMessageRecord)) history.upsert(m, true);
    return record['sessionId'];
  }
  skipped.push({ line, reason: 'unknown-record', excerpt: excerpt(raw) });
  return undefined;
}


function acceptMessage(
  record: GeminiMessageRecord,
  history: SessionHistory,
  skipped: GeminiSkippedLine[],
  line: number,
  raw: string,
  live: boolean,
  source?: string,
): void {
  const type = record.type;
  if (type !== 'gemini' && type !== 'user' && type !== 'info' && type !== 'error' && type !== 'warning') {
    skipped.push({ line, reason: 'unknown-message-type', excerpt: excerpt(raw) });
    return;
  }
  history.upsert(record, live, source);
}

/** Turns the final history into blocks (and their places, when `placed` is given). */
function mapEntries(
  entries: readonly HistoryEntry[],
  blocks: ConversationBlock[],
  placed: PlacedBlock[] | undefined,
  responseCounts?: Map<string, number>,
): void {
  // Function responses by call id: only needed for model records without `toolCalls`, so built lazily.
  let responses: Map<string, GeminiPart[]> | undefined;
  const responsesByCallId = () => {
    if (responses) return responses;
    responses = new Map();
    for (const entry of entries) {
      if (entry.mapped !== undefined && (entry.mapped.type !== 'user' || !entry.mapped.functionResponses)) continue;
      const record = recordOf(entry);
      if (record.type !== 'user') continue;
      for (const part of toParts(record.content)) {
        const id = part.functionResponse?.id;
        if (typeof id === 'string' && !responses.has(id)) responses.set(id, [part]);
      }
    }
    return responses;
  };
  let promptId = PREAMBLE_PROMPT_ID;
  let response = -1;
  let lastTimestamp = '1970-01-01T00:00:00.000Z';
  for (const entry of entries) {
    let mapped = entry.mapped;
    if (mapped === undefined) {
      const record = recordOf(entry);
      mapped = mapMessage(record, typeof record.timestamp === 'string' ? record.timestamp : lastTimestamp, responsesByCallId);
      entry.mapped = mapped;
    }
    lastTimestamp = mapped.timestamp;
    if (mapped.type === 'user') {
      if (!mapped.block) continue;
      promptId = entry.id;
      response = -1;
      blocks.push(mapped.block);
      placed?.push({ block: mapped.block, promptId, response });
    } else if (mapped.type === 'gemini') {
      response += 1;
      responseCounts?.set(promptId, response + 1);
      placeResponse(mapped.blocks, promptId, response, blocks, placed);
    } else if (mapped.block) {
      blocks.push(mapped.block);
      placed?.push({ block: mapped.block, promptId, response });
    }
  }
}

/** The last user prompt written by the latest CLI run (entries are mapped by `mapEntries`). */
function findLastRunPrompt(entries: readonly HistoryEntry[], runs: number): string | undefined {
  if (runs === 0) return undefined;
  for (let i = entries.length - 1; i >= 0; i -= 1) {
    const entry = entries[i]!;
    if (entry.run !== runs || !isPrompt(entry.mapped)) continue;
    return entry.id;
  }
  return undefined;
}

function isPrompt(mapped: MappedMessage | undefined): boolean {
  return mapped?.type === 'user' && mapped.block !== undefined;
}

/** The older format: the whole file is one JSON object holding `messages`. */
function parseLegacy(text: string): { sessionId?: string; messages: GeminiMessageRecord[] } | undefined {
  const trimmed = text.trimStart();
  if (!trimmed.startsWith('{')) return undefined;
  const firstNewline = trimmed.indexOf('\n');
  const firstLine = firstNewline === -1 ? trimmed : trimmed.slice(0, firstNewline);
  // JSONL files start with a complete JSON object on their first line.
  if (firstLine.trim() !== '{') return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    if (!isObject(parsed) || !Array.isArray(parsed['messages'])) return undefined;
    const sessionId = typeof parsed['sessionId'] === 'string' ? parsed['sessionId'] : undefined;
    const messages = parsed['messages'].filter(isMessageRecord);
    return sessionId === undefined ? { messages } : { sessionId, messages };
  } catch {
    return undefined;
  }
}

function isMessageRecord(value: unknown): value is GeminiMessageRecord {
  return isObject(value) && typeof value['id'] === 'string';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function excerpt(line: string): string {
  return line.length > 80 ? `${line.slice(0, 80)}…` : line;
}
