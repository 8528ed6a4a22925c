import {
  AgentRuntimeError,
  pathRefusedError,
  unsupportedOperationError,
  workspacePathProblem,
  type Sandbox,
  type SandboxCreateOptions,
  type SandboxFileInfo,
  type SandboxFileOptions,
  type SandboxListOptions,
  type SandboxProvider,
  type WorkspaceChange,
} from '@agent-runtime/core';

/**
 * An in-memory sandbox for unit tests of code that drives sandboxes (no processes: `exec`
 * throws UNSUPPORTED_OPERATION). `kill()` simulates a sandbox that dies.
 */
export class FakeSandbox implements Sandbox {
  readonly provider = 'fake';
  readonly workspacePath = '/workspace';
  readonly homePath = '/home/agent';
  readonly roots = { workspace: new Map<string, { bytes: Uint8Array; modifiedAt: number }>(), home: new Map<string, { bytes: Uint8Array; modifiedAt: number }>() };
  private readonly listeners = new Set<(change: WorkspaceChange) => void>();
  private running = true;
  terminated = false;

  constructor(
    readonly id: string,
    readonly sessionId: string,
    readonly options: SandboxCreateOptions,
  ) {}

  async exec(): Promise<never> {
    throw unsupportedOperationError('fake', 'exec');
  }

  async readFile(path: string, options?: SandboxFileOptions): Promise<Uint8Array> {
    this.assertRunning();
    const entry = this.root(path, options).get(path);
    if (!entry) throw new AgentRuntimeError('FILE_NOT_FOUND', `No file "${path}".`, { details: { path } });
    return entry.bytes;
  }

  async writeFile(path: string, content: string | Uint8Array, options?: SandboxFileOptions): Promise<void> {
    this.assertRunning();
    const root = this.root(path, options);
    const existed = root.has(path);
    root.set(path, { bytes: typeof content === 'string' ? new TextEncoder().encode(content) : content, modifiedAt: Date.now() });
    if ((options?.root ?? 'workspace') === 'workspace') this.emit({ kind: existed ? 'modified' : 'created', path });
  }

  async listFiles(options?: SandboxListOptions): Promise<SandboxFileInfo[]> {
    this.assertRunning();
    const root = this.roots[options?.root ?? 'workspace'];
    const prefix = options?.directory ? `${options.directory.replace(/\/$/, '')}/` : '';
    return [...root.entries()]
      .filter(([path]) => path.startsWith(prefix))
      .map(([path, entry]) => ({ path, size: entry.bytes.byteLength, modifiedAt: entry.modifiedAt }));
  }

  async deleteFile(path: string, options?: SandboxFileOptions): Promise<void> {
    this.assertRunning();
    if (this.root(path, options).delete(path) && (options?.root ?? 'workspace') === 'workspace') {
      this.emit({ kind: 'deleted', path });
    }
  }

  async watch(listener: (change: WorkspaceChange) => void) {
    this.listeners.add(listener);
    return { close: async () => void this.listeners.delete(listener) };
  }

  async isRunning(): Promise<boolean> {
    return this.running;
  }

  async terminate(): Promise<void> {
    this.running = false;
    this.terminated = true;
    this.listeners.clear();
  }

  /** Simulate a sandbox that dies (crash, provider timeout). */
  kill(): void {
    this.running = false;
  }

  private root(path: string, options?: SandboxFileOptions) {
    const problem = workspacePathProblem(path);
    if (problem) throw pathRefusedError(path, problem);
    return this.roots[options?.root ?? 'workspace'];
  }

  private assertRunning(): void {
    if (!this.running) throw new AgentRuntimeError('SANDBOX_TERMINATED', `Sandbox ${this.id} is not running.`);
  }

  private emit(change: WorkspaceChange): void {
    for (const listener of this.listeners) listener(change);
  }
}

export interface FakeSandboxProvider extends SandboxProvider {
  /** Every sandbox created, in order. */
  readonly sandboxes: FakeSandbox[];
  /** Make the next `create` calls fail with this error. */
  failNextCreate(error: Error): void;
}

/** A `SandboxProvider` of `FakeSandbox`es. */
export function createFakeSandboxProvider(): FakeSandboxProvider {
  const sandboxes: FakeSandbox[] = [];
  let failure: Error | undefined;
  return {
    name: 'fake',
    sandboxes,
    failNextCreate(error) {
      failure = error;
    },
    async create(options) {
      if (failure) {
        const error = failure;
        failure = undefined;
        throw error;
      }
      const sandbox = new FakeSandbox(`fake-${sandboxes.length + 1}`, options.sessionId, options);
      sandboxes.push(sandbox);
      return sandbox;
    },
  };
}
