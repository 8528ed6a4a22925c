import { claudeApprovalOptions, ClaudeApprovalRoutes } from './claude-approvals.js';
import { dirname } from 'node:path';
import {
  AgentRuntimeError,
  noopLogger,
  type AgentArchitecture,
  type AgentEvent,
  type AgentPrepareContext,
  type AgentTranscriptFile,
  type AgentTranscripts,
  type AgentTurnContext,
  type Logger,
  type ParsedConversations,
  type Sandbox,
} from '@agent-runtime/core';
import { normalizeSubagentId, parseClaudeSession } from '@agent-runtime/transcript-claude';
import { claudeSessionIdFor, claudeTranscriptPaths, isClaudeConfigPath } from './claude-paths.js';
import { CLAUDE_CODE_QUIET_ENV, claudeCodeEnv, claudeCodeExecutablePath } from './launch/claude-code-launch.js';
import { claudeProfileFiles } from './profile-files.js';
import { ClaudeModelAccess, withoutClaudeModelEnv } from './model-access.js';
import { claudeProfileOptions } from './query-options.js';
import { runClaudeTurn } from './run-claude-turn.js';
import type { WarmClaudeProcessInfo } from './warm-claude-process.js';
import { WarmClaudeProcesses } from './warm-claude-processes.js';

export interface ClaudeArchitectureOptions {
  /** The Claude Code binary as the sandbox sees it; default: the native CLI of `@anthropic-ai/claude-agent-sdk`'s platform package. */
  executablePath?: string;
  /**
   * Extra environment for the CLI (e.g. ANTHROPIC_BASE_URL, ANTHROPIC_API_KEY, CLAUDE_CODE_MAX_RETRIES).
   * ANTHROPIC_* variables default to the host's `process.env`. The endpoint and key never enter a
   * sandbox that has an egress proxy (`Sandbox.modelEndpoint`): the proxy adds the key.
   */
  env?: Record<string, string>;
  /** Model when the profile names none; the CLI's default otherwise. */
  model?: string;
  logger?: Logger;
  /** How often subagent transcripts are read while a subagent runs; default 250 ms. */
  subagentPollMs?: number;
  /** How long an interrupted turn may take to stop before the CLI is killed; default 3000 ms. */
  interruptGraceMs?: number;
  /** Debug/recording hook: every raw SDK message of every turn. */
  onSdkMessage?: (message: unknown) => void;
  /**
   * `'warm'` (default): one CLI process per session, fed turn after turn through the SDK's
   * streaming input and kept until the sandbox stops (the session went idle) or the CLI dies
   * (the next turn then resumes it). `'per-turn'`: a fresh CLI per turn, resuming the session.
   * Default from `AGENT_RUNTIME_CLAUDE_PROCESS` when set.
   */
  processMode?: ClaudeProcessMode;
  /**
   * Most warm processes this architecture keeps at once (per node: one architecture per runtime);
   * starting one more stops the least recently used idle one, whose session resumes on its next
   * turn. A warm idle Claude Code takes about 190 MiB RSS (`pnpm bench warm-turn`). Default: no cap.
   */
  maxWarmProcesses?: number;
  /** Called when a warm process has ended, for whatever reason (metrics, tests). */
  onWarmProcessExit?: (process: WarmClaudeProcessInfo) => void;
}

export type ClaudeProcessMode = 'warm' | 'per-turn';

/** The architecture, plus what its warm processes are doing. */
export interface ClaudeArchitecture extends AgentArchitecture {
  readonly processMode: ClaudeProcessMode;
  /** The sessions' warm CLI processes (empty in `'per-turn'` mode). */
  warmProcesses(): WarmClaudeProcessInfo[];
  /** Stop a session's warm process; `{ kill: true }` kills it abruptly, as a crash would. */
  stopWarmProcess(sessionId: string, options?: { kill?: boolean }): boolean;
  /** Stop every warm process (runtime shutdown). */
  dispose(): Promise<void>;
}

function processModeFromEnv(): ClaudeProcessMode {
  const value = process.env.AGENT_RUNTIME_CLAUDE_PROCESS;
  if (value === undefined || value === '' || value === 'warm') return 'warm';
  if (value === 'per-turn') return 'per-turn';
  throw new AgentRuntimeError('INVALID_CONFIG', `AGENT_RUNTIME_CLAUDE_PROCESS must be 'warm' or 'per-turn', not '${value}'.`);
}

const HOST_ENV_KEYS = ['ANTHROPIC_BASE_URL', 'ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN', 'CLAUDE_CODE_MAX_RETRIES'];

/** Path of the native `claude` binary the Agent SDK ships for this platform (see {@link claudeCodeExecutablePath}). */
export const defaultClaudeExecutablePath = claudeCodeExecutablePath;

/**
 * The `claude-agent-sdk` architecture: Claude Code, driven by the Claude Agent SDK, running inside
 * the session's sandbox. Synchronous and I/O-free; the binary path is resolved on first use.
 */
export function createClaudeArchitecture(options: ClaudeArchitectureOptions = {}): ClaudeArchitecture {
  const logger = options.logger ?? noopLogger;
  let executablePath = options.executablePath;
  const approvalRoutes = new ClaudeApprovalRoutes();
  const executable = () => (executablePath ??= defaultClaudeExecutablePath());

  const hostEnv = (): Record<string, string> => {
    const env: Record<string, string> = { ...CLAUDE_CODE_QUIET_ENV };
    for (const key of HOST_ENV_KEYS) {
      const value = process.env[key];
      if (value !== undefined) env[key] = value;
    }
    return { ...env, ...options.env };
  };
  /** What every process of the sandbox may see: switches, never the model endpoint or key. */
  const baseEnv = (): Record<string, string> => withoutClaudeModelEnv(hostEnv());
  const modelAccess = new ClaudeModelAccess(hostEnv);

  const processEnv = async (sandbox: Sandbox, context: AgentTurnContext): Promise<Record<string, string>> =>
    claudeCodeEnv({
      home: sandbox.homePath,
      configDir: `${sandbox.homePath}/.claude`,
      tmpDir: `${sandbox.homePath}/tmp`,
      variables: { ...baseEnv(), ...context.profile.environmentVariables, ...(await modelAccess.envFor(sandbox)) },
    });

  const processMode = options.processMode ?? processModeFromEnv();
  if (options.maxWarmProcesses !== undefined && !(Number.isInteger(options.maxWarmProcesses) && options.maxWarmProcesses >= 1)) {
    throw new AgentRuntimeError('INVALID_CONFIG', `maxWarmProcesses must be a whole number >= 1, not ${options.maxWarmProcesses}.`);
  }
  const warm = new WarmClaudeProcesses(logger, options.onWarmProcessExit, options.maxWarmProcesses);

  return {
    type: 'claude-agent-sdk',
    processMode,
    warmProcesses: () => warm.list(),
    stopWarmProcess: (sessionId, stopOptions) => warm.stop(sessionId, stopOptions?.kill === true),
    dispose: async () => warm.stopAll(),

    sandboxReadOnlyPaths: () => [dirname(executable())],

    sandboxEnv: baseEnv,

    async prepare(context: AgentPrepareContext): Promise<void> {
      const { sandbox, profile } = context;
      await sandbox.allowNetworkHosts?.(profile.network?.allowedHosts ?? []);
      for (const file of claudeProfileFiles(profile)) await sandbox.writeFile(file.path, file.content);
      const tmp = `${sandbox.homePath}/tmp`;
      const mkdir = await sandbox.exec(['mkdir', '-p', '-m', '700', tmp]);
      if ((await mkdir.wait()) !== 0) throw new AgentRuntimeError('SANDBOX_ERROR', `Could not create ${tmp} in the sandbox.`);
      const transcripts = context.transcripts;
      if (!transcripts?.main) return;
      const paths = claudeTranscriptPaths(sandbox.workspacePath, claudeSessionIdFor(context.sessionId));
      await sandbox.writeFile(paths.main, transcripts.main, { root: 'home' });
      for (const subagent of transcripts.subagents) {
        if (subagent.rawTranscript === undefined) continue;
        const id = normalizeSubagentId(subagent.id);
        if (!/^[A-Za-z0-9_-]+$/.test(id)) continue;
        await sandbox.writeFile(paths.subagent(id), subagent.rawTranscript, { root: 'home' });
      }
    },

    async *runTurn(context: AgentTurnContext): AsyncIterable<AgentEvent> {
      let env: Record<string, string>;
      try {
        env = await processEnv(context.sandbox, context);
      } catch (error) {
        logger.error({ sessionId: context.sessionId, error: String(error) }, 'claude-agent-sdk: could not set up model access');
        yield { type: 'turn:end', outcome: 'error', error: { code: 'SANDBOX_ERROR', message: `Could not set up the model endpoint: ${String(error)}` } };
        return;
      }
      approvalRoutes.set(context.sessionId, context.approvals);
      const settings = {
        executablePath: executable(),
        env,
        options: {
          ...claudeProfileOptions(context.profile, options.model),
          ...(context.approvals ? claudeApprovalOptions(() => approvalRoutes.get(context.sessionId)) : {}),
        },
        logger,
        subagentPollMs: options.subagentPollMs ?? 250,
        interruptGraceMs: options.interruptGraceMs ?? 3000,
        onSdkMessage: options.onSdkMessage,
      };
      try {
        if (processMode === 'warm') yield* warm.runTurn(context, settings);
        else yield* runClaudeTurn(context, settings);
      } finally {
        approvalRoutes.set(context.sessionId, undefined);
      }
    },

    async readTranscripts(sandbox: Sandbox, sessionId: string): Promise<AgentTranscripts> {
      const paths = claudeTranscriptPaths(sandbox.workspacePath, claudeSessionIdFor(sessionId));
      const decoder = new TextDecoder();
      const result: AgentTranscripts = { subagents: [] };
      try {
        result.main = decoder.decode(await sandbox.readFile(paths.main, { root: 'home' }));
      } catch {
        return result;
      }
      const files = await sandbox.listFiles({ root: 'home', directory: paths.subagentsDirectory }).catch(() => []);
      for (const file of files) {
        const name = file.path.split('/').pop() ?? '';
        const match = /^agent-([A-Za-z0-9_-]+)\.jsonl$/.exec(name);
        if (!match?.[1]) continue;
        const path = file.path.startsWith(paths.subagentsDirectory) ? file.path : `${paths.subagentsDirectory}/${name}`;
        const rawTranscript = decoder.decode(await sandbox.readFile(path, { root: 'home' }));
        result.subagents.push({ id: match[1], rawTranscript });
      }
      return result;
    },

    async transcriptFiles(sandbox: Sandbox, sessionId: string): Promise<AgentTranscriptFile[]> {
      const paths = claudeTranscriptPaths(sandbox.workspacePath, claudeSessionIdFor(sessionId));
      const files: AgentTranscriptFile[] = [{ path: paths.main, root: 'home' }];
      for (const file of await sandbox.listFiles({ root: 'home', directory: paths.subagentsDirectory }).catch(() => [])) {
        const name = file.path.split('/').pop() ?? '';
        const match = /^agent-([A-Za-z0-9_-]+)\.jsonl$/.exec(name);
        if (!match?.[1]) continue;
        const path = file.path.startsWith(paths.subagentsDirectory) ? file.path : `${paths.subagentsDirectory}/${name}`;
        files.push({ subagentId: match[1], path, root: 'home' });
      }
      return files;
    },

    parseTranscripts(transcripts: AgentTranscripts): ParsedConversations {
      const { main, subagents, skipped } = parseClaudeSession(transcripts);
      // Non-message entries (queue operations, attachments, ...) are skipped by design; anything
      // else (garbage, a truncated last line, an unknown entry type) is counted and logged.
      for (const [conversation, lines] of Object.entries(skipped)) {
        const unexpected = lines.filter((line) => !line.reason.startsWith('non-message entry') && line.reason !== 'meta user entry');
        if (unexpected.length > 0) {
          logger.warn({ conversation, skipped: unexpected.length, reasons: unexpected.slice(0, 5) }, 'claude-agent-sdk: skipped transcript lines');
        }
      }
      return { main, subagents };
    },

    isAgentConfigPath: isClaudeConfigPath,
  };
}
