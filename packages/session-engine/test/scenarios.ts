import type { AgentArchitectureType } from '@agent-runtime/core';
import type { Scenario } from '@agent-runtime/testkit';

/** Write a file, answer; later recall what was done. Tool names and paths per agent. */
export function notesScenario(type: AgentArchitectureType): Scenario {
  const claude = type === 'claude-agent-sdk';
  return {
    name: 'notes',
    turns: [
      {
        id: 'write',
        match: { lastUserText: /create the notes/i },
        reply: {
          thinking: claude ? 'The user wants notes.md; I will write it.' : undefined,
          text: ['Creating ', 'the notes.'],
          toolCalls: [
            claude
              ? { name: 'Write', input: { file_path: '{{cwd}}/notes.md', content: 'first line\n' } }
              : { name: 'write_file', input: { file_path: 'notes.md', content: 'first line\n' } },
          ],
        },
      },
      { id: 'written', match: { lastToolResult: { name: claude ? 'Write' : 'write_file' } }, reply: { text: 'notes.md is ready.' } },
      { id: 'recall', match: { lastUserText: /what did you do/i }, reply: { text: 'I created notes.md.' }, times: 'always' },
      { id: 'slow', match: { lastUserText: /take your time/i }, reply: { text: ['a', 'b', 'c', 'd', 'e', 'f'], chunkDelayMs: 700 }, times: 'always' },
    ],
    fallback: { text: 'ok' },
  };
}
