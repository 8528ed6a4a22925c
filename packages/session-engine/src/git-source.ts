import { execFile } from 'node:child_process';
import { lstat, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AgentRuntimeError, workspacePathProblem } from '@agent-runtime/core';
import type { WorkspaceUpload } from '@agent-runtime/core';

const run = promisify(execFile);

export interface GitSource {
  url: string;
  ref?: string | undefined;
}

export interface GitCloneLimits {
  maxFileBytes: number;
  /** Files at most (default 5000); more is INVALID_INPUT. */
  maxFiles?: number;
  /** Whole clone (default 120 s). */
  timeoutMs?: number;
}

const ALLOWED_PROTOCOLS = new Set(['file:', 'https:']);
const REF_PATTERN = /^(?!-)(?!.*\.\.)[\w./@+-]{1,200}$/;

function gitError(field: 'git.url' | 'git.ref', message: string, extra: Record<string, unknown> = {}): AgentRuntimeError {
  return new AgentRuntimeError('INVALID_INPUT', `${field}: ${message}`, { details: { field, ...extra } });
}

/** Only `file:` and `https:` URLs (no ssh, git:, ext:: or scp-like `host:path`), without credentials. */
export function checkGitUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw gitError('git.url', 'expected a file: or https: URL');
  }
  if (!ALLOWED_PROTOCOLS.has(parsed.protocol)) throw gitError('git.url', `protocol ${parsed.protocol} is not allowed; use file: or https:`);
  if (parsed.username || parsed.password) throw gitError('git.url', 'credentials in the URL are not allowed');
  return parsed;
}

/** git with every transport off except file and https, no prompts, no hooks from the repository. */
function git(args: string[], cwd: string | undefined, timeoutMs: number): Promise<{ stdout: string }> {
  return run(
    'git',
    ['-c', 'protocol.allow=never', '-c', 'protocol.file.allow=always', '-c', 'protocol.https.allow=always', '-c', 'core.hooksPath=/dev/null', ...args],
    {
      ...(cwd ? { cwd } : {}),
      timeout: timeoutMs,
      maxBuffer: 1024 * 1024,
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_ASKPASS: 'true', GIT_CONFIG_NOSYSTEM: '1' },
    },
  );
}

async function resolveRef(dir: string, ref: string, timeoutMs: number): Promise<string> {
  for (const candidate of [`origin/${ref}`, ref]) {
    try {
      const { stdout } = await git(['rev-parse', '--verify', '--quiet', `${candidate}^{commit}`], dir, timeoutMs);
      if (stdout.trim()) return stdout.trim();
    } catch {
      // try the next spelling
    }
  }
  throw gitError('git.ref', `"${ref}" is not a branch, tag or commit of the repository`, { ref });
}

async function collect(root: string, dir: string, limits: Required<GitCloneLimits>, out: WorkspaceUpload[]): Promise<void> {
  for (const entry of await readdir(join(root, dir), { withFileTypes: true })) {
    const path = dir ? `${dir}/${entry.name}` : entry.name;
    if (!dir && entry.name === '.git') continue;
    if (entry.isDirectory()) {
      await collect(root, path, limits, out);
      continue;
    }
    if (!entry.isFile()) continue; // symlinks and the like are never followed
    if (workspacePathProblem(path)) continue;
    const info = await lstat(join(root, path));
    if (info.size > limits.maxFileBytes) {
      throw new AgentRuntimeError('PAYLOAD_TOO_LARGE', `git: ${path.slice(0, 200)} is larger than ${limits.maxFileBytes} bytes.`, {
        details: { field: 'git.url', path: path.slice(0, 200), maxBytes: limits.maxFileBytes },
      });
    }
    if (out.length >= limits.maxFiles) throw gitError('git.url', `the repository has more than ${limits.maxFiles} files`);
    out.push({ path, content: new Uint8Array(await readFile(join(root, path))) });
  }
}

/**
 * Clones on the host (the sandbox has no network by default) into a temporary directory and
 * returns the files of `ref` (without `.git`); the engine stores them and restores them into
 * the sandbox like any workspace file.
 */
export async function cloneGitSource(source: GitSource, limits: GitCloneLimits): Promise<WorkspaceUpload[]> {
  const url = checkGitUrl(source.url);
  if (source.ref !== undefined && !REF_PATTERN.test(source.ref)) throw gitError('git.ref', 'must be a branch, tag or commit name', { ref: source.ref });
  const resolved: Required<GitCloneLimits> = { maxFiles: 5000, timeoutMs: 120_000, ...limits };
  const dir = await mkdtemp(join(tmpdir(), 'agent-runtime-git-'));
  try {
    try {
      await git(['clone', '--quiet', '--no-checkout', '--', url.href, dir], undefined, resolved.timeoutMs);
    } catch (error) {
      const stderr = String((error as { stderr?: unknown }).stderr ?? '').trim().split('\n').pop() ?? '';
      throw gitError('git.url', `clone failed${stderr ? `: ${stderr.slice(0, 300)}` : ''}`);
    }
    const commit = source.ref === undefined ? 'HEAD' : await resolveRef(dir, source.ref, resolved.timeoutMs);
    try {
      await git(['checkout', '--quiet', '--detach', commit], dir, resolved.timeoutMs);
    } catch {
      throw gitError('git.ref', source.ref === undefined ? 'the repository has no commit to check out' : `cannot check out "${source.ref}"`);
    }
    const files: WorkspaceUpload[] = [];
    await collect(dir, '', resolved, files);
    return files;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
