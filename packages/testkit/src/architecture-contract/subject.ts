import type { AgentArchitecture, AgentProfile, AgentTranscripts, Sandbox, SandboxProvider } from '@agent-runtime/core';
import type { ModelServer } from '../model-server/server.js';
import type { ScriptedToolCall } from '../model-server/scenario.js';

/** Names of the checks an architecture may skip (each skip shows up as a skipped test). */
export const ARCHITECTURE_CONTRACT_CHECKS = [
  'text-turn',
  'tool-turn',
  'resume',
  'model-error',
  'interrupt',
  'warm-interrupt-then-turn',
  'warm-killed-between-turns',
] as const;

export type ArchitectureContractCheck = (typeof ARCHITECTURE_CONTRACT_CHECKS)[number];

/**
 * The architecture under test and the agent's dialect, so that one scenario serves every agent.
 */
export interface ArchitectureContractSubject {
  /** The architecture, pointed at the suite's scripted model server (called once). */
  architecture(modelServerUrl: string): AgentArchitecture;
  /** Where the agent runs, e.g. `createLocalSandboxProvider({ dataDir })` (called once). */
  sandboxProvider(): SandboxProvider;
  /**
   * The scripted tool call that writes `content` to the workspace-relative `path`
   * (Claude: `Write` with `{{cwd}}/<path>`; Gemini: `write_file` with the relative path).
   */
  writeFile(path: string, content: string): ScriptedToolCall;
  /** The tool's name on the wire, to match its result (`Write`, `write_file`). */
  toolName: string;
  /**
   * For an architecture that keeps one agent process per session between turns: which process a
   * session has now, and a way to kill it as a crash would. With it the suite also checks
   * `warm-interrupt-then-turn` (a next turn after an interrupt runs in the same process) and
   * `warm-killed-between-turns` (after a kill the next turn starts a new process that resumes the
   * full history); without it those checks are reported as skipped.
   */
  warmProcesses?: {
    /** An id of the session's live process (a restart gets a new one); undefined when it has none. */
    processId(sessionId: string): number | string | undefined;
    /** Kill the session's process abruptly (SIGKILL). */
    kill(sessionId: string): void | Promise<void>;
  };
  /** Called once after the suite (remove a temp dir). */
  cleanup?(): Promise<void> | void;
}

/** Makes the subject; called once for the whole suite. */
export type ArchitectureSubjectFactory = () => ArchitectureContractSubject | Promise<ArchitectureContractSubject>;

export interface ArchitectureContractOptions {
  /** Checks this architecture cannot do; they are reported as skipped, never silently dropped. */
  skip?: ArchitectureContractCheck[];
  /**
   * Profile of every session. The default has CLAUDE.md/GEMINI.md contents, a skill and a command
   * (so `prepare` writes agent config) and no `defaultWorkspaceFiles`.
   */
  profile?: AgentProfile;
  /** Per-test timeout. Default 60 s. */
  testTimeoutMs?: number;
  /** How long an interrupted turn may take to end after the abort. Default 20 s (a bound, not a measurement). */
  interruptWithinMs?: number;
}

/** What each group of tests gets. */
export interface ArchitectureContractContext {
  subject(): ArchitectureContractSubject;
  architecture(): AgentArchitecture;
  server(): ModelServer;
  profile: AgentProfile;
  /** A sandbox for `sessionId` made as the runtime makes it, then `prepare`d; terminated after the test. */
  newSandbox(sessionId: string, transcripts?: AgentTranscripts): Promise<Sandbox>;
  skips(check: ArchitectureContractCheck): boolean;
  settings: { testTimeoutMs: number; interruptWithinMs: number };
}
