import type { Sandbox } from '@agent-runtime/core';
import { describe, expect, it } from 'vitest';
import { createGeminiArchitecture } from './create-gemini-architecture.js';
import { geminiSessionUuid } from './gemini-paths.js';

/** A sandbox that only lists files (path + mtime) under the home root. */
function listingSandbox(files: { path: string; modifiedAt: number }[] | 'missing'): Sandbox {
  return {
    listFiles: async () => {
      if (files === 'missing') throw Object.assign(new Error('no such directory'), { code: 'FILE_NOT_FOUND' });
      return files.map((file) => ({ ...file, size: 1 }));
    },
  } as unknown as Sandbox;
}

describe('gemini-cli transcriptFiles', () => {
  const architecture = createGeminiArchitecture({ env: { GEMINI_API_KEY: 'k' }, cliEntryPath: '/x/bundle/gemini.js' });
  const uuid = geminiSessionUuid('s-1');
  const chats = '.gemini/tmp/workspace/chats';

  it('names the main session file, then each subagent file of the session, all under the home root', async () => {
    const sandbox = listingSandbox([
      { path: `${chats}/session-2026-12-01T10-00-${uuid.slice(0, 8)}.jsonl`, modifiedAt: 2 },
      { path: `${chats}/${uuid}/codebase_investigator-1a2b.jsonl`, modifiedAt: 3 },
      { path: `${chats}/session-2026-12-01T09-00-ffffffff.jsonl`, modifiedAt: 9 }, // another session
      { path: `${chats}/ffffffff-0000-4000-8000-000000000000/other.jsonl`, modifiedAt: 9 },
      { path: `${chats}/${uuid}/notes.txt`, modifiedAt: 9 },
    ]);
    expect(await architecture.transcriptFiles!(sandbox, 's-1')).toEqual([
      { path: `${chats}/session-2026-12-01T10-00-${uuid.slice(0, 8)}.jsonl`, root: 'home' },
      { subagentId: 'codebase_investigator-1a2b', path: `${chats}/${uuid}/codebase_investigator-1a2b.jsonl`, root: 'home' },
    ]);
  });

  it('follows the newest main file when the CLI starts another one (a rewrite the engine stores whole)', async () => {
    const sandbox = listingSandbox([
      { path: `${chats}/session-2026-12-01T10-00-${uuid.slice(0, 8)}.jsonl`, modifiedAt: 1 },
      { path: `${chats}/session-2026-12-01T10-30-${uuid.slice(0, 8)}.jsonl`, modifiedAt: 5 },
    ]);
    expect(await architecture.transcriptFiles!(sandbox, 's-1')).toEqual([{ path: `${chats}/session-2026-12-01T10-30-${uuid.slice(0, 8)}.jsonl`, root: 'home' }]);
  });

  it('names no file before the CLI wrote one', async () => {
    expect(await architecture.transcriptFiles!(listingSandbox('missing'), 's-1')).toEqual([]);
    expect(await architecture.transcriptFiles!(listingSandbox([]), 's-1')).toEqual([]);
  });
});
