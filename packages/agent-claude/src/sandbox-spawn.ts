import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import type { Logger, Sandbox, SandboxProcess } from '@agent-runtime/core';
import type { SpawnedProcess, SpawnOptions } from '@anthropic-ai/claude-agent-sdk';

/**
 * A Node-style process for the Agent SDK whose real process runs in a sandbox. The SDK's spawn
 * callback is synchronous while `sandbox.exec` is not: the streams exist at once and are wired
 * to the sandbox process when it has started.
 */
export class SandboxSpawnedProcess extends EventEmitter implements SpawnedProcess {
  readonly stdin = new PassThrough();
  readonly stdout = new PassThrough();
  killed = false;
  exitCode: number | null = null;
  signalCode: NodeJS.Signals | null = null;
  /** Last few kB of stderr, for error messages. */
  stderrTail = '';
  private process: SandboxProcess | undefined;
  private pendingKill: NodeJS.Signals | undefined;

  constructor(sandbox: Sandbox, options: SpawnOptions, logger: Logger) {
    super();
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(options.env)) if (value !== undefined) env[key] = value;
    sandbox.exec([options.command, ...options.args], { stdin: 'pipe', env }).then(
      (process) => this.attach(process, logger),
      (error: unknown) => this.fail(error instanceof Error ? error : new Error(String(error))),
    );
  }

  /** Why the sandbox stopped the process on its own (a limit, e.g. LIMIT_EXCEEDED for the workspace disk cap), if it did. */
  get stopError(): { code: string; message: string } | undefined {
    return this.process?.stopError;
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): boolean {
    this.killed = true;
    if (!this.process) {
      this.pendingKill = signal;
      return true;
    }
    this.process.kill(signal === 'SIGKILL' || signal === 'SIGINT' ? signal : 'SIGTERM');
    return true;
  }

  private attach(process: SandboxProcess, logger: Logger): void {
    this.process = process;
    if (this.pendingKill) this.kill(this.pendingKill);
    void this.pumpStdin(process);
    void pump(process.stdout, (chunk) => this.stdout.write(chunk)).finally(() => this.stdout.end());
    const decoder = new TextDecoder();
    void pump(process.stderr, (chunk) => {
      const text = decoder.decode(chunk, { stream: true });
      this.stderrTail = (this.stderrTail + text).slice(-4000);
      logger.debug({ stderr: text.slice(0, 2000) }, 'claude stderr');
    });
    process.wait().then(
      (code) => this.exit(code),
      (error: unknown) => this.fail(error instanceof Error ? error : new Error(String(error))),
    );
  }

  private async pumpStdin(process: SandboxProcess): Promise<void> {
    const writer = process.stdin?.getWriter();
    if (!writer) return;
    try {
      for await (const chunk of this.stdin) await writer.write(chunk as Uint8Array);
      await writer.close();
    } catch {
      // The process went away; its exit reports why.
    }
  }

  private exit(code: number): void {
    if (this.exitCode !== null) return;
    this.exitCode = code;
    if (code > 128 && this.killed) this.signalCode = code === 137 ? 'SIGKILL' : code === 130 ? 'SIGINT' : 'SIGTERM';
    this.stdout.end();
    this.emit('exit', code, this.signalCode);
  }

  private fail(error: Error): void {
    this.emit('error', error);
    this.stdout.end();
    this.exit(1);
  }
}

async function pump(stream: ReadableStream<Uint8Array>, onChunk: (chunk: Uint8Array) => void): Promise<void> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      onChunk(value);
    }
  } catch {
    // Stream aborted with the process.
  } finally {
    reader.releaseLock();
  }
}
