import type { GeminiMessageRecord, GeminiPart } from './gemini-session-schema.js';

// Reading the `content` of a Gemini session record: a string, one Part, or Part[].

/** Normalizes `content` (string, one Part, or Part[]) into parts. */
export function toParts(content: GeminiMessageRecord['content']): GeminiPart[] {
  if (content === undefined || content === null) return [];
  if (typeof content === 'string') return [{ text: content }];
  if (Array.isArray(content)) {
    return content.map((part) => (typeof part === 'string' ? { text: part } : part)).filter(isObject);
  }
  return isObject(content) ? [content] : [];
}

/** The plain text of non-thought text parts (of a string, one part, or parts). */
export function partsText(content: GeminiMessageRecord['content']): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return content && typeof content === 'object' ? partsText([content]) : '';
  let text = '';
  for (const part of content) {
    if (typeof part === 'string') text += part;
    else if (part && typeof part.text === 'string' && part.thought !== true) text += part.text;
  }
  return text;
}

/** True for a user record that only carries function responses (tool results, not a prompt). */
export function isToolResponseRecord(content: GeminiMessageRecord['content']): boolean {
  if (!Array.isArray(content)) return false;
  let hasResponse = false;
  for (const part of content) {
    if (typeof part !== 'object' || part === null) continue;
    if (part.functionResponse) hasResponse = true;
    else if (typeof part.text === 'string' && part.text.trim() !== '') return false;
  }
  return hasResponse;
}

/** The CLI's own context messages, which are not things the user said. */
export function isContextText(text: string): boolean {
  const trimmed = text.trimStart();
  return trimmed.startsWith('<session_context>') || trimmed.startsWith('<hook_context>');
}

/** Has a `functionResponse` part with an id. */
export function hasFunctionResponseId(content: GeminiMessageRecord['content']): boolean {
  if (Array.isArray(content)) {
    for (const part of content) if (isObject(part) && typeof part.functionResponse?.id === 'string') return true;
    return false;
  }
  return isObject(content) && typeof content.functionResponse?.id === 'string';
}

/** A plain object (not an array). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
