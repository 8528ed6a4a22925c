import { describe, expect, it } from 'vitest';
import { geminiSessionUuid, isGeminiConfigPath, projectSlug, sessionFileName } from './gemini-paths.js';
import { sessionHeader } from './restore-session.js';

describe('gemini paths', () => {
  it('derives a stable uuid per session that the CLI accepts', () => {
    const uuid = geminiSessionUuid('session-1');
    expect(uuid).toBe(geminiSessionUuid('session-1'));
    expect(uuid).not.toBe(geminiSessionUuid('session-2'));
    expect(uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('recognises agent config paths and nothing else', () => {
    for (const path of ['GEMINI.md', 'src/GEMINI.md', '.gemini/settings.json', 'a/.gemini/commands/x.toml', '.geminiignore', './GEMINI.md']) {
      expect(isGeminiConfigPath(path), path).toBe(true);
    }
    for (const path of ['README.md', 'gemini.md.bak', 'src/gemini/index.ts', 'docs/GEMINI.md.txt', '.geminirc']) {
      expect(isGeminiConfigPath(path), path).toBe(false);
    }
  });

  it('names session files like the CLI and reads the header back', () => {
    expect(sessionFileName('0123abcd-0000-4000-8000-000000000000', '2026-11-27T05:28:02.483Z')).toBe('session-2026-11-27T05-28-0123abcd.jsonl');
    expect(projectSlug('/workspace')).toBe('workspace');
    expect(projectSlug('/tmp/My Work/')).toBe('my-work');
    expect(projectSlug('/')).toBe('workspace');
    expect(sessionHeader('garbage\n{"sessionId":"u","projectHash":"h","startTime":"t"}\n')).toEqual({ sessionId: 'u', startTime: 't' });
    expect(sessionHeader('')).toEqual({});
  });
});
