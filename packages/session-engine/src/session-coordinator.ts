import type { AnswerPermissionRequest, AnswerQuestionRequest, LoggedSessionEvent, Sandbox, SandboxInfo, SendMessageRequest, SessionListData, WorkspaceFile } from '@agent-runtime/core';

/** A command that must run on the node that owns the session. */
export type SessionCommand =
  | { type: 'message'; sessionId: string; request: SendMessageRequest }
  | { type: 'interrupt'; sessionId: string }
  | { type: 'terminate'; sessionId: string }
  | { type: 'answerPermission'; sessionId: string; requestId: string; answer: AnswerPermissionRequest; by: string }
  | { type: 'answerQuestion'; sessionId: string; requestId: string; answer: AnswerQuestionRequest; by: string }
  /**
   * Another node stored uploaded files (they can be larger than one NATS message): the owner reads
   * `paths` from storage and writes them into its sandbox and mirror. Answer: `FilesStoredResult`.
   */
  | { type: 'filesStored'; sessionId: string; paths: string[] }
  /** A workspace file read on another node: the owner's copy when it fits one reply. Answer: `ReadFileResult`. */
  | { type: 'readFile'; sessionId: string; path: string };

/** What the owner did with `filesStored`: how many files it wrote into its sandbox and mirror (0 when no live node runs the session). */
export interface FilesStoredResult {
  applied: number;
}

/**
 * The owner's answer to `readFile`: its copy, or none when the file is larger than
 * `ROUTED_FILE_MAX_BYTES` (or no live node runs the session): the asking node then reads storage.
 */
export interface ReadFileResult {
  file?: WorkspaceFile;
}

/** The largest file (its JSON in the reply) the owner sends back over NATS (default max_payload: 1 MiB). */
export const ROUTED_FILE_MAX_BYTES = 512 * 1024;

/**
 * What a coordinator may ask of the engine (the `SessionManager` implements it). "Owned" means
 * this node holds the session's lease; every other session is only shown (records, events,
 * stored blocks) and runs nothing here.
 */
export interface CoordinatedEngine {
  /** Run a command on this node (the coordinator made sure this node owns the session). */
  runLocally(command: SessionCommand): Promise<unknown>;
  /**
   * This node just took the session: a fresh session loaded from storage, the turn a lost node
   * was running ends once with `NODE_LOST`, and the queued messages run. `orphanSandbox`: a
   * sandbox left by an earlier run, saved from, then reaped (the next turn gets a new one).
   * `liveSandbox`: a lost node's sandbox that still runs and answers (Modal), kept as the
   * session's sandbox — its leftover processes stopped, its transcripts and files stored, no
   * restore over it — so the next turn runs in it; when that fails it is treated as `orphanSandbox`.
   */
  adopt(sessionId: string, options?: { orphanSandbox?: Sandbox; liveSandbox?: Sandbox; lostNodeId?: string }): Promise<void>;
  /** Hand the session over: the running turn gets `graceMs` to finish, then persist and stop its sandbox. */
  release(sessionId: string, graceMs: number): Promise<void>;
  /** This node lost the lease without handing it over: stop at once (its later writes are refused). */
  abandon(sessionId: string): Promise<void>;
  /** An event another node stored for a session: to this node's clients, and the shown record follows it. */
  showStoredEvent(event: LoggedSessionEvent): void;
  /** Records another node announced (new sessions, changed ones): merged, then `sessions:list` to local clients. */
  showRecords(records: readonly SessionListData[]): void;
  /** Sessions this node has loaded (every stored one). */
  sessionIds(): string[];
  /** Sessions with work a node must pick up: turns queued or cut short, or requests waiting for a person. */
  sessionsWithPendingWork(): Promise<string[]>;
  /** Read each session's latest seq from the shared log (at start, once events are followed). */
  openLogs(): Promise<void>;
  /** Sandboxes of the provider with all the given labels (orphan reaping); none when it cannot list. */
  listSandboxes(labels: Record<string, string>): Promise<SandboxInfo[]>;
  /** Attach to a listed sandbox; undefined when the provider cannot. */
  attachSandbox(sandboxId: string): Promise<Sandbox | undefined>;
}

/**
 * Places sessions on nodes (cluster mode). Without one the engine runs every session itself, as a
 * single node does. With one, `start()` loads every stored session as shown-only and leaves
 * recovery and orphan reaping to the coordinator, and every message, interrupt and terminate goes
 * through `route` to the session's owner.
 */
export interface SessionCoordinator {
  /** Labels for every sandbox this node creates (the deployment and this node). */
  readonly sandboxLabels: Record<string, string>;
  /** Join the cluster: register, follow events and commands, take over sessions nobody runs. */
  start(engine: CoordinatedEngine): Promise<void>;
  /** Run `command` on the session's owner, taking the session when no live node owns it. */
  route(command: SessionCommand): Promise<unknown>;
  /** This node created the session: it owns it from the start. */
  created(sessionId: string): Promise<void>;
  /** This node's session list changed: tell the other nodes. */
  announced(records: readonly SessionListData[]): void;
  /** True when this node holds the session's lease. */
  owns(sessionId: string): boolean;
  /**
   * Run `work` while this node provably holds the session's lease: a takeover waits until it
   * finished, and a node that lost the session gets `LEASE_LOST` without running it. The engine
   * stores a turn's end this way, so a turn ends once even when its node loses the session at
   * that moment (a long pause, a partition): either the owner's end is stored before the
   * successor looks, or the successor's `NODE_LOST` end is the only one.
   */
  whileOwner<T>(sessionId: string, work: () => Promise<T>): Promise<T>;
  /** Graceful stop: hand idle sessions over at once, drain running turns, leave the cluster. */
  stop(): Promise<void>;
}
