import { asArray, asRecord, type RequestView, type ToolResultView } from './request-view.js';

const reminderPattern = /<system-reminder>[\s\S]*?<\/system-reminder>/g;
const notificationPattern = /<task-notification>([\s\S]*?)<\/task-notification>/;

/** All text of a content value, reminders included. */
function rawTextOf(content: unknown): string {
  if (typeof content === 'string') return content;
  return asArray(content)
    .map(asRecord)
    .map((block) => (typeof block.text === 'string' ? block.text : ''))
    .join('\n');
}

/** Text of a content value (string or blocks), with `<system-reminder>` sections removed. */
function textOf(content: unknown): string {
  if (typeof content === 'string') return content.replace(reminderPattern, '').trim();
  return asArray(content)
    .map(asRecord)
    .filter((block) => block.type === 'text' && typeof block.text === 'string')
    .map((block) => (block.text as string).replace(reminderPattern, '').trim())
    .filter((text) => text !== '')
    .join('\n');
}

function toolResultsOf(content: unknown, toolNames: Map<string, string>): ToolResultView[] {
  return asArray(content)
    .map(asRecord)
    .filter((block) => block.type === 'tool_result')
    .map((block) => {
      const id = typeof block.tool_use_id === 'string' ? block.tool_use_id : undefined;
      return {
        id,
        name: id === undefined ? undefined : toolNames.get(id),
        output: typeof block.content === 'string' ? block.content : textOf(block.content),
        isError: block.is_error === true,
      };
    });
}

/**
 * Extracts the matching facts from an Anthropic Messages API request body.
 * The "last user message" is the last `role: "user"` message after the last assistant message
 * with text or tool results left once `<system-reminder>` sections are dropped (Claude Code also
 * sends `role: "system"` entries). A background subagent's `<task-notification>` arrives inside
 * a system reminder: it is reported as `taskNotification`, not as user text.
 * @see https://docs.anthropic.com/en/api/messages
 */
export function viewAnthropicRequest(body: Record<string, unknown>): RequestView {
  const messages = asArray(body.messages).map(asRecord);
  const toolNames = new Map<string, string>();
  for (const message of messages) {
    if (message.role !== 'assistant') continue;
    for (const block of asArray(message.content).map(asRecord)) {
      if (block.type === 'tool_use' && typeof block.id === 'string' && typeof block.name === 'string') {
        toolNames.set(block.id, block.name);
      }
    }
  }
  let lastUserText = '';
  let toolResults: ToolResultView[] = [];
  let taskNotification: string | undefined;
  // Walk back over the messages after the last assistant message only: a reminder-only user
  // message must not resurrect an older tool result (that is how scripted agents loop).
  for (let index = messages.length - 1; index >= 0; index--) {
    const message = messages[index]!;
    if (message.role === 'assistant') break;
    if (message.role !== 'user') continue;
    taskNotification ??= notificationPattern.exec(rawTextOf(message.content))?.[1]?.trim();
    const text = textOf(message.content);
    const results = toolResultsOf(message.content, toolNames);
    if (text === '' && results.length === 0) continue;
    lastUserText = text;
    toolResults = results;
    break;
  }
  const system = typeof body.system === 'string' ? body.system : textOf(body.system);
  return {
    api: 'anthropic',
    model: typeof body.model === 'string' ? body.model : '',
    stream: body.stream === true,
    fresh: !messages.some((message) => message.role === 'assistant'),
    lastUserText,
    toolResults,
    taskNotification,
    system,
    toolNames: asArray(body.tools).map(asRecord).map((tool) => String(tool.name ?? '')),
    messageCount: messages.length,
  };
}
