import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';

type UpgradeListener = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;

/** True when `url` is `path` itself or below it (`/socket.io`, `/socket.io/?EIO=4...`). */
export function isUnderPath(url: string | undefined, path: string): boolean {
  if (!url?.startsWith(path)) return false;
  const next = url.charAt(path.length);
  return next === '' || next === '/' || next === '?';
}

/**
 * `@fastify/websocket` runs every HTTP upgrade through Fastify's router and closes those no
 * WebSocket route wants, which would kill Socket.IO's. Call `attach` (which adds Socket.IO's own
 * upgrade listener); afterwards upgrades under `path` reach only the listeners `attach` added,
 * all others only the listeners that were there before. Returns a function that undoes it.
 */
export function routeUpgrades(server: HttpServer, path: string, attach: () => void): () => void {
  const before = server.listeners('upgrade') as UpgradeListener[];
  server.removeAllListeners('upgrade');
  attach();
  const ours = server.listeners('upgrade') as UpgradeListener[];
  server.removeAllListeners('upgrade');
  const router: UpgradeListener = (request, socket, head) => {
    const listeners = isUnderPath(request.url, path) ? ours : before;
    for (const listener of listeners) listener.call(server, request, socket, head);
  };
  server.on('upgrade', router);
  return () => {
    server.removeListener('upgrade', router);
  };
}
