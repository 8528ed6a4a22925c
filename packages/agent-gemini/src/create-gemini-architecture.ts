import { dirname } from 'node:path';
import {
  AgentRuntimeError,
  noopLogger,
  type AgentArchitecture,
  type AgentProfile,
  type AgentSpareContext,
  type AgentTranscriptFile,
  type AgentTranscripts,
  type AgentWarmContext,
  type Logger,
  type ParsedConversations,
  type Sandbox,
} from '@agent-runtime/core';
import { parseGeminiSession } from '@agent-runtime/transcript-gemini';
import { WarmGeminiProcesses } from './acp/warm-gemini-processes.js';
import type { WarmGeminiProcessInfo, WarmGeminiSettings } from './acp/warm-gemini-process.js';
import { turnApprovals } from './acp/acp-permission.js';
import { findGeminiSessionFiles, geminiSessionUuid, geminiTranscriptFiles, isGeminiConfigPath } from './gemini-paths.js';
import { GeminiSessionIds } from './gemini-session-id.js';
import { GeminiModelAccess, withoutGeminiModelEnv } from './model-access.js';
import { GEMINI_CLI_QUIET_ENV, geminiCliEntryPath, geminiCliEnv } from './launch/gemini-cli-launch.js';
import { geminiProfileFiles } from './profile-files.js';
import { GeminiSpares, spareFingerprint } from './gemini-spares.js';
import { restoreGeminiSession } from './restore-session.js';
import { runGeminiTurn } from './run-gemini-turn.js';
import { geminiSubagentLinks, linkSubagentsByPrompt } from './subagent-links.js';

export interface GeminiArchitectureOptions {
  /** `bundle/gemini.js` of `@google/gemini-cli` as the sandbox sees it; default: the installed package. */
  cliEntryPath?: string;
  /** Node binary inside the sandbox; default `process.execPath`. */
  nodePath?: string;
  /**
   * Environment for the CLI: GEMINI_API_KEY, GOOGLE_GEMINI_BASE_URL, ... Defaults to those
   * variables of the host's `process.env` (only the Gemini/Google ones, never the whole env).
   * The endpoint and key never enter a sandbox that has an egress proxy (`Sandbox.modelEndpoint`).
   */
  env?: Record<string, string>;
  /** Model when the profile names none (`-m`); an explicit model also avoids a routing request. */
  model?: string;
  /** Extra top-level settings.json entries, merged over ours. */
  settings?: Record<string, unknown>;
  logger?: Logger;
  /** How long an interrupted CLI gets after SIGTERM (per-turn) or `session/cancel` (warm) before it is killed; default 2000 ms. */
  interruptGraceMs?: number;
  /**
   * `'per-turn'` (default): a fresh `gemini -o stream-json` per turn, resuming the session file.
   * `'warm'`: one `gemini --acp` process per session, kept between turns (a turn after the first
   * starts in tens of milliseconds instead of ~1.3 s); a process that died or was stopped is
   * started again and loads the session. Default from `AGENT_RUNTIME_GEMINI_PROCESS` when set.
   */
  processMode?: GeminiProcessMode;
  /**
   * Most warm processes this architecture keeps at once; starting one more stops the least
   * recently used idle one (its session is loaded again on its next turn). A warm idle
   * `gemini --acp` takes about 230 MiB RSS. Default: no cap.
   */
  maxWarmProcesses?: number;
  /** Called when a warm process has ended, for whatever reason (metrics, tests). */
  onWarmProcessExit?: (process: WarmGeminiProcessInfo) => void;
}

export type GeminiProcessMode = 'warm' | 'per-turn';

/** The architecture, plus what its warm processes are doing. */
export interface GeminiArchitecture extends AgentArchitecture {
  readonly processMode: GeminiProcessMode;
  /** The sessions' warm CLI processes (empty in `'per-turn'` mode). */
  warmProcesses(): WarmGeminiProcessInfo[];
  /** Stop a session's warm process; `{ kill: true }` kills it abruptly, as a crash would. */
  stopWarmProcess(sessionId: string, options?: { kill?: boolean }): boolean;
  /** Stop every warm process (runtime shutdown). */
  dispose(): Promise<void>;
  /** Warm mode: start the session's `gemini --acp` ahead of its next turn (see the README); otherwise nothing. */
  warm(context: AgentWarmContext): Promise<void>;
}

function processModeFromEnv(): GeminiProcessMode {
  const value = process.env.AGENT_RUNTIME_GEMINI_PROCESS;
  if (value === undefined || value === '' || value === 'per-turn') return 'per-turn';
  if (value === 'warm') return 'warm';
  throw new AgentRuntimeError('INVALID_CONFIG', `AGENT_RUNTIME_GEMINI_PROCESS must be 'warm' or 'per-turn', not '${value}'.`);
}

const HOST_ENV_KEYS = [
  'GEMINI_API_KEY',
  'GOOGLE_API_KEY',
  'GOOGLE_GEMINI_BASE_URL',
  'GOOGLE_VERTEX_BASE_URL',
  'GOOGLE_GENAI_USE_VERTEXAI',
  'GOOGLE_CLOUD_PROJECT',
  'GOOGLE_CLOUD_LOCATION',
  'GEMINI_MODEL',
];

/** Absolute (real) path of `bundle/gemini.js` of the installed `@google/gemini-cli` (see {@link geminiCliEntryPath}). */
export const defaultGeminiCliEntryPath = geminiCliEntryPath;

/**
 * The `gemini-cli` architecture: the Gemini CLI, run headless (`-p ... -o stream-json --yolo`)
 * inside the session's sandbox. Synchronous and I/O-free; the CLI path is resolved on first use.
 */
export function createGeminiArchitecture(options: GeminiArchitectureOptions = {}): GeminiArchitecture {
  const logger = options.logger ?? noopLogger;
  let cliEntryPath = options.cliEntryPath;
  const cliEntry = () => (cliEntryPath ??= defaultGeminiCliEntryPath());
  const nodePath = options.nodePath ?? process.execPath;

  const hostEnv = (): Record<string, string> => {
    const env: Record<string, string> = { ...GEMINI_CLI_QUIET_ENV };
    if (!options.env) {
      for (const key of HOST_ENV_KEYS) {
        const value = process.env[key];
        if (value !== undefined) env[key] = value;
      }
    }
    return { ...env, ...options.env };
  };
  /** What every process of the sandbox may see: switches, never the model endpoint or key. */
  const sandboxEnv = (): Record<string, string> => withoutGeminiModelEnv(hostEnv());
  const modelAccess = new GeminiModelAccess(hostEnv);
  const sessionIds = new GeminiSessionIds();
  const processMode = options.processMode ?? processModeFromEnv();
  if (options.maxWarmProcesses !== undefined && !(Number.isInteger(options.maxWarmProcesses) && options.maxWarmProcesses >= 1)) {
    throw new AgentRuntimeError('INVALID_CONFIG', `maxWarmProcesses must be a whole number >= 1, not ${options.maxWarmProcesses}.`);
  }
  const warm = new WarmGeminiProcesses(logger, options.onWarmProcessExit, options.maxWarmProcesses);
  const interruptGraceMs = options.interruptGraceMs ?? 2000;
  const spares = new GeminiSpares(logger);
  /** What a spare parks with: a profile with nothing set (a pooled sandbox has none yet). */
  const SPARE_PROFILE: AgentProfile = { id: 'spare', name: 'spare' };
  /** How this turn would start the stream-json CLI (see {@link spareFingerprint}). */
  const turnFingerprint = (env: Record<string, string>, profile: AgentProfile) =>
    spareFingerprint({ nodePath, cliEntryPath: cliEntry(), env, model: profile.model ?? options.model, files: geminiProfileFiles(profile, options.settings) });
  /** The CLI's environment in this sandbox for this profile (model access included). */
  const cliEnv = async (sandbox: Sandbox, profile: AgentProfile): Promise<Record<string, string>> =>
    geminiCliEnv({
      home: sandbox.homePath,
      tmpDir: `${sandbox.homePath}/tmp`,
      variables: { ...sandboxEnv(), ...profile.environmentVariables, ...(await modelAccess.envFor(sandbox)) },
    });
  const warmSettings = (env: Record<string, string>, profile: AgentProfile, approvalMode: WarmGeminiSettings['approvalMode']): WarmGeminiSettings => ({
    nodePath,
    cliEntryPath: cliEntry(),
    env,
    model: profile.model ?? options.model,
    logger,
    interruptGraceMs,
    sessionIds,
    approvalMode,
  });

  /**
   * Warm mode and approvals turns: whether the session's parked spare will run its first turn
   * (stream-json, through the ACP process's first-turn path). Then the session file there is only
   * the one the spare began, which the ACP process must not load as a stored session. A spare that
   * cannot serve (or `refuse`, a reason not to use it) is killed and its file deleted.
   */
  const spareServes = async (context: { sessionId: string; sandbox: Sandbox; profile: AgentProfile }, env: Record<string, string>, refuse: string | undefined) => {
    if (!spares.has(context.sessionId)) return false;
    const unfit = refuse ?? (await spares.unfitReason(context.sessionId, context.sandbox, turnFingerprint(env, context.profile)));
    if (unfit === undefined) return true;
    await spares.discard(context.sessionId, unfit);
    return false;
  };

  return {
    type: 'gemini-cli',
    processMode,
    warmProcesses: () => warm.list(),
    stopWarmProcess: (sessionId, stopOptions) => warm.stop(sessionId, stopOptions?.kill === true),
    dispose: async () => {
      spares.killAll();
      await warm.stopAll();
    },

    sandboxReadOnlyPaths() {
      // The bundle is self-contained: its package folder and the node binary are all it needs.
      return [dirname(dirname(cliEntry())), nodePath];
    },

    sandboxEnv,

    async prepare(context) {
      const { sandbox, profile } = context;
      await sandbox.allowNetworkHosts?.(profile.network?.allowedHosts ?? []);
      for (const file of geminiProfileFiles(profile, options.settings)) {
        await sandbox.writeFile(file.path, file.content, { root: file.root });
      }
      await sandbox.writeFile('tmp/.keep', '', { root: 'home' });
      if (context.transcripts?.main) {
        await spares.discard(context.sessionId, 'the session is restored');
        const restoredId = await restoreGeminiSession(sandbox, geminiSessionUuid(context.sessionId), context.transcripts);
        if (restoredId) await sessionIds.record(sandbox, restoredId);
        logger.debug({ sessionId: context.sessionId }, 'gemini-cli: restored the stored session');
      }
    },

    /**
     * A parked `gemini -o stream-json` for the session the pooled sandbox was made for: it does
     * its start-up now and waits for its prompt on stdin (gemini-spares.ts). Its profile files are
     * those of an empty profile; the first turn takes it when its own start would be the same.
     */
    async prepareSpare(context: AgentSpareContext) {
      const { sandbox, sessionId } = context;
      const files = geminiProfileFiles(SPARE_PROFILE, options.settings);
      for (const file of files) await sandbox.writeFile(file.path, file.content, { root: file.root });
      await sandbox.writeFile('tmp/.keep', '', { root: 'home' });
      const env = await cliEnv(sandbox, SPARE_PROFILE);
      await spares.park(sessionId, sandbox, {
        nodePath,
        cliEntryPath: cliEntry(),
        env,
        model: options.model,
        geminiSessionId: geminiSessionUuid(sessionId),
        files,
      });
    },

    /**
     * Warm mode: start the session's `gemini --acp` ahead of its next turn, with the settings that
     * turn will have (a `toolPolicy` profile asks before tools: mode `default`). A session with a
     * file (a resume) or a policy is then ready for a warm turn; a new session without a policy
     * still runs its first turn stream-json, and the process loads the session after it.
     * Per-turn mode starts nothing: its CLI takes the message at start.
     */
    async warm(context: AgentWarmContext) {
      if (processMode !== 'warm') return;
      const { sandbox, profile } = context;
      const env = await cliEnv(sandbox, profile);
      const newSession = await spareServes(context, env, profile.toolPolicy ? 'the profile has a toolPolicy' : undefined);
      await warm.warm(context, warmSettings(env, profile, profile.toolPolicy ? 'default' : 'yolo'), { newSession });
    },

    async *runTurn(context) {
      const { sandbox, profile } = context;
      let env: Record<string, string>;
      try {
        env = await cliEnv(sandbox, profile);
      } catch (error) {
        logger.error({ sessionId: context.sessionId, error: String(error) }, 'gemini-cli: could not set up model access');
        yield { type: 'turn:end', outcome: 'error', error: { code: 'SANDBOX_ERROR', message: `Could not set up the model endpoint: ${String(error)}` } };
        return;
      }
      const model = profile.model ?? options.model;
      const perTurn = async function* (turnContext: typeof context) {
        const geminiSessionId = await sessionIds.resolve(sandbox, turnContext.sessionId);
        const parked = await spares.take(turnContext.sessionId, sandbox, turnFingerprint(env, profile));
        yield* runGeminiTurn(turnContext, { nodePath, cliEntryPath: cliEntry(), env, model, logger, interruptGraceMs, geminiSessionId, ...(parked ? { parked } : {}) });
      };
      // With an approvals hook the CLI must ask before tools that change something: only ACP can
      // (mode `default`, `session/request_permission`); stream-json runs `--yolo`. In per-turn mode
      // such a turn runs in an ACP process that stops after it.
      const asks = turnApprovals(context) !== undefined;
      if (processMode === 'warm' || asks) {
        const newSession = await spareServes(context, env, asks ? 'the turn asks before tools' : undefined);
        const approvalMode = asks ? 'default' : 'yolo';
        yield* warm.runTurn(context, warmSettings(env, profile, approvalMode), perTurn, { newSession });
        if (processMode !== 'warm') warm.stop(context.sessionId, false);
        return;
      }
      yield* perTurn(context);
    },

    async readTranscripts(sandbox, sessionId): Promise<AgentTranscripts> {
      const files = await findGeminiSessionFiles(sandbox, await sessionIds.resolve(sandbox, sessionId));
      if (!files) return { subagents: [] };
      const read = async (path: string) => new TextDecoder().decode(await sandbox.readFile(path, { root: 'home' }));
      const subagents = [];
      for (const subagent of files.subagents) subagents.push({ id: subagent.id, rawTranscript: await read(subagent.path) });
      return { main: await read(files.main), subagents };
    },

    // The session file only grows (updates and the resume's `$set` are appended lines), so the
    // engine reads just what each file gained; a new or rewritten file is detected and stored whole.
    async transcriptFiles(sandbox, sessionId): Promise<AgentTranscriptFile[]> {
      return geminiTranscriptFiles(await findGeminiSessionFiles(sandbox, await sessionIds.resolve(sandbox, sessionId)));
    },

    parseTranscripts(transcripts): ParsedConversations {
      const parse = (text: string, conversation: string) => {
        const { blocks, skipped } = parseGeminiSession(text);
        if (skipped.length > 0) logger.warn({ conversation, skipped: skipped.length, reasons: skipped.slice(0, 5) }, 'gemini-cli: skipped transcript lines');
        return blocks;
      };
      // Each subagent conversation is linked to the parent's invoke_agent call (its tool_use id):
      // by the agentId the CLI records on the call, else (ACP mode) by the call's prompt.
      const links = transcripts.main ? geminiSubagentLinks(transcripts.main) : new Map();
      const main = transcripts.main ? parse(transcripts.main, 'main') : [];
      const subagents = transcripts.subagents.map((subagent) => ({ id: subagent.id, blocks: parse(subagent.rawTranscript, subagent.id) }));
      linkSubagentsByPrompt(main, subagents, links);
      return { main, subagents: subagents.map((subagent) => ({ id: subagent.id, ...links.get(subagent.id), blocks: subagent.blocks })) };
    },

    isAgentConfigPath: isGeminiConfigPath,
  };
}
