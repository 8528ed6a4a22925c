import type { Logger, Sandbox, SandboxProcess } from '@agent-runtime/core';
import { findGeminiSessionFiles } from './gemini-paths.js';
import { geminiCliArgs } from './launch/gemini-cli-launch.js';
import type { ProfileFile } from './profile-files.js';

/**
 * Written to a parked CLI's stdin at once. The CLI (0.61.0, `readStdin`) reads stdin only after
 * its start-up (`config.initialize()`), and takes it as empty — exiting "No input provided" —
 * when no byte arrives within 500 ms of that; any first byte cancels that timer, and the CLI then
 * waits for end of input. It becomes the first character of the prompt, so it is one the model
 * does not care about, and it is taken out of the session file again ({@link withoutKeepAlive}).
 */
export const SPARE_KEEP_ALIVE = '\n';

const READY_POLL_MS = 50;
const READY_TIMEOUT_MS = 30_000;

/** How a spare is started: the same as the stream-json turn it may serve. */
export interface GeminiSpareSettings {
  nodePath: string;
  cliEntryPath: string;
  env: Record<string, string>;
  model: string | undefined;
  /** The CLI's session uuid of the session the sandbox was created for. */
  geminiSessionId: string;
  /** The profile files the CLI reads at start-up (settings.json, ...), as written before the start. */
  files: readonly ProfileFile[];
}

/** A stream-json CLI that has done its start-up and waits for its prompt on stdin. */
export interface ParkedGemini {
  readonly process: SandboxProcess;
  readonly geminiSessionId: string;
}

interface Parked extends ParkedGemini {
  sandbox: Sandbox;
  /** What the CLI started with: a turn whose start would differ cannot use it. */
  fingerprint: string;
}

/** What a spare fixed at its start; equal for a turn that would start the CLI the same way. */
export function spareFingerprint(settings: Omit<GeminiSpareSettings, 'geminiSessionId'>): string {
  const files = [...settings.files].sort((a, b) => `${a.root}/${a.path}`.localeCompare(`${b.root}/${b.path}`));
  return JSON.stringify([settings.nodePath, settings.cliEntryPath, settings.env, settings.model ?? null, files]);
}

/**
 * Parked Gemini CLIs, one per pooled sandbox: `gemini -o stream-json` started for the session id
 * the pool chose, with stdin a pipe, so that node start-up, bundle load, config, auth and the tool
 * registry (about 1.1 s) are done before the session's first message. The first turn takes it
 * only when it would start the CLI exactly so (same executable, env, model, profile files, and a
 * still empty workspace, which the CLI lists into its first context); otherwise the spare is
 * killed and the session file it began is deleted, so the cold turn starts a new session.
 */
export class GeminiSpares {
  private readonly bySession = new Map<string, Parked>();
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly logger: Logger,
    options: { sleep?: (ms: number) => Promise<void> } = {},
  ) {
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /**
   * Start a spare in `sandbox` for `sessionId` (the files must already be written); resolves once
   * it waits for its prompt, so that the pool offers the sandbox only then. Rejects (the spare
   * killed) when the CLI exits before.
   */
  async park(sessionId: string, sandbox: Sandbox, settings: GeminiSpareSettings): Promise<void> {
    const args = [settings.nodePath, settings.cliEntryPath, ...geminiCliArgs({ model: settings.model, sessionId: settings.geminiSessionId })];
    const process = await sandbox.exec(args, { stdin: 'pipe', env: settings.env });
    const parked: Parked = { process, geminiSessionId: settings.geminiSessionId, sandbox, fingerprint: spareFingerprint(settings) };
    try {
      await writeAll(process, SPARE_KEEP_ALIVE, false);
    } catch (error) {
      process.kill('SIGKILL');
      throw error;
    }
    try {
      await this.untilReady(parked);
    } catch (error) {
      process.kill('SIGKILL');
      throw error;
    }
    await this.discard(sessionId, 'parked again');
    this.bySession.set(sessionId, parked);
    // One that dies while parked (its sandbox stopped) is forgotten.
    void process.wait().then(
      () => this.forget(sessionId, parked),
      () => this.forget(sessionId, parked),
    );
    this.logger.info({ sessionId, sandboxId: sandbox.id }, 'gemini-cli: spare process parked');
  }

  /** True when a spare is parked for this session. */
  has(sessionId: string): boolean {
    return this.bySession.has(sessionId);
  }

  /**
   * The spare parked for this session if it can run this turn (`fingerprint` of how the turn
   * would start the CLI); removed either way, and one that cannot is discarded (see {@link discard}).
   */
  async take(sessionId: string, sandbox: Sandbox, fingerprint: string): Promise<ParkedGemini | undefined> {
    const parked = this.bySession.get(sessionId);
    if (!parked) return undefined;
    this.bySession.delete(sessionId);
    const reason = await unfitReason(parked, sandbox, fingerprint);
    if (reason === undefined) {
      this.logger.info({ sessionId, sandboxId: sandbox.id }, 'gemini-cli: the first turn runs in the parked spare process');
      return parked;
    }
    this.logger.info({ sessionId, reason }, 'gemini-cli: the spare process cannot serve this turn; starting the CLI as usual');
    await end(parked, this.logger);
    return undefined;
  }

  /** Why the session's spare could not serve a turn now (as {@link take}, without taking it); undefined when it could. */
  async unfitReason(sessionId: string, sandbox: Sandbox, fingerprint: string): Promise<string | undefined> {
    const parked = this.bySession.get(sessionId);
    return parked ? unfitReason(parked, sandbox, fingerprint) : 'no spare';
  }

  /** Kill the session's spare, if any, and delete the session file it began. */
  async discard(sessionId: string, reason: string): Promise<void> {
    const parked = this.bySession.get(sessionId);
    this.bySession.delete(sessionId);
    if (!parked) return;
    this.logger.info({ sessionId, reason }, 'gemini-cli: spare process discarded');
    await end(parked, this.logger);
  }

  get size(): number {
    return this.bySession.size;
  }

  /** Kill every spare (dispose); their sandboxes end with them. */
  killAll(): void {
    for (const parked of this.bySession.values()) parked.process.kill('SIGKILL');
    this.bySession.clear();
  }

  /**
   * The CLI writes the session file's context message at the end of its start-up, about 20 ms
   * before it reads stdin (measured: exit 42 came 500 ms after the file each time): polled, as
   * the sandbox offers no wait on a file. Past {@link READY_TIMEOUT_MS} it stays parked anyway.
   */
  private async untilReady(parked: Parked): Promise<void> {
    let exited = false;
    void parked.process.wait().then(
      () => (exited = true),
      () => (exited = true),
    );
    for (let waited = 0; waited < READY_TIMEOUT_MS; waited += READY_POLL_MS) {
      if (exited) throw new Error('the spare Gemini CLI exited during its start-up');
      if (await findGeminiSessionFiles(parked.sandbox, parked.geminiSessionId).catch(() => undefined)) return;
      await this.sleep(READY_POLL_MS);
    }
    this.logger.warn({ sandboxId: parked.sandbox.id }, 'gemini-cli: the spare process did not finish its start-up in time; parked anyway');
  }

  private forget(sessionId: string, parked: Parked): void {
    if (this.bySession.get(sessionId) === parked) this.bySession.delete(sessionId);
  }
}

/** Give a parked CLI its prompt: the rest of its stdin, then end of input. */
export async function sendPrompt(parked: ParkedGemini, prompt: string): Promise<void> {
  await writeAll(parked.process, prompt, true);
}

/**
 * A parked turn's session file as a cold turn writes it: the first user message of the file
 * (the prompt, which the CLI got after {@link SPARE_KEEP_ALIVE}) without that character. Lines
 * are JSON; only that one line is rewritten, with `JSON.stringify` as the CLI writes it.
 */
export function withoutKeepAlive(sessionText: string, prompt: string): string {
  const lines = sessionText.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!;
    if (!line.includes('"type":"user"')) continue;
    let record: { type?: unknown; content?: Array<{ text?: unknown }> };
    try {
      record = JSON.parse(line) as typeof record;
    } catch {
      continue;
    }
    const part = Array.isArray(record.content) && record.content.length === 1 ? record.content[0] : undefined;
    if (record.type !== 'user' || part?.text !== SPARE_KEEP_ALIVE + prompt) continue;
    part.text = prompt;
    lines[index] = JSON.stringify(record);
    return lines.join('\n');
  }
  return sessionText;
}

async function writeAll(process: SandboxProcess, text: string, close: boolean): Promise<void> {
  if (!process.stdin) throw new Error('the spare process has no stdin');
  const writer = process.stdin.getWriter();
  try {
    await writer.write(new TextEncoder().encode(text));
    if (close) await writer.close();
  } finally {
    writer.releaseLock();
  }
}

async function unfitReason(parked: Parked, sandbox: Sandbox, fingerprint: string): Promise<string | undefined> {
  if (parked.sandbox !== sandbox) return 'another sandbox';
  if (parked.fingerprint !== fingerprint) return 'another executable, environment, model or profile files';
  return (await workspaceIsEmpty(sandbox)) ? undefined : 'the workspace has files now';
}

async function workspaceIsEmpty(sandbox: Sandbox): Promise<boolean> {
  try {
    return (await sandbox.listFiles({ root: 'workspace', recursive: false })).length === 0;
  } catch {
    return false;
  }
}

async function end(parked: Parked, logger: Logger): Promise<void> {
  parked.process.kill('SIGKILL');
  await parked.process.wait().catch(() => undefined);
  // It began the session's file at start-up; a cold turn must not resume that.
  const files = await findGeminiSessionFiles(parked.sandbox, parked.geminiSessionId).catch(() => undefined);
  if (files) await parked.sandbox.deleteFile(files.main, { root: 'home' }).catch((error: unknown) => logger.warn({ error: String(error) }, 'gemini-cli: could not delete the spare\'s session file'));
}
