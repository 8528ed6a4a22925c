import { describe, expect, it } from 'vitest';
import { checkGitUrl, cloneGitSource } from './git-source.js';

describe('git source checks (before git runs)', () => {
  it('accepts file: and https: only, without credentials', () => {
    expect(checkGitUrl('file:///tmp/repo.git').protocol).toBe('file:');
    expect(checkGitUrl('https://example.com/r.git').protocol).toBe('https:');
    for (const url of ['ssh://h/r.git', 'git://h/r.git', 'git@h:r.git', 'ext::sh -c x', 'http://h/r.git', 'https://u:p@h/r.git', '/tmp/repo.git']) {
      expect(() => checkGitUrl(url), url).toThrow(expect.objectContaining({ code: 'INVALID_INPUT', details: expect.objectContaining({ field: 'git.url' }) }));
    }
  });

  it('refuses a ref that could be read as an option or a range', async () => {
    for (const ref of ['--upload-pack=x', 'a..b', 'a b']) {
      await expect(cloneGitSource({ url: 'file:///nonexistent.git', ref }, { maxFileBytes: 10 })).rejects.toMatchObject({
        code: 'INVALID_INPUT',
        details: { field: 'git.ref' },
      });
    }
  });
});
