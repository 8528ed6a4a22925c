import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { foldAgentEvents, type AgentEvent, type AgentProfile, type ConversationBlock, type Sandbox } from '@agent-runtime/core';
import { createLocalSandboxProvider } from '@agent-runtime/sandbox-local';
import { startModelServer, type ModelServer } from '@agent-runtime/testkit';
import { expect } from 'vitest';
import { createGeminiArchitecture, type GeminiArchitecture } from '../create-gemini-architecture.js';
import type { WarmGeminiProcessInfo } from './warm-gemini-process.js';

export interface WarmTurnRun {
  events: AgentEvent[];
  end: Extract<AgentEvent, { type: 'turn:end' }>;
  /** Blocks this turn streamed, and the blocks it added to the parsed transcript. */
  streamed: ConversationBlock[];
  parsed: ConversationBlock[];
  /** Milliseconds from the message to the first block event (-1: none). */
  firstBlockMs: number;
  /** Milliseconds from the message to each assistant-text delta, and to the turn end. */
  deltaMs: number[];
  endMs: number;
}

/**
 * What the warm-mode tests with the real Gemini CLI share: a scripted model server, a warm
 * architecture (at most two warm processes) against it, local sandboxes prepared with a profile,
 * and `turn`, which runs one turn and checks that it ends once and leaves earlier blocks alone.
 * `start()` in `beforeAll`, `stop()` in `afterAll`.
 */
export class WarmGeminiHarness {
  readonly profile: AgentProfile = { id: 'p', name: 'Gemini warm test' };
  private readonly sandboxes: Sandbox[] = [];
  private readonly dataDir = mkdtempSync(join(tmpdir(), 'agent-gemini-warm-'));
  private readonly provider = createLocalSandboxProvider({ dataDir: this.dataDir });
  private server: ModelServer | undefined;
  private architecture: GeminiArchitecture | undefined;

  constructor(private readonly onWarmProcessExit?: (process: WarmGeminiProcessInfo) => void) {}

  async start(): Promise<{ server: ModelServer; architecture: GeminiArchitecture }> {
    const server = await startModelServer();
    const architecture = createGeminiArchitecture({
      env: { GEMINI_API_KEY: 'test-key', GOOGLE_GEMINI_BASE_URL: server.url },
      model: 'fake-model',
      processMode: 'warm',
      maxWarmProcesses: 2,
      ...(this.onWarmProcessExit ? { onWarmProcessExit: this.onWarmProcessExit } : {}),
    });
    this.server = server;
    this.architecture = architecture;
    return { server, architecture };
  }

  async stop(): Promise<void> {
    await this.architecture?.dispose();
    await Promise.all(this.sandboxes.map((sandbox) => sandbox.terminate()));
    await this.server?.close();
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  /** A sandbox for the session, prepared with `profile` (the harness's own by default). */
  newSandbox = async (sessionId: string, profile: AgentProfile = this.profile): Promise<Sandbox> => {
    const architecture = this.started();
    const sandbox = await this.provider.create({ sessionId, readOnlyPaths: architecture.sandboxReadOnlyPaths(), env: architecture.sandboxEnv() });
    this.sandboxes.push(sandbox);
    await architecture.prepare({ sessionId, sandbox, profile });
    return sandbox;
  };

  turn = async (sandbox: Sandbox, message: string, options: { signal?: AbortSignal; onEvent?: (event: AgentEvent) => void } = {}): Promise<WarmTurnRun> => {
    const architecture = this.started();
    const parse = async () => architecture.parseTranscripts(await architecture.readTranscripts(sandbox, sandbox.sessionId)).main;
    const before = await parse();
    const events: AgentEvent[] = [];
    const started = performance.now();
    let firstBlockMs = -1;
    const deltaMs: number[] = [];
    const textBlocks = new Set<string>();
    const context = { sessionId: sandbox.sessionId, sandbox, profile: this.profile, message, turnId: `t-${Math.random()}`, signal: options.signal ?? new AbortController().signal };
    for await (const event of architecture.runTurn(context)) {
      if (firstBlockMs < 0 && event.type.startsWith('block:')) firstBlockMs = performance.now() - started;
      if (event.type === 'block:start' && event.block.type === 'assistant_text') textBlocks.add(event.block.id);
      if (event.type === 'block:delta' && textBlocks.has(event.blockId)) deltaMs.push(performance.now() - started);
      events.push(event);
      options.onEvent?.(event);
    }
    const endMs = performance.now() - started;
    const ends = events.filter((event) => event.type === 'turn:end');
    expect(ends, 'exactly one turn:end').toHaveLength(1);
    expect(events.at(-1)).toBe(ends[0]);
    const after = await parse();
    expect(after.slice(0, before.length), 'earlier blocks unchanged').toEqual(before);
    return { events, end: ends[0] as WarmTurnRun['end'], streamed: foldAgentEvents(events, { strict: true }).get('main') ?? [], parsed: after.slice(before.length), firstBlockMs, deltaMs, endMs };
  };

  private started(): GeminiArchitecture {
    if (!this.architecture) throw new Error('WarmGeminiHarness: call start() first (in beforeAll)');
    return this.architecture;
  }
}
