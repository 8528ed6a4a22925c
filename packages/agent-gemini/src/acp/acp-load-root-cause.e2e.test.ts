import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { client, ndJsonStream } from '@agentclientprotocol/sdk';
import { parseGeminiSession } from '@agent-runtime/transcript-gemini';
import { startModelServer, type ModelServer } from '@agent-runtime/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { geminiCliEntryPath } from '../launch/gemini-cli-launch.js';
import { geminiSettings } from '../profile-files.js';
import { minuteStamp } from './acp-session-files.js';

/**
 * The root cause of `session/load` failing on Gemini CLI 0.61.0 ("No previous sessions found for
 * this project."), shown with the raw CLI on the host: the load opens a fresh chat recorder at
 * `session-<this minute>-<id8>.jsonl`; a stored file of that name gets a `$set.messages` holding
 * only the context message appended (its history is then gone for every reader, also `--resume`),
 * and the load finds nothing. The same file under an earlier minute's name loads, and the next
 * prompt is appended to it with the whole history sent to the model.
 */
describe('gemini --acp 0.61.0: session/load and the session file name', () => {
  let server: ModelServer;
  const homes: string[] = [];
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    server = await startModelServer();
  });
  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await server?.close();
    for (const home of homes) rmSync(home, { recursive: true, force: true });
  });

  async function setup() {
    server.setScenario({ turns: [{ match: { lastUserText: 'Hello' }, reply: { text: ['Hi there.'] } }], fallback: { text: ['Again here.'] } });
    const home = mkdtempSync(join(tmpdir(), 'acp-load-home-'));
    const workspace = join(home, 'workspace');
    homes.push(home);
    mkdirSync(join(home, '.gemini'), { recursive: true });
    mkdirSync(join(home, 'tmp'));
    mkdirSync(workspace);
    writeFileSync(join(home, '.gemini', 'settings.json'), JSON.stringify(geminiSettings({ id: 'p', name: 'p' })));
    const start = () => {
      const child = spawn(process.execPath, [geminiCliEntryPath(), '--acp', '-m', 'fake-model'], {
        cwd: workspace,
        env: { PATH: '/usr/bin:/bin', HOME: home, GEMINI_CLI_HOME: home, TMPDIR: join(home, 'tmp'), GEMINI_API_KEY: 'k', GOOGLE_GEMINI_BASE_URL: server.url, GEMINI_CLI_TRUST_WORKSPACE: 'true', GEMINI_CLI_NO_RELAUNCH: 'true' },
        stdio: ['pipe', 'pipe', 'ignore'],
      });
      children.push(child);
      const connection = client().onNotification('session/update', () => undefined).connect(ndJsonStream(Writable.toWeb(child.stdin!) as WritableStream<Uint8Array>, Readable.toWeb(child.stdout!) as ReadableStream<Uint8Array>));
      return { child, agent: connection.agent };
    };
    const chats = join(home, '.gemini', 'tmp', 'workspace', 'chats');
    const first = start();
    await first.agent.request('initialize', { protocolVersion: 1, clientCapabilities: {} });
    const { sessionId } = await first.agent.request('session/new', { cwd: workspace, mcpServers: [] });
    await first.agent.request('session/prompt', { sessionId, prompt: [{ type: 'text', text: 'Hello' }] });
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));
    const file = readdirSync(chats).find((name) => name.endsWith(`-${sessionId.slice(0, 8)}.jsonl`))!;
    return { start, workspace, sessionId, chats, file };
  }

  const users = (text: string) => parseGeminiSession(text).blocks.filter((block) => block.type === 'user_message').map((block) => block.content);

  it('a stored file named for the current minute: the load fails and leaves the file without its history', async (context) => {
    const { start, workspace, sessionId, chats, file } = await setup();
    // Rename it to the current minute (what a quick restart sees), as the CLI would.
    const sameMinute = `session-${minuteStamp(Date.now())}-${sessionId.slice(0, 8)}.jsonl`;
    if (file !== sameMinute) renameSync(join(chats, file), join(chats, sameMinute));
    expect(users(readFileSync(join(chats, sameMinute), 'utf8'))).toEqual(['Hello']);
    const second = start();
    await second.agent.request('initialize', { protocolVersion: 1, clientCapabilities: {} });
    const load = await second.agent.request('session/load', { sessionId, cwd: workspace, mcpServers: [] }).then(
      () => undefined,
      (error: unknown) => error,
    );
    // On a slow machine the minute can turn before the load's fresh chat is made: its append then
    // goes to another file and the load works. Only a load within the file's minute shows the bug.
    if (minuteStamp(Date.now()) !== sameMinute.slice(8, 24)) {
      console.log('the minute turned during the load: inconclusive run');
      context.skip();
    }
    expect(load).toMatchObject({ data: { details: 'No previous sessions found for this project.' } });
    expect(users(readFileSync(join(chats, sameMinute), 'utf8')), 'the history was replaced').toEqual([]);
  });

  it('the same file under an earlier minute: the load works, the next prompt goes into it with the whole history', async () => {
    const { start, workspace, sessionId, chats, file } = await setup();
    const earlier = `session-${minuteStamp(Date.now() - 10 * 60_000)}-${sessionId.slice(0, 8)}.jsonl`;
    renameSync(join(chats, file), join(chats, earlier));
    const second = start();
    await second.agent.request('initialize', { protocolVersion: 1, clientCapabilities: {} });
    await second.agent.request('session/load', { sessionId, cwd: workspace, mcpServers: [] });
    await second.agent.request('session/prompt', { sessionId, prompt: [{ type: 'text', text: 'Again' }] });
    expect(JSON.stringify((server.generationRequests('gemini').at(-1)!.body as { contents: unknown }).contents)).toContain('Hi there.');
    expect(users(readFileSync(join(chats, earlier), 'utf8'))).toEqual(['Hello', 'Again']);
  });
});
