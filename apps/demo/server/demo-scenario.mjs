/**
 * The script the offline demo model plays when no API key is set. The agents are the real
 * Claude Code and Gemini CLI; only their model answers from this script: an answer with thinking,
 * a tool call that writes a file, a follow-up edit, and (for the team-lead profile) a subagent.
 */

const FIZZBUZZ = `def fizzbuzz(n):
    for i in range(1, n + 1):
        if i % 15 == 0:
            print("FizzBuzz")
        elif i % 3 == 0:
            print("Fizz")
        elif i % 5 == 0:
            print("Buzz")
        else:
            print(i)


fizzbuzz(15)
`;

const FIZZBUZZ_EDITED = FIZZBUZZ.replace('fizzbuzz(15)\n', 'if __name__ == "__main__":\n    fizzbuzz(15)\n');

const REPORT = `# What makes a good agent runtime

- Agents run in isolated sandboxes, one per session.
- Every step streams to the client as typed blocks.
- Sessions, transcripts and files survive restarts.

(Written by the offline demo model.)
`;

const TEAM_LEAD = 'You lead a small team';
const CAREFUL = 'You ask before you act';
export const APPROVED_COMMAND = 'echo "hello from an approved command" > approved.txt && cat approved.txt';
export const COLOUR_QUESTION = 'Which colour should the banner be?';
const RESEARCH_PROMPT = 'Research for the team lead: what makes a good agent runtime?';
const CHUNK_DELAY_MS = 40;

/** Splits a sentence into word-sized chunks so the UI shows it streaming. */
function words(text) {
  return text.match(/\S+\s*/g) ?? [text];
}

function reply(fields) {
  return { chunkDelayMs: CHUNK_DELAY_MS, ...fields, text: fields.text === undefined ? undefined : words(fields.text) };
}

/** @returns {import('@agent-runtime/testkit').Scenario} */
export function demoScenario() {
  return {
    name: 'agent-runtime demo',
    maxRequests: 1_000_000,
    fallback: { text: 'This is the offline demo model: set ANTHROPIC_API_KEY or GEMINI_API_KEY for real answers.' },
    turns: [
      // Claude, careful-assistant profile (toolPolicy ask: Bash, Write): a question with options
      // when the message is about a colour, else a command that waits for the user's approval.
      {
        id: 'careful-question',
        times: 'always',
        match: { api: 'anthropic', system: CAREFUL, lastUserText: /colou?r/i },
        reply: reply({
          text: 'That is your call, so let me ask.',
          toolCalls: [
            {
              name: 'AskUserQuestion',
              input: {
                questions: [
                  {
                    question: COLOUR_QUESTION,
                    header: 'Colour',
                    options: [
                      { label: 'Green', description: 'Calm and friendly' },
                      { label: 'Orange', description: 'Loud and urgent' },
                    ],
                    multiSelect: false,
                  },
                ],
              },
            },
          ],
        }),
      },
      {
        id: 'careful-question-answered',
        times: 'always',
        match: { api: 'anthropic', system: CAREFUL, lastToolResult: { name: 'AskUserQuestion' } },
        reply: reply({ text: 'Thanks, noted your choice for the banner.' }),
      },
      {
        id: 'careful-command',
        times: 'always',
        match: { api: 'anthropic', system: CAREFUL, lastUserText: /\S/ },
        reply: reply({
          text: 'I need to run a command for that; it waits for your approval.',
          toolCalls: [{ name: 'Bash', input: { command: APPROVED_COMMAND, description: 'Write and show approved.txt' } }],
        }),
      },
      {
        id: 'careful-command-denied',
        times: 'always',
        match: { api: 'anthropic', system: CAREFUL, lastToolResult: { name: 'Bash', isError: true } },
        reply: reply({ text: 'Understood: I did not run the command.' }),
      },
      {
        id: 'careful-command-done',
        times: 'always',
        match: { api: 'anthropic', system: CAREFUL, lastToolResult: { name: 'Bash' } },
        reply: reply({ text: 'The approved command ran: approved.txt says hello.' }),
      },
      // Claude, team-lead profile: the researcher subagent's own conversation.
      {
        id: 'research',
        times: 'always',
        match: { api: 'anthropic', lastUserText: RESEARCH_PROMPT, fresh: true },
        reply: reply({
          thinking: 'Three points: isolation, streaming, durability.',
          text: '- Isolation: one sandbox per session.\n- Streaming: typed blocks in real time.\n- Durability: transcripts and files persist.',
        }),
      },
      // Claude, team-lead profile: delegate, then write the report.
      {
        id: 'delegate',
        times: 'always',
        match: { api: 'anthropic', system: TEAM_LEAD, lastUserText: /\S/ },
        reply: reply({
          thinking: 'I should ask the researcher before writing anything.',
          text: 'Let me ask the researcher first.',
          toolCalls: [
            {
              name: 'Agent',
              input: { description: 'Research the question', prompt: RESEARCH_PROMPT, subagent_type: 'researcher', run_in_background: false },
            },
          ],
        }),
      },
      {
        id: 'report',
        times: 'always',
        match: { api: 'anthropic', lastToolResult: { name: 'Agent' } },
        reply: reply({
          text: 'The researcher is done. Writing the report.',
          toolCalls: [{ name: 'Write', input: { file_path: 'report.md', content: REPORT } }],
        }),
      },
      {
        id: 'report-done',
        times: 'always',
        match: { api: 'anthropic', system: TEAM_LEAD, lastToolResult: { name: 'Write' } },
        reply: reply({ text: 'Done: report.md sums up what the researcher found.' }),
      },
      // Claude, any other profile: first message writes a file, then edits it.
      {
        id: 'write',
        times: 'always',
        match: { api: 'anthropic', lastUserText: /\S/, fresh: true },
        reply: reply({
          thinking: 'A small, runnable example fits best. I will write fizzbuzz.py, then make it importable.',
          text: "Sure! I'll write a small Python script for that.",
          toolCalls: [{ name: 'Write', input: { file_path: '{{cwd}}/fizzbuzz.py', content: FIZZBUZZ } }],
        }),
      },
      {
        id: 'edit',
        times: 'always',
        match: { api: 'anthropic', lastToolResult: { name: 'Write', isError: false } },
        reply: reply({
          text: 'Now a guard so it can be imported without running.',
          toolCalls: [
            { name: 'Edit', input: { file_path: '{{cwd}}/fizzbuzz.py', old_string: 'fizzbuzz(15)\n', new_string: 'if __name__ == "__main__":\n    fizzbuzz(15)\n' } },
          ],
        }),
      },
      {
        id: 'edited',
        times: 'always',
        match: { api: 'anthropic', lastToolResult: { name: 'Edit' } },
        reply: reply({ text: 'Done: fizzbuzz.py prints FizzBuzz for 1 to 15, and is safe to import.' }),
      },
      // Claude, later messages: look at the file, then answer.
      {
        id: 'read',
        times: 'always',
        match: { api: 'anthropic', lastUserText: /\S/ },
        reply: reply({
          thinking: 'Let me look at the workspace before answering.',
          text: 'Let me check the workspace.',
          // Bash with a relative path: after a restart the session runs in a new sandbox directory.
          toolCalls: [{ name: 'Bash', input: { command: 'ls && python3 fizzbuzz.py | tail -3', description: 'List the workspace and run the script' } }],
        }),
      },
      {
        id: 'read-done',
        times: 'always',
        match: { api: 'anthropic', lastToolResult: { name: 'Bash' } },
        reply: reply({ text: 'The script is still there and runs. (Offline demo model: set ANTHROPIC_API_KEY for real answers.)' }),
      },
      // Gemini: the same story with its own tools (workspace-relative paths).
      {
        id: 'gemini-write',
        times: 'always',
        match: { api: 'gemini', lastUserText: /\S/, fresh: true },
        reply: reply({
          thinking: 'A small, runnable example fits best.',
          text: "Sure! I'll write a small Python script for that.",
          toolCalls: [{ name: 'write_file', input: { file_path: 'fizzbuzz.py', content: FIZZBUZZ } }],
        }),
      },
      {
        id: 'gemini-edit',
        times: 'always',
        match: { api: 'gemini', lastToolResult: { name: 'write_file', isError: false } },
        reply: reply({
          text: 'Now a guard so it can be imported without running.',
          toolCalls: [
            {
              name: 'replace',
              input: {
                file_path: 'fizzbuzz.py',
                instruction: 'Only run fizzbuzz(15) when executed as a script.',
                old_string: 'fizzbuzz(15)\n',
                new_string: 'if __name__ == "__main__":\n    fizzbuzz(15)\n',
              },
            },
          ],
        }),
      },
      {
        id: 'gemini-edited',
        times: 'always',
        match: { api: 'gemini', lastToolResult: { name: 'replace' } },
        reply: reply({ text: 'Done: fizzbuzz.py prints FizzBuzz for 1 to 15, and is safe to import.' }),
      },
      {
        id: 'gemini-read',
        times: 'always',
        match: { api: 'gemini', lastUserText: /\S/ },
        reply: reply({ text: 'Let me check the file.', toolCalls: [{ name: 'read_file', input: { file_path: 'fizzbuzz.py' } }] }),
      },
      {
        id: 'gemini-read-done',
        times: 'always',
        match: { api: 'gemini', lastToolResult: { name: 'read_file' } },
        reply: reply({ text: 'The script is still there and runs. (Offline demo model: set GEMINI_API_KEY for real answers.)' }),
      },
    ],
  };
}

export const demoFiles = { FIZZBUZZ, FIZZBUZZ_EDITED, REPORT };
