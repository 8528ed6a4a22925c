import type { ConversationBlock, ToolUseBlock } from '@agent-runtime/core';
/** Where a subagent conversation came from: the parent's `invoke_agent` call. */
export interface GeminiSubagentLink {
  /** The `invoke_agent` tool call id in the main conversation (the `tool_use` block's id). */
  toolUseId: string;
  /** The subagent's name (`agent_name` argument), when the call gave one. */
  name?: string;
}

/**
 * Links subagent conversations to the calls that started them. The CLI records the subagent's
 * `agentId` (its file name under `chats/<uuid>/`) on the parent's `invoke_agent` tool call in the
 * main session file; this reads those records (plain message lines and `$set` rewrites alike).
 */
export function geminiSubagentLinks(mainTranscript: string): Map<string, GeminiSubagentLink> {
  const links = new Map<string, GeminiSubagentLink>();
  const visit = (value: unknown, depth: number): void => {
    if (depth > 6 || value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      for (const item of value) visit(item, depth + 1);
      return;
    }
    const record = value as Record<string, unknown>;
    if (Array.isArray(record.toolCalls)) {
      for (const call of record.toolCalls as Record<string, unknown>[]) {
        if (typeof call?.agentId !== 'string' || typeof call.id !== 'string') continue;
        const args = call.args as Record<string, unknown> | undefined;
        const name = typeof args?.agent_name === 'string' ? args.agent_name : undefined;
        links.set(call.agentId, { toolUseId: call.id, ...(name ? { name } : {}) });
      }
    }
    for (const key of ['messages', '$set']) if (key in record) visit(record[key], depth + 1);
  };
  for (const line of mainTranscript.split('\n')) {
    if (!line.includes('"agentId"')) continue;
    try {
      visit(JSON.parse(line), 0);
    } catch {
      // a torn last line: the parser reports it
    }
  }
  return links;
}

/**
 * Links the subagent conversations {@link geminiSubagentLinks} could not: the ACP mode of Gemini
 * CLI 0.61.0 records the `invoke_agent` call without the subagent's `agentId`. A subagent's first
 * user message is the call's `prompt`, so calls and conversations are paired by prompt (in order,
 * each call once).
 */
export function linkSubagentsByPrompt(
  main: readonly ConversationBlock[],
  subagents: readonly { id: string; blocks: readonly ConversationBlock[] }[],
  links: Map<string, GeminiSubagentLink>,
): void {
  const taken = new Set([...links.values()].map((link) => link.toolUseId));
  const calls = main.filter((block): block is ToolUseBlock => block.type === 'tool_use' && block.toolName === 'invoke_agent');
  for (const subagent of subagents) {
    if (links.has(subagent.id)) continue;
    const first = subagent.blocks.find((block) => block.type === 'user_message');
    const prompt = first?.type === 'user_message' && typeof first.content === 'string' ? first.content : undefined;
    const call = calls.find((candidate) => !taken.has(candidate.toolUseId) && prompt !== undefined && (candidate.input as { prompt?: unknown }).prompt === prompt);
    if (!call) continue;
    taken.add(call.toolUseId);
    const name = (call.input as { agent_name?: unknown }).agent_name;
    links.set(subagent.id, { toolUseId: call.toolUseId, ...(typeof name === 'string' ? { name } : {}) });
  }
}
