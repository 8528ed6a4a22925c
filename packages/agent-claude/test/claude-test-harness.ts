import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AgentEvent, AgentProfile, AgentTranscripts, Sandbox, UserMessageContent } from '@agent-runtime/core';
import { createLocalSandboxProvider } from '@agent-runtime/sandbox-local';
import { startModelServer, type ModelServer } from '@agent-runtime/testkit';
import { createClaudeArchitecture, type ClaudeArchitecture, type ClaudeArchitectureOptions } from '../src/index.js';

/**
 * What the tests with the REAL Claude Code in the local sandbox share: a scripted model server, an
 * architecture against it (`options` added to the model environment), sandboxes prepared with one
 * profile, and `turn`, which runs one turn and collects its events. `start()` in `beforeAll`,
 * `stop()` in `afterAll`.
 */
export class ClaudeTestHarness {
  readonly profile: AgentProfile = { id: 'test', name: 'test' };
  private readonly sandboxes: Sandbox[] = [];
  private readonly dataDir: string;
  private readonly provider;
  private server: ModelServer | undefined;
  private architecture: ClaudeArchitecture | undefined;

  constructor(
    dataDirPrefix: string,
    private readonly options: Omit<ClaudeArchitectureOptions, 'env'> = {},
  ) {
    this.dataDir = mkdtempSync(join(tmpdir(), dataDirPrefix));
    this.provider = createLocalSandboxProvider({ dataDir: this.dataDir });
  }

  async start(): Promise<{ server: ModelServer; architecture: ClaudeArchitecture }> {
    const server = await startModelServer();
    const architecture = createClaudeArchitecture({
      ...this.options,
      env: { ANTHROPIC_BASE_URL: server.url, ANTHROPIC_API_KEY: 'sk-ant-test', CLAUDE_CODE_MAX_RETRIES: '0' },
    });
    this.server = server;
    this.architecture = architecture;
    return { server, architecture };
  }

  async stop(): Promise<void> {
    await this.architecture?.dispose();
    await this.server?.close();
    for (const sandbox of this.sandboxes) await sandbox.terminate();
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  /** A sandbox for the session, not prepared yet (terminated by `stop`). */
  createSandbox = async (sessionId: string): Promise<Sandbox> => {
    const architecture = this.started();
    const sandbox = await this.provider.create({ sessionId, readOnlyPaths: architecture.sandboxReadOnlyPaths(), env: architecture.sandboxEnv() });
    this.sandboxes.push(sandbox);
    return sandbox;
  };

  /** A sandbox for the session, prepared with the harness's profile (and `transcripts` to resume). */
  newSandbox = async (sessionId: string, transcripts?: AgentTranscripts): Promise<Sandbox> => {
    const sandbox = await this.createSandbox(sessionId);
    await this.started().prepare({ sessionId, sandbox, profile: this.profile, transcripts });
    return sandbox;
  };

  turn = async (sandbox: Sandbox, message: UserMessageContent, options: { signal?: AbortSignal; onEvent?: (event: AgentEvent) => void } = {}): Promise<AgentEvent[]> => {
    const events: AgentEvent[] = [];
    for await (const event of this.started().runTurn({
      sessionId: sandbox.sessionId, sandbox, profile: this.profile, message, turnId: `turn-${Math.random()}`, signal: options.signal ?? new AbortController().signal,
    })) {
      events.push(event);
      options.onEvent?.(event);
    }
    return events;
  };

  private started(): ClaudeArchitecture {
    if (!this.architecture) throw new Error('ClaudeTestHarness: call start() first (in beforeAll)');
    return this.architecture;
  }
}
