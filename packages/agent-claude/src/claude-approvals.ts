import type { AgentQuestion, TurnApprovals } from '@agent-runtime/core';
import type { CanUseTool, HookCallback, Options } from '@anthropic-ai/claude-agent-sdk';

/** Claude's question tool: answered through `canUseTool` with `updatedInput.answers`. */
export const ASK_USER_QUESTION_TOOL = 'AskUserQuestion';

/**
 * A PreToolUse hook waits for a person's answer: let it wait as long as the longest request
 * timeout a policy may set (7 days), plus a margin. The engine's own timeout answers first.
 */
const HOOK_TIMEOUT_SECONDS = 7 * 24 * 3600 + 3600;

/**
 * The approvals of each session's running turn. One per architecture: a warm Claude process
 * outlives its turns, so its hooks look the current turn's approvals up by session.
 */
export class ClaudeApprovalRoutes {
  private readonly current = new Map<string, TurnApprovals>();

  set(sessionId: string, approvals: TurnApprovals | undefined): void {
    if (approvals) this.current.set(sessionId, approvals);
    else this.current.delete(sessionId);
  }

  get(sessionId: string): TurnApprovals | undefined {
    return this.current.get(sessionId);
  }
}

function questionsOf(input: Record<string, unknown>): AgentQuestion[] {
  const questions = Array.isArray(input.questions) ? (input.questions as Record<string, unknown>[]) : [];
  return questions.map((question) => ({
    question: String(question.question ?? ''),
    ...(typeof question.header === 'string' ? { header: question.header } : {}),
    options: (Array.isArray(question.options) ? (question.options as Record<string, unknown>[]) : []).map((option) => ({
      label: String(option.label ?? ''),
      ...(typeof option.description === 'string' ? { description: option.description } : {}),
    })),
    ...(typeof question.multiSelect === 'boolean' ? { multiSelect: question.multiSelect } : {}),
  }));
}

/**
 * The SDK options that route a turn's tool calls through `TurnApprovals` (only for a profile
 * with a `toolPolicy`; without one the CLI runs as before, every tool allowed).
 *
 * The permission mode stays `bypassPermissions`: in `default` mode the CLI allows read-only
 * calls (Read inside the workspace...) without asking `canUseTool`, so a policy could not deny
 * them. A PreToolUse hook sees every call instead and answers `allow` / `deny` with the reason
 * the agent reads. AskUserQuestion is enabled only with a `canUseTool`, which the CLI consults
 * for that tool even in bypass mode: it gets the question to a person and answers with
 * `updatedInput.answers` (question text -> label), as the SDK expects.
 *
 * @see node_modules/@anthropic-ai/claude-agent-sdk/sdk.d.ts `CanUseTool`, `PreToolUseHookSpecificOutput`
 */
export function claudeApprovalOptions(current: () => TurnApprovals | undefined): Partial<Options> {
  const preToolUse: HookCallback = async (input) => {
    const approvals = current();
    if (!approvals || input.hook_event_name !== 'PreToolUse' || input.tool_name === ASK_USER_QUESTION_TOOL) return {};
    const answer = await approvals.requestPermission({ toolName: input.tool_name, toolUseId: input.tool_use_id, input: input.tool_input });
    return {
      hookSpecificOutput: {
        hookEventName: 'PreToolUse',
        permissionDecision: answer.decision,
        ...(answer.message === undefined && answer.decision === 'allow' ? {} : { permissionDecisionReason: answer.message ?? `Denied by ${answer.by}.` }),
      },
    };
  };
  const canUseTool: CanUseTool = async (toolName, input, options) => {
    const approvals = current();
    if (toolName !== ASK_USER_QUESTION_TOOL || !approvals) return { behavior: 'allow', updatedInput: input };
    const answer = await approvals.askQuestion({ toolUseId: options.toolUseID, questions: questionsOf(input) });
    if (answer.decision === 'answered' && answer.answers) return { behavior: 'allow', updatedInput: { ...input, answers: answer.answers } };
    return { behavior: 'deny', message: answer.message ?? 'The user declined to answer; go on with your best judgement.' };
  };
  return { hooks: { PreToolUse: [{ hooks: [preToolUse], timeout: HOOK_TIMEOUT_SECONDS }] }, canUseTool };
}
