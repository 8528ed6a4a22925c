import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatedEchoTurn, startSessionManagerServer, type SessionManagerServer } from '../test/session-manager-server.js';
import { parseTar, tarStream } from './workspace-tar.js';

/** Uploads, the tar download and a git source at create, over the real SessionManager (memory persistence, fake sandbox). */
let server: SessionManagerServer;
let repoRoot: string;
const MAX_FILE_BYTES = 1024;

function sh(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } });
}

async function json(response: Response) {
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, any>) : undefined };
}

async function create(extra: Record<string, unknown> = {}) {
  return json(
    await fetch(`${server.baseUrl}/sessions/create`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ agentProfileRef: 'helper', architecture: 'claude-agent-sdk', ...extra }),
    }),
  );
}

async function put(sessionId: string, path: string, body: Uint8Array | string, type = 'application/octet-stream') {
  return json(await fetch(`${server.baseUrl}/sessions/${sessionId}/files/${path}`, { method: 'PUT', headers: { 'content-type': type }, body: body as BodyInit }));
}

async function tarBytes(files: { path: string; content: Uint8Array }[]): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of tarStream(files)) chunks.push(chunk as Buffer);
  return new Uint8Array(Buffer.concat(chunks));
}

const text = (value: string) => new TextEncoder().encode(value);

beforeAll(async () => {
  server = await startSessionManagerServer(gatedEchoTurn().script, {}, { maxMirroredFileBytes: MAX_FILE_BYTES });
  // A bare repository with two commits on main and a tag on the first.
  repoRoot = mkdtempSync(join(tmpdir(), 'files-test-'));
  const bare = join(repoRoot, 'repo.git');
  const work = join(repoRoot, 'work');
  sh(repoRoot, 'init', '--quiet', '--bare', '--initial-branch=main', bare);
  sh(repoRoot, 'init', '--quiet', '--initial-branch=main', work);
  writeFileSync(join(work, 'README.md'), 'version one\n');
  sh(work, 'add', '-A');
  sh(work, 'commit', '--quiet', '-m', 'one');
  sh(work, 'tag', 'v1');
  execFileSync('mkdir', ['-p', join(work, 'src')]);
  writeFileSync(join(work, 'README.md'), 'version two\n');
  writeFileSync(join(work, 'src', 'index.ts'), 'export {};\n');
  sh(work, 'add', '-A');
  sh(work, 'commit', '--quiet', '-m', 'two');
  sh(work, 'push', '--quiet', '--tags', bare, 'main');
});
afterAll(async () => {
  await server?.close();
  if (repoRoot) rmSync(repoRoot, { recursive: true, force: true });
});

describe('PUT /sessions/:id/files/*', () => {
  it('stores the raw bytes (text as UTF-8, binary as base64) and serves them back', async () => {
    const { body } = await create();
    const sessionId = body!.sessionId as string;
    expect(await put(sessionId, 'docs/notes.md', 'hello')).toEqual({
      status: 200,
      body: { success: true, sessionId, files: [{ path: 'docs/notes.md', size: 5 }] },
    });
    expect(await put(sessionId, 'bin/blob', new Uint8Array([0xff, 0x00, 0xfe]))).toMatchObject({ status: 200 });
    const read = await json(await fetch(`${server.baseUrl}/sessions/${sessionId}/files/docs/notes.md`));
    expect(read.body).toEqual({ path: 'docs/notes.md', content: 'hello' });
    const blob = await json(await fetch(`${server.baseUrl}/sessions/${sessionId}/files/bin/blob`));
    expect(blob.body).toEqual({ path: 'bin/blob', content: Buffer.from([0xff, 0x00, 0xfe]).toString('base64'), encoding: 'base64' });
    await server.waitForEvent((event) => event.event === 'session:file:created' && event.sessionId === sessionId);
  });

  it('refuses traversal, a file over the mirror limit and a non-raw content type, and stores nothing', async () => {
    const sessionId = (await create()).body!.sessionId as string;
    const traversal = await put(sessionId, '..%2Fescape.txt', 'x');
    expect(traversal.status).toBe(400);
    expect(traversal.body!.error.code).toBe('PATH_REFUSED');
    const encodedSlash = await put(sessionId, 'a/%2E%2E/%2E%2E/escape.txt', 'x');
    expect([400, 404]).toContain(encodedSlash.status);
    const tooLarge = await put(sessionId, 'big.bin', new Uint8Array(MAX_FILE_BYTES + 1));
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body!.error.code).toBe('PAYLOAD_TOO_LARGE');
    const plain = await put(sessionId, 'a.txt', 'x', 'text/plain');
    expect(plain.status).toBe(415);
    expect(plain.body!.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const session = await json(await fetch(`${server.baseUrl}/sessions/${sessionId}`));
    expect(session.body!.workspaceFiles).toEqual([]);
  });

  it('a PUT from a foreign Origin is refused (403)', async () => {
    const sessionId = (await create()).body!.sessionId as string;
    const response = await fetch(`${server.baseUrl}/sessions/${sessionId}/files/a.txt`, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream', origin: 'https://evil.example' },
      body: 'x',
    });
    expect(response.status).toBe(403);
  });

  it('an unknown session is 404', async () => {
    expect((await put('no-such-session', 'a.txt', 'x')).status).toBe(404);
  });
});

describe('POST /sessions/:id/files (tar) and GET /sessions/:id/workspace.tar', () => {
  it('writes every file of a tar and downloads them all back', async () => {
    const sessionId = (await create()).body!.sessionId as string;
    const longPath = `deep/${'d'.repeat(120)}/file.txt`;
    const archive = await tarBytes([
      { path: 'a.txt', content: text('alpha') },
      { path: 'nested/b.bin', content: new Uint8Array([1, 2, 255]) },
      { path: longPath, content: text('long') },
    ]);
    const upload = await json(
      await fetch(`${server.baseUrl}/sessions/${sessionId}/files`, { method: 'POST', headers: { 'content-type': 'application/x-tar' }, body: archive as BodyInit }),
    );
    expect(upload.status).toBe(200);
    expect(upload.body!.files.map((file: { path: string }) => file.path)).toEqual(['a.txt', 'nested/b.bin', longPath]);

    const download = await fetch(`${server.baseUrl}/sessions/${sessionId}/workspace.tar`);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toContain('application/x-tar');
    const files = parseTar(new Uint8Array(await download.arrayBuffer()));
    const byPath = new Map(files.map((file) => [file.path, file.content]));
    expect([...byPath.keys()].sort()).toEqual(['a.txt', longPath, 'nested/b.bin'].sort());
    expect(new TextDecoder().decode(byPath.get('a.txt'))).toBe('alpha');
    expect([...byPath.get('nested/b.bin')!]).toEqual([1, 2, 255]);
    expect(new TextDecoder().decode(byPath.get(longPath))).toBe('long');
  });

  it('refuses a tar with a traversing entry, a JSON body and garbage — and writes none of it', async () => {
    const sessionId = (await create()).body!.sessionId as string;
    const archive = await tarBytes([
      { path: 'ok.txt', content: text('fine') },
      { path: '../escape.txt', content: text('bad') },
    ]);
    const post = (body: BodyInit, type: string) =>
      fetch(`${server.baseUrl}/sessions/${sessionId}/files`, { method: 'POST', headers: { 'content-type': type }, body }).then(json);
    const traversal = await post(archive as BodyInit, 'application/x-tar');
    expect(traversal.status).toBe(400);
    expect(traversal.body!.error.code).toBe('PATH_REFUSED');
    const garbage = await post(new Uint8Array(1024).fill(7), 'application/x-tar');
    expect(garbage.status).toBe(400);
    expect(garbage.body!.error.code).toBe('INVALID_INPUT');
    expect((await post('{}', 'application/json')).status).toBe(415);
    const session = await json(await fetch(`${server.baseUrl}/sessions/${sessionId}`));
    expect(session.body!.workspaceFiles).toEqual([]);
  });
});

describe('git source at create', () => {
  it('clones a local bare repository (file: URL) into the workspace, at the default branch or a tag', async () => {
    const url = `file://${join(repoRoot, 'repo.git')}`;
    const head = await create({ git: { url } });
    expect(head.status).toBe(200);
    const files = (await json(await fetch(`${server.baseUrl}/sessions/${head.body!.sessionId}`))).body!.workspaceFiles;
    expect(files).toEqual(expect.arrayContaining([{ path: 'README.md', content: 'version two\n' }, { path: 'src/index.ts', content: 'export {};\n' }]));
    expect(files.some((file: { path: string }) => file.path.startsWith('.git'))).toBe(false);

    const tagged = await create({ git: { url, ref: 'v1' } });
    const taggedFiles = (await json(await fetch(`${server.baseUrl}/sessions/${tagged.body!.sessionId}`))).body!.workspaceFiles;
    expect(taggedFiles).toEqual([{ path: 'README.md', content: 'version one\n' }]);
  });

  it('a bad ref, a missing repository and a refused protocol are INVALID_INPUT naming the field; no session is left', async () => {
    const before = server.manager.listSessions().length;
    const url = `file://${join(repoRoot, 'repo.git')}`;
    const badRef = await create({ git: { url, ref: 'no-such-branch' } });
    expect(badRef.status).toBe(400);
    expect(badRef.body!.error).toMatchObject({ code: 'INVALID_INPUT', details: { field: 'git.ref' } });
    const missing = await create({ git: { url: `file://${join(repoRoot, 'missing.git')}` } });
    expect(missing.body!.error).toMatchObject({ code: 'INVALID_INPUT', details: { field: 'git.url' } });
    for (const refused of ['ssh://host/repo.git', 'git@host:repo.git', 'ext::sh -c touch% /tmp/pwned', 'https://user:secret@example.com/r.git']) {
      const response = await create({ git: { url: refused } });
      expect(response.status).toBe(400);
      expect(response.body!.error).toMatchObject({ code: 'INVALID_INPUT', details: { field: 'git.url' } });
    }
    const optionRef = await create({ git: { url, ref: '--upload-pack=touch /tmp/pwned' } });
    expect(optionRef.body!.error.code).toBe('INVALID_INPUT');
    expect(server.manager.listSessions()).toHaveLength(before);
  });
});
