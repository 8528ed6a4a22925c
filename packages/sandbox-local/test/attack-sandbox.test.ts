import { readFileSync, readdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { type Server, createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLocalSandboxProvider } from '../src/index.js';
import type { LocalSandbox } from '../src/local-sandbox.js';
import { connectProbe, hostPidsOfUid, hostPidsWith, node, run, until } from './attack-helpers.js';

// Plays the agent from inside real bubblewrap sandboxes (issue 12, items 1-3).
const dataDir = mkdtempSync(join(tmpdir(), 'sandbox-local-attack-'));
const provider = createLocalSandboxProvider({ dataDir, killGraceMs: 500 });
const created: LocalSandbox[] = [];
const REAL_KEY = `sk-ant-real-${Math.random().toString(36).slice(2)}-never-inside`;

async function create(): Promise<LocalSandbox> {
  const sandbox = await provider.create({ sessionId: `attack-${created.length}` });
  created.push(sandbox);
  return sandbox;
}

afterEach(async () => {
  await Promise.all(created.splice(0).map((sandbox) => sandbox.terminate()));
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('the agent is not root and cannot change the host', () => {
  it('writing any /proc/sys setting fails', async () => {
    const sandbox = await create();
    // Every file under /proc/sys that has a write bit: write its own value back (harmless if it worked).
    const result = await run(
      sandbox,
      'n=0; for f in $(find /proc/sys -type f -perm /222 2>/dev/null); do n=$((n+1)); v=$(cat "$f" 2>/dev/null) || continue; if (printf "%s\\n" "$v" > "$f") 2>/dev/null; then echo "WROTE $f"; fi; done; echo "tried $n"; echo 1 > /proc/sys/kernel/core_pattern; echo "|/tmp/x" > /proc/sys/kernel/core_pattern',
      { timeoutMs: 120_000 },
    );
    expect(result.stdout).not.toContain('WROTE');
    expect(Number(/tried (\d+)/.exec(result.stdout)?.[1])).toBeGreaterThan(50);
    expect(result.stderr).toMatch(/core_pattern: (Read-only file system|Permission denied)/);
    expect(readFileSync('/proc/sys/kernel/core_pattern', 'utf8')).not.toContain('/tmp/x');
  });

  it("the agent's uid is not 0 on the host, it has no capabilities and no_new_privs is set", async () => {
    const sandbox = await create();
    const marker = `sleep 7${Math.floor(Math.random() * 100000)}`;
    const inside = await run(sandbox, 'id -u; id -g; grep -E "^(Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs)" /proc/self/status');
    expect(inside.stdout.split('\n')[0]).not.toBe('0');
    expect(inside.stdout).toMatch(/NoNewPrivs:\s+1/);
    for (const cap of ['CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb']) expect(inside.stdout).toMatch(new RegExp(`${cap}:\\s+0{16}\\n`));
    const sleeper = await sandbox.exec(['sh', '-c', `${marker} & wait`]);
    await until(() => hostPidsWith(marker).length > 0, 'the sleeper');
    for (const pid of hostPidsWith(marker)) {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const [, ...ids] = /^Uid:\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)/m.exec(status) ?? [];
      expect(ids.map(Number).every((id) => id !== 0), `host uids of ${pid}: ${ids.join(' ')}`).toBe(true);
      expect(ids.map(Number)).toEqual([sandbox.ownerUid, sandbox.ownerUid, sandbox.ownerUid, sandbox.ownerUid]);
      expect(status).toMatch(/CapEff:\s+0{16}/);
    }
    sleeper.kill('SIGKILL');
    await sleeper.wait();
  });

  it('two sandboxes get different host uids, and files written by the runtime belong to the sandbox', async () => {
    const first = await create();
    const second = await create();
    expect(first.ownerUid).toBeGreaterThan(0);
    expect(first.ownerUid).not.toBe(second.ownerUid);
    await first.writeFile('deep/dir/file.txt', 'from the runtime');
    const result = await run(first, 'echo changed >> deep/dir/file.txt && mkdir deep/dir/more && cat deep/dir/file.txt');
    expect(result.stdout).toBe('from the runtimechanged\n');
    expect(statSync(join(first.workspacePath, 'deep/dir/file.txt')).uid).toBe(first.ownerUid);
  });
});

describe('network: none by default, the egress proxy is the only door', () => {
  let listener: ReturnType<typeof createTcpServer>;
  let abstractListener: ReturnType<typeof createTcpServer>;
  let upstream: Server;
  let port = 0;
  let upstreamUrl = '';
  const abstractName = `agent-runtime-attack-${process.pid}`;
  const received: { url: string; headers: Record<string, unknown> }[] = [];

  beforeAll(async () => {
    listener = createTcpServer((socket) => socket.end('host-loopback-secret\n'));
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    port = (listener.address() as { port: number }).port;
    abstractListener = createTcpServer((socket) => socket.end('abstract\n'));
    await new Promise<void>((resolve) => abstractListener.listen({ path: `\0${abstractName}` }, resolve));
    upstream = createHttpServer((request, response) => {
      received.push({ url: request.url ?? '', headers: { ...request.headers } });
      request.resume();
      request.on('end', () => response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    upstreamUrl = `http://127.0.0.1:${(upstream.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    listener.close();
    abstractListener.close();
    upstream.close();
  });

  it('cannot connect to a host loopback listener, PostgreSQL, or an abstract unix socket', async () => {
    const sandbox = await create();
    for (const target of [{ host: '127.0.0.1', port }, { host: '127.0.0.1', port: 5432 }, { host: '::1', port: 5432 }, { abstract: abstractName }]) {
      const result = await run(sandbox, connectProbe(target));
      expect(result.stdout, JSON.stringify(target)).toMatch(/^ERROR (ECONNREFUSED|ENETUNREACH|EADDRNOTAVAIL)/);
    }
    const interfaces = await run(sandbox, 'cat /proc/net/dev | tail -n +3 | cut -d: -f1');
    expect(interfaces.stdout.trim()).toBe('lo');
  });

  it('the proxy refuses CONNECT and plain requests to loopback, to unlisted hosts, and names that resolve to loopback', async () => {
    const sandbox = await create();
    await sandbox.allowNetworkHosts(['localhost', '127.0.0.1', `127.0.0.1:${port}`, 'registry.npmjs.org']);
    // A plain-HTTP proxy request (absolute URL), as curl or npm send it with HTTP_PROXY set.
    for (const url of [`http://127.0.0.1:${port}/`, `http://localhost:${port}/`, 'http://localhost/', 'http://example.com/']) {
      const probe = node(
        `const u = new URL(process.env.HTTP_PROXY); require('http').get({ host: u.hostname, port: u.port, path: '${url}' }, ` +
          `(r) => { let b = ''; r.on('data', (d) => (b += d)); r.on('end', () => console.log('STATUS ' + r.statusCode + ' ' + b)); })` +
          `.on('error', (e) => console.log('FAIL ' + e.message));`,
      );
      const result = await run(sandbox, probe);
      expect(result.stdout, url).toContain('STATUS 403');
      expect(result.stdout, url).toContain('HOST_NOT_ALLOWED');
    }
    const connect = node(
      `const s = require('net').connect(${47113}, '127.0.0.1', () => s.write('CONNECT 127.0.0.1:${port} HTTP/1.1\\r\\nhost: 127.0.0.1\\r\\n\\r\\n')); ` +
        `s.on('data', (d) => { console.log(String(d).split('\\r\\n')[0]); process.exit(0); });`,
    );
    const tunnel = await run(sandbox, connect);
    expect(tunnel.stdout).toContain('HTTP/1.1 403');
    expect(tunnel.stdout).not.toContain('host-loopback-secret');
  });

  it('model requests reach the upstream through the proxy, which swaps the token for the real key', async () => {
    const sandbox = await create();
    const endpoint = await sandbox.modelEndpoint({ upstreamUrl, headers: { 'x-api-key': REAL_KEY }, tokenHeaders: ['x-api-key', 'authorization'] });
    expect(endpoint.baseUrl).toBe('http://127.0.0.1:47113');
    expect(endpoint.token).not.toContain(REAL_KEY);
    received.length = 0;
    const call = (key: string) =>
      node(
        `fetch(process.env.BASE + '/v1/messages?beta=true', { method: 'POST', headers: { 'x-api-key': '${key}', 'content-type': 'application/json' }, body: '{}' })` +
          `.then(async r => console.log('STATUS ' + r.status + ' ' + await r.text()), e => console.log('FAIL ' + e.message))`,
      );
    const good = await run(sandbox, call(endpoint.token), { env: { BASE: endpoint.baseUrl } });
    expect(good.stdout).toContain('STATUS 200 {"ok":true}');
    expect(received).toHaveLength(1);
    expect(received[0]?.url).toBe('/v1/messages?beta=true');
    expect(received[0]?.headers['x-api-key']).toBe(REAL_KEY);
    expect(JSON.stringify(received[0]?.headers)).not.toContain(endpoint.token);
    for (const key of ['', 'sbx-wrong', REAL_KEY]) {
      const refused = await run(sandbox, call(key), { env: { BASE: endpoint.baseUrl } });
      expect(refused.stdout, key).toContain('STATUS 403');
    }
    expect(received).toHaveLength(1);
  });

  it("the key is in no environment, file or command line of the sandbox, nor in its directory on the host", async () => {
    const sandbox = await create();
    await sandbox.modelEndpoint({ upstreamUrl, headers: { 'x-api-key': REAL_KEY }, tokenHeaders: ['x-api-key'] });
    const marker = `sleep 6${Math.floor(Math.random() * 100000)}`;
    const sleeper = await sandbox.exec(['sh', '-c', `${marker} & wait`]);
    // The needle is split so that this script's own command line does not hold the key.
    const [head, tail] = [REAL_KEY.slice(0, 10), REAL_KEY.slice(10)];
    const inside = await run(sandbox, `env; cat /proc/*/environ /proc/*/cmdline 2>/dev/null | tr '\\0' '\\n'; echo end`);
    expect(inside.stdout).toContain('end');
    expect(inside.stdout).not.toContain(REAL_KEY);
    const files = await run(sandbox, `a='${head}'; b='${tail}'; grep -rl -- "$a$b" "$HOME" . /tmp /var/tmp /run /etc 2>/dev/null; true`);
    expect(files).toEqual({ code: 0, stdout: '', stderr: '' });
    await until(() => hostPidsWith(marker).length > 0, 'the sleeper');
    for (const pid of hostPidsOfUid(sandbox.ownerUid as number)) {
      for (const file of ['environ', 'cmdline']) {
        const text = (() => {
          try {
            return readFileSync(`/proc/${pid}/${file}`, 'utf8');
          } catch {
            return '';
          }
        })();
        expect(text, `/proc/${pid}/${file}`).not.toContain(REAL_KEY);
      }
    }
    const directory = join(dataDir, 'sandboxes', sandbox.id);
    const walk = (path: string): string[] =>
      readdirSync(path, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? walk(join(path, entry.name)) : entry.isFile() ? [join(path, entry.name)] : []));
    for (const file of walk(directory)) expect(readFileSync(file, 'utf8'), file).not.toContain(REAL_KEY);
    sleeper.kill('SIGKILL');
    await sleeper.wait();
  });
});
