import type { ConversationBlock, SubagentBlock, ToolResultBlock, ToolUseBlock } from '@agent-runtime/core';
import type { SubagentState } from '@agent-runtime/client';
import { ApprovalCard, type ApprovalActions } from './ApprovalCard';
import { ToolCall } from './ToolCall';

export interface ConversationProps {
  /** Blocks per conversation: `'main'` and one entry per subagent id. */
  conversations: Record<string, ConversationBlock[]>;
  subagents: Record<string, SubagentState>;
  conversationId?: string;
  /** The last assistant text or thinking block streams while a turn runs. */
  streaming: boolean;
  /** Answers for the approval cards (permission requests and questions). */
  approvals?: ApprovalActions;
}

function userText(content: ConversationBlock & { type: 'user_message' }): string {
  if (typeof content.content === 'string') return content.content;
  return content.content.map((part) => (part.type === 'text' ? part.text : `[image ${part.mediaType}]`)).join('\n');
}

/**
 * One conversation as a list of blocks. Tool results are shown inside their tool call; a subagent
 * shows its own conversation nested under it (and replaces the tool call that started it).
 */
export function Conversation({ conversations, subagents, conversationId = 'main', streaming, approvals }: ConversationProps) {
  const blocks = conversations[conversationId] ?? [];
  const results = new Map<string, ToolResultBlock>();
  const subagentToolUses = new Set<string>();
  for (const block of blocks) {
    if (block.type === 'tool_result') results.set(block.toolUseId, block);
    if (block.type === 'subagent' && block.toolUseId) subagentToolUses.add(block.toolUseId);
  }
  const toolUseIds = new Set(blocks.filter((block): block is ToolUseBlock => block.type === 'tool_use').map((block) => block.toolUseId));
  const last = blocks.at(-1);

  return (
    <div className="conversation" data-conversation-id={conversationId}>
      {blocks.map((block) => {
        const live = streaming && block === last;
        switch (block.type) {
          case 'user_message':
            return (
              <div key={block.id} className="msg msg-user" data-testid="user-message">
                {userText(block)}
              </div>
            );
          case 'assistant_text':
            return (
              <div key={block.id} className={`msg msg-assistant${live ? ' streaming' : ''}`} data-testid="assistant-text">
                {block.content}
              </div>
            );
          case 'thinking':
            return (
              <details key={block.id} className="thinking" data-testid="thinking" open={live || undefined}>
                <summary>{block.summary ?? 'Thinking'}</summary>
                <div className="thinking-body">{block.content}</div>
              </details>
            );
          case 'tool_use':
            if (subagentToolUses.has(block.toolUseId)) return null;
            return <ToolCall key={block.id} block={block} result={results.get(block.toolUseId)} />;
          case 'tool_result':
            if (toolUseIds.has(block.toolUseId)) return null;
            return (
              <div key={block.id} className="msg msg-system">
                tool result: {typeof block.output === 'string' ? block.output : JSON.stringify(block.output)}
              </div>
            );
          case 'subagent':
            return <Subagent key={block.id} block={block} conversations={conversations} subagents={subagents} streaming={streaming} {...(approvals ? { approvals } : {})} />;
          case 'approval':
            return <ApprovalCard key={block.id} block={block} actions={approvals} />;
          case 'system':
            return (
              <div key={block.id} className={`msg msg-system system-${block.subtype}`} data-testid="system-block">
                {block.message}
              </div>
            );
          default:
            return null;
        }
      })}
    </div>
  );
}

function Subagent({ block, conversations, subagents, streaming, approvals }: { block: SubagentBlock } & Omit<ConversationProps, 'conversationId'>) {
  const state = subagents[block.subagentId];
  const status = state?.status ?? block.status;
  return (
    <details className={`subagent tool-${status}`} open data-testid="subagent" data-subagent-id={block.subagentId}>
      <summary>
        <span className="tool-icon" aria-hidden>
          ⤷
        </span>
        <span className="tool-name">Subagent{block.name ? `: ${block.name}` : ''}</span>
        <span className="tool-summary">{block.input}</span>
        <span className={`tool-status tool-status-${status}`}>{status}</span>
      </summary>
      <div className="subagent-body">
        <Conversation conversations={conversations} subagents={subagents} conversationId={block.subagentId} streaming={streaming && status === 'running'} {...(approvals ? { approvals } : {})} />
        {block.output && !(conversations[block.subagentId]?.length) && <div className="msg msg-assistant">{block.output}</div>}
      </div>
    </details>
  );
}
