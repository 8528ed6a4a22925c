import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createMemoryPersistence } from '@agent-runtime/persistence-memory';
import { createFakeSandboxProvider, createScriptedArchitecture } from '@agent-runtime/testkit';
import { AgentRuntime } from './agent-runtime.js';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const persistence = () => createMemoryPersistence({ profiles: [{ id: 'p', name: 'P' }] });

describe('AgentRuntime', () => {
  it('serves REST and WebSocket on websocketPort, and stops cleanly', async () => {
    const port = await freePort();
    const runtime = new AgentRuntime({
      persistence: persistence(),
      sandbox: createFakeSandboxProvider(),
      architectures: [createScriptedArchitecture(async function* () {})],
      websocketPort: port,
      host: '127.0.0.1',
      logLevel: 'error',
    });
    await runtime.start();
    expect(runtime.url).toBe(`http://127.0.0.1:${port}`);
    const health = await fetch(`${runtime.url}/health`);
    expect(health.status).toBe(200);
    const created = await fetch(`${runtime.url}/sessions/create`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ agentProfileRef: 'p', architecture: 'claude-agent-sdk' }),
    });
    expect(await created.json()).toMatchObject({ sessionId: expect.any(String), createdAt: expect.any(Number) });
    await runtime.stop();
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
  });

  it('logs at logLevel', () => {
    const runtime = new AgentRuntime({ persistence: persistence(), logLevel: 'debug', sandbox: createFakeSandboxProvider() });
    expect((runtime.logger as unknown as { level: string }).level).toBe('debug');
    const quiet = new AgentRuntime({ persistence: persistence(), logLevel: 'warn', sandbox: createFakeSandboxProvider() });
    expect((quiet.logger as unknown as { level: string }).level).toBe('warn');
  });

  it('runs on Modal when modal credentials are given, on the local sandbox otherwise, and on `sandbox` when set', () => {
    const modal = new AgentRuntime({ persistence: persistence(), modal: { tokenId: 'id', tokenSecret: 'secret', appName: 'app' }, logLevel: 'error' });
    expect(modal.sandbox.name).toBe('modal');
    const local = new AgentRuntime({ persistence: persistence(), logLevel: 'error' });
    expect(local.sandbox.name).toBe('local');
    const fake = createFakeSandboxProvider();
    const explicit = new AgentRuntime({ persistence: persistence(), modal: { tokenId: 'id', tokenSecret: 'secret', appName: 'app' }, sandbox: fake, logLevel: 'error' });
    expect(explicit.sandbox).toBe(fake);
    expect(local.architectures.map((architecture) => architecture.type)).toEqual(['claude-agent-sdk', 'gemini-cli']);
  });

  it('passes idleTimeoutMs through: an idle sandbox is stopped', async () => {
    const sandbox = createFakeSandboxProvider();
    const runtime = new AgentRuntime({
      persistence: persistence(),
      sandbox,
      architectures: [createScriptedArchitecture(async function* () {})],
      websocketPort: 0,
      host: '127.0.0.1',
      logLevel: 'error',
      idleTimeoutMs: 50,
    });
    await runtime.start();
    const { sessionId } = await runtime.sessions.createSession({ agentProfileRef: 'p', architecture: 'claude-agent-sdk' });
    const started = Date.now();
    while (runtime.sessions.listSessions().find((session) => session.sessionId === sessionId)?.status !== 'inactive' && Date.now() - started < 5_000) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(runtime.sessions.listSessions()[0]!.status).toBe('inactive');
    expect(sandbox.sandboxes[0]!.terminated).toBe(true);
    await runtime.stop();
  });
});
