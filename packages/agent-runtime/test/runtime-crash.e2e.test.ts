import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createSqlitePersistence } from '@agent-runtime/persistence-sqlite';
import { startModelServer, type ModelServer } from '@agent-runtime/testkit';
import type { AgentArchitectureType, AgentRuntime } from '../src/index.js';
import { offlineRuntime } from './offline-runtime.js';

/**
 * A runtime process killed with SIGKILL in the middle of a turn loses nothing that had happened:
 * the next runtime over the same database and data dir recovers the transcript and the files
 * from the sandbox left behind, reaps it, and the session resumes with its history. Both agents:
 * Claude Code and the Gemini CLI.
 */
const agents: AgentArchitectureType[] = ['claude-agent-sdk', 'gemini-cli'];

/** Every file under `directory`, recursively, as absolute paths. */
function filesUnder(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** The main transcript the agent's CLI wrote in an orphaned sandbox's home. */
function mainTranscriptIn(home: string, type: AgentArchitectureType): string {
  const files = type === 'claude-agent-sdk'
    // <home>/.claude/projects/<slug>/<uuid>.jsonl (subagents live one folder deeper).
    ? readdirSync(join(home, '.claude', 'projects')).flatMap((project) =>
        readdirSync(join(home, '.claude', 'projects', project)).filter((name) => name.endsWith('.jsonl')).map((name) => join(home, '.claude', 'projects', project, name)))
    // <home>/.gemini/tmp/<slug>/chats/session-<time>-<uuid8>.jsonl
    : filesUnder(join(home, '.gemini', 'tmp')).filter((path) => /\/chats\/session-[^/]+\.jsonl$/.test(path));
  expect(files).toHaveLength(1);
  return readFileSync(files[0]!, 'utf8');
}

describe.each(agents)('%s: runtime crash mid-turn', (type) => {
  const claude = type === 'claude-agent-sdk';
  const writeTool = claude ? 'Write' : 'write_file';
  let server: ModelServer;
  const dataDir = mkdtempSync(join(tmpdir(), 'runtime-crash-'));
  const database = join(dataDir, 'runtime.db');
  let restarted: AgentRuntime | undefined;

  afterAll(async () => {
    await restarted?.stop();
    await server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('recovers transcript and files from the orphaned sandbox and resumes', async () => {
    server = await startModelServer({
      turns: [
        {
          id: 'write',
          match: { lastUserText: /write the report/i },
          reply: {
            text: 'Writing it.',
            toolCalls: [{ name: writeTool, input: { file_path: claude ? '{{cwd}}/report.md' : 'report.md', content: '# Report\n' } }],
          },
        },
        // The answer after the tool result streams slowly: the runtime is killed during it.
        { id: 'slow', match: { lastToolResult: { name: writeTool } }, reply: { text: Array.from({ length: 40 }, () => 'word '), chunkDelayMs: 250 } },
        { id: 'recall', match: { lastUserText: /what did you write/i }, reply: { text: 'report.md' }, times: 'always' },
      ],
    });
    const seed = createSqlitePersistence({ filename: database });
    await seed.seedProfiles([{ id: 'writer', name: 'Writer' }]);
    await seed.close();

    const child = spawn(process.execPath, [fileURLToPath(new URL('./crash-child.mjs', import.meta.url))], {
      env: { ...process.env, CRASH_DB: database, CRASH_DATA_DIR: dataDir, CRASH_MODEL_URL: server.url, CRASH_AGENT: type },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    const [line] = await createInterface({ input: child.stdout })[Symbol.asyncIterator]().next().then((result) => [result.value as string]);
    const { url } = JSON.parse(line!) as { url: string };

    const post = (path: string, body: unknown) =>
      fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((response) => response.json());
    const { sessionId } = (await post('/sessions/create', { agentProfileRef: 'writer', architecture: type })) as { sessionId: string };
    await post(`/sessions/${sessionId}/message`, { content: 'Please write the report.' });

    // Wait until the slow answer is streaming (the Write has run), then kill the runtime.
    const started = Date.now();
    while (!server.requests.some((request) => request.turnId === 'slow')) {
      if (Date.now() - started > 60_000) throw new Error('the turn never reached the slow answer');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    child.kill('SIGKILL');
    await exited;
    const orphans = readdirSync(join(dataDir, 'sandboxes'));
    expect(orphans).toHaveLength(1);
    // What only the orphaned sandbox knows: its transcript as the CLI last wrote it, and a file
    // written after the runtime died (as if the agent's last write had not been mirrored yet).
    const orphan = join(dataDir, 'sandboxes', orphans[0]!);
    const lastTranscript = mainTranscriptIn(join(orphan, 'home'), type);
    // The transcript already holds the tool call: what is recovered is more than an empty file.
    expect(lastTranscript).toContain(writeTool);
    writeFileSync(join(orphan, 'workspace', 'late.txt'), 'written as the runtime died\n');

    restarted = offlineRuntime({ database, dataDir, modelServerUrl: server.url, agents: [type] }).runtime;
    await restarted.start();

    // The orphaned sandbox was recovered and reaped.
    expect(readdirSync(join(dataDir, 'sandboxes'))).toHaveLength(0);
    const session = await restarted.sessions.getSession(sessionId);
    expect(session.status).toBe('inactive');
    expect(session.workspaceFiles).toContainEqual({ path: 'report.md', content: '# Report\n' });
    expect(session.workspaceFiles).toContainEqual({ path: 'late.txt', content: 'written as the runtime died\n' });
    const stored = createSqlitePersistence({ filename: database });
    expect((await stored.loadSession(sessionId))?.rawTranscript).toBe(lastTranscript);
    await stored.close();
    const write = session.blocks.find((block) => block.type === 'tool_use');
    expect(write).toMatchObject({ toolName: writeTool, status: 'success' });
    expect(session.blocks.some((block) => block.type === 'tool_result')).toBe(true);

    // And it resumes with that history.
    const ended = new Promise<{ outcome: string }>((resolve) => {
      restarted!.sessions.events.subscribe((event) => {
        if (event.event === 'session:turn:end' && event.sessionId === sessionId) resolve(event.data as { outcome: string });
      });
    });
    await restarted.sessions.sendMessage(sessionId, { content: 'What did you write?' });
    expect(await ended).toMatchObject({ outcome: 'completed' });
    const recall = server.requests.filter((request) => request.turnId === 'recall').at(-1)!;
    expect(JSON.stringify(recall.body)).toContain('Please write the report.');
    expect(JSON.stringify(recall.body)).toContain(`"name":"${writeTool}"`);
    expect(JSON.stringify(recall.body)).toContain('Writing it.');
  });
});
