import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { foldAgentEvents, type AgentEvent, type AgentProfile, type Sandbox } from '@agent-runtime/core';
import type { ModelServer } from '@agent-runtime/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GeminiArchitecture } from '../create-gemini-architecture.js';
import type { WarmGeminiProcessInfo } from './warm-gemini-process.js';
import { WarmGeminiHarness } from './warm-gemini-test-harness.js';

/**
 * Warm mode with the real Gemini CLI 0.61.0 (`gemini --acp` inside bubblewrap): turns after the
 * first in one process, interrupt then a next turn in that process, a process killed between
 * turns or during one, the LRU cap, and the RSS of an idle warm process.
 */
const exits: WarmGeminiProcessInfo[] = [];
const harness = new WarmGeminiHarness((process) => exits.push(process));
const { newSandbox, turn } = harness;
let server: ModelServer;
let architecture: GeminiArchitecture;

beforeAll(async () => {
  ({ server, architecture } = await harness.start());
});

afterAll(() => harness.stop());

const processOf = (sandbox: Sandbox) => architecture.warmProcesses().find((process) => process.sessionId === sandbox.sessionId);

async function readyProcess(sandbox: Sandbox): Promise<WarmGeminiProcessInfo> {
  for (let waited = 0; waited < 60_000; waited += 50) {
    const process = processOf(sandbox);
    if (process?.ready) return process;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('no ready warm process');
}

const lastContents = () => JSON.stringify((server.generationRequests('gemini').at(-1)!.body as { contents: unknown }).contents);

/** VmRSS (kB) of the sandbox's `gemini --acp` process, found through the host's /proc. */
function acpRssKb(sandbox: Sandbox): number | undefined {
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmdline.includes('--acp') || cmdline.includes('bwrap')) continue;
      if (!readFileSync(`/proc/${pid}/environ`, 'utf8').includes(`HOME=${sandbox.homePath}\0`)) continue;
      return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
    } catch {
      // gone, or not ours
    }
  }
  return undefined;
}

describe('gemini-cli warm mode (gemini --acp) with the real CLI', () => {
  it('serves the turns after the first from one warm process; streamed blocks equal the parsed file; idle RSS', async () => {
    server.setScenario({
      turns: [
        { match: { lastUserText: 'First' }, reply: { text: ['One.'] } },
        { match: { lastUserText: 'Second' }, reply: { thinking: ['**Recall** the first turn'], text: ['Two ', 'after one.'] } },
        { match: { lastUserText: 'Make notes' }, reply: { text: ['Writing notes.'], toolCalls: [{ name: 'write_file', input: { file_path: 'notes.txt', content: 'draft\n' } }] } },
        { match: { lastToolResult: { name: 'write_file' } }, reply: { toolCalls: [{ name: 'replace', input: { file_path: 'notes.txt', old_string: 'draft', new_string: 'final', instruction: 'finalize' } }] } },
        { match: { lastToolResult: { name: 'replace' } }, reply: { toolCalls: [{ name: 'read_file', input: { file_path: 'nope.txt' } }] } },
        { match: { lastToolResult: { name: 'read_file', isError: true } }, reply: { text: ['All done.'] } },
      ],
    });
    const sandbox = await newSandbox('w-turns');
    const first = await turn(sandbox, 'First');
    expect(first.end.outcome).toBe('completed');
    expect(first.streamed).toEqual(first.parsed);
    const process = await readyProcess(sandbox);
    const rssKb = acpRssKb(sandbox);
    console.log('warm idle gemini --acp RSS (kB, loaded machine):', rssKb);
    expect(rssKb).toBeGreaterThan(50_000);

    const second = await turn(sandbox, 'Second');
    expect(second.end).toMatchObject({ outcome: 'completed', usage: { inputTokens: 100 } });
    expect(second.streamed).toEqual(second.parsed);
    expect(second.parsed.map((block) => block.type)).toEqual(['user_message', 'assistant_text', 'thinking']);
    expect(lastContents()).toContain('One.');
    console.log('warm second turn: message -> first block ms (loaded machine):', Math.round(second.firstBlockMs), 'cold first turn:', Math.round(first.firstBlockMs));

    const third = await turn(sandbox, 'Make notes');
    expect(third.end.outcome).toBe('completed');
    expect(readFileSync(join(sandbox.workspacePath, 'notes.txt'), 'utf8')).toBe('final\n');
    expect(third.streamed).toEqual(third.parsed);
    expect(third.parsed.map((block) => (block.type === 'tool_use' ? `${block.toolName}:${block.status}` : block.type))).toEqual([
      'user_message', 'assistant_text', 'write_file:success', 'tool_result', 'replace:success', 'tool_result', 'read_file:error', 'tool_result', 'assistant_text',
    ]);
    expect(processOf(sandbox)).toMatchObject({ processId: process.processId, turns: 2 });
    expect(server.unusedTurnIds()).toEqual([]);
  }, 180_000);

  it('interrupt (session/cancel) ends the turn interrupted and keeps the process for the next turn', async () => {
    server.setScenario({
      turns: [
        { match: { lastUserText: 'Start' }, reply: { text: ['Started.'] } },
        { match: { lastUserText: 'Slow' }, reply: { text: ['one ', 'two ', 'three'], stallAfterEvents: 1 } },
        { match: { lastUserText: 'After' }, reply: { text: ['Still here.'] } },
      ],
    });
    const sandbox = await newSandbox('w-interrupt');
    await turn(sandbox, 'Start');
    const process = await readyProcess(sandbox);
    const controller = new AbortController();
    const slow = await turn(sandbox, 'Slow', {
      signal: controller.signal,
      onEvent: (event) => {
        if (event.type === 'block:start' && event.block.type === 'assistant_text') controller.abort();
      },
    });
    expect(slow.end.outcome).toBe('interrupted');
    expect(slow.streamed.find((block) => block.type === 'assistant_text')).toMatchObject({ content: 'one ' });
    const after = await turn(sandbox, 'After');
    expect(after.end.outcome).toBe('completed');
    expect(after.streamed).toEqual(after.parsed);
    expect(lastContents()).toContain('Started.');
    expect(processOf(sandbox)?.processId, 'the same process').toBe(process.processId);
  });

  it('a process killed between turns: the next turn starts another, loads the session, and the model gets the whole history', async () => {
    server.setScenario({
      turns: [
        { match: { lastUserText: 'Remember kumquat' }, reply: { text: ['Noted: kumquat.'] } },
        { match: { lastUserText: 'Remember fig' }, reply: { text: ['Noted: fig.'], toolCalls: [{ name: 'write_file', input: { file_path: 'fig.txt', content: 'fig\n' } }] } },
        { match: { lastToolResult: { name: 'write_file' } }, reply: { text: ['Fig written.'] } },
        { match: { lastUserText: 'What do you remember' }, reply: { text: ['kumquat and fig'] } },
      ],
    });
    const sandbox = await newSandbox('w-kill');
    await turn(sandbox, 'Remember kumquat');
    await readyProcess(sandbox);
    const second = await turn(sandbox, 'Remember fig');
    expect(second.streamed).toEqual(second.parsed);
    const killed = (await readyProcess(sandbox)).processId;
    // Within the minute the session file was started in: the case where session/load failed.
    expect(architecture.stopWarmProcess(sandbox.sessionId, { kill: true })).toBe(true);
    for (let waited = 0; waited < 10_000 && !exits.some((exit) => exit.processId === killed); waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(exits.some((exit) => exit.processId === killed)).toBe(true);

    const third = await turn(sandbox, 'What do you remember?');
    expect(third.end.outcome).toBe('completed');
    expect(third.streamed).toEqual(third.parsed);
    const contents = lastContents();
    for (const earlier of ['Remember kumquat', 'Noted: kumquat.', 'Remember fig', 'Fig written.', 'functionResponse']) expect(contents).toContain(earlier);
    expect(processOf(sandbox)?.processId).not.toBe(killed);
    const parsed = architecture.parseTranscripts(await architecture.readTranscripts(sandbox, sandbox.sessionId)).main;
    expect(parsed.filter((block) => block.type === 'user_message').map((block) => block.content)).toEqual(['Remember kumquat', 'Remember fig', 'What do you remember?']);
  });

  it('a process that dies during a turn: that turn ends with one error, the next turn resumes with the history', async () => {
    server.setScenario({
      turns: [
        { match: { lastUserText: 'Hello' }, reply: { text: ['Hi.'] } },
        { match: { lastUserText: 'Sleep' }, reply: { toolCalls: [{ name: 'run_shell_command', input: { command: 'sleep 30' } }] } },
        { match: { lastUserText: 'Again' }, reply: { text: ['Back.'] } },
      ],
      fallback: { text: ['fallback'] },
    });
    const sandbox = await newSandbox('w-crash');
    await turn(sandbox, 'Hello');
    await readyProcess(sandbox);
    const crashed = await turn(sandbox, 'Sleep', {
      onEvent: (event) => {
        if (event.type === 'block:start' && event.block.type === 'tool_use') architecture.stopWarmProcess(sandbox.sessionId, { kill: true });
      },
    });
    expect(crashed.end).toMatchObject({ outcome: 'error', error: { code: 'AGENT_ERROR' } });
    const again = await turn(sandbox, 'Again');
    expect(again.end.outcome).toBe('completed');
    expect(lastContents()).toContain('Hi.');
  });

  it('a subagent in a warm turn: delegated with invoke_agent, its conversation linked to the call', async () => {
    server.setScenario({
      turns: [
        { match: { system: 'REVIEWER-SUBAGENT-PROMPT' }, reply: { toolCalls: [{ name: 'complete_task', input: { result: 'REVIEWED-OK' } }] } },
        { match: { lastUserText: 'Warm up' }, reply: { text: ['Ready.'] } },
        { match: { lastUserText: 'Review the code', hasTool: 'invoke_agent' }, reply: { toolCalls: [{ name: 'invoke_agent', input: { agent_name: 'code-reviewer', prompt: 'Check main.ts' } }] } },
        { match: { lastToolResult: { name: 'invoke_agent' } }, reply: { text: ['Review done.'] } },
      ],
    });
    const withSubagents: AgentProfile = { id: 'subagents', name: 'With subagents', subagents: [{ name: 'code-reviewer', description: 'reviews code', prompt: 'REVIEWER-SUBAGENT-PROMPT: reply with a report.', tools: ['read_file'] }] };
    const sandbox = await newSandbox('w-subagent', withSubagents);
    const run = async (message: string) => {
      const events: AgentEvent[] = [];
      for await (const event of architecture.runTurn({ sessionId: sandbox.sessionId, sandbox, profile: withSubagents, message, turnId: message, signal: new AbortController().signal })) events.push(event);
      return events;
    };
    await run('Warm up');
    await readyProcess(sandbox);
    const events = await run('Review the code');
    expect(events.at(-1)).toMatchObject({ type: 'turn:end', outcome: 'completed' });
    const parsed = architecture.parseTranscripts(await architecture.readTranscripts(sandbox, sandbox.sessionId));
    const call = parsed.main.find((block) => block.type === 'tool_use' && block.toolName === 'invoke_agent');
    expect(JSON.stringify(parsed.main)).toContain('REVIEWED-OK');
    expect(parsed.subagents).toHaveLength(1);
    expect(parsed.subagents[0]).toMatchObject({ toolUseId: (call as { toolUseId: string }).toolUseId, name: 'code-reviewer' });
    const streamed = foldAgentEvents(events, { strict: true }).get('main')!;
    expect(streamed).toEqual(parsed.main.slice(parsed.main.length - streamed.length));
  });

  it('maxWarmProcesses: a third session stops the least recently used idle process; that session loads again', async () => {
    server.setScenario({ turns: [], fallback: { text: ['ok'] } });
    const [a, b, c] = [await newSandbox('w-lru-a'), await newSandbox('w-lru-b'), await newSandbox('w-lru-c')];
    for (const sandbox of [a, b]) {
      await turn(sandbox, 'hi');
      await readyProcess(sandbox);
    }
    const stopped = processOf(a)!.processId;
    await turn(c, 'hi');
    expect(processOf(a), 'the least recently used process is stopped').toBeUndefined();
    expect(exits.some((exit) => exit.processId === stopped) || processOf(a) === undefined).toBe(true);
    const again = await turn(a, 'hello again');
    expect(again.end.outcome).toBe('completed');
    expect(again.streamed).toEqual(again.parsed);
  }, 240_000);
});
