import type { SandboxFileWrite } from '@agent-runtime/core';
import { checkedPath } from './file-paths.js';

/** One file of a batched write (core's `SandboxFileWrite`). */
export type BatchFile = SandboxFileWrite;

export interface EncodedBatch {
  /** Files for the batch script, in order, with their caller-side index. */
  entries: { index: number; path: string; bytes: Uint8Array; header: Uint8Array }[];
  /** Files the line format cannot carry (a newline in the path): written one by one. */
  single: number[];
}

const encoder = new TextEncoder();

/** Checks every path (PATH_REFUSED before anything is sent) and frames the files for `BATCH_WRITE_SCRIPT`. */
export function encodeBatch(files: readonly BatchFile[]): EncodedBatch {
  const batch: EncodedBatch = { entries: [], single: [] };
  files.forEach((file, index) => {
    const relative = checkedPath(file.path);
    if (/[\n\r]/.test(relative)) {
      batch.single.push(index);
      return;
    }
    const bytes = typeof file.content === 'string' ? encoder.encode(file.content) : file.content;
    const header = encoder.encode(`${file.root === 'home' ? 'h' : 'w'} ${bytes.byteLength} ${relative}\n`);
    batch.entries.push({ index, path: file.path, bytes, header });
  });
  return batch;
}

export const BATCH_END = encoder.encode('end\n');

/** Parses the script's `<index> <code>` failure lines. */
export function parseBatchFailures(output: Uint8Array): { position: number; code: number }[] {
  return new TextDecoder()
    .decode(output)
    .split('\n')
    .filter((line) => /^\d+ \d+$/.test(line))
    .map((line) => {
      const [position, code] = line.split(' ').map(Number);
      return { position: position as number, code: code as number };
    });
}
