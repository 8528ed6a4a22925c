/**
 * In-process emulation of `/__modal/.bin/modal-sandbox-fs-tools`, the binary the SDK's
 * `sb.filesystem.*` methods exec inside a sandbox. The SDK passes one JSON command as argv[1]
 * (`{"ReadFile":{"path":"/x"}}`), streams file content on stdin for WriteFile, reads results on
 * stdout, and on a non-zero exit parses stderr as `{"error_kind","message","detail"}`.
 */
import { lstat, mkdir, readdir, readFile, readlink, rm, rmdir, stat, unlink, writeFile } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import path from 'node:path';
import type { OutputBuffer } from './output-buffer.js';
import { toHostPath, toSandboxPath } from './paths.js';

/** Absolute path of the tool inside a real Modal sandbox. */
export const FS_TOOLS_PATH = '/__modal/.bin/modal-sandbox-fs-tools';

/** What a running tool can use. */
export interface FsToolIo {
  readonly root: string;
  readonly stdout: OutputBuffer;
  readonly stderr: OutputBuffer;
  /** Resolves with all stdin once the SDK sends EOF. */
  readonly stdinEnd: Promise<Buffer>;
  /** Aborts when the sandbox stops. */
  readonly signal: AbortSignal;
  /** Poll interval of the emulated Watch command. */
  readonly watchPollMs: number;
}

class ToolError extends Error {
  constructor(
    readonly kind: string,
    message: string,
  ) {
    super(message);
  }
}

const ERRNO_KINDS: Record<string, string> = {
  ENOENT: 'NotFound',
  ENOTDIR: 'NotDirectory',
  EISDIR: 'IsDirectory',
  EEXIST: 'PathAlreadyExists',
  ENOTEMPTY: 'DirectoryNotEmpty',
  EACCES: 'PermissionDenied',
  EPERM: 'PermissionDenied',
};

function toToolError(error: unknown): ToolError {
  if (error instanceof ToolError) return error;
  const code = (error as NodeJS.ErrnoException).code ?? '';
  return new ToolError(ERRNO_KINDS[code] ?? 'Other', (error as Error).message);
}

/** Run one fs-tools command; returns the exit code (output goes to io.stdout / io.stderr). */
export async function runFsTool(commandJson: string, io: FsToolIo): Promise<number> {
  try {
    const command = JSON.parse(commandJson) as Record<string, Record<string, unknown>>;
    const [name, args] = Object.entries(command)[0] ?? [];
    if (!name || !args || typeof args.path !== 'string') throw new ToolError('InvalidInput', 'bad command');
    const host = toHostPath(io.root, args.path);
    switch (name) {
      case 'ReadFile':
        await readFileCommand(host, io);
        break;
      case 'WriteFile':
        await writeFileCommand(host, io);
        break;
      case 'ListFiles':
        await listFilesCommand(host, io);
        break;
      case 'Stat':
        io.stdout.append(Buffer.from(JSON.stringify(await fileInfo(host, io.root))));
        break;
      case 'MakeDirectory':
        await makeDirectoryCommand(host, args.parents !== false);
        break;
      case 'Remove':
        await removeCommand(host, args.recursive === true);
        break;
      case 'Watch':
        await watchCommand(host, args, io);
        break;
      default:
        throw new ToolError('NotSupported', `fake-modal: fs-tools command ${name} is not emulated`);
    }
    return 0;
  } catch (error) {
    const toolError = toToolError(error);
    io.stderr.append(
      Buffer.from(JSON.stringify({ error_kind: toolError.kind, message: toolError.message || toolError.kind, detail: '' })),
    );
    return 1;
  }
}

async function readFileCommand(host: string, io: FsToolIo): Promise<void> {
  const info = await stat(host);
  if (info.isDirectory()) throw new ToolError('IsDirectory', 'Is a directory');
  io.stdout.append(await readFile(host));
}

async function writeFileCommand(host: string, io: FsToolIo): Promise<void> {
  const data = await io.stdinEnd;
  const existing = await stat(host).catch(() => undefined);
  if (existing?.isDirectory()) throw new ToolError('IsDirectory', 'Is a directory');
  await mkdir(path.dirname(host), { recursive: true });
  await writeFile(host, data);
}

async function listFilesCommand(host: string, io: FsToolIo): Promise<void> {
  const info = await stat(host);
  if (!info.isDirectory()) throw new ToolError('NotDirectory', 'Not a directory');
  const names = (await readdir(host)).sort();
  const entries = await Promise.all(names.map((name) => fileInfo(path.join(host, name), io.root)));
  io.stdout.append(Buffer.from(JSON.stringify(entries)));
}

async function makeDirectoryCommand(host: string, parents: boolean): Promise<void> {
  if (parents) {
    const existing = await stat(host).catch(() => undefined);
    if (existing && !existing.isDirectory()) throw new ToolError('NotDirectory', 'Not a directory');
    await mkdir(host, { recursive: true });
    return;
  }
  await mkdir(host);
}

async function removeCommand(host: string, recursive: boolean): Promise<void> {
  const info = await lstat(host);
  if (!info.isDirectory()) return unlink(host);
  if (recursive) return rm(host, { recursive: true, force: true });
  return rmdir(host);
}

function fileType(info: Stats): 'file' | 'directory' | 'symlink' {
  if (info.isSymbolicLink()) return 'symlink';
  return info.isDirectory() ? 'directory' : 'file';
}

function permissionString(mode: number): string {
  const bits = 'rwxrwxrwx';
  let out = '';
  for (let i = 0; i < 9; i += 1) out += mode & (1 << (8 - i)) ? bits[i] : '-';
  return out;
}

/** The fs-tools FileInfo JSON (snake_case, as the SDK's parseFileEntry expects). */
async function fileInfo(host: string, root: string): Promise<Record<string, unknown>> {
  const info = await lstat(host);
  const type = fileType(info);
  return {
    name: path.basename(host),
    path: toSandboxPath(root, host),
    type,
    size: info.size,
    mode: info.mode,
    permissions: permissionString(info.mode),
    owner: info.uid === 0 ? 'root' : String(info.uid),
    group: info.gid === 0 ? 'root' : String(info.gid),
    modified_time: Math.floor(info.mtimeMs / 1000),
    symlink_target: type === 'symlink' ? await readlink(host) : null,
  };
}

interface Snapshot {
  readonly type: string;
  readonly mtimeMs: number;
  readonly size: number;
}

async function snapshot(host: string, recursive: boolean): Promise<Map<string, Snapshot>> {
  const out = new Map<string, Snapshot>();
  const top = await stat(host);
  if (!top.isDirectory()) {
    out.set(host, { type: 'file', mtimeMs: top.mtimeMs, size: top.size });
    return out;
  }
  const walk = async (dir: string): Promise<void> => {
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const name of names) {
      const full = path.join(dir, name);
      const info = await lstat(full).catch(() => undefined);
      if (!info) continue;
      out.set(full, { type: fileType(info), mtimeMs: info.mtimeMs, size: info.size });
      if (recursive && info.isDirectory()) await walk(full);
    }
  };
  await walk(host);
  return out;
}

/**
 * Watch by polling and diffing snapshots: emits `{"event_type","paths"}` lines (Create, Modify,
 * Remove). Ends on timeout, stdin EOF (the SDK closes stdin when its iterator is closed), or when
 * the sandbox stops. Quick create+modify pairs within one poll show up as a single Create.
 */
async function watchCommand(host: string, args: Record<string, unknown>, io: FsToolIo): Promise<void> {
  const recursive = args.recursive === true;
  const filter = Array.isArray(args.filter) ? new Set(args.filter as string[]) : undefined;
  const timeoutSecs = typeof args.timeout_secs === 'number' ? args.timeout_secs : undefined;
  let previous = await snapshot(host, recursive);
  let stopped = false;
  void io.stdinEnd.then(() => (stopped = true));
  const deadline = timeoutSecs === undefined ? Infinity : Date.now() + timeoutSecs * 1000;
  const emit = (eventType: string, hostPath: string): void => {
    if (filter && !filter.has(eventType)) return;
    const line = JSON.stringify({ event_type: eventType, paths: [toSandboxPath(io.root, hostPath)] });
    io.stdout.append(Buffer.from(`${line}\n`));
  };
  while (!stopped && !io.signal.aborted && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, io.watchPollMs));
    const current = await snapshot(host, recursive).catch(() => new Map<string, Snapshot>());
    for (const [file, now] of current) {
      const before = previous.get(file);
      if (!before) emit('Create', file);
      else if (before.mtimeMs !== now.mtimeMs || before.size !== now.size || before.type !== now.type) {
        emit('Modify', file);
      }
    }
    for (const file of previous.keys()) if (!current.has(file)) emit('Remove', file);
    previous = current;
  }
}
