import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { agentRuntimePlugin } from './plugin.js';
import { createFakeSessionEngine } from './test/index.js';

describe('plugin registration', () => {
  it('validates options at registration', async () => {
    const app = Fastify();
    await expect(app.register(agentRuntimePlugin, { engine: {} as never }).ready()).rejects.toMatchObject({ code: 'INVALID_CONFIG' });
    const second = Fastify();
    await expect(
      second.register(agentRuntimePlugin, { engine: createFakeSessionEngine(), heartbeatMs: -1 }).ready(),
    ).rejects.toMatchObject({ code: 'INVALID_CONFIG', details: { field: 'heartbeatMs' } });
  });

  it('works inside an existing app, on a websocketPath, without touching its other routes', async () => {
    const app = Fastify();
    app.get('/mine', async () => {
      throw new Error('my own error');
    });
    await app.register(agentRuntimePlugin, { engine: createFakeSessionEngine(), websocketPath: '/ws' });
    const mine = await app.inject({ method: 'GET', url: '/mine' });
    expect(mine.statusCode).toBe(500);
    expect(mine.json()).toMatchObject({ message: 'my own error' }); // fastify's own handler, not ours
    const ours = await app.inject({ method: 'GET', url: '/sessions/nope' });
    expect(ours.json()).toMatchObject({ error: { code: 'SESSION_NOT_FOUND' } });
    const socket = await app.injectWS('/ws', { headers: { host: 'localhost' } });
    socket.terminate();
    expect(app.agentRuntime.engine).toBeDefined();
    await app.close();
  });
});
