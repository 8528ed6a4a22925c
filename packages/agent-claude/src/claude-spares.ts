import type { AgentProfile, Logger, Sandbox } from '@agent-runtime/core';
import { prewarm, type ClaimOptions, type SpareProcess } from '@anthropic-ai/claude-agent-sdk';
import { claudeSessionIdFor } from './claude-paths.js';
import { claudeQueryOptions } from './claude-query-options.js';
import type { ClaudeTurnSettings } from './run-claude-turn.js';
import type { SandboxSpawnedProcess } from './sandbox-spawn.js';

/** Where a spare waits inside its sandbox's home (never the session's folder, as `prewarm()` asks). */
const PARKING_DIRECTORY = 'tmp/claude-spare';

/** A Claude Code process parked in a pooled sandbox (SDK `prewarm()`), before its session's profile is known. */
export interface ParkedClaude {
  readonly spare: SpareProcess;
  readonly abortController: AbortController;
  /** The sandbox process (set once spawned): to kill it. */
  spawned(): SandboxSpawnedProcess | undefined;
}

interface Parked extends ParkedClaude {
  sandbox: Sandbox;
  /** Executable + env the spare started with: a turn with other ones cannot use it. */
  fingerprint: string;
}

/**
 * Spare Claude Code processes, one per pooled sandbox: started with the SDK's `prewarm()` in the
 * sandbox (process start, module load, config, tools, the initialize handshake), for the session
 * id the pool chose, so that the session's first turn skips the CLI's start-up. A spare is
 * claimed by that session only, and only when its profile needs nothing that `prewarm()` fixes
 * (see `claimable`); otherwise it is closed and the session starts its CLI as usual.
 */
export class ClaudeSpares {
  private readonly bySession = new Map<string, Parked>();

  constructor(private readonly logger: Logger) {}

  /** Park a spare in `sandbox` for `sessionId`; resolves once it is initialized. */
  async park(sessionId: string, sandbox: Sandbox, settings: ClaudeTurnSettings): Promise<void> {
    const mkdir = await sandbox.exec(['mkdir', '-p', '-m', '700', `${sandbox.homePath}/tmp`, `${sandbox.homePath}/${PARKING_DIRECTORY}`]);
    if ((await mkdir.wait()) !== 0) throw new Error('could not create the parking directory in the sandbox');
    const abortController = new AbortController();
    let spawned: SandboxSpawnedProcess | undefined;
    const options = claudeQueryOptions(
      sandbox,
      settings,
      { claudeSessionId: claudeSessionIdFor(sessionId), resume: false, logContext: { sessionId, spare: true } },
      abortController,
      (process) => (spawned = process),
    );
    const spare = await prewarm({ options: { ...options, cwd: `${sandbox.homePath}/${PARKING_DIRECTORY}` } });
    const parked: Parked = { spare, abortController, spawned: () => spawned, sandbox, fingerprint: JSON.stringify([settings.executablePath, settings.env]) };
    const earlier = this.bySession.get(sessionId);
    if (earlier) close(earlier);
    this.bySession.set(sessionId, parked);
    // A spare that dies while parked (its sandbox stopped) is forgotten.
    void spare.exited.then(() => {
      if (this.bySession.get(sessionId) === parked) this.bySession.delete(sessionId);
    });
    this.logger.info({ sessionId, sandboxId: sandbox.id }, 'claude: spare process parked');
  }

  /**
   * The spare parked for this session, if it can serve a turn in `sandbox` with `settings` and
   * `profile`; removed either way (a spare is single use). One that cannot is closed.
   */
  take(sessionId: string, sandbox: Sandbox, settings: ClaudeTurnSettings, profile: AgentProfile): ParkedClaude | undefined {
    const parked = this.bySession.get(sessionId);
    if (!parked) return undefined;
    this.bySession.delete(sessionId);
    const reason =
      parked.sandbox !== sandbox
        ? 'another sandbox'
        : parked.fingerprint !== JSON.stringify([settings.executablePath, settings.env])
          ? 'another executable or environment'
          : unclaimableReason(settings, profile);
    if (reason === undefined) return parked;
    this.logger.info({ sessionId, reason }, 'claude: the spare process cannot serve this profile; starting the CLI as usual');
    close(parked);
    return undefined;
  }

  /** Close the session's spare, if it has one. */
  discard(sessionId: string): undefined {
    const parked = this.bySession.get(sessionId);
    this.bySession.delete(sessionId);
    if (parked) close(parked);
    return undefined;
  }

  /** Spares parked now (they count toward the warm process cap). */
  get size(): number {
    return this.bySession.size;
  }

  closeAll(): void {
    for (const parked of this.bySession.values()) close(parked);
    this.bySession.clear();
  }
}

/** What a claim sets for this profile: everything `ClaimOptions` can carry of it. */
export function claimOptions(sandbox: Sandbox, settings: ClaudeTurnSettings): ClaimOptions {
  const { options } = settings;
  const systemPrompt = options.systemPrompt;
  const append = typeof systemPrompt === 'object' && !Array.isArray(systemPrompt) && 'append' in systemPrompt ? systemPrompt.append : undefined;
  return {
    cwd: sandbox.workspacePath,
    permissionMode: 'bypassPermissions',
    ...(options.model ? { model: options.model } : {}),
    ...(append ? { appendSystemPrompt: append } : {}),
    ...(options.agents ? { agents: options.agents } : {}),
  };
}

/**
 * Why a spare cannot take this profile: `prewarm()` fixes tools, MCP servers and the start-up
 * environment, and project skills are loaded at start-up; a claim cannot change them.
 */
function unclaimableReason(settings: ClaudeTurnSettings, profile: AgentProfile): string | undefined {
  const { options } = settings;
  if (options.tools || options.allowedTools) return 'the profile restricts tools';
  if (options.mcpServers) return 'the profile has MCP servers';
  if (profile.skills?.length) return 'the profile has skills';
  return undefined;
}

function close(parked: Parked): void {
  parked.spare.close();
  parked.abortController.abort();
}
