import type { ApprovalBlock, ConversationBlock, PendingRequest, PermissionResolution, QuestionResolution } from '@agent-runtime/core';

/**
 * Approval blocks are kept beside the transcript (the agent's transcript has no trace of them):
 * each goes just before the tool use it is about (same `toolUseId`), else before the first block
 * that started after it, else at the end.
 */
export function mergeApprovalBlocks(blocks: readonly ConversationBlock[], approvals: readonly ApprovalBlock[]): ConversationBlock[] {
  if (approvals.length === 0) return [...blocks];
  const merged: ConversationBlock[] = blocks.filter((block) => block.type !== 'approval');
  for (const approval of approvals) {
    let index = merged.findIndex((block) => block.type === 'tool_use' && block.toolUseId === approval.request.toolUseId);
    if (index === -1) index = merged.findIndex((block) => block.type !== 'approval' && block.timestamp > approval.timestamp);
    if (index === -1) merged.push(approval);
    else merged.splice(index, 0, approval);
  }
  return merged;
}

/**
 * The message of the turn that goes on after a restart cut the turn that asked: what was
 * decided, so that the agent makes the call again (it is then allowed once without asking) or
 * takes the answer into account.
 */
export function continuationMessage(request: PendingRequest, resolution: PermissionResolution | QuestionResolution): string {
  const note = resolution.message ? ` Note from ${resolution.by}: ${resolution.message}` : '';
  if (request.kind === 'permission') {
    const call = `${request.toolName} ${JSON.stringify(request.input)}`;
    return resolution.decision === 'allow'
      ? `[approval] The runtime restarted while your ${call} call (tool use ${request.toolUseId}) waited for approval, so it did not run. It is now approved: make the same call again to run it.${note}`
      : `[approval] The runtime restarted while your ${call} call (tool use ${request.toolUseId}) waited for approval; it did not run and was denied. Do not make it again.${note}`;
  }
  const answers = 'answers' in resolution && resolution.answers ? Object.entries(resolution.answers).map(([question, answer]) => `"${question}" = "${answer}"`).join('; ') : '';
  return resolution.decision === 'answered'
    ? `[approval] The runtime restarted while your question (tool use ${request.toolUseId}) waited; the user answered: ${answers}.${note}`
    : `[approval] The runtime restarted while your question (tool use ${request.toolUseId}) waited; the user declined to answer.${note}`;
}
