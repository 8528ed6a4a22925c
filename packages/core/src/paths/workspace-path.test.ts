import { describe, expect, it } from 'vitest';
import { normalizeWorkspacePath, workspacePathProblem } from './workspace-path.js';

describe('workspace paths', () => {
  it.each(['a.txt', 'src/index.ts', 'ünïcødé/文件.md', './a/./b', 'a//b', '..foo', 'foo..'])('accepts %s', (path) => {
    expect(workspacePathProblem(path)).toBeNull();
  });

  it.each(['', '/etc/passwd', '../x', 'a/../../x', 'a/..', '..', 'C:/x', 'a\\b', 'a\0b', '.', './', 'x'.repeat(5000)])(
    'refuses %j',
    (path) => {
      expect(workspacePathProblem(path)).not.toBeNull();
    },
  );

  it('normalises', () => {
    expect(normalizeWorkspacePath('./a//b/')).toBe('a/b');
    expect(normalizeWorkspacePath('../a')).toBeNull();
  });
});
