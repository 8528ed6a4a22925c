import { createFakeSandboxProvider } from '@agent-runtime/testkit';
import { describe, expect, it } from 'vitest';
import { minuteStamp, prepareSessionFileForLoad, removeStraySessionFiles } from './acp-session-files.js';

const id = '0123abcd-1111-4222-8333-444455556666';
const chats = '.gemini/tmp/workspace/chats';
const now = Date.parse('2026-12-01T11:44:30Z');

async function sandboxWith(files: Record<string, string>) {
  const sandbox = await createFakeSandboxProvider().create({ sessionId: 's' });
  for (const [path, content] of Object.entries(files)) await sandbox.writeFile(path, content, { root: 'home' });
  return sandbox;
}

describe('session-file housekeeping around session/load', () => {
  it('renames a file named for this minute (where the load would append its fresh chat) to an earlier minute, content kept', async () => {
    const sandbox = await sandboxWith({ [`${chats}/session-2026-12-01T11-44-0123abcd.jsonl`]: 'HISTORY\n' });
    const kept = await prepareSessionFileForLoad(sandbox, id, now);
    expect(kept).toBe(`${chats}/session-${minuteStamp(now - 10 * 60_000)}-0123abcd.jsonl`);
    expect(kept).toBe(`${chats}/session-2026-12-01T11-34-0123abcd.jsonl`);
    expect(new TextDecoder().decode(await sandbox.readFile(kept!, { root: 'home' }))).toBe('HISTORY\n');
    expect((await sandbox.listFiles({ root: 'home' })).map((file) => file.path)).toEqual([kept]);
  });

  it('leaves an older file where it is, and says when the session has none', async () => {
    const old = `${chats}/session-2026-11-30T09-00-0123abcd.jsonl`;
    expect(await prepareSessionFileForLoad(await sandboxWith({ [old]: 'x\n' }), id, now)).toBe(old);
    expect(await prepareSessionFileForLoad(await sandboxWith({}), id, now)).toBeUndefined();
  });

  it('removes every other main session file (process-start and load strays), keeps subagent files', async () => {
    const keep = `${chats}/session-2026-12-01T11-34-0123abcd.jsonl`;
    const sandbox = await sandboxWith({
      [keep]: 'main\n',
      [`${chats}/session-2026-12-01T11-44-0123abcd.jsonl`]: 'stray of the load\n',
      [`${chats}/session-2026-12-01T11-44-ffff0000.jsonl`]: 'stray of the process start\n',
      [`${chats}/${id}/agent-1.jsonl`]: 'subagent\n',
      '.gemini/settings.json': '{}',
    });
    await removeStraySessionFiles(sandbox, keep);
    expect((await sandbox.listFiles({ root: 'home' })).map((file) => file.path).sort()).toEqual(['.gemini/settings.json', `${chats}/${id}/agent-1.jsonl`, keep]);
  });
});
