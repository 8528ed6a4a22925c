import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import { access, chmod, chown, mkdir, mkdtemp, readdir, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { SandboxCreateOptions, SandboxInfo, SandboxLimits, SandboxProvider } from '@agent-runtime/core';
import { noopLogger } from '@agent-runtime/core';
import { findBwrap } from './bwrap/find-bwrap.js';
import { probeBwrap } from './bwrap/probe-bwrap.js';
import { SANDBOX_PATH } from './bwrap/system-paths.js';
import { bwrapMissingError, invalidInputError, sandboxNotFoundError, sandboxTerminatedError } from './errors.js';
import { isInside } from './files/resolve-sandbox-path.js';
import { LocalSandbox } from './local-sandbox.js';
import type { LocalSandboxProviderOptions } from './local-sandbox-options.js';
import { DEFAULT_SANDBOX_LIMITS, type LimitTools, type ResolvedSandboxLimits, findLimitTools } from './limits/sandbox-limits.js';
import { EgressProxy } from './network/egress-proxy.js';
import { FORWARDER_SCRIPT } from './network/forwarder-script.js';
import { type SandboxMeta, readSandboxMeta, sandboxDeadline, writeSandboxMeta } from './sandbox-meta.js';

const MiB = 1024 * 1024;

/** What every sandbox of one provider shares, found once. */
interface SandboxEnvironment {
  sandboxesDir: string;
  nodePaths: string[];
  path: string;
  runRoot: string;
  limitTools: LimitTools;
  socatPath: string | undefined;
}

function positive(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw invalidInputError(`${name} must be a positive number.`);
  return value;
}

/** Only the limits this provider applies (so meta.json holds nothing unexpected). */
function storedLimits(limits: SandboxLimits | undefined): SandboxMeta['limits'] {
  const result: NonNullable<SandboxMeta['limits']> = {};
  const maxProcesses = positive(limits?.maxProcesses, 'limits.maxProcesses');
  const memoryMiB = positive(limits?.memoryMiB, 'limits.memoryMiB');
  const maxFileSizeMiB = positive(limits?.maxFileSizeMiB, 'limits.maxFileSizeMiB');
  const workspaceMiB = positive(limits?.workspaceMiB, 'limits.workspaceMiB');
  if (workspaceMiB !== undefined) result.workspaceMiB = workspaceMiB;
  if (maxProcesses !== undefined) result.maxProcesses = Math.floor(maxProcesses);
  if (memoryMiB !== undefined) result.memoryMiB = memoryMiB;
  if (maxFileSizeMiB !== undefined) result.maxFileSizeMiB = maxFileSizeMiB;
  return result;
}

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
  if (options.network !== undefined && options.network !== 'none' && options.network !== 'shared') {
    throw invalidInputError(`Unsupported network mode "${String(options.network)}"; the local provider supports 'none' and 'shared'.`);
  }
  const network = options.network ?? 'none';
  const uids = options.sandboxUids ?? { first: 200000, count: 100000 };
  if (!Number.isInteger(uids.first) || !Number.isInteger(uids.count) || uids.first < 1 || uids.count < 1) {
    throw invalidInputError('sandboxUids needs a positive integer first and count.');
  }
  const defaults = options.defaultLimits ?? {};
  const logger = options.logger ?? noopLogger;
  const live = new Map<string, LocalSandbox>();
  let bwrapReady: Promise<string> | undefined;
  let environment: Promise<SandboxEnvironment> | undefined;

  function resolvedLimits(meta: SandboxMeta): ResolvedSandboxLimits {
    const memoryMiB = meta.limits?.memoryMiB ?? defaults.memoryMiB;
    const fileMiB = meta.limits?.maxFileSizeMiB ?? defaults.maxFileSizeMiB;
    const workspaceMiB = meta.limits?.workspaceMiB ?? defaults.workspaceMiB;
    return {
      maxProcesses: meta.limits?.maxProcesses ?? defaults.maxProcesses ?? DEFAULT_SANDBOX_LIMITS.maxProcesses,
      memoryBytes: memoryMiB !== undefined ? Math.floor(memoryMiB * MiB) : DEFAULT_SANDBOX_LIMITS.memoryBytes,
      fileSizeBytes: fileMiB !== undefined ? Math.floor(fileMiB * MiB) : DEFAULT_SANDBOX_LIMITS.fileSizeBytes,
      openFiles: defaults.openFiles ?? DEFAULT_SANDBOX_LIMITS.openFiles,
      tmpBytes: defaults.tmpMiB !== undefined ? Math.floor(defaults.tmpMiB * MiB) : DEFAULT_SANDBOX_LIMITS.tmpBytes,
      workspaceBytes: workspaceMiB !== undefined ? Math.floor(workspaceMiB * MiB) : DEFAULT_SANDBOX_LIMITS.workspaceBytes,
    };
  }

  /** A host uid of its own for a new sandbox (root only), not used by a live sandbox. */
  function allocateOwner(): { uid: number; gid: number } | undefined {
    if (process.getuid?.() !== 0) return undefined;
    const taken = new Set([...live.values()].map((sandbox) => sandbox.ownerUid));
    for (let attempt = 0; attempt < 100; attempt += 1) {
      const uid = uids.first + randomInt(uids.count);
      if (!taken.has(uid)) return { uid, gid: uid };
    }
    throw invalidInputError('No free sandbox uid; widen sandboxUids.');
  }

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
  function prepare(): Promise<SandboxEnvironment> {
    environment ??= (async () => {
      await mkdir(options.dataDir, { recursive: true });
      const sandboxesDir = join(await realpath(options.dataDir), 'sandboxes');
      await mkdir(sandboxesDir, { recursive: true, mode: 0o700 });
      const node = await realpath(process.execPath);
      const nodePaths = isInside('/usr', node) ? [] : [dirname(dirname(node))];
      const path = isInside('/usr', node) ? SANDBOX_PATH : `${dirname(node)}:${SANDBOX_PATH}`;
      // Proxy sockets live under a short path (a unix socket path has at most 107 bytes).
      const runRoot = await mkdtemp(join(tmpdir(), 'agent-runtime-net-'));
      const limitTools = await findLimitTools();
      const socatPath = await access('/usr/bin/socat', constants.X_OK).then(() => '/usr/bin/socat', () => undefined);
      if (!limitTools.prlimit) logger.warn({ provider: 'local' }, 'sandbox-local: prlimit not found (util-linux): sandbox processes run WITHOUT process, memory and file-size limits');
      return { sandboxesDir, nodePaths, path, runRoot, limitTools, socatPath };
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
    const { path, nodePaths, sandboxesDir, runRoot, limitTools, socatPath } = await prepare();
    const deadline = sandboxDeadline(meta);
    if (network === 'shared' && bwrapPath !== null) {
      logger.warn(
        { provider: 'local', sandboxId: meta.id },
        "sandbox-local: SHARED NETWORK: this sandbox's processes can reach the internet and every service on the host's 127.0.0.1 (the runtime's port, databases). Use network: 'none' (the default).",
      );
    }
    const proxy = new EgressProxy(logger, meta.id);
    let runDirectory: string | undefined;
    let proxyPort: number | undefined;
    if (network === 'none' && bwrapPath !== null) {
      runDirectory = join(runRoot, randomBytes(6).toString('hex'));
      await mkdir(runDirectory, { mode: 0o755 });
      await chmod(runDirectory, 0o755);
      await writeFile(join(runDirectory, 'forwarder.mjs'), FORWARDER_SCRIPT, { mode: 0o644 });
      await proxy.listen(join(runDirectory, 'proxy.sock'));
      await chmod(join(runDirectory, 'proxy.sock'), 0o666);
    } else {
      proxyPort = (await proxy.listen()).port;
    }
    const sandbox = new LocalSandbox({
      id: meta.id,
      sessionId: meta.sessionId,
      directory,
      env: meta.env,
      path,
      readOnlyPaths: await readOnlyPathsFor(meta.readOnlyPaths, sandboxesDir, nodePaths),
      bwrapPath,
      ...(meta.owner && bwrapPath !== null ? { owner: meta.owner } : {}),
      network,
      proxy,
      ...(proxyPort !== undefined ? { proxyPort } : {}),
      ...(runDirectory !== undefined ? { runDirectory } : {}),
      nodePath: await realpath(process.execPath),
      ...(socatPath ? { socatPath } : {}),
      limits: resolvedLimits(meta),
      limitTools,
      ...(deadline !== undefined ? { deadline } : {}),
      killGraceMs: options.killGraceMs ?? 5000,
      watchDebounceMs: options.watchDebounceMs ?? 75,
      logger,
      onTerminated: (id) => live.delete(id),
    });
    await sandbox.startDiskAccounting();
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
      const owner = bwrapPath !== null ? allocateOwner() : undefined;
      const limits = storedLimits(createOptions.limits);
      await mkdir(join(directory, 'workspace'), { recursive: true, mode: 0o700 });
      await mkdir(join(directory, 'home'), { mode: 0o700 });
      await chmod(directory, 0o700);
      if (owner) {
        // bwrap enters the workspace as root without CAP_DAC_OVERRIDE: it needs the x bit. The
        // sandbox directory above stays 0700 root, so no other host user gets in.
        await chown(join(directory, 'workspace'), owner.uid, owner.gid);
        await chmod(join(directory, 'workspace'), 0o711);
        await chown(join(directory, 'home'), owner.uid, owner.gid);
      }
      const meta: SandboxMeta = {
        id,
        sessionId: createOptions.sessionId,
        labels: { ...createOptions.labels, sessionId: createOptions.sessionId },
        createdAt: Date.now(),
        ...(createOptions.limits?.timeoutMs !== undefined ? { timeoutMs: createOptions.limits.timeoutMs } : {}),
        env: { ...createOptions.env },
        readOnlyPaths,
        ...(owner ? { owner } : {}),
        ...(limits && Object.keys(limits).length > 0 ? { limits } : {}),
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
