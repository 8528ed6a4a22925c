import type { ToolStatus, UserMessageContent, UserImagePart, UserTextPart } from '@agent-runtime/core';
import type { ClaudeAgentToolResult, ClaudeUserContent } from './claude-transcript-schema.js';

const REMINDER_PREFIX = '<system-reminder>';

/** A user message's content as a block's `content`, without CLI-injected `<system-reminder>` parts. */
export function mapUserContent(content: string | readonly ClaudeUserContent[]): UserMessageContent | undefined {
  if (typeof content === 'string') return content;
  const parts: (UserTextPart | UserImagePart)[] = [];
  for (const item of content) {
    if (item.type === 'text' && typeof item.text === 'string') {
      if (!item.text.startsWith(REMINDER_PREFIX)) parts.push({ type: 'text', text: item.text });
    } else if (item.type === 'image' && item.source && typeof item.source === 'object') {
      const source = item.source as { type?: string; media_type?: string; data?: string; url?: string };
      if (source.type === 'url') parts.push({ type: 'image', mediaType: source.media_type ?? 'image/*', url: source.url });
      else parts.push({ type: 'image', mediaType: source.media_type ?? 'application/octet-stream', data: source.data });
    }
  }
  return parts.length > 0 ? parts : undefined;
}

/** A one-line summary of a tool call for UIs: the path, command, pattern or URL it acts on. */
export function describeToolInput(input: Record<string, unknown>): string | undefined {
  for (const key of ['description', 'file_path', 'notebook_path', 'command', 'pattern', 'url', 'query', 'path']) {
    const value = input[key];
    if (typeof value === 'string' && value.length > 0) return value.length > 200 ? `${value.slice(0, 199)}…` : value;
  }
  return undefined;
}

/** Plain text of a tool result's content (a string, or text parts). */
export function textOfContent(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  let text = '';
  for (const part of content) {
    if (part && typeof part === 'object' && (part as { type?: unknown }).type === 'text') {
      const value = (part as { text?: unknown }).text;
      if (typeof value === 'string') text += (text ? '\n' : '') + value;
    }
  }
  return text;
}

/** What a finished `Agent` tool call tells about its subagent. */
export interface SubagentOutcome {
  agentId?: string;
  status: ToolStatus;
  output?: string;
  durationMs?: number;
}

const AGENT_ID_IN_TEXT = /agentId: ([A-Za-z0-9_-]+)/;

/** Reads the subagent's id, status, answer and duration from the `Agent` tool's result. */
export function subagentOutcome(toolResultContent: unknown, isError: boolean, structured: unknown): SubagentOutcome {
  const result = structured && typeof structured === 'object' ? (structured as ClaudeAgentToolResult) : undefined;
  const text = textOfContent(toolResultContent);
  const agentId = typeof result?.agentId === 'string' && result.agentId ? result.agentId : AGENT_ID_IN_TEXT.exec(text)?.[1];
  const status: ToolStatus = isError ? 'error' : result?.status === 'async_launched' ? 'running' : 'success';
  const answer = result && result.content !== undefined ? textOfContent(result.content) : text;
  const outcome: SubagentOutcome = { status };
  if (agentId) outcome.agentId = agentId;
  if (status !== 'running') outcome.output = answer;
  if (typeof result?.totalDurationMs === 'number' && result.totalDurationMs >= 0) outcome.durationMs = result.totalDurationMs;
  return outcome;
}

/** Milliseconds between two ISO timestamps, when both parse and are ordered. */
export function durationBetween(start: string | undefined, end: string | undefined): number | undefined {
  if (!start || !end) return undefined;
  const ms = Date.parse(end) - Date.parse(start);
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}
