/**
 * TEST ONLY: a Sandbox that runs processes UNISOLATED with child_process in a temp dir, used by
 * these tests when `@agent-runtime/sandbox-local` is not available. Never use it outside tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, type Dirent } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { Readable } from 'node:stream';
import {
  AgentRuntimeError,
  normalizeWorkspacePath,
  type Sandbox,
  type SandboxExecOptions,
  type SandboxFileInfo,
  type SandboxFileOptions,
  type SandboxProcess,
} from '@agent-runtime/core';

export interface TestSandbox extends Sandbox {
  /** Host directory holding `workspace/` and `home/`. */
  readonly root: string;
}

/** `workspaceName` lets two sandboxes of one session share the workspace basename (like a fixed /workspace). */
export function createTestSandbox(sessionId: string, workspaceName = 'workspace'): TestSandbox {
  const root = mkdtempSync(join(tmpdir(), 'agent-gemini-test-'));
  const workspacePath = join(root, workspaceName);
  const homePath = join(root, 'home');
  mkdirSync(workspacePath, { recursive: true });
  mkdirSync(homePath, { recursive: true });
  const children = new Set<ChildProcess>();
  let running = true;
  const resolvePath = (path: string, options?: SandboxFileOptions) => {
    const safe = normalizeWorkspacePath(path);
    if (!safe) throw new AgentRuntimeError('PATH_REFUSED', `Refused path ${path}`);
    return join(options?.root === 'home' ? homePath : workspacePath, safe);
  };
  return {
    root,
    id: `test-${sessionId}-${root.slice(-6)}`,
    sessionId,
    provider: 'test',
    workspacePath,
    homePath,
    async exec(command: string[], options: SandboxExecOptions = {}): Promise<SandboxProcess> {
      if (!running) throw new AgentRuntimeError('SANDBOX_TERMINATED', 'The test sandbox was terminated.');
      const [file, ...args] = command;
      const child = spawn(file!, args, {
        cwd: options.cwd ? join(workspacePath, options.cwd) : workspacePath,
        env: options.env ?? {},
        stdio: [options.stdin === 'pipe' ? 'pipe' : 'ignore', 'pipe', 'pipe'],
      });
      children.add(child);
      const exited = new Promise<number>((resolve) =>
        child.on('close', (code, signal) => {
          children.delete(child);
          resolve(code ?? (signal === 'SIGKILL' ? 137 : signal === 'SIGINT' ? 130 : 143));
        }),
      );
      await new Promise<void>((resolve, reject) => {
        child.once('spawn', resolve);
        child.once('error', reject);
      });
      return {
        stdin: null,
        stdout: Readable.toWeb(child.stdout!) as ReadableStream<Uint8Array>,
        stderr: Readable.toWeb(child.stderr!) as ReadableStream<Uint8Array>,
        wait: () => exited,
        kill: (signal = 'SIGTERM') => {
          child.kill(signal);
        },
      };
    },
    async readFile(path, options) {
      try {
        return new Uint8Array(readFileSync(resolvePath(path, options)));
      } catch (cause) {
        throw new AgentRuntimeError('FILE_NOT_FOUND', `No file "${path}".`, { cause });
      }
    },
    async writeFile(path, content, options) {
      const target = resolvePath(path, options);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, content);
    },
    async listFiles(options = {}) {
      const base = options.root === 'home' ? homePath : workspacePath;
      const start = options.directory ? resolvePath(options.directory, options) : base;
      const out: SandboxFileInfo[] = [];
      const walk = (dir: string) => {
        let entries: Dirent[];
        try {
          entries = readdirSync(dir, { withFileTypes: true });
        } catch {
          return;
        }
        for (const entry of entries) {
          const full = join(dir, entry.name);
          if (entry.isDirectory()) {
            if (options.recursive !== false) walk(full);
          } else if (entry.isFile()) {
            const stat = statSync(full);
            out.push({ path: relative(base, full), size: stat.size, modifiedAt: stat.mtimeMs });
          }
        }
      };
      walk(start);
      return out;
    },
    async deleteFile(path, options) {
      rmSync(resolvePath(path, options), { force: true });
    },
    async isRunning() {
      return running;
    },
    async terminate() {
      running = false;
      for (const child of children) child.kill('SIGKILL');
      rmSync(root, { recursive: true, force: true });
    },
  };
}
