import {
  BlockList,
  MAIN_CONVERSATION_ID,
  type ConversationBlock,
  type ParsedConversations,
  type RuntimeSubagent,
  type ToolStatus,
} from '@agent-runtime/core';

interface SubagentState {
  id: string;
  name?: string;
  toolUseId?: string;
  status?: ToolStatus;
  blocks: BlockList;
}

/** The live block state of a session: the main conversation and one per subagent. */
export class SessionConversations {
  private main = new BlockList();
  private readonly subagents = new Map<string, SubagentState>();

  /** Replaces everything with conversations parsed from stored transcripts. */
  load(parsed: ParsedConversations): void {
    this.main = new BlockList(parsed.main);
    this.subagents.clear();
    for (const subagent of parsed.subagents) {
      this.subagents.set(subagent.id, {
        id: subagent.id,
        name: subagent.name,
        toolUseId: subagent.toolUseId,
        status: this.statusFromParent(subagent.id),
        blocks: new BlockList(subagent.blocks),
      });
    }
  }

  /** The block list of a conversation, created on first use for a subagent. */
  list(conversationId: string): BlockList {
    if (conversationId === MAIN_CONVERSATION_ID) return this.main;
    return this.subagent(conversationId).blocks;
  }

  subagent(id: string): SubagentState {
    let state = this.subagents.get(id);
    if (!state) {
      state = { id, blocks: new BlockList() };
      this.subagents.set(id, state);
    }
    return state;
  }

  mainBlocks(): ConversationBlock[] {
    return this.main.toArray();
  }

  subagentData(): RuntimeSubagent[] {
    return [...this.subagents.values()].map((state) => ({
      id: state.id,
      ...(state.name === undefined ? {} : { name: state.name }),
      ...(state.toolUseId === undefined ? {} : { toolUseId: state.toolUseId }),
      ...(state.status === undefined ? {} : { status: state.status }),
      blocks: state.blocks.toArray(),
    }));
  }

  private statusFromParent(subagentId: string): ToolStatus | undefined {
    for (const block of this.main.toArray()) {
      if (block.type === 'subagent' && block.subagentId === subagentId) return block.status;
    }
    return undefined;
  }
}
