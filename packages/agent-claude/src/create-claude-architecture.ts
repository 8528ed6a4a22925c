import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
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
import { claudeProfileFiles } from './profile-files.js';
import { ClaudeModelAccess, withoutClaudeModelEnv } from './model-access.js';
import { claudeProfileOptions } from './query-options.js';
import { runClaudeTurn } from './run-claude-turn.js';

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
}

const HOST_ENV_KEYS = ['ANTHROPIC_BASE_URL', 'ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN', 'CLAUDE_CODE_MAX_RETRIES'];

/** Path of the native `claude` binary the Agent SDK ships for this platform. */
export function defaultClaudeExecutablePath(): string {
  const require = createRequire(import.meta.url);
  const sdkRequire = createRequire(require.resolve('@anthropic-ai/claude-agent-sdk'));
  const names = process.platform === 'linux' ? [`linux-${process.arch}`, `linux-${process.arch}-musl`] : [`${process.platform}-${process.arch}`];
  for (const name of names) {
    try {
      return join(dirname(sdkRequire.resolve(`@anthropic-ai/claude-agent-sdk-${name}/package.json`)), process.platform === 'win32' ? 'claude.exe' : 'claude');
    } catch {
      // try the next platform package
    }
  }
  throw new AgentRuntimeError('INVALID_CONFIG', `No Claude Code binary for ${process.platform}-${process.arch}; set executablePath.`);
}

/**
 * The `claude-agent-sdk` architecture: Claude Code, driven by the Claude Agent SDK, running inside
 * the session's sandbox. Synchronous and I/O-free; the binary path is resolved on first use.
 */
export function createClaudeArchitecture(options: ClaudeArchitectureOptions = {}): AgentArchitecture {
  const logger = options.logger ?? noopLogger;
  let executablePath = options.executablePath;
  const executable = () => (executablePath ??= defaultClaudeExecutablePath());

  const hostEnv = (): Record<string, string> => {
    const env: Record<string, string> = {
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      DISABLE_AUTOUPDATER: '1',
      DISABLE_TELEMETRY: '1',
      DISABLE_ERROR_REPORTING: '1',
      IS_SANDBOX: '1',
    };
    for (const key of HOST_ENV_KEYS) {
      const value = process.env[key];
      if (value !== undefined) env[key] = value;
    }
    return { ...env, ...options.env };
  };
  /** What every process of the sandbox may see: switches, never the model endpoint or key. */
  const baseEnv = (): Record<string, string> => withoutClaudeModelEnv(hostEnv());
  const modelAccess = new ClaudeModelAccess(hostEnv);

  const processEnv = async (sandbox: Sandbox, context: AgentTurnContext): Promise<Record<string, string>> => ({
    PATH: '/usr/local/bin:/usr/bin:/bin',
    ...baseEnv(),
    ...context.profile.environmentVariables,
    ...(await modelAccess.envFor(sandbox)),
    HOME: sandbox.homePath,
    CLAUDE_CONFIG_DIR: `${sandbox.homePath}/.claude`,
    CLAUDE_CODE_TMPDIR: `${sandbox.homePath}/tmp`,
  });

  return {
    type: 'claude-agent-sdk',

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
      yield* runClaudeTurn(context, {
        executablePath: executable(),
        env,
        options: claudeProfileOptions(context.profile, options.model),
        logger,
        subagentPollMs: options.subagentPollMs ?? 250,
        interruptGraceMs: options.interruptGraceMs ?? 3000,
        onSdkMessage: options.onSdkMessage,
      });
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
