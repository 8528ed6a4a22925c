import type { AgentArchitecture, AgentProfile, Sandbox, SandboxProvider } from '@agent-runtime/core';
import { afterAll, afterEach, beforeAll, describe } from 'vitest';
import { startModelServer, type ModelServer } from '../model-server/server.js';
import { failureTests } from './failure-tests.js';
import { sessionTests } from './session-tests.js';
import type { ArchitectureContractContext, ArchitectureContractOptions, ArchitectureContractSubject, ArchitectureSubjectFactory } from './subject.js';
import { turnTests } from './turn-tests.js';
import { warmProcessTests } from './warm-process-tests.js';

/** Writes agent config into the workspace on `prepare` (CLAUDE.md/GEMINI.md, a skill, a command). */
export const ARCHITECTURE_CONTRACT_PROFILE: AgentProfile = {
  id: 'architecture-contract',
  name: 'Architecture contract',
  agentMDFile: 'Architecture contract: answer briefly.',
  skills: [{ name: 'contract-skill', description: 'A skill the contract installs', skillMd: 'Nothing to do.' }],
  commands: [{ name: 'contract-command', prompt: 'Say hello.' }],
};

/**
 * The behaviour every `AgentArchitecture` must have, as one vitest suite that runs the REAL agent
 * in sandboxes of the subject's provider against a scripted model server the suite starts.
 * Checks: `text-turn` (one completed `turn:end`, last; folded stream == parsed transcripts),
 * `tool-turn` (a file written through the agent's tool; `isAgentConfigPath` true for everything
 * `prepare` wrote to the workspace and false for that file), `resume` (a new sandbox prepared with
 * stored transcripts sends the earlier turn to the model), `model-error` (HTTP 500 → outcome
 * `error` with a code), `interrupt` (abort while streaming → outcome `interrupted`), and for
 * warm processes (`subject.warmProcesses`) `warm-interrupt-then-turn` and `warm-killed-between-turns`.
 *
 * @example
 * architectureContract('claude', () => ({
 *   architecture: (url) => createClaudeArchitecture({ env: { ANTHROPIC_BASE_URL: url, ANTHROPIC_API_KEY: 'test' } }),
 *   sandboxProvider: () => createLocalSandboxProvider({ dataDir }),
 *   writeFile: (path, content) => ({ name: 'Write', input: { file_path: `{{cwd}}/${path}`, content } }),
 *   toolName: 'Write',
 * }));
 */
export function architectureContract(name: string, makeSubject: ArchitectureSubjectFactory, options: ArchitectureContractOptions = {}): void {
  const skipped = new Set(options.skip ?? []);
  describe(`architectureContract: ${name}`, () => {
    let server: ModelServer | undefined;
    let subject: ArchitectureContractSubject | undefined;
    let architecture: AgentArchitecture | undefined;
    let provider: SandboxProvider | undefined;
    const created: Sandbox[] = [];
    const ready = <T>(value: T | undefined): T => {
      if (value === undefined) throw new Error('architectureContract: the subject has not been made');
      return value;
    };
    const context: ArchitectureContractContext = {
      subject: () => ready(subject),
      architecture: () => ready(architecture),
      server: () => ready(server),
      profile: options.profile ?? ARCHITECTURE_CONTRACT_PROFILE,
      async newSandbox(sessionId, transcripts) {
        const agent = ready(architecture);
        const sandbox = await ready(provider).create({ sessionId, readOnlyPaths: agent.sandboxReadOnlyPaths(), env: agent.sandboxEnv() });
        created.push(sandbox);
        await agent.prepare({ sessionId, sandbox, profile: context.profile, ...(transcripts ? { transcripts } : {}) });
        return sandbox;
      },
      skips: (check) => skipped.has(check),
      settings: { testTimeoutMs: options.testTimeoutMs ?? 60_000, interruptWithinMs: options.interruptWithinMs ?? 20_000 },
    };
    beforeAll(async () => {
      server = await startModelServer();
      subject = await makeSubject();
      architecture = subject.architecture(server.url);
      provider = subject.sandboxProvider();
    }, 60_000);
    afterEach(async () => {
      const sandboxes = created.splice(0);
      await Promise.all(sandboxes.map((sandbox) => sandbox.terminate().catch(() => undefined)));
    }, 60_000);
    afterAll(async () => {
      await server?.close();
      await subject?.cleanup?.();
    }, 60_000);

    turnTests(context);
    sessionTests(context);
    failureTests(context);
    warmProcessTests(context);
  });
}
