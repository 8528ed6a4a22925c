import type { TurnApprovals } from '../approvals/turn-approvals.js';
import type { ConversationBlock } from '../blocks/conversation-block.js';
import type { UserMessageContent } from '../blocks/user-message-block.js';
import type { AgentProfile } from '../profiles/agent-profile.js';
import type { Sandbox, SandboxRoot } from '../sandbox/sandbox-provider.js';
import type { AgentArchitectureType } from '../sessions/architecture.js';
import type { AgentEvent } from './agent-events.js';

/** An agent's raw transcripts: the main one and one per subagent. */
export interface AgentTranscripts {
  main?: string;
  subagents: { id: string; rawTranscript: string }[];
}

/** Where one transcript lives in a sandbox. */
export interface AgentTranscriptFile {
  /** Absent for the main transcript. */
  subagentId?: string;
  /** Relative to `root`. */
  path: string;
  root: SandboxRoot;
}

/** Blocks per conversation: `main` and one entry per subagent id. */
export interface ParsedConversations {
  main: ConversationBlock[];
  subagents: { id: string; name?: string; toolUseId?: string; blocks: ConversationBlock[] }[];
}

export interface AgentPrepareContext {
  sessionId: string;
  sandbox: Sandbox;
  profile: AgentProfile;
  /** Stored transcripts to restore so the next turn resumes the conversation. */
  transcripts?: AgentTranscripts;
}

export interface AgentTurnContext {
  sessionId: string;
  sandbox: Sandbox;
  profile: AgentProfile;
  message: UserMessageContent;
  /** Id the runtime gave this turn (use it for the user message block id when the agent has none). */
  turnId: string;
  /** Aborted to interrupt the turn; the turn then ends with outcome `interrupted`. */
  signal: AbortSignal;
  /**
   * Present when the profile has a `toolPolicy`: route every tool call (and agent question)
   * through it before the tool runs, and do what it answers. Absent: allow everything, as before.
   */
  approvals?: TurnApprovals;
}

/**
 * Turns a profile and a sandbox into a running agent. One instance serves every session of its
 * type; per-session state lives in the sandbox (the CLI's own files) and in the transcripts.
 */
export interface AgentArchitecture {
  readonly type: AgentArchitectureType;

  /** Host paths the agent's CLI needs read-only inside a local sandbox. */
  sandboxReadOnlyPaths(): string[];

  /**
   * Environment every process of this agent's sandbox gets (CLI switches). Never API keys: the
   * agent gets its model endpoint per turn, through `Sandbox.modelEndpoint` where the provider
   * has it, so keys stay on the host.
   */
  sandboxEnv(): Record<string, string>;

  /**
   * Prepare a fresh sandbox: write the profile's settings, skills, subagents, MCP config,
   * CLAUDE.md/GEMINI.md, and restore stored transcripts for a resume.
   */
  prepare(context: AgentPrepareContext): Promise<void>;

  /**
   * Run one turn. The iterable yields block events while the agent works and ends with exactly
   * one `turn:end` event, whatever happens (crash, abort, sandbox death).
   */
  runTurn(context: AgentTurnContext): AsyncIterable<AgentEvent>;

  /** Read the agent's current raw transcripts out of the sandbox. */
  readTranscripts(sandbox: Sandbox, sessionId: string): Promise<AgentTranscripts>;

  /**
   * Optional: the transcript files in the sandbox (main: no `subagentId`), so the engine can read
   * only what each gained since the last sync (`Sandbox.readFileRange`) and store just that
   * (`appendTranscript`). Without it the engine reads them whole with `readTranscripts`. A file
   * must only grow between reads; one that was rewritten is detected and stored whole.
   */
  transcriptFiles?(sandbox: Sandbox, sessionId: string): Promise<AgentTranscriptFile[]>;

  /** Rebuild blocks from stored transcripts (pure; equals what the stream produced). */
  parseTranscripts(transcripts: AgentTranscripts): ParsedConversations;

  /**
   * True for workspace paths that belong to the agent's configuration (`.claude/`, `CLAUDE.md`,
   * `.gemini/`, `GEMINI.md`...) and are not user files to mirror.
   */
  isAgentConfigPath(path: string): boolean;

  /**
   * Stop whatever the architecture keeps running between turns (warm agent processes). Optional;
   * call it when the runtime shuts down. Processes also end with their sandbox.
   */
  dispose?(): Promise<void>;
}
