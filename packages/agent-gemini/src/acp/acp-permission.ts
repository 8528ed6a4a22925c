import type { AgentTurnContext, ToolPermissionQuery, TurnApprovals } from '@agent-runtime/core';
import type { RequestPermissionRequest, RequestPermissionResponse } from '@agentclientprotocol/sdk';
import { toolNameOfCallId } from './acp-update-events.js';

/** The turn's approvals hook (present when the profile has a `toolPolicy`). */
export function turnApprovals(context: AgentTurnContext): TurnApprovals | undefined {
  return context.approvals;
}

/**
 * The query for an ACP `session/request_permission`. ACP carries no call arguments, so the input
 * is rebuilt from what it does carry, with the keys a tool policy matches on: `command` (the
 * shell tool's title is its command), `file_path` (an edit's diff path or the first location,
 * relative to the workspace when inside it), plus the CLI's `title`, `kind` and an edit's `diff`.
 */
export function permissionQuery(request: RequestPermissionRequest, workspacePath: string): ToolPermissionQuery {
  const call = request.toolCall;
  const toolName = toolNameOfCallId(call.toolCallId);
  const input: Record<string, unknown> = {};
  const relative = (path: string) => (path.startsWith(`${workspacePath}/`) ? path.slice(workspacePath.length + 1) : path);
  if (toolName === 'run_shell_command' && call.title) input.command = call.title;
  const diff = (call.content ?? []).find((item) => item.type === 'diff');
  const path = diff?.type === 'diff' ? diff.path : call.locations?.[0]?.path;
  if (path) input.file_path = relative(path);
  if (call.title) input.title = call.title;
  if (call.kind) input.kind = call.kind;
  if (diff?.type === 'diff') input.diff = { oldText: diff.oldText ?? null, newText: diff.newText };
  return { toolName, toolUseId: call.toolCallId, input, conversationId: 'main' };
}

/**
 * Asks the hook and maps its answer to an ACP outcome: allow → `proceed_once` (the `allow_once`
 * option), deny → `cancel` (`reject_once`). The CLI (0.61.0) keeps only the outcome of the answer,
 * so the model gets its own "Tool "…" was canceled by the user." rather than the hook's message
 * (README, "Denial reasons": no other way was found). An interrupted turn cancels the request.
 */
export async function askPermission(
  approvals: TurnApprovals,
  request: RequestPermissionRequest,
  workspacePath: string,
  signal: AbortSignal,
): Promise<{ response: RequestPermissionResponse; denied: boolean }> {
  const option = (kind: string) => request.options.find((candidate) => candidate.kind === kind)?.optionId;
  const refuse = (): { response: RequestPermissionResponse; denied: boolean } => {
    const optionId = option('reject_once');
    return { response: optionId ? { outcome: { outcome: 'selected', optionId } } : { outcome: { outcome: 'cancelled' } }, denied: true };
  };
  if (signal.aborted) return { response: { outcome: { outcome: 'cancelled' } }, denied: true };
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<undefined>((resolve) => {
    onAbort = () => resolve(undefined);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    const answer = await Promise.race([approvals.requestPermission(permissionQuery(request, workspacePath)), aborted]);
    if (!answer) return { response: { outcome: { outcome: 'cancelled' } }, denied: true };
    if (answer.decision !== 'allow') return refuse();
    const optionId = option('allow_once');
    return optionId ? { response: { outcome: { outcome: 'selected', optionId } }, denied: false } : refuse();
  } catch {
    // A hook that fails never allows.
    return refuse();
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}
