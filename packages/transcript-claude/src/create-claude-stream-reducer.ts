import type { AgentEvent, ConversationBlock, TokenUsage, ToolStatus } from '@agent-runtime/core';
import { applyClaudeEntry, applyUserContent, parseClaudeLine } from './apply-claude-entry.js';
import { CLAUDE_SUBAGENT_TOOL_NAMES, type ClaudeAssistantContent, type ClaudeUserContent } from './claude-transcript-schema.js';
import { assistantBlockId, ConversationBuilder, type ConversationChange } from './conversation-builder.js';
import { ConversationEvents } from './conversation-events.js';
import { mapClaudeUsage } from './map-claude-usage.js';
import { taskNotificationFromSdk } from './task-notification.js';
import type { ClaudeSdkMessage, ClaudeStreamEvent, ClaudeUsage } from './sdk-message-types.js';

export interface ClaudeStreamReducerOptions {
  /** Conversation id of the SDK's top-level messages; `'main'` by default. */
  conversationId?: string;
  /** Clock for provisional timestamps of blocks that start streaming before the CLI stamps them. */
  now?: () => string;
}

/** A subagent the reducer has seen start. */
export interface DiscoveredSubagent {
  id: string;
  name?: string;
  toolUseId?: string;
}

/**
 * Turns Claude Agent SDK messages into block events with the same ids and contents as
 * `parseClaudeTranscript` gives for the transcript the CLI writes meanwhile.
 *
 * Requirements on the query: `includePartialMessages: true` for live deltas (optional), and the
 * CLI flag `--replay-user-messages` (SDK `extraArgs: { 'replay-user-messages': null }`) so the
 * prompt comes back with the uuid and timestamp the transcript records.
 *
 * Subagents: the SDK forwards little of a subagent's own dialogue, so messages with a
 * `parent_tool_use_id` are ignored; feed the subagent's transcript lines (`agent-<id>.jsonl`) to
 * `pushSubagentLine` instead. Their events use `conversationId === <agent id>`.
 */
export interface ClaudeStreamReducer {
  /** Feed one SDK message; returns the events it causes, in order. */
  push(message: ClaudeSdkMessage): AgentEvent[];
  /** Feed one complete line of a subagent's transcript file. */
  pushSubagentLine(subagentId: string, line: string): AgentEvent[];
  /** Subagents discovered so far. */
  subagents(): DiscoveredSubagent[];
  /** Claude's session id, from the first message that carries one. */
  readonly claudeSessionId: string | undefined;
  /** Usage of the last `result` (the whole query so far). */
  readonly usage: TokenUsage | undefined;
  /** Results seen so far (a query with background subagents can yield several). */
  readonly resultCount: number;
  /** The last `result` message's error flag and text. */
  readonly lastResult: { isError: boolean; subtype?: string; text?: string } | undefined;
}

export function createClaudeStreamReducer(options: ClaudeStreamReducerOptions = {}): ClaudeStreamReducer {
  return new StreamReducer(options.conversationId ?? 'main', options.now ?? (() => new Date().toISOString()));
}

interface OpenStreamBlock {
  index: number;
  blockId: string;
  type: string;
}

class StreamReducer implements ClaudeStreamReducer {
  claudeSessionId: string | undefined;
  usage: TokenUsage | undefined;
  resultCount = 0;
  lastResult: ClaudeStreamReducer['lastResult'];

  private readonly events: ConversationEvents;
  private readonly builder: ConversationBuilder;
  private pending: ConversationChange[] = [];
  private currentMessageId: string | undefined;
  private currentModel: string | undefined;
  /** Content blocks opened by `content_block_start` and not yet delivered as `assistant` messages. */
  private readonly open = new Map<string, OpenStreamBlock[]>();
  private readonly streamIds = new Map<string, string>();
  private readonly discovered = new Map<string, DiscoveredSubagent>();
  private readonly completed = new Set<string>();
  private readonly subagentStates = new Map<string, { builder: ConversationBuilder; events: ConversationEvents; pending: ConversationChange[] }>();

  constructor(
    conversationId: string,
    private readonly now: () => string,
  ) {
    this.events = new ConversationEvents(conversationId);
    this.builder = new ConversationBuilder((change) => this.pending.push(change));
  }

  subagents(): DiscoveredSubagent[] {
    return [...this.discovered.values()];
  }

  push(message: ClaudeSdkMessage): AgentEvent[] {
    const out: AgentEvent[] = [];
    if (typeof message.session_id === 'string') this.claudeSessionId ??= message.session_id;
    if (message.parent_tool_use_id) return out;
    switch (message.type) {
      case 'stream_event':
        this.onStreamEvent(message, out);
        break;
      case 'assistant':
        this.onAssistant(message, out);
        break;
      case 'user':
        this.onUser(message, out);
        break;
      case 'system':
        this.onSystem(message, out);
        break;
      case 'result':
        this.onResult(message, out);
        break;
    }
    this.flush(out);
    return out;
  }

  pushSubagentLine(subagentId: string, line: string): AgentEvent[] {
    const out: AgentEvent[] = [];
    if (!line.trim()) return out;
    let state = this.subagentStates.get(subagentId);
    if (!state) {
      const pending: ConversationChange[] = [];
      state = { builder: new ConversationBuilder((change) => pending.push(change)), events: new ConversationEvents(subagentId), pending };
      this.subagentStates.set(subagentId, state);
    }
    const parsed = parseClaudeLine(line);
    if ('entry' in parsed) applyClaudeEntry(state.builder, parsed.entry);
    for (const change of state.pending.splice(0)) state.events.apply(change, out);
    return out;
  }

  private flush(out: AgentEvent[]): void {
    for (const change of this.pending.splice(0)) {
      this.events.apply(change, out);
      if (change.kind === 'complete' && change.block.type === 'subagent') this.subagentCompleted(change.block.subagentId, change.block.status, out);
    }
  }

  private subagentCompleted(subagentId: string, status: ToolStatus, out: AgentEvent[]): void {
    if (status === 'running' || status === 'pending' || this.completed.has(subagentId) || !this.discovered.has(subagentId)) return;
    this.completed.add(subagentId);
    out.push({ type: 'subagent:completed', subagentId, status });
  }

  private onStreamEvent(message: ClaudeSdkMessage, out: AgentEvent[]): void {
    const event = message.event as ClaudeStreamEvent | undefined;
    if (!event) return;
    if (event.type === 'message_start') {
      this.currentMessageId = event.message?.id ?? (message.api_message_id as string | undefined);
      this.currentModel = event.message?.model;
      return;
    }
    const messageId = (message.api_message_id as string | undefined) ?? this.currentMessageId;
    if (!messageId || typeof event.index !== 'number') return;
    const key = `${messageId}:${event.index}`;
    if (event.type === 'content_block_start' && event.content_block) {
      const block = this.provisionalBlock(messageId, event.index, event.content_block);
      if (!block) return;
      this.streamIds.set(key, block.id);
      let list = this.open.get(messageId);
      if (!list) this.open.set(messageId, (list = []));
      list.push({ index: event.index, blockId: block.id, type: event.content_block.type });
      if (!this.events.isStarted(block.id) && !this.builder.get(block.id)) this.events.start(block, out);
    } else if (event.type === 'content_block_delta' && event.delta) {
      const blockId = this.streamIds.get(key);
      if (!blockId) return;
      if (event.delta.type === 'text_delta') this.events.delta(blockId, event.delta.text ?? '', out);
      else if (event.delta.type === 'thinking_delta') this.events.delta(blockId, event.delta.thinking ?? '', out);
    }
  }

  private provisionalBlock(messageId: string, index: number, content: NonNullable<ClaudeStreamEvent['content_block']>): ConversationBlock | undefined {
    const timestamp = this.now();
    if (content.type === 'text') {
      const block: ConversationBlock = { id: assistantBlockId(messageId, index), timestamp, type: 'assistant_text', content: '' };
      if (this.currentModel) block.model = this.currentModel;
      return block;
    }
    if (content.type === 'thinking') return { id: assistantBlockId(messageId, index), timestamp, type: 'thinking', content: '' };
    if (content.type === 'tool_use' && content.id && content.name) {
      if (CLAUDE_SUBAGENT_TOOL_NAMES.has(content.name)) {
        return { id: content.id, timestamp, type: 'subagent', subagentId: content.id, input: '', status: 'pending', toolUseId: content.id };
      }
      return { id: content.id, timestamp, type: 'tool_use', toolName: content.name, toolUseId: content.id, input: {}, status: 'pending' };
    }
    return undefined;
  }

  private onAssistant(message: ClaudeSdkMessage, out: AgentEvent[]): void {
    const body = message.message as { id?: string; model?: string; content?: ClaudeAssistantContent[] | string } | undefined;
    if (!body) return;
    const messageId = body.id ?? message.uuid;
    if (!messageId) return;
    const timestamp = typeof message.timestamp === 'string' ? message.timestamp : this.now();
    const content = typeof body.content === 'string' ? [{ type: 'text', text: body.content }] : (body.content ?? []);
    const open = this.open.get(messageId);
    for (const item of content) {
      if (!item || typeof item !== 'object') continue;
      let index: number | undefined;
      if (content.length === 1 && open && open.length > 0) {
        const position = open.findIndex((entry) => entry.type === item.type);
        if (position !== -1) index = open.splice(position, 1)[0]?.index;
      }
      this.builder.addAssistantItem(messageId, index, item, timestamp, body.model);
    }
    this.flush(out);
  }

  private onUser(message: ClaudeSdkMessage, out: AgentEvent[]): void {
    const body = message.message as { content?: string | ClaudeUserContent[] } | undefined;
    if (!body || body.content === undefined || body.content === null) return;
    const hasToolResult = Array.isArray(body.content) && body.content.some((item) => item?.type === 'tool_result');
    if (!hasToolResult && message.isReplay !== true) return;
    const timestamp = typeof message.timestamp === 'string' ? message.timestamp : this.now();
    applyUserContent(this.builder, message.uuid, timestamp, body.content, message.tool_use_result);
    this.flush(out);
  }

  private onSystem(message: ClaudeSdkMessage, out: AgentEvent[]): void {
    if (message.subtype === 'init') {
      if (typeof message.model === 'string') out.push({ type: 'metadata', model: message.model });
    } else if (message.subtype === 'task_started') {
      const toolUseId = typeof message.tool_use_id === 'string' ? message.tool_use_id : undefined;
      const id = typeof message.task_id === 'string' ? message.task_id : undefined;
      if (!id || this.discovered.has(id)) return;
      const subagent: DiscoveredSubagent = { id };
      if (typeof message.subagent_type === 'string') subagent.name = message.subagent_type;
      if (toolUseId) subagent.toolUseId = toolUseId;
      this.discovered.set(id, subagent);
      if (toolUseId) this.builder.identifySubagent(toolUseId, id);
      this.flush(out);
      out.push({ type: 'subagent:discovered', subagent: { ...subagent } });
    } else if (message.subtype === 'task_notification') {
      // A background subagent's completion; the transcript records it as a <task-notification> turn.
      const notification = taskNotificationFromSdk(message);
      this.builder.completeSubagent(notification);
      this.flush(out);
      if (notification.taskId && this.discovered.has(notification.taskId)) this.subagentCompleted(notification.taskId, notification.status, out);
    }
  }

  private onResult(message: ClaudeSdkMessage, out: AgentEvent[]): void {
    this.resultCount++;
    const usage = message.usage ? mapClaudeUsage(message.usage as ClaudeUsage) : undefined;
    if (usage) this.usage = usage;
    this.lastResult = {
      isError: message.is_error === true,
      subtype: message.subtype,
      text: typeof message.result === 'string' ? message.result : Array.isArray(message.errors) ? (message.errors as unknown[]).join('; ') : undefined,
    };
    const metadata: AgentEvent = { type: 'metadata' };
    if (usage) metadata.usage = usage;
    if (typeof message.total_cost_usd === 'number') metadata.costUsd = message.total_cost_usd;
    out.push(metadata);
  }
}
