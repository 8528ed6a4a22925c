import type { AgentRuntimeError, SandboxFileInfo, SandboxFileOptions, SandboxListOptions } from '@agent-runtime/core';
import { pathRefusedError } from '@agent-runtime/core';
import type { Sandbox as ModalSandboxHandle } from 'modal';
import { fileNotFoundError, invalidInputError, mapModalError, sandboxTerminatedError } from './errors.js';
import { BATCH_END, encodeBatch, parseBatchFailures, type BatchFile } from './files/batch-write.js';
import { checkedPath, parseFileList } from './files/file-paths.js';
import type { ModalSandboxLayout } from './modal-sandbox-settings.js';
import type { SandboxLiveness } from './process/liveness.js';
import { runScript, type ScriptResult } from './process/run-script.js';
import { BATCH_WRITE_SCRIPT, DELETE_SCRIPT, FILE_EXIT, LIST_SCRIPT, READ_SCRIPT, WRITE_SCRIPT } from './process/scripts.js';

/** How much of a failed script's stderr goes into its error. */
export const ERROR_TAIL = 500;

export interface ModalSandboxFilesDependencies {
  handle: ModalSandboxHandle;
  sandboxId: string;
  layout: ModalSandboxLayout;
  liveness: SandboxLiveness;
  /** Throws SANDBOX_TERMINATED once the sandbox stopped. */
  assertOpen(): void;
  /** A Modal SDK error as a coded error (knowing whether the sandbox stopped). */
  mapError(error: unknown, action: string): Promise<AgentRuntimeError>;
  /** A write or delete of ours may have changed files: the change feeds look soon. */
  nudgeWatchers(): void;
}

/** The file calls of a `ModalSandbox`: each one short script exec (see README for why). */
export class ModalSandboxFiles {
  constructor(private readonly deps: ModalSandboxFilesDependencies) {}

  async readFile(path: string, options: SandboxFileOptions = {}): Promise<Uint8Array> {
    const relative = checkedPath(path);
    const result = await this.script(READ_SCRIPT, [relative], options, 'read a file');
    this.fileResult(result, path, 'read');
    return result.stdout;
  }

  async writeFile(path: string, content: string | Uint8Array, options: SandboxFileOptions = {}): Promise<void> {
    const relative = checkedPath(path);
    const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
    const result = await this.script(WRITE_SCRIPT, [relative], options, 'write a file', bytes);
    this.deps.nudgeWatchers();
    this.fileResult(result, path, 'write');
  }

  /** See `ModalSandbox.writeFiles`. */
  async writeFiles(files: readonly BatchFile[]): Promise<void> {
    const { layout } = this.deps;
    const batch = encodeBatch(files);
    let failure: unknown;
    if (batch.entries.length > 0) {
      const input = [...batch.entries.flatMap((entry) => [entry.header, entry.bytes]), BATCH_END];
      const result = await this.script(BATCH_WRITE_SCRIPT, [layout.workspacePath, layout.homePath], {}, 'write files', input);
      this.deps.nudgeWatchers();
      if (result.code !== 0) {
        throw mapModalError(new Error(`exit ${result.code}: ${result.stderr.trim().slice(-ERROR_TAIL) || 'no output'}`), 'write files', { sandboxId: this.deps.sandboxId });
      }
      for (const { position, code } of parseBatchFailures(result.stdout)) {
        const entry = batch.entries[position];
        if (!entry) continue;
        try {
          this.fileResult({ code, stdout: new Uint8Array(), stderr: '' }, entry.path, 'write');
        } catch (error) {
          failure ??= error;
        }
      }
    }
    for (const index of batch.single) {
      const file = files[index] as BatchFile;
      await this.writeFile(file.path, file.content, file.root === undefined ? {} : { root: file.root }).catch((error: unknown) => {
        failure ??= error;
      });
    }
    if (failure !== undefined) throw failure;
  }

  async listFiles(options: SandboxListOptions = {}): Promise<SandboxFileInfo[]> {
    const directory = options.directory === undefined ? '' : checkedPath(options.directory);
    const recursive = options.recursive ?? true;
    const result = await this.script(LIST_SCRIPT, [directory, recursive ? '1' : '0'], options, 'list files');
    // find exits 1 when a file vanishes mid-walk; its listing is still good.
    if (result.code === 1 && /No such file|Permission denied/.test(result.stderr)) return parseFileList(result.stdout, directory);
    this.fileResult(result, options.directory ?? '.', 'list');
    return parseFileList(result.stdout, directory);
  }

  async deleteFile(path: string, options: SandboxFileOptions = {}): Promise<void> {
    const relative = checkedPath(path);
    const result = await this.script(DELETE_SCRIPT, [relative], options, 'delete a file');
    this.deps.nudgeWatchers();
    this.fileResult(result, path, 'delete');
  }

  /** One script exec in the workspace (or home) root, given up once the sandbox is known dead. */
  async script(
    script: string,
    args: string[],
    options: SandboxFileOptions,
    action: string,
    input?: Uint8Array | readonly Uint8Array[],
  ): Promise<ScriptResult> {
    const { layout } = this.deps;
    this.deps.assertOpen();
    const workdir = options.root === 'home' ? layout.apiHomePath : layout.apiWorkspacePath;
    const run = runScript(this.deps.handle, script, args, { workdir, ...(input === undefined ? {} : { input }) }).catch(async (error: unknown) => {
      throw await this.deps.mapError(error, action);
    });
    return this.deps.liveness.race(run, () => {
      throw sandboxTerminatedError(this.deps.sandboxId);
    });
  }

  private fileResult(result: ScriptResult, path: string, action: string): void {
    switch (result.code) {
      case 0:
        return;
      case FILE_EXIT.refused:
        throw pathRefusedError(path, 'it resolves (through a symlink) outside its root');
      case FILE_EXIT.notFound:
        throw fileNotFoundError(path);
      case FILE_EXIT.notAFile:
        throw invalidInputError(`Cannot ${action} "${path.slice(0, 200)}": it is a directory.`, { path: path.slice(0, 200) });
      default:
        throw mapModalError(new Error(`exit ${result.code}: ${result.stderr.trim().slice(-ERROR_TAIL) || 'no output'}`), `${action} "${path.slice(0, 200)}"`, {
          sandboxId: this.deps.sandboxId,
        });
    }
  }
}
