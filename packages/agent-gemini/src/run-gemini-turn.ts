import type { AgentEvent, AgentTurnContext, Logger, SandboxProcess, UserMessageContent } from '@agent-runtime/core';
import { createGeminiStreamReducer, parseGeminiStreamLine } from '@agent-runtime/transcript-gemini';
import { findGeminiSessionFiles, geminiSessionUuid } from './gemini-paths.js';
import { sendPrompt, withoutKeepAlive, type ParkedGemini } from './gemini-spares.js';
import { geminiCliArgs } from './launch/gemini-cli-launch.js';
import { readTail, streamLines } from './stream-lines.js';

export interface GeminiTurnSettings {
  nodePath: string;
  cliEntryPath: string;
  env: Record<string, string>;
  model: string | undefined;
  logger: Logger;
  interruptGraceMs: number;
  /** The CLI's session id (`--session-id` / `--resume`); default: {@link geminiSessionUuid} of our id. */
  geminiSessionId?: string;
  /** A spare CLI parked for this session's first turn (gemini-spares.ts): it gets the prompt on its stdin instead of a new CLI starting. */
  parked?: ParkedGemini;
}

/** Exit codes the CLI uses before or instead of a `result` event. */
const EXIT_MEANINGS: Record<number, string> = {
  41: 'Gemini CLI could not authenticate (exit 41)',
  42: 'Gemini CLI rejected its input, e.g. an unknown resume id (exit 42)',
  44: 'Gemini CLI sandbox error (exit 44)',
  52: 'Gemini CLI configuration error (exit 52)',
  53: 'Gemini CLI stopped at its turn limit (exit 53)',
  55: 'Gemini CLI does not trust the workspace folder (exit 55)',
};

/** Where a turn's prompt is written, relative to the agent's home (read by the CLI as its stdin). */
export const PROMPT_FILE = '.agent-runtime-prompt.txt';

/**
 * The prompt text: a string, or the text parts joined. The CLI's `-p` takes text only, so image
 * parts are not sent: a warning is logged (once per turn, with the count), and a message with
 * nothing but images becomes {@link imagesOnlyPrompt} so the turn still runs and the model can
 * say it saw no image (an empty prompt would make the CLI exit without a turn). No block is
 * added: the user_message block comes from the session file, so streamed and parsed blocks stay
 * equal, and it shows what the model really received.
 */
export function promptText(message: UserMessageContent, logger: Logger): string {
  if (typeof message === 'string') return message;
  const images = message.filter((part) => part.type === 'image').length;
  const text = message.flatMap((part) => (part.type === 'text' ? [part.text] : [])).join('\n\n');
  if (images === 0) return text;
  logger.warn({ images }, 'gemini-cli: image parts were not sent (the CLI\'s -p takes text only)');
  return text.trim() === '' ? imagesOnlyPrompt(images) : text;
}

/** What the model receives for a message that only held images. */
export function imagesOnlyPrompt(images: number): string {
  return `[The user sent ${images === 1 ? 'an image' : `${images} images`} and no text. Images cannot be passed to this agent, so none was sent.]`;
}

/**
 * One turn: runs `gemini -o stream-json < prompt-file` in the sandbox, turns its events into block
 * events (reconciled with the session file, see transcript-gemini), and ends with exactly one
 * `turn:end`. The outcome comes from the `result` event, not the exit code (a fatal API error
 * exits with the HTTP status, an empty reply exits 0 with status `error`).
 */
export async function* runGeminiTurn(context: AgentTurnContext, settings: GeminiTurnSettings): AsyncGenerator<AgentEvent> {
  const { sandbox, signal } = context;
  const logger = settings.logger;
  const parked = settings.parked;
  const uuid = parked?.geminiSessionId ?? settings.geminiSessionId ?? geminiSessionUuid(context.sessionId);
  const prompt = promptText(context.message, logger);
  const reducer = createGeminiStreamReducer();
  let process: SandboxProcess | undefined;
  let turnEnd: Extract<AgentEvent, { type: 'turn:end' }> | undefined;
  let sessionPath: string | undefined;
  let exited = false;

  const readSession = async (): Promise<string | undefined> => {
    try {
      sessionPath ??= (await findGeminiSessionFiles(sandbox, uuid))?.main;
      if (!sessionPath) return undefined;
      const text = new TextDecoder().decode(await sandbox.readFile(sessionPath, { root: 'home' }));
      return parked ? withoutKeepAlive(text, prompt) : text;
    } catch (error) {
      logger.warn({ sessionId: context.sessionId, error: String(error) }, 'gemini-cli: could not read the session file');
      return undefined;
    }
  };

  if (signal.aborted) {
    parked?.process.kill('SIGKILL');
    yield { type: 'turn:end', outcome: 'interrupted' };
    return;
  }

  let killTimer: ReturnType<typeof setTimeout> | undefined;
  const onAbort = () => {
    process?.kill('SIGTERM');
    killTimer = setTimeout(() => process?.kill('SIGKILL'), settings.interruptGraceMs);
  };
  try {
    if (parked) {
      process = parked.process;
      logger.debug({ sessionId: context.sessionId }, 'gemini-cli: starting turn in the parked spare process');
      await sendPrompt(parked, prompt);
    } else process = await startCli(context, settings, uuid, prompt);
    const stderrTail = readTail(process.stderr);
    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted) onAbort();

    for await (const line of streamLines(process.stdout)) {
      const event = parseGeminiStreamLine(line);
      if (!event) {
        if (line.trim() !== '') logger.debug({ line: line.slice(0, 200) }, 'gemini-cli: non-event stdout line');
        continue;
      }
      if (reducer.needsSessionBefore(event)) {
        const text = await readSession();
        if (text !== undefined) {
          yield* reducer.reconcile(text);
          yield { type: 'transcript:changed' };
        }
      }
      yield* reducer.push(event);
    }
    const exitCode = await process.wait();
    exited = true;
    const finalSession = await readSession();
    if (parked && finalSession !== undefined && sessionPath) await sandbox.writeFile(sessionPath, finalSession, { root: 'home' });
    yield* reducer.finish(finalSession);
    yield { type: 'transcript:changed' };
    turnEnd = outcomeOf(reducer.result, exitCode, signal.aborted, await stderrTail, process.stopError);
    if (turnEnd.outcome === 'error') logger.warn({ sessionId: context.sessionId, exitCode, error: turnEnd.error }, 'gemini-cli: turn failed');
  } catch (error) {
    process?.kill('SIGKILL');
    logger.error({ sessionId: context.sessionId, error: String(error) }, 'gemini-cli: turn crashed');
    try {
      yield* reducer.finish(await readSession());
    } catch {
      // nothing more to salvage
    }
    turnEnd = signal.aborted
      ? { type: 'turn:end', outcome: 'interrupted' }
      : { type: 'turn:end', outcome: 'error', error: { code: 'AGENT_ERROR', message: `Gemini CLI failed: ${errorMessage(error)}` } };
  } finally {
    // Also reached when the consumer stops iterating early: never leave the CLI running.
    if (!exited) process?.kill('SIGKILL');
    signal.removeEventListener('abort', onAbort);
    if (killTimer) clearTimeout(killTimer);
  }
  yield turnEnd;
}

/** A new CLI for the turn, its prompt on stdin from a file; resumes the session file when there is one. */
async function startCli(context: AgentTurnContext, settings: GeminiTurnSettings, uuid: string, prompt: string): Promise<SandboxProcess> {
  const { sandbox, sessionId } = context;
  const existing = await findGeminiSessionFiles(sandbox, uuid);
  // The prompt goes through a file on stdin, never argv: argv is capped (Modal refuses an exec
  // over 65,536 characters; Linux caps one argument at 128 KiB) and visible in `ps`. With no
  // `-p`, the CLI takes piped stdin as the whole prompt (with `-p` it would prepend stdin to it),
  // and a file is there at once, unlike a pipe that the CLI waits on for only 500 ms.
  await sandbox.writeFile(PROMPT_FILE, prompt, { root: 'home' });
  const args = [
    'sh',
    '-c',
    'exec "$@" < "$0"',
    `${sandbox.homePath}/${PROMPT_FILE}`,
    settings.nodePath,
    settings.cliEntryPath,
    ...geminiCliArgs({ model: settings.model, ...(existing ? { resume: uuid } : { sessionId: uuid }) }),
  ];
  settings.logger.debug({ sessionId, resume: Boolean(existing) }, 'gemini-cli: starting turn');
  return sandbox.exec(args, { stdin: 'ignore', env: settings.env });
}

function outcomeOf(
  result: ReturnType<typeof createGeminiStreamReducer>['result'],
  exitCode: number,
  aborted: boolean,
  stderr: string,
  stopError?: { code: string; message: string },
): Extract<AgentEvent, { type: 'turn:end' }> {
  const usage = result?.usage ? { usage: result.usage } : {};
  if (aborted) return { type: 'turn:end', outcome: 'interrupted', ...usage };
  // The sandbox stopped the CLI on its own (a limit such as the workspace disk cap): say so.
  if (stopError) return { type: 'turn:end', outcome: 'error', error: { code: stopError.code, message: stopError.message }, ...usage };
  if (result?.status === 'success') return { type: 'turn:end', outcome: 'completed', ...usage };
  const message =
    result?.error?.message ??
    EXIT_MEANINGS[exitCode] ??
    `Gemini CLI exited with code ${exitCode} without a result${stderr.trim() ? `: ${lastLines(stderr)}` : ''}`;
  return { type: 'turn:end', outcome: 'error', error: { code: 'AGENT_ERROR', message }, ...usage };
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-3).join(' | ').slice(0, 500);
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
