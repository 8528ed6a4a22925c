import type { AgentQuestion, PermissionDecision } from './approval-request.js';

/** A tool call the agent wants to make, as an architecture reports it. */
export interface ToolPermissionQuery {
  toolName: string;
  /** The agent's own id of the call (its transcript's tool-use id). */
  toolUseId: string;
  input: unknown;
  /** `main` (default) or a subagent id. */
  conversationId?: string;
}

/** What the architecture does with the call. */
export interface ToolPermissionAnswer {
  decision: PermissionDecision;
  /** The reason the agent sees with a denial (or a note with an approval). */
  message?: string;
  /** A principal id, `policy`, `timeout` or `runtime`. */
  by: string;
}

/** Questions the agent asks (Claude's AskUserQuestion...). */
export interface AgentQuestionQuery {
  toolUseId: string;
  questions: AgentQuestion[];
  conversationId?: string;
}

export interface AgentQuestionAnswer {
  decision: 'answered' | 'declined';
  /** Question text -> answer, when answered. */
  answers?: Record<string, string>;
  message?: string;
  by: string;
}

/**
 * Given to an architecture's turn (`AgentTurnContext.approvals`) when the session's profile has a
 * `toolPolicy`. The architecture routes every tool call and question of the agent through it
 * before the tool runs (Claude: `canUseTool`; Gemini: ACP `session/request_permission`). The
 * engine applies the policy: `allow` and `deny` answer at once (`by: 'policy'`); `ask` creates a
 * durable pending request, announced with `session:permission:request`, and the promise settles
 * when a person answers, the request times out (`deny`, `by: 'timeout'`) or the turn is aborted
 * (`deny`, `by: 'runtime'`). It never rejects and never allows by timeout.
 */
export interface TurnApprovals {
  requestPermission(query: ToolPermissionQuery): Promise<ToolPermissionAnswer>;
  askQuestion(query: AgentQuestionQuery): Promise<AgentQuestionAnswer>;
}
