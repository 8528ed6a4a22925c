import { Readable } from 'node:stream';
import { AgentRuntimeError, type WorkspaceUpload } from '@agent-runtime/core';

const BLOCK = 512;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

function tarError(message: string, details: Record<string, unknown> = {}): AgentRuntimeError {
  return new AgentRuntimeError('INVALID_INPUT', `body: ${message}`, { details: { field: 'body', ...details } });
}

function readString(block: Uint8Array, offset: number, length: number): string {
  const slice = block.subarray(offset, offset + length);
  const end = slice.indexOf(0);
  return decoder.decode(end === -1 ? slice : slice.subarray(0, end));
}

function readOctal(block: Uint8Array, offset: number, length: number): number {
  const text = readString(block, offset, length).trim();
  if (!/^[0-7]*$/.test(text)) throw tarError('not a tar archive (a bad size field)');
  return text === '' ? 0 : Number.parseInt(text, 8);
}

function checksumOk(block: Uint8Array): boolean {
  let sum = 0;
  for (let index = 0; index < BLOCK; index++) sum += index >= 148 && index < 156 ? 32 : block[index]!;
  return sum === readOctal(block, 148, 8);
}

/** `path=` from a pax extended header. */
function paxPath(data: Uint8Array): string | undefined {
  let text = decoder.decode(data);
  while (text.length > 0) {
    const space = text.indexOf(' ');
    const length = Number.parseInt(text.slice(0, space), 10);
    if (!(length > 0)) break;
    const record = text.slice(space + 1, length - 1);
    if (record.startsWith('path=')) return record.slice(5);
    text = text.slice(length);
  }
  return undefined;
}

/**
 * The regular files of a tar archive (ustar, pax or GNU long names). Directories are skipped;
 * links and devices are refused (INVALID_INPUT), as is anything that is not a tar archive.
 * Paths are returned as written: the engine checks them.
 */
export function parseTar(archive: Uint8Array): WorkspaceUpload[] {
  const files: WorkspaceUpload[] = [];
  let offset = 0;
  let longName: string | undefined;
  while (offset + BLOCK <= archive.byteLength) {
    const header = archive.subarray(offset, offset + BLOCK);
    if (header.every((byte) => byte === 0)) return files;
    if (!checksumOk(header)) throw tarError('not a tar archive (a bad header checksum)', { offset });
    const size = readOctal(header, 124, 12);
    const type = String.fromCharCode(header[156]!);
    const dataStart = offset + BLOCK;
    if (dataStart + size > archive.byteLength) throw tarError('the tar archive is truncated');
    const data = archive.subarray(dataStart, dataStart + size);
    offset = dataStart + Math.ceil(size / BLOCK) * BLOCK;
    const prefix = readString(header, 345, 155);
    const name = longName ?? (prefix ? `${prefix}/${readString(header, 0, 100)}` : readString(header, 0, 100));
    if (type === 'x' || type === 'L') {
      longName = type === 'x' ? paxPath(data) : readString(data, 0, data.byteLength);
      continue;
    }
    longName = undefined;
    if (type === 'g' || type === '5') continue;
    if (type !== '0' && type !== '\0' && type !== '7') {
      throw tarError(`tar entry "${name.slice(0, 200)}" is not a regular file (type ${type}); only files and directories are accepted`, { path: name.slice(0, 200) });
    }
    files.push({ path: name, content: new Uint8Array(data) });
  }
  if (archive.byteLength === 0) return files;
  throw tarError('the tar archive has no end marker');
}

function octal(value: number, length: number): string {
  return value.toString(8).padStart(length - 1, '0') + '\0';
}

function header(name: string, size: number, type: string, mtimeSeconds: number): Uint8Array {
  const block = new Uint8Array(BLOCK);
  const put = (text: string, at: number, length: number) => block.set(encoder.encode(text).subarray(0, length), at);
  put(name, 0, 100);
  put(octal(0o644, 8), 100, 8);
  put(octal(0, 8), 108, 8);
  put(octal(0, 8), 116, 8);
  put(octal(size, 12), 124, 12);
  put(octal(mtimeSeconds, 12), 136, 12);
  put('        ', 148, 8);
  put(type, 156, 1);
  put('ustar\0', 257, 6);
  put('00', 263, 2);
  let sum = 0;
  for (const byte of block) sum += byte;
  put(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8);
  return block;
}

function padding(size: number): Uint8Array {
  return new Uint8Array((BLOCK - (size % BLOCK)) % BLOCK);
}

function* entry(path: string, content: Uint8Array, mtimeSeconds: number): Generator<Uint8Array> {
  const name = encoder.encode(path);
  if (name.byteLength > 100) {
    // A pax header carries the long path; the ustar name is a truncated stand-in.
    const record = (length: number) => `${length} path=${path}\n`;
    let length = encoder.encode(record(0)).byteLength;
    while (encoder.encode(record(length)).byteLength !== length) length = encoder.encode(record(length)).byteLength;
    const pax = encoder.encode(record(length));
    yield header('PaxHeader', pax.byteLength, 'x', mtimeSeconds);
    yield pax;
    yield padding(pax.byteLength);
  }
  yield header(decoder.decode(name.subarray(0, 100)).replace(/\uFFFD+$/, ''), content.byteLength, '0', mtimeSeconds);
  yield content;
  yield padding(content.byteLength);
}

/** A ustar stream of `files` (pax headers for paths over 100 bytes), ending with two zero blocks. */
export function tarStream(files: Iterable<WorkspaceUpload>, mtimeSeconds = Math.floor(Date.now() / 1000)): Readable {
  function* blocks(): Generator<Buffer> {
    for (const file of files) {
      for (const chunk of entry(file.path, file.content, mtimeSeconds)) {
        if (chunk.byteLength > 0) yield Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      }
    }
    yield Buffer.alloc(BLOCK * 2);
  }
  return Readable.from(blocks(), { objectMode: false });
}
