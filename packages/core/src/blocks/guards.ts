import type { AssistantTextBlock } from './assistant-text-block.js';
import type { ConversationBlock } from './conversation-block.js';
import type { SubagentBlock } from './subagent-block.js';
import type { SystemBlock } from './system-block.js';
import type { ThinkingBlock } from './thinking-block.js';
import type { ToolResultBlock } from './tool-result-block.js';
import type { ToolUseBlock } from './tool-use-block.js';
import type { UserMessageBlock } from './user-message-block.js';

export function isUserMessageBlock(block: ConversationBlock): block is UserMessageBlock {
  return block.type === 'user_message';
}

export function isAssistantTextBlock(block: ConversationBlock): block is AssistantTextBlock {
  return block.type === 'assistant_text';
}

export function isToolUseBlock(block: ConversationBlock): block is ToolUseBlock {
  return block.type === 'tool_use';
}

export function isToolResultBlock(block: ConversationBlock): block is ToolResultBlock {
  return block.type === 'tool_result';
}

export function isThinkingBlock(block: ConversationBlock): block is ThinkingBlock {
  return block.type === 'thinking';
}

export function isSystemBlock(block: ConversationBlock): block is SystemBlock {
  return block.type === 'system';
}

export function isSubagentBlock(block: ConversationBlock): block is SubagentBlock {
  return block.type === 'subagent';
}
