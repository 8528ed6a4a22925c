import type { AgentEvent, AgentTurnContext, Logger, TokenUsage } from '@agent-runtime/core';
import { createClaudeStreamReducer } from '@agent-runtime/transcript-claude';
import { query, type Options, type SDKMessage, type SDKUserMessage } from '@anthropic-ai/claude-agent-sdk';
import { claudeQueryOptions } from './claude-query-options.js';
import { claudeSessionIdFor, claudeTranscriptPaths, uuidFrom } from './claude-paths.js';
import { EventChannel } from '@agent-runtime/core/helpers';
import type { SandboxSpawnedProcess } from './sandbox-spawn.js';
import { SubagentTail } from './subagent-tail.js';
import { sdkUserMessage } from './user-message.js';

export interface ClaudeTurnSettings {
  executablePath: string;
  env: Record<string, string>;
  options: Partial<Options>;
  logger: Logger;
  /** How often subagent transcripts are polled while a turn runs. */
  subagentPollMs: number;
  /** How long an interrupt may take before the CLI is killed. */
  interruptGraceMs: number;
  onSdkMessage?: ((message: unknown) => void) | undefined;
}

/** One turn of Claude Code inside the context's sandbox, as block events ending with one `turn:end`. */
export async function* runClaudeTurn(context: AgentTurnContext, settings: ClaudeTurnSettings): AsyncGenerator<AgentEvent> {
  const { sandbox, signal } = context;
  const started = Date.now();
  const claudeSessionId = claudeSessionIdFor(context.sessionId);
  const paths = claudeTranscriptPaths(sandbox.workspacePath, claudeSessionId);
  const channel = new EventChannel<AgentEvent>();
  const reducer = createClaudeStreamReducer();
  const tail = new SubagentTail(sandbox, paths.subagent, reducer, (events) => channel.push(...events));
  const abortController = new AbortController();
  let spawned: SandboxSpawnedProcess | undefined;
  let failure: { code: string; message: string } | undefined;

  const resume = await sandbox.readFile(paths.main, { root: 'home' }).then(() => true, () => false);
  const userMessage = sdkUserMessage(context.message, uuidFrom(`${context.sessionId}:${context.turnId}`));
  // Input stays open until the first result so control requests (interrupt) still reach the CLI;
  // closing it then lets the CLI finish (background subagents may still add results).
  let releaseInput = () => {};
  const inputDone = new Promise<void>((resolve) => (releaseInput = resolve));
  async function* prompt(): AsyncGenerator<SDKUserMessage> {
    yield userMessage;
    await inputDone;
  }
  const options = claudeQueryOptions(
    sandbox,
    settings,
    { claudeSessionId, resume, logContext: { sessionId: context.sessionId } },
    abortController,
    (process) => (spawned = process),
  );

  const run = query({ prompt: prompt(), options });
  let interrupted = false;
  const onAbort = () => {
    interrupted = true;
    run.interrupt().catch(() => undefined);
    setTimeout(() => abortController.abort(), settings.interruptGraceMs).unref();
  };
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  const poller = setInterval(() => {
    if (tail.following > 0) void tail.poll();
  }, settings.subagentPollMs);

  const consume = (async () => {
    try {
      for await (const message of run as AsyncIterable<SDKMessage>) {
        settings.onSdkMessage?.(message);
        const events = reducer.push(message as unknown as Parameters<typeof reducer.push>[0]);
        for (const event of events) if (event.type === 'subagent:discovered') tail.follow(event.subagent.id);
        // The CLI appends a transcript line for every assistant and user message: ask for a sync
        // (the engine debounces) so a crash mid-turn loses as little as possible.
        if (message.type === 'assistant' || message.type === 'user') events.push({ type: 'transcript:changed' });
        if (message.type === 'result') {
          events.push({ type: 'transcript:changed' });
          releaseInput();
        }
        channel.push(...events);
        // A subagent's tool result ends its run: make its own blocks complete first.
        if (events.some((event) => event.type === 'subagent:completed')) await tail.poll();
      }
    } catch (error) {
      if (!interrupted) failure = { code: 'AGENT_ERROR', message: error instanceof Error ? error.message : String(error) };
    } finally {
      releaseInput();
      clearInterval(poller);
      signal.removeEventListener('abort', onAbort);
      await tail.poll().catch(() => undefined);
      channel.close();
    }
  })();

  try {
    yield* channel.drain();
  } finally {
    // The consumer stopped early (or finished): never leave the CLI running.
    if (!(await Promise.race([consume.then(() => true), Promise.resolve(false)]))) abortController.abort();
  }
  await consume;

  const last = reducer.lastResult;
  let outcome: 'completed' | 'interrupted' | 'error' = 'completed';
  if (interrupted) outcome = 'interrupted';
  else if (failure || last?.isError || !last) {
    outcome = 'error';
    const running = await sandbox.isRunning().catch(() => false);
    const stopped = spawned?.stopError;
    if (!running) failure = { code: 'SANDBOX_TERMINATED', message: 'The sandbox stopped during the turn.' };
    else if (stopped) failure = { code: stopped.code, message: stopped.message }; // a sandbox limit killed the CLI
    else if (last?.isError) failure = { code: 'AGENT_ERROR', message: last.text ?? failure?.message ?? 'Claude Code reported an error.' };
    else failure ??= { code: 'AGENT_ERROR', message: `Claude Code ended without a result.${spawned?.stderrTail ? ` ${spawned.stderrTail.slice(-500)}` : ''}` };
  }
  const end: AgentEvent = { type: 'turn:end', outcome };
  if (outcome === 'error' && failure) end.error = failure;
  const usage: TokenUsage | undefined = reducer.usage;
  if (usage) end.usage = usage;
  settings.logger.info({ sessionId: context.sessionId, outcome, durationMs: Date.now() - started }, 'claude turn ended');
  yield end;
}
