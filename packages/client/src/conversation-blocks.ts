import type { ConversationBlock } from '@agent-runtime/core';

/**
 * Where each block id sits in a conversation array, shared by every array derived from it (a
 * block keeps its position: it is replaced in place or appended). A hit is checked against the
 * array, so a state that was folded two different ways still finds the right block (by a scan).
 */
const positionsByArray = new WeakMap<readonly ConversationBlock[], Map<string, number>>();

function positionsOf(blocks: readonly ConversationBlock[]): Map<string, number> {
  let positions = positionsByArray.get(blocks);
  if (!positions) {
    positions = new Map();
    blocks.forEach((block, index) => {
      if (!positions!.has(block.id)) positions!.set(block.id, index);
    });
    positionsByArray.set(blocks, positions);
  }
  return positions;
}

function indexOf(blocks: readonly ConversationBlock[], positions: Map<string, number>, blockId: string): number {
  const known = positions.get(blockId);
  if (known === undefined) return -1;
  if (blocks[known]?.id === blockId) return known;
  return blocks.findIndex((block) => block.id === blockId);
}

function replaced(blocks: readonly ConversationBlock[], positions: Map<string, number>, index: number, block: ConversationBlock): ConversationBlock[] {
  const next = blocks.slice();
  next[index] = block;
  positionsByArray.set(next, positions);
  return next;
}

/** The block with this id, found without a scan. */
export function findBlock(blocks: readonly ConversationBlock[], blockId: string): ConversationBlock | undefined {
  const index = indexOf(blocks, positionsOf(blocks), blockId);
  return index === -1 ? undefined : blocks[index];
}

/** A new array with `block` in place of the block with its id, or appended (`block:start`, `block:complete`). */
export function putBlock(blocks: readonly ConversationBlock[], block: ConversationBlock): ConversationBlock[] {
  const positions = positionsOf(blocks);
  const index = indexOf(blocks, positions, block.id);
  if (index !== -1) return replaced(blocks, positions, index, block);
  const next = [...blocks, block];
  positions.set(block.id, blocks.length);
  positionsByArray.set(next, positions);
  return next;
}

/**
 * A new array with the block `blockId` changed by `change`; the same array when the block is
 * unknown or `change` returns undefined (nothing to change).
 */
export function changeBlock(
  blocks: readonly ConversationBlock[],
  blockId: string,
  change: (block: ConversationBlock) => ConversationBlock | undefined,
): readonly ConversationBlock[] {
  const positions = positionsOf(blocks);
  const index = indexOf(blocks, positions, blockId);
  if (index === -1) return blocks;
  const next = change(blocks[index]!);
  return next === undefined ? blocks : replaced(blocks, positions, index, next);
}
