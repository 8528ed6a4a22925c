import type { ClaudeUserContent } from './claude-transcript-schema.js';

/**
 * A background task's completion. Claude Code reports it twice: as the SDK's
 * `system/task_notification` message (live) and as a user turn `<task-notification>…` it writes to
 * the transcript and sends to the model. Both carry the same task id, tool-use id, status,
 * result and duration.
 */
export interface ClaudeTaskNotification {
  /** The task's id; for a subagent, its agent id. */
  taskId?: string;
  /** The `Agent` tool call that started it. */
  toolUseId?: string;
  status: 'success' | 'error';
  /** The subagent's final report (or, without one, the summary line). */
  output?: string;
  durationMs?: number;
}

const OPEN_TAG = '<task-notification>';

function tag(text: string, name: string): string | undefined {
  const match = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(text);
  return match?.[1]?.trim();
}

/** `completed` → success; `failed`, `stopped` (or anything else) → error. */
export function taskNotificationStatus(status: unknown): 'success' | 'error' {
  return status === 'completed' ? 'success' : 'error';
}

/** The text of a user turn when it is a `<task-notification>`, else `undefined`. */
export function taskNotificationText(content: string | readonly ClaudeUserContent[]): string | undefined {
  let text: string;
  if (typeof content === 'string') text = content;
  else if (content.length > 0 && content.every((item) => item?.type === 'text' && typeof item.text === 'string')) {
    text = content.map((item) => String((item as { text: string }).text)).join('\n');
  } else return undefined;
  return text.trimStart().startsWith(OPEN_TAG) ? text : undefined;
}

/** Reads a `<task-notification>` user turn as the transcript records it. */
export function parseTaskNotification(text: string): ClaudeTaskNotification {
  const notification: ClaudeTaskNotification = { status: taskNotificationStatus(tag(text, 'status')) };
  const taskId = tag(text, 'task-id');
  if (taskId) notification.taskId = taskId;
  const toolUseId = tag(text, 'tool-use-id');
  if (toolUseId) notification.toolUseId = toolUseId;
  const output = tag(text, 'result') ?? tag(text, 'summary');
  if (output !== undefined) notification.output = output;
  const usage = tag(text, 'usage');
  const duration = usage === undefined ? Number.NaN : Number(tag(usage, 'duration_ms'));
  if (Number.isFinite(duration) && duration >= 0) notification.durationMs = duration;
  return notification;
}

/** Reads the SDK's `system/task_notification` message. */
export function taskNotificationFromSdk(message: Record<string, unknown>): ClaudeTaskNotification {
  const notification: ClaudeTaskNotification = { status: taskNotificationStatus(message.status) };
  if (typeof message.task_id === 'string') notification.taskId = message.task_id;
  if (typeof message.tool_use_id === 'string') notification.toolUseId = message.tool_use_id;
  if (typeof message.summary === 'string') notification.output = message.summary;
  const usage = message.usage as { duration_ms?: unknown } | undefined;
  if (typeof usage?.duration_ms === 'number' && usage.duration_ms >= 0) notification.durationMs = usage.duration_ms;
  return notification;
}
