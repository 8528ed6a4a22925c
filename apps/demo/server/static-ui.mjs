import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';

const MISSING_UI = `<!doctype html><meta charset="utf-8"><title>agent-runtime demo</title>
<body style="font-family:system-ui;margin:3rem">
<h1>The demo UI is not built</h1>
<p>Run <code>pnpm --filter @agent-runtime/demo build</code> (or <code>bash scripts/demo.sh</code>), then reload.
The runtime's API is up: try <a href="/sessions">/sessions</a>.</p>`;

/**
 * Serves the built UI (`dist/`) beside the runtime's routes. The runtime owns `GET /` (its
 * WebSocket endpoint, with a JSON description for plain GETs), so a hook answers browsers asking
 * for HTML at `/` with the UI's index.html, and leaves upgrades and API clients to the runtime.
 * Must be called before anything awaits a plugin registration, so the hook reaches every route.
 *
 * @param {import('fastify').FastifyInstance} app
 * @param {string} distDir
 */
export async function serveUi(app, distDir) {
  const indexPath = join(distDir, 'index.html');
  const indexHtml = () => (existsSync(indexPath) ? readFileSync(indexPath, 'utf8') : MISSING_UI);
  app.addHook('onRequest', async (request, reply) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return;
    if (request.headers.upgrade) return;
    const path = request.url.split('?')[0];
    if (path !== '/' && path !== '/index.html') return;
    if (!String(request.headers.accept ?? '').includes('text/html')) return;
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(indexHtml());
  });
  const assets = join(distDir, 'assets');
  if (existsSync(assets)) {
    await app.register(fastifyStatic, { root: assets, prefix: '/assets/', immutable: true, maxAge: '1y' });
  }
}
