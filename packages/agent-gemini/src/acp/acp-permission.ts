import type { AgentTurnContext } from '@agent-runtime/core';
import type { RequestPermissionRequest, RequestPermissionResponse } from '@agentclientprotocol/sdk';
import { toolNameOfCallId } from './acp-update-events.js';

/** A tool call the agent wants to make, as the turn's approvals hook is asked about it. */
export interface GeminiPermissionQuestion {
  toolName: string;
  toolUseId: string;
  /**
   * What ACP tells about the call (it does not carry the call's arguments): the CLI's title
   * (`Writing to hello.txt`, the shell command), its kind, the paths, and for an edit the diff.
   */
  input: Record<string, unknown>;
}

/** The answer: `allow` runs the tool once; `deny` cancels it (the model is told it was refused). */
export interface GeminiPermissionAnswer {
  decision: 'allow' | 'deny';
  message?: string;
}

/**
 * The approvals hook of a turn, as this package uses it: the turn context's `approvals`
 * (issue 17). Read structurally, so a context without it simply allows everything.
 */
export interface GeminiTurnApprovals {
  requestPermission(question: GeminiPermissionQuestion, signal: AbortSignal): Promise<GeminiPermissionAnswer>;
}

/** The turn's approvals hook, when it has one. */
export function turnApprovals(context: AgentTurnContext): GeminiTurnApprovals | undefined {
  const approvals = (context as { approvals?: Partial<GeminiTurnApprovals> }).approvals;
  return typeof approvals?.requestPermission === 'function' ? (approvals as GeminiTurnApprovals) : undefined;
}

/** The question for an ACP `session/request_permission`. */
export function permissionQuestion(request: RequestPermissionRequest): GeminiPermissionQuestion {
  const call = request.toolCall;
  const input: Record<string, unknown> = {};
  if (call.title) input.title = call.title;
  if (call.kind) input.kind = call.kind;
  const paths = (call.locations ?? []).map((location) => location.path);
  if (paths.length > 0) input.paths = paths;
  for (const item of call.content ?? []) {
    if (item.type === 'diff') input.diff = { path: item.path, oldText: item.oldText ?? null, newText: item.newText };
  }
  return { toolName: toolNameOfCallId(call.toolCallId), toolUseId: call.toolCallId, input };
}

/**
 * Asks the hook and maps its answer to an ACP outcome: allow → `proceed_once` (the `allow_once`
 * option), deny → `cancel` (`reject_once`; ACP has no field for a reason, so the model gets the
 * CLI's own "was canceled by the user"). An interrupted turn cancels the request.
 */
export async function askPermission(approvals: GeminiTurnApprovals, request: RequestPermissionRequest, signal: AbortSignal): Promise<{ response: RequestPermissionResponse; denied: boolean }> {
  const option = (kind: string) => request.options.find((candidate) => candidate.kind === kind)?.optionId;
  if (signal.aborted) return { response: { outcome: { outcome: 'cancelled' } }, denied: true };
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<undefined>((resolve) => {
    onAbort = () => resolve(undefined);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    const answer = await Promise.race([approvals.requestPermission(permissionQuestion(request), signal), aborted]);
    if (!answer) return { response: { outcome: { outcome: 'cancelled' } }, denied: true };
    const optionId = answer.decision === 'allow' ? option('allow_once') : option('reject_once');
    if (!optionId) return { response: { outcome: { outcome: 'cancelled' } }, denied: true };
    return { response: { outcome: { outcome: 'selected', optionId } }, denied: answer.decision !== 'allow' };
  } catch {
    // A hook that fails never allows.
    const optionId = option('reject_once');
    return { response: optionId ? { outcome: { outcome: 'selected', optionId } } : { outcome: { outcome: 'cancelled' } }, denied: true };
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}
