import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hasErrorCode } from '@agent-runtime/core';
import { createLocalSandboxProvider } from './local-sandbox-provider.js';

describe('LocalSandbox.readFileRange', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'read-range-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('reads a byte range (fewer at the end, none past it) and refuses bad ranges and missing files', async () => {
    const sandbox = await createLocalSandboxProvider({ dataDir }).create({ sessionId: 'range' });
    try {
      await sandbox.writeFile('t.jsonl', 'line one\nline two\n', { root: 'home' });
      const text = async (offset: number, length: number) => new TextDecoder().decode(await sandbox.readFileRange!('t.jsonl', offset, length, { root: 'home' }));
      expect(await text(9, 100)).toBe('line two\n');
      expect(await text(0, 4)).toBe('line');
      expect(await text(18, 10)).toBe('');
      expect(await text(50, 10)).toBe('');
      await expect(sandbox.readFileRange!('t.jsonl', -1, 1, { root: 'home' })).rejects.toSatisfy((error) => hasErrorCode(error, 'INVALID_INPUT'));
      await expect(sandbox.readFileRange!('missing', 0, 1)).rejects.toSatisfy((error) => hasErrorCode(error, 'FILE_NOT_FOUND'));
      await expect(sandbox.readFileRange!('../escape', 0, 1)).rejects.toSatisfy((error) => hasErrorCode(error, 'PATH_REFUSED'));
    } finally {
      await sandbox.terminate();
    }
  });
});
