import { createHash, randomBytes } from 'node:crypto';
import type { AgentProfile, SessionListData } from '@agent-runtime/core';

let counter = 0;

/** A unique session id, so tests never collide even on a shared store. */
export function uniqueSessionId(prefix = 'session'): string {
  counter += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter}`;
}

/** A complete session record with every optional field set. */
export function sessionRecord(overrides: Partial<SessionListData> = {}): SessionListData {
  return {
    sessionId: uniqueSessionId(),
    type: 'claude-agent-sdk',
    agentProfileReference: 'profile-1',
    name: 'Refactor the parser',
    status: 'pending',
    lastActivity: 1_750_000_000_123,
    createdAt: 1_750_000_000_000,
    metadata: { model: 'claude-sonnet', tokens: { input: 12, output: 34 }, tags: ['a', 'b'] },
    ...overrides,
  };
}

/** A profile using every field, secrets included (the store must keep them; lists must not show them). */
export function fullProfile(id = 'profile-1'): AgentProfile {
  return {
    id,
    name: `Profile ${id}`,
    description: 'Writes and reviews code',
    systemPrompt: 'Be brief.',
    agentMDFile: '# Rules\n- test first\n',
    model: 'claude-sonnet-4',
    skills: [
      {
        name: 'pdf',
        description: 'Read PDFs',
        skillMd: 'Use pdftotext.',
        supportingFiles: [{ relativePath: 'scripts/extract.py', content: 'print(1)\n' }],
      },
    ],
    subagents: [{ name: 'reviewer', description: 'Reviews diffs', prompt: 'Review.', tools: ['Read'] }],
    commands: [{ name: 'ship', prompt: 'Ship it.' }],
    tools: ['Read', 'Write', 'Bash'],
    mcpServers: {
      files: { command: 'mcp-files', args: ['--root', '.'], env: { TOKEN: 'secret-1' } },
      web: { type: 'http', url: 'https://mcp.example.com/', headers: { authorization: 'Bearer secret-2' } },
    },
    environmentVariables: { API_KEY: 'secret-3' },
    defaultWorkspaceFiles: [{ path: 'README.md', content: '# hello\n' }],
  };
}

/**
 * A string of about `bytes` UTF-8 bytes mixing ASCII, CJK, emoji and combining characters, as a
 * JSONL transcript would: lines of JSON. Deterministic for a given seed.
 */
export function largeTranscript(bytes: number, seed = 'seed'): string {
  const lines: string[] = [];
  let size = 0;
  let index = 0;
  while (size < bytes) {
    const line = JSON.stringify({
      type: 'assistant',
      index,
      seed,
      text: `line ${index} 日本語テキスト 🎉👩‍💻 e\u0301 ${'x'.repeat(index % 97)}`,
    });
    lines.push(line);
    size += Buffer.byteLength(line) + 1;
    index += 1;
  }
  return `${lines.join('\n')}\n`;
}

/** Random binary data and its base64 form. */
export function binaryFile(length = 4096): { bytes: Buffer; base64: string } {
  const bytes = Buffer.concat([Buffer.from([0, 255, 254, 0, 1]), randomBytes(length)]);
  return { bytes, base64: bytes.toString('base64') };
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Workspace files in a comparable form: sorted by path, `encoding` made explicit. Adapters may
 * omit `encoding` for UTF-8 files; the order of `workspaceFiles` is not part of the contract.
 */
export function comparableFiles(
  files: readonly { path: string; content: string; encoding?: 'utf8' | 'base64' | undefined }[] | undefined,
): { path: string; content: string; encoding: 'utf8' | 'base64' }[] {
  return (files ?? [])
    .map((file) => ({ path: file.path, content: file.content, encoding: file.encoding ?? 'utf8' }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
