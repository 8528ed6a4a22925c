import { randomUUID } from 'node:crypto';
import type { AnyServerEvent } from '@agent-runtime/core';

/** A fresh session id no other test uses. */
export const newSessionId = (): string => `log-${randomUUID()}`;

/** `count` delta events with unicode text, numbered from `from` in their text. */
export function deltaEvents(sessionId: string, count: number, from = 1, label = 'd'): AnyServerEvent[] {
  return Array.from({ length: count }, (_, index) => ({
    event: 'session:block:delta',
    data: { sessionId, conversationId: 'main', blockId: 'block-1', delta: `${label}${from + index} 日本語 🎉 e\u0301 "quoted" \\ \n` },
  }));
}
