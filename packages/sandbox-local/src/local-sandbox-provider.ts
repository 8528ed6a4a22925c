import { randomUUID } from 'node:crypto';
import { chmod, mkdir, readdir, realpath, rm } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { SandboxCreateOptions, SandboxInfo, SandboxProvider } from '@agent-runtime/core';
import { noopLogger } from '@agent-runtime/core';
import { findBwrap } from './bwrap/find-bwrap.js';
import { probeBwrap } from './bwrap/probe-bwrap.js';
import { SANDBOX_PATH } from './bwrap/system-paths.js';
import { bwrapMissingError, invalidInputError, sandboxNotFoundError, sandboxTerminatedError } from './errors.js';
import { isInside } from './files/resolve-sandbox-path.js';
import { LocalSandbox } from './local-sandbox.js';
import type { LocalSandboxProviderOptions } from './local-sandbox-options.js';
import { type SandboxMeta, readSandboxMeta, sandboxDeadline, writeSandboxMeta } from './sandbox-meta.js';

const SANDBOX_ID = /^[A-Za-z0-9_-]{1,100}$/;

function overlaps(a: string, b: string): boolean {
  return isInside(a, b) || isInside(b, a);
}

function labelsMatch(labels: Record<string, string>, wanted: Record<string, string> | undefined): boolean {
  return Object.entries(wanted ?? {}).every(([key, value]) => labels[key] === value);
}

/** The local provider: every optional `SandboxProvider` method is present. */
export interface LocalSandboxProvider extends SandboxProvider {
  readonly name: 'local';
  create(options: SandboxCreateOptions): Promise<LocalSandbox>;
  /** Reopens a sandbox directory (its processes are gone after a restart; its files remain). */
  attach(sandboxId: string): Promise<LocalSandbox>;
  /** Sandbox directories with all the given labels; `running` is false once their lifetime ended. */
  list(labels?: Record<string, string>): Promise<SandboxInfo[]>;
}

/**
 * The embedded sandbox provider: one directory per sandbox under `<dataDir>/sandboxes/`, every
 * process under bubblewrap (see the README for what is and is not isolated). Synchronous and
 * I/O-free; bwrap is looked for on the first `create`/`attach`.
 *
 * @example
 * const provider = createLocalSandboxProvider({ dataDir: '/var/lib/agent-runtime' });
 * const sandbox = await provider.create({ sessionId: 's1' });
 */
export function createLocalSandboxProvider(options: LocalSandboxProviderOptions): LocalSandboxProvider {
  if (typeof options?.dataDir !== 'string' || options.dataDir === '') throw invalidInputError('createLocalSandboxProvider needs a dataDir.');
  if (options.network !== undefined && options.network !== 'shared') {
    throw invalidInputError(`Unsupported network mode "${String(options.network)}"; the local provider supports 'shared'.`);
  }
  const logger = options.logger ?? noopLogger;
  const live = new Map<string, LocalSandbox>();
  let bwrapReady: Promise<string> | undefined;
  let environment: Promise<{ sandboxesDir: string; nodePaths: string[]; path: string }> | undefined;

  /** The bwrap path, or `null` when unisolated; refuses without bwrap. */
  async function isolation(): Promise<string | null> {
    if (options.unisolated) {
      logger.warn(
        { provider: 'local' },
        'sandbox-local: running WITHOUT isolation (unisolated: true): agent processes can read and write everything the runtime can. Install bubblewrap and drop `unisolated`.',
      );
      return null;
    }
    bwrapReady ??= (async () => {
      const found = await findBwrap(options.bwrapPath);
      if (found === null) throw bwrapMissingError(options.bwrapPath);
      await probeBwrap(found);
      return found;
    })();
    return bwrapReady.catch((error: unknown) => {
      bwrapReady = undefined; // installing bwrap later makes the next create work
      throw error;
    });
  }

  /** The canonical sandboxes directory, plus Node's installation when it is outside /usr. */
  function prepare(): Promise<{ sandboxesDir: string; nodePaths: string[]; path: string }> {
    environment ??= (async () => {
      await mkdir(options.dataDir, { recursive: true });
      const sandboxesDir = join(await realpath(options.dataDir), 'sandboxes');
      await mkdir(sandboxesDir, { recursive: true, mode: 0o700 });
      const node = await realpath(process.execPath);
      const nodePaths = isInside('/usr', node) ? [] : [dirname(dirname(node))];
      const path = isInside('/usr', node) ? SANDBOX_PATH : `${dirname(node)}:${SANDBOX_PATH}`;
      return { sandboxesDir, nodePaths, path };
    })();
    return environment.catch((error: unknown) => {
      environment = undefined;
      throw error;
    });
  }

  /** Canonical read-only paths (given form and real form), none overlapping the sandboxes. */
  async function readOnlyPathsFor(requested: string[] | undefined, sandboxesDir: string, nodePaths: string[]): Promise<string[]> {
    const result = new Set<string>(nodePaths);
    for (const path of requested ?? []) {
      if (typeof path !== 'string' || !isAbsolute(path)) throw invalidInputError(`readOnlyPaths must be absolute paths; got "${String(path)}".`);
      const given = resolve(path);
      const real = await realpath(given).catch(() => given);
      for (const candidate of [given, real]) {
        if (overlaps(candidate, sandboxesDir) || candidate === '/') {
          throw invalidInputError(`readOnlyPaths entry "${path}" overlaps the sandboxes directory ${sandboxesDir}; that would expose other sandboxes.`, {
            path,
          });
        }
        result.add(candidate);
      }
    }
    return [...result];
  }

  async function open(meta: SandboxMeta, directory: string, bwrapPath: string | null): Promise<LocalSandbox> {
    const { path, nodePaths, sandboxesDir } = await prepare();
    const deadline = sandboxDeadline(meta);
    const sandbox = new LocalSandbox({
      id: meta.id,
      sessionId: meta.sessionId,
      directory,
      env: meta.env,
      path,
      readOnlyPaths: await readOnlyPathsFor(meta.readOnlyPaths, sandboxesDir, nodePaths),
      bwrapPath,
      ...(deadline !== undefined ? { deadline } : {}),
      killGraceMs: options.killGraceMs ?? 5000,
      watchDebounceMs: options.watchDebounceMs ?? 75,
      logger,
      onTerminated: (id) => live.delete(id),
    });
    live.set(meta.id, sandbox);
    return sandbox;
  }

  return {
    name: 'local',

    async create(createOptions) {
      if (typeof createOptions?.sessionId !== 'string' || createOptions.sessionId === '') throw invalidInputError('create needs a sessionId.');
      const bwrapPath = await isolation();
      const { sandboxesDir, nodePaths } = await prepare();
      const readOnlyPaths = createOptions.readOnlyPaths ?? [];
      await readOnlyPathsFor(readOnlyPaths, sandboxesDir, nodePaths);
      const id = randomUUID();
      const directory = join(sandboxesDir, id);
      await mkdir(join(directory, 'workspace'), { recursive: true, mode: 0o700 });
      await mkdir(join(directory, 'home'), { mode: 0o700 });
      await chmod(directory, 0o700);
      const meta: SandboxMeta = {
        id,
        sessionId: createOptions.sessionId,
        labels: { ...createOptions.labels, sessionId: createOptions.sessionId },
        createdAt: Date.now(),
        ...(createOptions.limits?.timeoutMs !== undefined ? { timeoutMs: createOptions.limits.timeoutMs } : {}),
        env: { ...createOptions.env },
        readOnlyPaths,
      };
      await writeSandboxMeta(directory, meta);
      logger.debug({ sandboxId: id, sessionId: meta.sessionId, isolated: bwrapPath !== null }, 'sandbox-local: created');
      return open(meta, directory, bwrapPath);
    },

    async attach(sandboxId) {
      if (typeof sandboxId !== 'string' || !SANDBOX_ID.test(sandboxId)) throw sandboxNotFoundError(String(sandboxId).slice(0, 100));
      const existing = live.get(sandboxId);
      if (existing && (await existing.isRunning())) return existing;
      const bwrapPath = await isolation();
      const { sandboxesDir } = await prepare();
      const directory = join(sandboxesDir, sandboxId);
      const meta = await readSandboxMeta(directory);
      if (meta === null || meta.id !== sandboxId) throw sandboxNotFoundError(sandboxId);
      const deadline = sandboxDeadline(meta);
      if (deadline !== undefined && deadline <= Date.now()) {
        await rm(directory, { recursive: true, force: true });
        throw sandboxTerminatedError(sandboxId);
      }
      return open(meta, directory, bwrapPath);
    },

    async list(labels) {
      const { sandboxesDir } = await prepare();
      const names = await readdir(sandboxesDir).catch(() => [] as string[]);
      const infos: SandboxInfo[] = [];
      for (const name of names.sort()) {
        if (!SANDBOX_ID.test(name)) continue;
        const meta = await readSandboxMeta(join(sandboxesDir, name));
        if (meta === null || !labelsMatch(meta.labels, labels)) continue;
        const deadline = sandboxDeadline(meta);
        infos.push({ id: meta.id, sessionId: meta.sessionId, labels: meta.labels, running: deadline === undefined || deadline > Date.now() });
      }
      return infos;
    },
  };
}
