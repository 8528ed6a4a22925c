// The reference README's "Type Exports" list, imported from the `/types` subpath.
import type {
  // Configuration
  RuntimeConfig,
  PersistenceAdapter,

  // Sessions
  SessionStatus,
  SessionListData,
  RuntimeSessionData,
  WorkspaceFile,

  // Blocks
  ConversationBlock,
  UserMessageBlock,
  AssistantTextBlock,
  ToolUseBlock,
  ToolResultBlock,
  ThinkingBlock,
  SystemBlock,
  SubagentBlock,

  // WebSocket events
  ServerToClientEvents,
  ClientToServerEvents,
} from '@hhopkins/agent-runtime/types';
import {
  // Type guards
  isUserMessageBlock,
  isAssistantTextBlock,
  isToolUseBlock,
  isToolResultBlock,
  isThinkingBlock,
  isSystemBlock,
  isSubagentBlock,
} from '@hhopkins/agent-runtime/types';

export type Everything = [
  RuntimeConfig, PersistenceAdapter, SessionStatus, SessionListData, RuntimeSessionData, WorkspaceFile,
  ConversationBlock, UserMessageBlock, AssistantTextBlock, ToolUseBlock, ToolResultBlock, ThinkingBlock,
  SystemBlock, SubagentBlock, ServerToClientEvents, ClientToServerEvents,
];
export const guards = [
  isUserMessageBlock, isAssistantTextBlock, isToolUseBlock, isToolResultBlock, isThinkingBlock, isSystemBlock, isSubagentBlock,
];
