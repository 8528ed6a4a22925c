import type { UserMessageContent } from '@agent-runtime/core';
import type { SDKUserMessage } from '@anthropic-ai/claude-agent-sdk';

type SdkContent = Exclude<SDKUserMessage['message']['content'], string>;

/** Our message content as an SDK user message with a chosen uuid (it becomes the block id). */
export function sdkUserMessage(content: UserMessageContent, uuid: string): SDKUserMessage {
  const message: SDKUserMessage['message'] =
    typeof content === 'string'
      ? { role: 'user', content }
      : {
          role: 'user',
          content: content.map((part) =>
            part.type === 'text'
              ? { type: 'text', text: part.text }
              : part.url
                ? { type: 'image', source: { type: 'url', url: part.url } }
                : { type: 'image', source: { type: 'base64', media_type: part.mediaType as 'image/png', data: part.data ?? '' } },
          ) as SdkContent,
        };
  return { type: 'user', message, parent_tool_use_id: null, uuid: uuid as SDKUserMessage['uuid'] };
}
