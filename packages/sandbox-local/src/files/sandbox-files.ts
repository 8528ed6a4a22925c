import { constants } from 'node:fs';
import { lchown, lstat, open, readdir, realpath, unlink } from 'node:fs/promises';
import { basename, dirname, join, relative as relativeTo } from 'node:path';
import type { SandboxFileInfo } from '@agent-runtime/core';
import { pathRefusedError } from '@agent-runtime/core';
import { fileNotFoundError, fileTooLargeError, invalidInputError } from '../errors.js';
import { checkedRelativePath, checkOpenedInside, isInside, realpathInside, resolveParent } from './resolve-sandbox-path.js';

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException).code;
}

/**
 * File access below one root directory (a sandbox's workspace or home) for untrusted relative
 * paths. Symlinks are followed only when they resolve inside the root; the final check is made on
 * the opened file descriptor, so a swap between check and open is caught too. Files are opened
 * non-blocking, so a FIFO planted by a process cannot hang the runtime.
 */
export class SandboxFiles {
  /**
   * @param root absolute, canonical (realpath) directory
   * @param owner the sandbox's own uid/gid: files and directories written here are given to it,
   *   so the agent (which runs as that uid) can change them
   */
  constructor(
    private readonly root: string,
    private readonly owner?: { uid: number; gid: number },
  ) {}

  /**
   * Reads a file: whole, or at most `range.length` bytes from `range.offset` (fewer at its end).
   * With `maxBytes`, stats first and never holds more than `maxBytes + 1` bytes.
   */
  async read(path: string, options: { maxBytes?: number; range?: { offset: number; length: number } } = {}): Promise<Uint8Array> {
    const { maxBytes, range } = options;
    const relative = checkedRelativePath(path);
    const parent = await resolveParent(this.root, relative, false);
    if (parent === null) throw fileNotFoundError(relative);
    const target = await this.resolveFinal(join(parent, basename(relative)), relative);
    if (target === null) throw fileNotFoundError(relative);
    let handle;
    try {
      handle = await open(target, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') throw fileNotFoundError(relative);
      if (errorCode(error) === 'ELOOP') throw pathRefusedError(relative, 'it is a symbolic link');
      throw error;
    }
    try {
      await checkOpenedInside(this.root, handle.fd, relative);
      const stats = await handle.stat();
      if (!stats.isFile()) throw fileNotFoundError(relative);
      if (range) {
        const buffer = Buffer.alloc(Math.max(0, Math.min(range.length, maxBytes ?? Infinity, stats.size - range.offset)));
        const { bytesRead } = buffer.length === 0 ? { bytesRead: 0 } : await handle.read(buffer, 0, buffer.length, range.offset);
        return new Uint8Array(buffer.subarray(0, bytesRead));
      }
      if (maxBytes === undefined) return new Uint8Array(await handle.readFile());
      if (stats.size > maxBytes) throw fileTooLargeError(relative, stats.size, maxBytes);
      // The file may grow between stat and read: read in chunks and stop one byte past the cap.
      const chunks: Buffer[] = [];
      let length = 0;
      for (;;) {
        const chunk = Buffer.alloc(Math.min(64 * 1024, maxBytes + 1 - length));
        const { bytesRead } = await handle.read(chunk, 0, chunk.length, length);
        if (bytesRead === 0) break;
        chunks.push(chunk.subarray(0, bytesRead));
        length += bytesRead;
        if (length > maxBytes) throw fileTooLargeError(relative, length, maxBytes);
      }
      return new Uint8Array(Buffer.concat(chunks, length));
    } finally {
      await handle.close();
    }
  }

  async write(path: string, content: string | Uint8Array): Promise<void> {
    const relative = checkedRelativePath(path);
    const parent = await resolveParent(this.root, relative, true);
    if (parent === null) throw pathRefusedError(relative, 'its directory could not be created');
    if (this.owner) await this.giveDirectories(parent);
    const final = join(parent, basename(relative));
    const target = (await this.resolveFinal(final, relative)) ?? final;
    let handle;
    try {
      handle = await open(target, constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW | constants.O_NONBLOCK, 0o644);
    } catch (error) {
      if (errorCode(error) === 'ELOOP') throw pathRefusedError(relative, 'it is a symbolic link');
      if (errorCode(error) === 'ENOENT' || errorCode(error) === 'ENOTDIR') throw pathRefusedError(relative, 'its directory changed while it was being written');
      if (errorCode(error) === 'EISDIR') throw invalidInputError(`"${relative}" is a directory.`, { path: relative });
      if (errorCode(error) === 'ENXIO') throw invalidInputError(`"${relative}" is not a regular file.`, { path: relative });
      throw error;
    }
    try {
      await checkOpenedInside(this.root, handle.fd, relative);
      if (!(await handle.stat()).isFile()) throw invalidInputError(`"${relative}" is not a regular file.`, { path: relative });
      if (this.owner) await handle.chown(this.owner.uid, this.owner.gid);
      await handle.truncate(0);
      await handle.writeFile(content);
    } finally {
      await handle.close();
    }
  }

  async delete(path: string): Promise<void> {
    const relative = checkedRelativePath(path);
    const parent = await resolveParent(this.root, relative, false);
    if (parent === null) return;
    const final = join(parent, basename(relative));
    try {
      const stats = await lstat(final);
      if (stats.isDirectory()) throw invalidInputError(`"${relative}" is a directory; deleteFile deletes files.`, { path: relative });
      await unlink(final); // a symlink itself is removed, never its target
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return;
      throw error;
    }
  }

  /** Gives `directory` and its ancestors below the root to the owner (never following a symlink). */
  private async giveDirectories(directory: string): Promise<void> {
    const owner = this.owner;
    if (!owner) return;
    let current = directory;
    while (isInside(this.root, current) && current !== this.root && !relativeTo(this.root, current).startsWith('..')) {
      const stats = await lstat(current).catch(() => null);
      if (stats?.isDirectory() && stats.uid !== owner.uid) await lchown(current, owner.uid, owner.gid);
      current = dirname(current);
    }
  }

  /** Regular files below `directory` (symlinks are not followed and not listed). */
  async list(directory: string | undefined, recursive: boolean): Promise<SandboxFileInfo[]> {
    let start = this.root;
    let prefix = '';
    if (directory !== undefined && directory !== '' && directory !== '.') {
      prefix = checkedRelativePath(directory);
      const real = await realpathInside(this.root, join(this.root, prefix), prefix);
      if (real === null) return [];
      start = real;
    }
    const files: SandboxFileInfo[] = [];
    const walk = async (absolute: string, relative: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(absolute, { withFileTypes: true });
      } catch (error) {
        if (errorCode(error) === 'ENOENT' || errorCode(error) === 'ENOTDIR') return;
        throw error;
      }
      for (const entry of entries) {
        const childAbsolute = join(absolute, entry.name);
        const childRelative = relative === '' ? entry.name : `${relative}/${entry.name}`;
        if (entry.isDirectory()) {
          if (recursive) await walk(childAbsolute, childRelative);
        } else if (entry.isFile()) {
          try {
            const stats = await lstat(childAbsolute);
            files.push({ path: childRelative, size: stats.size, modifiedAt: Math.round(stats.mtimeMs) });
          } catch (error) {
            if (errorCode(error) !== 'ENOENT') throw error;
          }
        }
      }
    };
    await walk(start, prefix);
    return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /**
   * The host path to open for `absolute`: itself, or the real path of the symlink it is when that
   * stays inside the root. `null` when nothing (not even a dangling link) exists there.
   */
  private async resolveFinal(absolute: string, relative: string): Promise<string | null> {
    let stats;
    try {
      stats = await lstat(absolute);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return null;
      throw error;
    }
    if (!stats.isSymbolicLink()) return absolute;
    let real: string;
    try {
      real = await realpath(absolute);
    } catch {
      throw pathRefusedError(relative, 'it is a symbolic link to nothing');
    }
    if (!isInside(this.root, real)) throw pathRefusedError(relative, 'it is a symbolic link out of the sandbox');
    return real;
  }
}
