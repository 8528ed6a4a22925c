import { describe, expect, expectTypeOf, it } from 'vitest';
import type { AssistantTextBlock } from './assistant-text-block.js';
import type { ConversationBlock } from './conversation-block.js';
import {
  isAssistantTextBlock,
  isSubagentBlock,
  isSystemBlock,
  isThinkingBlock,
  isToolResultBlock,
  isToolUseBlock,
  isUserMessageBlock,
} from './guards.js';
import type { SubagentBlock } from './subagent-block.js';
import type { SystemBlock } from './system-block.js';
import type { ThinkingBlock } from './thinking-block.js';
import type { ToolResultBlock } from './tool-result-block.js';
import type { ToolUseBlock } from './tool-use-block.js';
import type { UserMessageBlock } from './user-message-block.js';

const base = { id: 'b1', timestamp: '2026-01-01T00:00:00.000Z' };
const blocks: ConversationBlock[] = [
  { ...base, type: 'user_message', content: 'hi' },
  { ...base, type: 'assistant_text', content: 'hello' },
  { ...base, type: 'tool_use', toolName: 'Write', toolUseId: 't1', input: {}, status: 'running' },
  { ...base, type: 'tool_result', toolUseId: 't1', output: 'ok', isError: false },
  { ...base, type: 'thinking', content: 'hmm' },
  { ...base, type: 'system', subtype: 'status', message: 'ready' },
  { ...base, type: 'subagent', subagentId: 'a1', input: 'task', status: 'pending' },
];

describe('block type guards', () => {
  it('narrow to exactly one block type', () => {
    expectTypeOf(isUserMessageBlock).guards.toEqualTypeOf<UserMessageBlock>();
    expectTypeOf(isAssistantTextBlock).guards.toEqualTypeOf<AssistantTextBlock>();
    expectTypeOf(isToolUseBlock).guards.toEqualTypeOf<ToolUseBlock>();
    expectTypeOf(isToolResultBlock).guards.toEqualTypeOf<ToolResultBlock>();
    expectTypeOf(isThinkingBlock).guards.toEqualTypeOf<ThinkingBlock>();
    expectTypeOf(isSystemBlock).guards.toEqualTypeOf<SystemBlock>();
    expectTypeOf(isSubagentBlock).guards.toEqualTypeOf<SubagentBlock>();
  });

  it('each guard accepts exactly its own block', () => {
    const guards = [
      isUserMessageBlock,
      isAssistantTextBlock,
      isToolUseBlock,
      isToolResultBlock,
      isThinkingBlock,
      isSystemBlock,
      isSubagentBlock,
    ];
    guards.forEach((guard, index) => {
      expect(blocks.map((block) => guard(block))).toEqual(blocks.map((_, i) => i === index));
    });
  });

  it('narrowing gives access to the specific fields', () => {
    const block = blocks[2]!;
    if (isToolUseBlock(block)) expectTypeOf(block.status).toEqualTypeOf<'pending' | 'running' | 'success' | 'error'>();
  });
});
