import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoProcess, type DemoProcess } from './demo-process';

describe('demo server', () => {
  let demo: DemoProcess;

  beforeAll(async () => {
    demo = await startDemoProcess();
  });
  afterAll(async () => {
    await demo?.stop();
  });

  it('says where it listens and which model the agents use', () => {
    expect(demo.output()).toContain('claude-agent-sdk: offline demo model, gemini-cli: offline demo model');
  });

  it('answers GET /sessions, GET /demo/info and GET /demo/agent-processes', async () => {
    const sessions = await fetch(`${demo.url}/sessions`);
    expect(sessions.status).toBe(200);
    expect(await sessions.json()).toEqual({ sessions: [] });
    const info = await fetch(`${demo.url}/demo/info`).then((response) => response.json());
    expect(info).toMatchObject({ offline: true, persistence: 'sqlite', sandbox: 'local' });
    expect(info.agents['gemini-cli'].model).toBe('offline demo model');
    const agentProcesses = await fetch(`${demo.url}/demo/agent-processes`).then((response) => response.json());
    expect(agentProcesses).toEqual({ processes: [] });
  });

  it('serves the UI to browsers at / and keeps the runtime description for API clients', async () => {
    const html = await fetch(demo.url, { headers: { accept: 'text/html' } });
    expect(html.headers.get('content-type')).toContain('text/html');
    expect(await html.text()).toContain('<div id="root">');
    const json = await fetch(demo.url, { headers: { accept: 'application/json' } }).then((response) => response.json());
    expect(json).toMatchObject({ service: 'agent-runtime' });
  });

  it('serves Prometheus metrics and answers only to local host names', async () => {
    const metrics = await fetch(`${demo.url}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toMatch(/^agent_runtime_sessions\{status="active"\} 0$/m);
    const { request } = await import('node:http');
    const url = new URL(demo.url);
    const status = await new Promise<number>((resolve, reject) => {
      const call = request({ host: '127.0.0.1', port: url.port, path: '/sessions', headers: { host: 'rebound.example' } }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      call.on('error', reject);
      call.end();
    });
    expect(status).toBe(403);
  });

  it('seeds the four demo profiles', async () => {
    const { profiles } = await fetch(`${demo.url}/agent-profiles`).then((response) => response.json());
    expect(profiles.map((profile: { id: string }) => profile.id).sort()).toEqual(['careful-assistant', 'code-assistant', 'gemini-assistant', 'team-lead']);
  });

  it('stops cleanly on SIGTERM', async () => {
    const other = await startDemoProcess();
    expect(await other.stop()).toBe(0);
  });
});
