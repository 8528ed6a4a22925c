import type { ConversationBlock, SubagentBlock, ToolUseBlock, UserMessageContent } from '@agent-runtime/core';
import { CLAUDE_SUBAGENT_TOOL_NAMES, type ClaudeAssistantContent } from './claude-transcript-schema.js';
import { describeToolInput, durationBetween, subagentOutcome } from './map-claude-content.js';
import type { ClaudeTaskNotification } from './task-notification.js';

/** A change to a conversation's blocks, as the builder makes it. */
export type ConversationChange =
  | { kind: 'start'; block: ConversationBlock }
  | { kind: 'update'; blockId: string; updates: Partial<ConversationBlock> }
  | { kind: 'complete'; block: ConversationBlock };

/** Id of a tool result block: the tool-use id it answers, suffixed. */
export function toolResultBlockId(toolUseId: string): string {
  return `${toolUseId}:result`;
}

/** Id of an assistant text or thinking block: the API message id and the block's position in it. */
export function assistantBlockId(messageId: string, index: number): string {
  return `${messageId}:${index}`;
}

/**
 * Builds one conversation's blocks from normalized user/assistant content. The transcript parser,
 * the subagent transcript tail and the SDK stream reducer all go through it, so they derive the
 * same ids and the same block contents from the same data.
 */
export class ConversationBuilder {
  private readonly list: ConversationBlock[] = [];
  private readonly positions = new Map<string, number>();
  private readonly nextIndexes = new Map<string, number>();
  private readonly listener: ((change: ConversationChange) => void) | undefined;

  constructor(listener?: (change: ConversationChange) => void) {
    this.listener = listener;
  }

  /** The blocks so far, in order. */
  blocks(): ConversationBlock[] {
    return this.list;
  }

  get(blockId: string): ConversationBlock | undefined {
    const position = this.positions.get(blockId);
    return position === undefined ? undefined : this.list[position];
  }

  /** Position the next content block of this API message would take. */
  nextIndex(messageId: string): number {
    return this.nextIndexes.get(messageId) ?? 0;
  }

  addUserMessage(id: string, timestamp: string, content: UserMessageContent): void {
    const block: ConversationBlock = { id, timestamp, type: 'user_message', content };
    this.put(block);
    this.listener?.({ kind: 'complete', block });
  }

  /** One content item of an assistant message; returns the id of the block it became, if any. */
  addAssistantItem(
    messageId: string,
    index: number | undefined,
    item: ClaudeAssistantContent,
    timestamp: string,
    model: string | undefined,
  ): string | undefined {
    const position = index ?? this.nextIndex(messageId);
    if (position + 1 > this.nextIndex(messageId)) this.nextIndexes.set(messageId, position + 1);
    let block: ConversationBlock;
    switch (item.type) {
      case 'text': {
        block = { id: assistantBlockId(messageId, position), timestamp, type: 'assistant_text', content: String(item.text ?? '') };
        if (model) block.model = model;
        break;
      }
      case 'thinking':
        block = { id: assistantBlockId(messageId, position), timestamp, type: 'thinking', content: String(item.thinking ?? '') };
        break;
      case 'tool_use': {
        const id = String(item.id ?? assistantBlockId(messageId, position));
        const name = String(item.name ?? 'unknown');
        const input = item.input && typeof item.input === 'object' ? (item.input as Record<string, unknown>) : {};
        if (CLAUDE_SUBAGENT_TOOL_NAMES.has(name)) {
          // Until the CLI reports the subagent's own id, `subagentId` holds the tool-use id.
          const subagent: SubagentBlock = {
            id, timestamp, type: 'subagent', subagentId: id, input: typeof input.prompt === 'string' ? input.prompt : '',
            status: 'running', toolUseId: id,
          };
          if (typeof input.subagent_type === 'string') subagent.name = input.subagent_type;
          block = subagent;
        } else {
          const toolUse: ToolUseBlock = { id, timestamp, type: 'tool_use', toolName: name, toolUseId: id, input, status: 'running' };
          const description = describeToolInput(input);
          if (description !== undefined) toolUse.description = description;
          block = toolUse;
        }
        this.put(block);
        this.listener?.({ kind: 'start', block });
        return id;
      }
      default:
        return undefined;
    }
    this.put(block);
    this.listener?.({ kind: 'complete', block });
    return block.id;
  }

  /** The subagent started by tool use `toolUseId` got its id. */
  identifySubagent(toolUseId: string, subagentId: string): void {
    const block = this.get(toolUseId);
    if (block?.type !== 'subagent' || block.subagentId === subagentId) return;
    this.patch(toolUseId, { subagentId });
  }

  /** A tool's result: completes its tool_use (or subagent) block and adds a tool_result block. */
  addToolResult(toolUseId: string, timestamp: string, content: unknown, isError: boolean, structured: unknown): void {
    const call = this.get(toolUseId);
    if (call?.type === 'subagent') {
      const outcome = subagentOutcome(content, isError, structured);
      const updates: Partial<SubagentBlock> = { status: outcome.status };
      if (outcome.agentId) updates.subagentId = outcome.agentId;
      if (outcome.output !== undefined) updates.output = outcome.output;
      const durationMs = outcome.durationMs ?? durationBetween(call.timestamp, timestamp);
      if (outcome.status !== 'running' && durationMs !== undefined) updates.durationMs = durationMs;
      this.patch(toolUseId, updates, outcome.status !== 'running');
      return;
    }
    if (call?.type === 'tool_use') this.patch(toolUseId, { status: isError ? 'error' : 'success' }, true);
    const block: ConversationBlock = {
      id: toolResultBlockId(toolUseId), timestamp, type: 'tool_result', toolUseId, output: content ?? '', isError,
    };
    const durationMs = durationBetween(call?.timestamp, timestamp);
    if (durationMs !== undefined) block.durationMs = durationMs;
    this.put(block);
    this.listener?.({ kind: 'complete', block });
  }

  /**
   * A background subagent finished: its `Agent` call's result only said "launched", so the block
   * stays running until the task notification completes it (found by tool-use id, else agent id).
   */
  completeSubagent(notification: ClaudeTaskNotification): void {
    let block = notification.toolUseId ? this.get(notification.toolUseId) : undefined;
    if (block?.type !== 'subagent' && notification.taskId) {
      block = this.list.find((candidate) => candidate.type === 'subagent' && candidate.subagentId === notification.taskId);
    }
    if (block?.type !== 'subagent' || (block.status !== 'running' && block.status !== 'pending')) return;
    const updates: Partial<SubagentBlock> = { status: notification.status };
    if (notification.taskId && block.subagentId !== notification.taskId) updates.subagentId = notification.taskId;
    if (notification.output !== undefined) updates.output = notification.output;
    if (notification.durationMs !== undefined) updates.durationMs = notification.durationMs;
    this.patch(block.id, updates, true);
  }

  private put(block: ConversationBlock): void {
    const position = this.positions.get(block.id);
    if (position === undefined) {
      this.positions.set(block.id, this.list.length);
      this.list.push(block);
    } else {
      this.list[position] = block;
    }
  }

  private patch(blockId: string, updates: Partial<ConversationBlock>, complete = false): void {
    const position = this.positions.get(blockId);
    if (position === undefined) return;
    const block = { ...this.list[position], ...updates } as ConversationBlock;
    this.list[position] = block;
    if (!this.listener) return;
    this.listener({ kind: 'update', blockId, updates });
    if (complete) this.listener({ kind: 'complete', block });
  }
}
