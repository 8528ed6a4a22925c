import { expect, it } from 'vitest';
import { expectSingleEnd, expectStreamEqualsTranscripts, randomId, runTurn } from './helpers.js';
import type { ArchitectureContractContext } from './subject.js';

/** `text-turn` and `tool-turn`: what one turn streams, writes and leaves in its transcripts. */
export function turnTests(context: ArchitectureContractContext): void {
  const { architecture, server, subject, newSandbox, profile, skips, settings } = context;
  const timeout = settings.testTimeoutMs;

  it.skipIf(skips('text-turn'))('text-turn: block events, then one completed turn:end; folded stream == parsed transcripts', async () => {
    server().setScenario({ turns: [{ match: { lastUserText: 'say hello' }, reply: { text: ['Hello ', 'from ', 'the contract.'] } }] });
    const sandbox = await newSandbox(randomId('text'));
    const events = await runTurn(architecture(), sandbox, profile, 'Please say hello');
    expect(expectSingleEnd(events)).toMatchObject({ outcome: 'completed' });
    expect(events.some((event) => event.type === 'block:start'), 'at least one block:start').toBe(true);
    const parsed = await expectStreamEqualsTranscripts(architecture(), sandbox, events);
    expect(parsed.main.find((block) => block.type === 'user_message')).toBeDefined();
    expect(parsed.main.find((block) => block.type === 'assistant_text')).toMatchObject({ content: 'Hello from the contract.' });
  }, timeout);

  it.skipIf(skips('tool-turn'))('tool-turn: a tool writes a workspace file; tool_use ends success; config paths are told apart', async () => {
    const path = 'contract-output.txt';
    const content = 'written by the agent\n';
    server().setScenario({
      turns: [
        { match: { lastUserText: 'write the file', fresh: true }, reply: { toolCalls: [subject().writeFile(path, content)] } },
        { match: { lastToolResult: { name: subject().toolName } }, reply: { text: 'The file is written.' } },
      ],
    });
    const sandbox = await newSandbox(randomId('tool'));
    // Everything `prepare` put into the workspace is the agent's own configuration.
    const prepared = (await sandbox.listFiles()).map((file) => file.path);
    expect(prepared.length, 'the profile has agentMDFile, so prepare writes at least CLAUDE.md/GEMINI.md').toBeGreaterThan(0);
    for (const file of prepared) expect(architecture().isAgentConfigPath(file), `isAgentConfigPath(${file})`).toBe(true);

    const events = await runTurn(architecture(), sandbox, profile, 'Please write the file');
    expect(expectSingleEnd(events)).toMatchObject({ outcome: 'completed' });
    expect(new TextDecoder().decode(await sandbox.readFile(path))).toBe(content);
    expect(architecture().isAgentConfigPath(path)).toBe(false);
    const parsed = await expectStreamEqualsTranscripts(architecture(), sandbox, events);
    const toolUses = parsed.main.filter((block) => block.type === 'tool_use');
    expect(toolUses).toHaveLength(1);
    expect(toolUses[0]).toMatchObject({ status: 'success' });
    expect(server().unusedTurnIds()).toEqual([]);
  }, timeout);
}
