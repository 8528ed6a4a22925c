export { parseGeminiSession, type GeminiSessionParseResult, type GeminiSkippedLine } from './parse-gemini-session.js';
export {
  createGeminiStreamReducer,
  type GeminiRunResult,
  type GeminiStreamReducer,
  type GeminiStreamReducerOptions,
} from './gemini-stream-reducer.js';
export { parseGeminiStreamLine, type GeminiStreamEvent, type GeminiStreamStats } from './gemini-stream-events.js';
export { geminiBlockIds } from './block-ids.js';
export type {
  GeminiMessageRecord,
  GeminiPart,
  GeminiSessionHeader,
  GeminiThought,
  GeminiTokens,
  GeminiToolCallRecord,
} from './gemini-session-schema.js';
