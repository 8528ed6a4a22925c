import type { ConversationBlock } from '@agent-runtime/core';
import { geminiBlockIds } from './block-ids.js';

/** Where a block sits: the prompt it answers and the model response (-1 for the prompt itself). */
export interface PlacedBlock {
  block: ConversationBlock;
  promptId: string;
  response: number;
}

/** Sets the ids of a model response's blocks and appends them to `out` (and `placed`, if given). */
export function placeResponse(
  blocks: ConversationBlock[],
  promptId: string,
  response: number,
  out: ConversationBlock[],
  placed: PlacedBlock[] | undefined,
): void {
  let thought = 0;
  for (const block of blocks) {
    if (block.type === 'assistant_text') block.id = geminiBlockIds.text(promptId, response);
    else if (block.type === 'tool_use') block.id = geminiBlockIds.toolUse(promptId, response, block.toolUseId);
    else if (block.type === 'thinking') block.id = geminiBlockIds.thought(promptId, response, thought++);
    else if (block.type === 'tool_result') block.id = geminiBlockIds.toolResult(promptId, response, block.toolUseId);
    out.push(block);
    placed?.push({ block, promptId, response });
  }
}

