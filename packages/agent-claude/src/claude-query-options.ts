import type { Sandbox } from '@agent-runtime/core';
import type { Options } from '@anthropic-ai/claude-agent-sdk';
import { SandboxSpawnedProcess } from './sandbox-spawn.js';
import type { ClaudeTurnSettings } from './run-claude-turn.js';

/** SDK options of one CLI process in `sandbox`: the profile's, plus env, process wiring and resume. */
export function claudeQueryOptions(
  sandbox: Sandbox,
  settings: ClaudeTurnSettings,
  session: { claudeSessionId: string; resume: boolean; logContext: Record<string, unknown> },
  abortController: AbortController,
  onSpawn: (process: SandboxSpawnedProcess) => void,
): Options {
  return {
    ...settings.options,
    cwd: sandbox.workspacePath,
    env: settings.env,
    pathToClaudeCodeExecutable: settings.executablePath,
    permissionMode: 'bypassPermissions',
    allowDangerouslySkipPermissions: true,
    includePartialMessages: true,
    extraArgs: { ...settings.options.extraArgs, 'replay-user-messages': null },
    abortController,
    stderr: (data) => settings.logger.debug({ ...session.logContext, stderr: data.slice(0, 2000) }, 'claude stderr'),
    spawnClaudeCodeProcess: (spawnOptions) => {
      const spawned = new SandboxSpawnedProcess(sandbox, spawnOptions, settings.logger);
      onSpawn(spawned);
      return spawned;
    },
    ...(session.resume ? { resume: session.claudeSessionId } : { sessionId: session.claudeSessionId }),
  };
}
