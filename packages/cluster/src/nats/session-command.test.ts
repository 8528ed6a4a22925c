import { describe, expect, it } from 'vitest';
import { sessionCommandSchema } from './session-command.js';

describe('sessionCommandSchema: workspace commands', () => {
  it('takes filesStored and readFile with workspace paths, and refuses paths that leave the workspace', () => {
    expect(sessionCommandSchema.safeParse({ type: 'filesStored', sessionId: 's1', paths: ['notes/a.md', 'b.bin'] }).success).toBe(true);
    expect(sessionCommandSchema.safeParse({ type: 'readFile', sessionId: 's1', path: 'notes/a.md' }).success).toBe(true);
    expect(sessionCommandSchema.safeParse({ type: 'readFile', sessionId: 's1', path: '../etc/passwd' }).success).toBe(false);
    expect(sessionCommandSchema.safeParse({ type: 'filesStored', sessionId: 's1', paths: ['ok.txt', '/etc/passwd'] }).success).toBe(false);
    expect(sessionCommandSchema.safeParse({ type: 'filesStored', sessionId: 's1', paths: [] }).success).toBe(false);
  });
});
