import { noopLogger, type AgentEvent, type AgentTurnContext, type SandboxProcess } from '@agent-runtime/core';
import { FakeSandbox } from '@agent-runtime/testkit';
import { agent, ndJsonStream, PROTOCOL_VERSION } from '@agentclientprotocol/sdk';
import { describe, expect, it } from 'vitest';
import { createGeminiArchitecture } from '../create-gemini-architecture.js';
import { GeminiSessionIds } from '../gemini-session-id.js';
import type { WarmGeminiProcessInfo, WarmGeminiSettings } from './warm-gemini-process.js';
import { WarmGeminiProcesses } from './warm-gemini-processes.js';

/**
 * `warm()` ahead of a session's first turn, with a stand-in for `gemini --acp`: an in-memory ACP
 * agent (the SDK's `agent()`) behind a fake sandbox process, recording the requests it gets.
 * The real CLI is in warm-gemini-warm-up.real-cli.test.ts.
 */
const NEW_SESSION_ID = '0b7c4d6e-1f2a-4b3c-8d4e-5f6a7b8c9d0e';

class AcpSandbox extends FakeSandbox {
  readonly requests: string[] = [];
  execs = 0;

  // FakeSandbox's exec refuses (it runs no processes); this one starts the stand-in agent.
  override async exec(): Promise<never> {
    this.execs++;
    return fakeAcpProcess(this.requests) as never;
  }
}

/** An ACP agent that answers initialize, session/new and session/prompt (one text chunk). */
function fakeAcpProcess(requests: string[]): SandboxProcess {
  let toHost!: ReadableStreamDefaultController<Uint8Array>;
  let toAgent!: ReadableStreamDefaultController<Uint8Array>;
  let exit!: (code: number) => void;
  const exited = new Promise<number>((resolve) => (exit = resolve));
  const stdout = new ReadableStream<Uint8Array>({ start: (controller) => void (toHost = controller) });
  const agentInput = new ReadableStream<Uint8Array>({ start: (controller) => void (toAgent = controller) });
  const stderr = new ReadableStream<Uint8Array>({ start: (controller) => void exited.then(() => controller.close()) });
  const forward = (controller: ReadableStreamDefaultController<Uint8Array>) =>
    new WritableStream<Uint8Array>({
      write: (chunk) => {
        try {
          controller.enqueue(chunk);
        } catch {
          // the process has exited
        }
      },
    });
  agent()
    .onRequest('initialize', () => {
      requests.push('initialize');
      return { protocolVersion: PROTOCOL_VERSION, agentCapabilities: { loadSession: true } };
    })
    .onRequest('session/new', () => {
      requests.push('session/new');
      return { sessionId: NEW_SESSION_ID };
    })
    .onRequest('session/prompt', async ({ params, client }) => {
      requests.push('session/prompt');
      await client.notify('session/update', { sessionId: params.sessionId, update: { sessionUpdate: 'agent_message_chunk', content: { type: 'text', text: 'Hi.' } } });
      return { stopReason: 'end_turn' };
    })
    .connect(ndJsonStream(forward(toHost), agentInput));
  let killed = false;
  return {
    stdin: forward(toAgent),
    stdout,
    stderr,
    wait: () => exited,
    kill: () => {
      if (killed) return;
      killed = true;
      toHost.close();
      toAgent.close();
      exit(143);
    },
  };
}

function settings(approvalMode: WarmGeminiSettings['approvalMode'], env: Record<string, string> = {}): WarmGeminiSettings {
  return { nodePath: 'node', cliEntryPath: 'gemini.js', env, model: 'fake-model', logger: noopLogger, interruptGraceMs: 1000, sessionIds: new GeminiSessionIds(), approvalMode };
}

const at = (sandbox: AcpSandbox) => ({ sessionId: sandbox.sessionId, sandbox });

function turnContext(sandbox: AcpSandbox): AgentTurnContext {
  return { sessionId: sandbox.sessionId, sandbox, profile: { id: 'p', name: 'p' }, message: 'Hello', turnId: 't1', signal: new AbortController().signal };
}

async function collect(events: AsyncIterable<AgentEvent>): Promise<AgentEvent[]> {
  const out: AgentEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

function processesWithExits() {
  const exits: WarmGeminiProcessInfo[] = [];
  let onExit: (process: WarmGeminiProcessInfo) => void = () => {};
  const nextExit = () => new Promise<WarmGeminiProcessInfo>((resolve) => (onExit = resolve));
  const processes = new WarmGeminiProcesses(noopLogger, (process) => {
    exits.push(process);
    onExit(process);
  });
  return { processes, exits, nextExit };
}

describe('WarmGeminiProcesses.warm (before the first message)', () => {
  it('a new session without a policy: initialised only (no session/new); the first turn runs stream-json, then the process would load its file', async () => {
    const { processes, nextExit } = processesWithExits();
    const sandbox = new AcpSandbox('sb-1', 's-1', { sessionId: 's-1' });
    await processes.warm(at(sandbox), settings('yolo'));
    expect(sandbox.requests).toEqual(['initialize']);
    expect(processes.list()).toMatchObject([{ sessionId: 's-1', ready: false, initialized: true, busy: false }]);
    const warmed = processes.list()[0]!.processId;

    let firstTurns = 0;
    const exit = nextExit();
    const events = await collect(
      processes.runTurn(turnContext(sandbox), settings('yolo'), async function* () {
        firstTurns++;
        yield { type: 'turn:end', outcome: 'completed' };
      }),
    );
    expect(firstTurns).toBe(1);
    expect(events).toEqual([{ type: 'turn:end', outcome: 'completed' }]);
    // This stand-in turn wrote no session file: the warmed process stops instead of session/new.
    expect((await exit).processId).toBe(warmed);
    expect(sandbox.requests).toEqual(['initialize']);
    expect(sandbox.execs).toBe(1);
  });

  it('a policy session (mode default): warm() creates the session; the first turn is served by that process', async () => {
    const { processes } = processesWithExits();
    const sandbox = new AcpSandbox('sb-2', 's-2', { sessionId: 's-2' });
    await processes.warm(at(sandbox), settings('default'));
    expect(sandbox.requests).toEqual(['initialize', 'session/new']);
    expect(processes.list()).toMatchObject([{ sessionId: 's-2', ready: true }]);
    const events = await collect(
      processes.runTurn(turnContext(sandbox), settings('default'), () => {
        throw new Error('not a stream-json turn');
      }),
    );
    expect(events.at(-1)).toEqual({ type: 'turn:end', outcome: 'completed' });
    expect(events).toContainEqual(expect.objectContaining({ type: 'block:start', block: expect.objectContaining({ type: 'assistant_text', content: 'Hi.' }) }));
    expect(sandbox.requests.slice(0, 3)).toEqual(['initialize', 'session/new', 'session/prompt']);
    processes.stopAll();
  });

  it('a turn arriving while warm() starts uses that process; warm() again keeps it; other settings replace an idle one', async () => {
    const { processes, nextExit } = processesWithExits();
    const sandbox = new AcpSandbox('sb-3', 's-3', { sessionId: 's-3' });
    const warming = processes.warm(at(sandbox), settings('default'));
    const events = await collect(
      processes.runTurn(turnContext(sandbox), settings('default'), () => {
        throw new Error('not a stream-json turn');
      }),
    );
    await warming;
    expect(events.at(-1)).toEqual({ type: 'turn:end', outcome: 'completed' });
    // After a session/new turn its process is replaced by one that loads (here: makes) the session.
    await processes.warm(at(sandbox), settings('default'));
    expect(sandbox.requests).toEqual(['initialize', 'session/new', 'session/prompt', 'initialize', 'session/new']);
    const kept = processes.list();
    expect(kept).toHaveLength(1);
    await processes.warm(at(sandbox), settings('default'));
    expect(processes.list()).toEqual(kept);

    const exit = nextExit();
    await processes.warm(at(sandbox), settings('default', { CHANGED: '1' }));
    expect((await exit).processId).toBe(kept[0]!.processId);
    expect(processes.list()).toHaveLength(1);
    expect(processes.list()[0]!.processId).not.toBe(kept[0]!.processId);
    processes.stopAll();
  });

  it('the architecture warms only in warm mode (a per-turn CLI takes its message at start)', async () => {
    const sandbox = new AcpSandbox('sb-4', 's-4', { sessionId: 's-4' });
    const perTurn = createGeminiArchitecture({ env: { GEMINI_API_KEY: 'k' }, processMode: 'per-turn' });
    await perTurn.warm({ sessionId: sandbox.sessionId, sandbox, profile: { id: 'p', name: 'p' } });
    expect(sandbox.execs).toBe(0);
    const warm = createGeminiArchitecture({ env: { GEMINI_API_KEY: 'k' }, processMode: 'warm', cliEntryPath: '/cli/bundle/gemini.js' });
    await warm.warm({ sessionId: sandbox.sessionId, sandbox, profile: { id: 'p', name: 'p', toolPolicy: { default: 'ask' } } });
    expect(warm.warmProcesses()).toMatchObject([{ sessionId: 's-4', ready: true }]);
    expect(sandbox.requests).toEqual(['initialize', 'session/new']);
    await warm.dispose();
  });
});
