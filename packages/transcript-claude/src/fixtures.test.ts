import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { foldAgentEvents } from '@agent-runtime/core';
import { createClaudeStreamReducer, parseClaudeSession, parseTaskNotification, type ClaudeSdkMessage } from './index.js';

// Recorded from the real Claude Code by scripts/record-fixtures.mjs (see the agent-claude scenarios).
const root = join(import.meta.dirname, '__fixtures__');
const scenarios = readdirSync(root).filter((name) => !name.includes('.'));

function load(name: string) {
  const directory = join(root, name);
  let subagentFiles: string[] = [];
  try {
    subagentFiles = readdirSync(join(directory, 'subagents')).filter((file) => file.endsWith('.jsonl'));
  } catch {
    // no subagents
  }
  return {
    main: readFileSync(join(directory, 'main.jsonl'), 'utf8'),
    subagents: subagentFiles.map((file) => ({ id: file.replace(/\.jsonl$/, ''), rawTranscript: readFileSync(join(directory, 'subagents', file), 'utf8') })),
    messages: readFileSync(join(directory, 'sdk-messages.jsonl'), 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as ClaudeSdkMessage),
  };
}

describe('recorded Claude Code sessions', () => {
  it('has fixtures', () => expect(scenarios.length).toBeGreaterThanOrEqual(5));

  for (const name of scenarios) {
    it(`${name}: folded stream events equal the parsed transcript`, () => {
      const { main, subagents, messages } = load(name);
      const parsed = parseClaudeSession({ main, subagents });
      const reducer = createClaudeStreamReducer();
      const events = messages.flatMap((message) => reducer.push(message));
      for (const subagent of subagents) {
        const id = subagent.id.replace(/^agent-/, '');
        for (const line of subagent.rawTranscript.split('\n')) events.push(...reducer.pushSubagentLine(id, line));
      }
      const folded = foldAgentEvents(events);
      expect(folded.get('main')).toEqual(parsed.main);
      for (const subagent of parsed.subagents) expect(folded.get(subagent.id)).toEqual(subagent.blocks);
      // Every block id is unique and derived from the transcript.
      const ids = parsed.main.map((block) => block.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(parsed.skipped.main!.every((skip) => skip.reason.startsWith('non-message entry') || skip.reason === 'interruption marker')).toBe(true);
    });
  }

  it('tools: thinking, Write then Edit with statuses and durations', () => {
    const { blocks } = { blocks: parseClaudeSession(load('tools')).main };
    expect(blocks.map((block) => block.type)).toEqual(['user_message', 'thinking', 'assistant_text', 'tool_use', 'tool_result', 'tool_use', 'tool_result', 'assistant_text']);
    const [, thinking, text, write, writeResult] = blocks;
    expect(thinking).toMatchObject({ content: 'I will write the file.' });
    expect(text?.id).toMatch(/^msg_.*:1$/);
    expect(write).toMatchObject({ type: 'tool_use', toolName: 'Write', status: 'success' });
    expect(writeResult).toMatchObject({ type: 'tool_result', id: `${write?.id}:result`, isError: false });
  });

  it('subagent: one conversation under the agent id, linked from the main subagent block', () => {
    const parsed = parseClaudeSession(load('subagent'));
    const [subagent] = parsed.subagents;
    expect(subagent?.id).toMatch(/^a[0-9a-f]+$/);
    expect(subagent).toMatchObject({ name: 'general-purpose' });
    const block = parsed.main.find((candidate) => candidate.type === 'subagent');
    expect(block).toMatchObject({ subagentId: subagent?.id, toolUseId: subagent?.toolUseId, status: 'success', output: 'The answer is 42.', input: 'SUBAGENT_TASK: what is 6*7?' });
  });

  it('background-subagent: the <task-notification> turn completes the subagent block and is no user message', () => {
    const parsed = parseClaudeSession(load('background-subagent'));
    const [subagent] = parsed.subagents;
    const block = parsed.main.find((candidate) => candidate.type === 'subagent');
    expect(block).toMatchObject({ subagentId: subagent?.id, status: 'success', output: 'The answer is 42.', input: 'BACKGROUND_TASK: what is 6*7?' });
    expect(block?.type === 'subagent' && block.durationMs).toBeGreaterThanOrEqual(0);
    expect(parsed.main.map((candidate) => candidate.type)).toEqual(['user_message', 'assistant_text', 'subagent', 'assistant_text', 'assistant_text']);
    expect(JSON.stringify(parsed.main)).not.toContain('<task-notification>');
    // Live: the subagent block stays running until the SDK's task_notification, then completes.
    const reducer = createClaudeStreamReducer();
    const events = load('background-subagent').messages.flatMap((message) => reducer.push(message));
    const completed = events.findIndex((event) => event.type === 'block:complete' && event.block.type === 'subagent' && event.block.status === 'success');
    const notification = events.findIndex((event) => event.type === 'subagent:completed');
    expect(completed).toBeGreaterThan(-1);
    expect(notification).toBeGreaterThan(completed);
  });

  it('parses a failed task notification as an error with its summary', () => {
    const text = '<task-notification>\n<task-id>a1</task-id>\n<tool-use-id>toolu_1</tool-use-id>\n<status>failed</status>\n<summary>Agent "x" failed: boom</summary>\n</task-notification>';
    expect(parseTaskNotification(text)).toEqual({ taskId: 'a1', toolUseId: 'toolu_1', status: 'error', output: 'Agent "x" failed: boom' });
  });

  it('failed-tool: the tool_use takes the error status of its result', () => {
    const blocks = parseClaudeSession(load('failed-tool')).main;
    expect(blocks.find((block) => block.type === 'tool_use')).toMatchObject({ status: 'error' });
  });
});
