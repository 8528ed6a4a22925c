import type { WorkspaceFile } from '@agent-runtime/core';

const decoder = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

/** A workspace file from raw bytes: UTF-8 text when it decodes cleanly, base64 otherwise. */
export function workspaceFileFromBytes(path: string, bytes: Uint8Array): WorkspaceFile {
  try {
    return { path, content: decoder.decode(bytes) };
  } catch {
    return { path, content: Buffer.from(bytes).toString('base64'), encoding: 'base64' };
  }
}

/** The bytes a stored workspace file stands for. */
export function workspaceFileBytes(file: WorkspaceFile): Uint8Array {
  return file.encoding === 'base64' ? Buffer.from(file.content, 'base64') : encoder.encode(file.content);
}
