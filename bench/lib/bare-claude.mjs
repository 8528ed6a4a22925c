// Shared by the benchmarks that compare the runtime with the bare Claude Code CLI: one turn of
// the CLI through the Agent SDK's query() on the host (no sandbox, no engine), in a fresh
// temporary home and workspace, against the given model server.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { query } from '@anthropic-ai/claude-agent-sdk';
import { claudeCodeEnv, claudeCodeExecutablePath, prepareClaudeCodeDirs } from '@agent-runtime/agent-claude';

/**
 * @param {{ url: string }} server the scripted model server
 * @param {string} prompt
 * @returns {Promise<{ first: number | undefined, end: number }>} ms from start to the first streamed message, and to the end
 */
export async function bareClaudeTurn(server, prompt) {
  const root = mkdtempSync(join(tmpdir(), 'bench-bare-claude-'));
  const home = join(root, 'home');
  const cwd = join(root, 'ws');
  mkdirSync(cwd, { recursive: true });
  prepareClaudeCodeDirs({ home });
  const started = performance.now();
  let first;
  const run = query({
    prompt,
    options: {
      cwd,
      env: claudeCodeEnv({ home, path: process.env.PATH, variables: { ANTHROPIC_BASE_URL: server.url, ANTHROPIC_API_KEY: 'sk-ant-bench', CLAUDE_CODE_MAX_RETRIES: '1' } }),
      pathToClaudeCodeExecutable: claudeCodeExecutablePath(),
      permissionMode: 'bypassPermissions',
      includePartialMessages: true,
      model: 'claude-sonnet-4-5',
    },
  });
  for await (const message of run) {
    if (first === undefined && (message.type === 'stream_event' || message.type === 'assistant')) first = performance.now() - started;
  }
  const end = performance.now() - started;
  rmSync(root, { recursive: true, force: true });
  return { first, end };
}
