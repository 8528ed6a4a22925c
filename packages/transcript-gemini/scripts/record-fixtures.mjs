// Regenerates src/__fixtures__/<scenario>/run-<n>.{stream,session}.jsonl by running the REAL
// Gemini CLI (@google/gemini-cli, launched by @agent-runtime/agent-gemini's helpers) against the
// testkit's scripted model server. Each run's stdout (stream-json) and the session file as it
// is after that run are kept, so tests can replay the stream against the file.
//
// Usage: pnpm turbo run build --filter=@agent-runtime/agent-gemini... && node packages/transcript-gemini/scripts/record-fixtures.mjs
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const fixtures = join(here, '..', 'src', '__fixtures__');
// Both are above this pure package (agent-gemini depends on it): resolve them from agent-gemini's folder.
const agentGeminiDir = join(here, '..', '..', 'agent-gemini');
const importPackage = async (dir) => {
  const entry = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).exports['.'].import;
  return import(pathToFileURL(join(dir, entry)).href);
};
const { startModelServer } = await importPackage(join(agentGeminiDir, 'node_modules', '@agent-runtime', 'testkit'));
const { runGeminiCli, geminiCliEnv, geminiSettings } = await importPackage(agentGeminiDir);

const SESSION = (n) => `00000000-0000-4000-8000-00000000000${n}`;

/** name -> { scenario, runs: [{ prompt, resume? }] } */
const scenarios = {
  'text-thinking-resume': {
    scenario: {
      turns: [
        { match: { lastUserText: 'Say hello' }, reply: { thinking: ['**Greeting the user** They asked for a hello.'], text: ['Hello ', 'there!'], usage: { inputTokens: 12, outputTokens: 4, thoughtsTokens: 3 } } },
        { match: { lastUserText: 'And again' }, reply: { text: ['Hello again.'] } },
      ],
    },
    runs: [{ prompt: 'Say hello' }, { prompt: 'And again', resume: true }],
  },
  'tool-loop': {
    scenario: {
      turns: [
        { match: { lastUserText: 'Create notes.txt' }, reply: { thinking: ['**Planning** Write, then edit.'], text: ['I will write the file.'], toolCalls: [{ name: 'write_file', input: { file_path: 'notes.txt', content: 'one\n' } }] } },
        { match: { lastToolResult: { name: 'write_file' } }, reply: { toolCalls: [{ name: 'replace', input: { file_path: 'notes.txt', old_string: 'one', new_string: 'two', instruction: 'change one to two' } }] } },
        { match: { lastToolResult: { name: 'replace' } }, reply: { toolCalls: [{ name: 'read_file', input: { file_path: 'missing.txt' } }] } },
        { match: { lastToolResult: { name: 'read_file' } }, reply: { text: ['Done: notes.txt says two; missing.txt does not exist.'] } },
        { match: { lastUserText: 'What did you do' }, reply: { text: ['I wrote and edited notes.txt.'] } },
      ],
    },
    runs: [{ prompt: 'Create notes.txt and then edit it' }, { prompt: 'What did you do?', resume: true }],
  },
  'model-error': {
    scenario: { turns: [{ match: { lastUserText: 'Fail' }, error: { status: 500, message: 'scripted failure' } }] },
    runs: [{ prompt: 'Fail please' }],
  },
};

const server = await startModelServer();
let index = 0;
try {
  for (const [name, { scenario, runs }] of Object.entries(scenarios)) {
    index += 1;
    server.setScenario(scenario);
    const root = mkdtempSync(join(tmpdir(), 'gemini-fixture-'));
    const home = join(root, 'home');
    const workspace = join(root, 'workspace');
    mkdirSync(workspace, { recursive: true });
    mkdirSync(join(home, '.gemini'), { recursive: true });
    mkdirSync(join(home, 'tmp'), { recursive: true });
    writeFileSync(join(home, '.gemini', 'settings.json'), JSON.stringify(geminiSettings({ id: 'fixtures', name: 'Fixtures' })));
    const env = geminiCliEnv({ home, path: process.env.PATH, variables: { GEMINI_API_KEY: 'fixture-key', GOOGLE_GEMINI_BASE_URL: server.url } });
    const out = join(fixtures, name);
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
    let n = 0;
    for (const run of runs) {
      n += 1;
      const session = run.resume ? { resume: SESSION(index) } : { sessionId: SESSION(index) };
      const result = await runGeminiCli({ prompt: run.prompt, model: 'fake-model', cwd: workspace, env, ...session });
      writeFileSync(join(out, `run-${n}.stream.jsonl`), result.stdout);
      const chats = join(home, '.gemini', 'tmp', 'workspace', 'chats');
      const file = readdirSync(chats).find((f) => f.startsWith('session-'));
      copyFileSync(join(chats, file), join(out, `run-${n}.session.jsonl`));
      console.log(`${name} run ${n}: exit ${result.exitCode}, ${result.events.length} events`);
    }
    rmSync(root, { recursive: true, force: true });
  }
} finally {
  await server.close();
}
