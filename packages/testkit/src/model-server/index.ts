export type {
  ModelApi,
  Scenario,
  ScenarioTurn,
  ScriptedError,
  ScriptedReply,
  ScriptedToolCall,
  ScriptedUsage,
  TextMatcher,
  ToolResultMatch,
  TurnMatch,
} from './scenario.js';
export type { RecordedRequest, RecordedResponse, RecordedToolCall } from './recorded-request.js';
export type { RequestView, ToolResultView } from './request-view.js';
export type { Endpoint } from './route.js';
export { startModelServer, type ModelServer, type ModelServerOptions } from './server.js';
export { FALLBACK_TURN_ID, REQUEST_LIMIT_TURN_ID, validateScenario } from './scenario-player.js';
export { matchesText, matchesTurn } from './match-turn.js';
export { viewAnthropicRequest } from './anthropic-request.js';
export { viewGeminiRequest } from './gemini-request.js';
