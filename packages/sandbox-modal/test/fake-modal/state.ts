/**
 * The fake's inspectable state. Tests read it to assert on what the SDK sent (create options,
 * tags, execs) and on lifecycle (status, why a sandbox ended).
 */
import type { ChildProcess } from 'node:child_process';
import type { OutputBuffer } from './output-buffer.js';

/** Why a fake sandbox stopped running. */
export type FakeSandboxEndReason =
  | 'terminated' // SandboxTerminateV2 (sb.terminate())
  | 'timeout' // definition.timeoutSecs elapsed
  | 'idle-timeout' // definition.idleTimeoutSecs elapsed with no exec running
  | 'entrypoint-exited' // the `command` given at create time exited
  | 'evicted' // fake.evict(): Modal's memory manager stopped it (GENERIC_STATUS_MEMORY_MANAGER_EVICTION)
  | 'server-closed'; // the fake server was closed

/** An app created through AppGetOrCreate. */
export interface FakeApp {
  readonly appId: string;
  readonly name: string;
  readonly environmentName: string;
}

/** An image "built" through ImageGetOrCreate (builds succeed immediately). */
export interface FakeImage {
  readonly imageId: string;
  readonly appId: string;
  /** e.g. ['FROM alpine:3.21', 'RUN echo hi'] or ['FROM base', ...] for later layers. */
  readonly dockerfileCommands: string[];
  readonly baseImageIds: string[];
  /** This layer with its base layers folded in: ['FROM alpine:3.21', 'RUN echo hi']. */
  readonly fullDockerfile: string[];
}

/** The create options as the fake received them on the wire, in SDK units where that helps. */
export interface FakeSandboxOptions {
  /** `command` (the entrypoint); [] when not given. */
  readonly command: string[];
  /** `timeoutMs / 1000`; the SDK sends 300 when timeoutMs is omitted. */
  readonly timeoutSecs: number;
  /** `idleTimeoutMs / 1000`, or undefined. */
  readonly idleTimeoutSecs: number | undefined;
  /** `cpu * 1000`, or undefined. */
  readonly milliCpu: number | undefined;
  /** `memoryMiB`, or undefined. */
  readonly memoryMb: number | undefined;
  readonly workdir: string | undefined;
  /** `env` (merged from the env-carrying secret sources). */
  readonly env: Record<string, string>;
  readonly name: string | undefined;
  readonly imageId: string;
  /** Secret ids referenced (not resolved by the fake). */
  readonly secretIds: string[];
  /** The experimental outbound policy (header replacements), as decoded from the wire. */
  readonly outboundPolicy: unknown;
}

/** One exec (including the SDK's internal filesystem-tool execs). */
export interface FakeExec {
  readonly execId: string;
  readonly sandboxId: string;
  readonly argv: string[];
  /** The in-sandbox workdir requested (undefined = sandbox default). */
  readonly workdir: string | undefined;
  /** The host directory the process really ran in. */
  readonly hostCwd: string;
  /** Only the env given to this exec (not the sandbox env). */
  readonly env: Record<string, string>;
  /** True for `/__modal/.bin/modal-sandbox-fs-tools` commands (emulated in-process). */
  readonly isFilesystemTool: boolean;
  readonly startedAt: number;
  /** Exit code once finished (128 + signal for a killed process). */
  exitCode: number | undefined;
  /** The signal that killed it, if any. */
  signal: number | undefined;
  readonly stdout: OutputBuffer;
  readonly stderr: OutputBuffer;
  /** Stdin bytes accepted so far (offset bookkeeping for the SDK's idempotent writes). */
  stdinBytes: number;
  stdinClosed: boolean;
  /** @internal */ process?: ChildProcess;
  /** @internal resolves when the exec has finished. */ done: Promise<void>;
}

/** One fake sandbox. */
export interface FakeSandbox {
  readonly sandboxId: string;
  readonly taskId: string;
  readonly appId: string;
  /** Host directory standing for the sandbox's `/`. */
  readonly root: string;
  readonly options: FakeSandboxOptions;
  /** The raw SandboxCreateV2Request as decoded by the SDK's own protobuf types. */
  readonly request: unknown;
  /** Creation time in (fractional, strictly increasing) epoch seconds. */
  readonly createdAt: number;
  tags: Record<string, string>;
  status: 'running' | 'finished';
  endReason: FakeSandboxEndReason | undefined;
  /** The GenericResult sent to the SDK once finished. */
  result: { status: number; exitcode: number; exception: string } | undefined;
  readonly execs: FakeExec[];
  /** Entrypoint stdout/stderr (what sb.stdout / sb.stderr read). */
  readonly stdout: OutputBuffer;
  readonly stderr: OutputBuffer;
  /** JWT the command router expects in `authorization: Bearer`. */
  readonly routerJwt: string;
}

/** A named secret `secrets.fromName` can find. */
export interface FakeSecret {
  readonly secretId: string;
  readonly name: string;
  readonly entries: Record<string, string>;
}

/** Everything the fake knows. */
export interface FakeModalState {
  readonly apps: Map<string, FakeApp>;
  readonly images: Map<string, FakeImage>;
  readonly sandboxes: Map<string, FakeSandbox>;
  /** Named secrets (from `startFakeModal({ secrets })`), by name. */
  readonly secrets: Map<string, FakeSecret>;
  /** Every RPC received, in order, e.g. 'ModalClient/SandboxCreateV2', 'TaskCommandRouter/TaskExecStart'. */
  readonly calls: string[];
}
