import type { ModelApi, ScriptedReply } from './scenario.js';

/** A tool call with its id settled (undefined = none sent, Gemini only). */
export interface ResolvedToolCall {
  id: string | undefined;
  name: string;
  input: Record<string, unknown>;
}

/** A reply with every id and default filled in, ready to render for one API. */
export interface ResolvedReply {
  messageId: string;
  model: string;
  thinking: string[];
  signature: string;
  text: string[];
  toolCalls: ResolvedToolCall[];
  usage: { inputTokens: number; outputTokens: number; cacheReadInputTokens: number; cacheCreationInputTokens: number; thoughtsTokens: number };
  stopReason: string | undefined;
  chunkDelayMs: number;
  stallAfterEvents: number | undefined;
}

/** Hands out ids that are unique for one server and predictable in tests. */
export class IdSource {
  private next = 1;

  /** `tag` makes ids unique across server instances (`msg_fake_<tag>_0001`). */
  constructor(private readonly tag?: string) {}

  /** `<prefix>[<tag>_]<n>` with a counter shared by all prefixes. */
  take(prefix: string): string {
    const id = `${prefix}${this.tag ? `${this.tag}_` : ''}${String(this.next).padStart(4, '0')}`;
    this.next += 1;
    return id;
  }

  reset(): void {
    this.next = 1;
  }
}

const chunks = (value: string | string[] | undefined): string[] =>
  value === undefined ? [] : typeof value === 'string' ? [value] : value;

/** Fills in ids, chunks and usage defaults for a scripted reply. */
export function resolveReply(reply: ScriptedReply, api: ModelApi, model: string, ids: IdSource, defaultChunkDelayMs: number): ResolvedReply {
  const text = chunks(reply.text);
  const thinking = chunks(reply.thinking);
  return {
    messageId: ids.take(api === 'anthropic' ? 'msg_fake_' : 'resp_fake_'),
    model,
    thinking,
    signature: reply.signature ?? (api === 'anthropic' && thinking.length > 0 ? ids.take('fake-signature-') : ''),
    text,
    toolCalls: (reply.toolCalls ?? []).map((call) => ({
      id: call.id === null ? (api === 'gemini' ? undefined : ids.take('toolu_fake_')) : (call.id ?? ids.take(api === 'anthropic' ? 'toolu_fake_' : 'call_fake_')),
      name: call.name,
      input: call.input,
    })),
    usage: {
      inputTokens: reply.usage?.inputTokens ?? 100,
      outputTokens: reply.usage?.outputTokens ?? Math.max(1, Math.ceil((text.join('') + thinking.join('')).length / 4)),
      cacheReadInputTokens: reply.usage?.cacheReadInputTokens ?? 0,
      cacheCreationInputTokens: reply.usage?.cacheCreationInputTokens ?? 0,
      thoughtsTokens: reply.usage?.thoughtsTokens ?? 0,
    },
    stopReason: reply.stopReason,
    chunkDelayMs: reply.chunkDelayMs ?? defaultChunkDelayMs,
    stallAfterEvents: reply.stallAfterEvents,
  };
}
