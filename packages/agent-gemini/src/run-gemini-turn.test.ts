import type { AgentEvent, Sandbox, SandboxProcess } from '@agent-runtime/core';
import { describe, expect, it, vi } from 'vitest';
import { AgentRuntimeError, noopLogger } from '@agent-runtime/core';
import { imagesOnlyPrompt, PROMPT_FILE, promptText, runGeminiTurn } from './run-gemini-turn.js';

const encoder = new TextEncoder();

/** A sandbox whose exec plays back canned stdout and exit code (no files). */
function scriptedSandbox(stdout: string[], exitCode: number, options: { execError?: Error; stopError?: AgentRuntimeError } = {}) {
  const kill = vi.fn();
  const commands: string[][] = [];
  const writes: { path: string; content: string | Uint8Array; root: string | undefined }[] = [];
  const sandbox = {
    id: 'x',
    sessionId: 's',
    provider: 'scripted',
    workspacePath: '/workspace',
    homePath: '/home/agent',
    async exec(command: string[]): Promise<SandboxProcess> {
      commands.push(command);
      if (options.execError) throw options.execError;
      const stream = (lines: string[]) =>
        new ReadableStream<Uint8Array>({
          start(controller) {
            for (const line of lines) controller.enqueue(encoder.encode(line));
            controller.close();
          },
        });
      return { stdin: null, stdout: stream(stdout), stderr: stream(['some warning\n']), wait: async () => exitCode, kill, ...(options.stopError ? { stopError: options.stopError } : {}) };
    },
    readFile: async () => {
      throw Object.assign(new Error('missing'), { code: 'FILE_NOT_FOUND' });
    },
    writeFile: async (path: string, content: string | Uint8Array, options?: { root?: 'workspace' | 'home' }) => {
      writes.push({ path, content, root: options?.root });
    },
    listFiles: async () => [],
    deleteFile: async () => {},
    isRunning: async () => true,
    terminate: async () => {},
  } satisfies Sandbox;
  return { sandbox, kill, commands, writes };
}

const settings = { nodePath: 'node', cliEntryPath: 'gemini.js', env: {}, model: 'm', logger: noopLogger, interruptGraceMs: 10 };

async function collect(sandbox: Sandbox, signal = new AbortController().signal) {
  const events: AgentEvent[] = [];
  for await (const event of runGeminiTurn({ sessionId: 's', sandbox, profile: { id: 'p', name: 'p' }, message: 'hi', turnId: 't', signal }, settings)) {
    events.push(event);
  }
  return events;
}

describe('runGeminiTurn outcomes (scripted process)', () => {
  it('trusts result.status over a zero exit code', async () => {
    const { sandbox, commands, writes } = scriptedSandbox(['{"type":"init","session_id":"u","model":"m"}\n', '{"type":"result","status":"error","error":{"message":"empty reply"}}\n'], 0);
    const events = await collect(sandbox);
    expect(events.at(-1)).toEqual({ type: 'turn:end', outcome: 'error', error: { code: 'AGENT_ERROR', message: 'empty reply' } });
    // The prompt goes through a home file on stdin, never argv (and no -p, which would prepend stdin).
    expect(writes).toEqual([{ path: PROMPT_FILE, content: 'hi', root: 'home' }]);
    expect(commands[0]?.slice(0, 4)).toEqual(['sh', '-c', 'exec "$@" < "$0"', `/home/agent/${PROMPT_FILE}`]);
    expect(commands[0]?.some((part) => part === 'hi' || part.startsWith('--prompt') || part === '-p')).toBe(false);
    expect(commands[0]).toContain('--session-id');
  });

  it('explains an exit without a result, and ends with exactly one turn:end', async () => {
    const { sandbox } = scriptedSandbox(['not json\n'], 41);
    const events = await collect(sandbox);
    expect(events.filter((e) => e.type === 'turn:end')).toEqual([
      { type: 'turn:end', outcome: 'error', error: { code: 'AGENT_ERROR', message: expect.stringContaining('exit 41') } },
    ]);
  });

  it('ends with the sandbox’s code when a sandbox limit killed the CLI (stopError)', async () => {
    const stopError = new AgentRuntimeError('LIMIT_EXCEEDED', 'The workspace would exceed its disk limit.', { details: { limit: 'workspaceMiB' } });
    const { sandbox } = scriptedSandbox(['{"type":"init","session_id":"u","model":"m"}\n'], 137, { stopError });
    const events = await collect(sandbox);
    expect(events.at(-1)).toEqual({ type: 'turn:end', outcome: 'error', error: { code: 'LIMIT_EXCEEDED', message: 'The workspace would exceed its disk limit.' } });
  });

  it('completes on result success even with a non-zero exit code', async () => {
    const { sandbox } = scriptedSandbox(['{"type":"result","status":"success","stats":{"input_tokens":3,"output_tokens":2}}'], 1);
    const events = await collect(sandbox);
    expect(events.at(-1)).toEqual({ type: 'turn:end', outcome: 'completed', usage: { inputTokens: 3, outputTokens: 2 } });
  });

  it('ends with an error when the sandbox cannot start the CLI', async () => {
    const { sandbox } = scriptedSandbox([], 0, { execError: new Error('sandbox gone') });
    const events = await collect(sandbox);
    expect(events).toEqual([{ type: 'turn:end', outcome: 'error', error: { code: 'AGENT_ERROR', message: 'Gemini CLI failed: sandbox gone' } }]);
  });

  it('ends interrupted at once when the signal is already aborted', async () => {
    const { sandbox, commands } = scriptedSandbox([], 0);
    const controller = new AbortController();
    controller.abort();
    expect(await collect(sandbox, controller.signal)).toEqual([{ type: 'turn:end', outcome: 'interrupted' }]);
    expect(commands).toEqual([]);
  });

  it('kills the CLI when the consumer stops early', async () => {
    const { sandbox, kill } = scriptedSandbox(['{"type":"init","session_id":"u","model":"m"}\n', '{"type":"result","status":"success"}\n'], 0);
    for await (const event of runGeminiTurn({ sessionId: 's', sandbox, profile: { id: 'p', name: 'p' }, message: 'hi', turnId: 't', signal: new AbortController().signal }, settings)) {
      expect(event.type).toBe('metadata');
      break;
    }
    expect(kill).toHaveBeenCalledWith('SIGKILL');
  });

  it('turns message parts into prompt text', () => {
    expect(promptText([{ type: 'text', text: 'a' }, { type: 'image', mediaType: 'image/png', data: 'x' }, { type: 'text', text: 'b' }], noopLogger)).toBe('a\n\nb');
  });

  it('says when images were not sent: one warning per turn; an images-only message becomes a note for the model', () => {
    const warn = vi.fn();
    const logger = { ...noopLogger, warn };
    const image = { type: 'image' as const, mediaType: 'image/png', data: 'x' };
    expect(promptText([image, { type: 'text', text: 'What is this?' }, image], logger)).toBe('What is this?');
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![0]).toEqual({ images: 2 });
    expect(promptText([image], logger)).toBe(imagesOnlyPrompt(1));
    expect(imagesOnlyPrompt(1)).toContain('an image');
    expect(promptText([{ type: 'text', text: 'no images' }], logger)).toBe('no images');
    expect(warn).toHaveBeenCalledTimes(2);
  });
});
