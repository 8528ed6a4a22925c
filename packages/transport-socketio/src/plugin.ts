import { AgentRuntimeError, noopLogger, type Logger } from '@agent-runtime/core';
import type { SessionEngine } from '@agent-runtime/session-engine';
import { authenticateRequest } from '@agent-runtime/transport-fastify';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { Server } from 'socket.io';
import { handshakeRequest } from './handshake-request.js';
import { registerClientGauge } from './metrics.js';
import { resolveSocketIoOptions, type SocketIoPluginOptions } from './options.js';
import { refusal } from './request-guard.js';
import { routeUpgrades } from './route-upgrades.js';
import { SocketIoBridge } from './socketio-bridge.js';

/** What the plugin adds to the Fastify instance as `fastify.agentRuntimeSocketIo`. */
export interface SocketIoDecoration {
  /** The Socket.IO server (for your own namespaces or middleware). */
  io: Server;
  bridge: SocketIoBridge;
}

declare module 'fastify' {
  interface FastifyInstance {
    agentRuntimeSocketIo: SocketIoDecoration;
  }
}

function engineOf(fastify: FastifyInstance, engine: SessionEngine | undefined): SessionEngine {
  const found = engine ?? (fastify as { agentRuntime?: { engine: SessionEngine } }).agentRuntime?.engine;
  if (!found) {
    throw new AgentRuntimeError('INVALID_CONFIG', 'engine: register agentRuntimePlugin first, or pass { engine }.', { details: { field: 'engine' } });
  }
  return found;
}

const plugin: FastifyPluginAsync<SocketIoPluginOptions> = async (fastify, rawOptions) => {
  const options = resolveSocketIoOptions(rawOptions);
  const engine = engineOf(fastify, options.engine);
  const log: Logger = (fastify.log as unknown as Logger | undefined) ?? noopLogger;
  const io = new Server({
    path: options.path,
    serveClient: false,
    maxHttpBufferSize: options.maxMessageBytes,
    // Host and Origin are checked on every Engine.IO request (handshake, polls, upgrade): 403.
    allowRequest: (request, callback) => {
      const reason = refusal(request, options);
      if (reason) log.warn({ reason }, 'Socket.IO request refused');
      callback(reason ?? null, reason === undefined);
    },
    ...(options.cors ? { cors: { origin: options.cors.origin, credentials: options.cors.credentials ?? false } } : {}),
  });
  const bridge = new SocketIoBridge(io, engine, options, log);
  fastify.decorate('agentRuntimeSocketIo', { io, bridge });

  io.use((socket, next) => {
    const request = handshakeRequest(socket.handshake as never, socket.request);
    authenticateRequest(options.authenticate, request).then(
      (principal) => {
        socket.data.principal = principal;
        next();
      },
      (error: unknown) => {
        const coded = AgentRuntimeError.isInstance(error) ? error : new AgentRuntimeError('UNAUTHORIZED', 'Authentication failed.');
        const refusal = Object.assign(new Error(coded.message), { data: { code: coded.code, message: coded.message } });
        next(refusal);
      },
    );
  });
  io.on('connection', (socket) => bridge.accept(socket, socket.data.principal));
  registerClientGauge(fastify, bridge);

  let unroute: (() => void) | undefined;
  fastify.addHook('onReady', async () => {
    unroute = routeUpgrades(fastify.server, options.path, () => {
      io.attach(fastify.server, { destroyUpgrade: false });
    });
    bridge.start();
  });
  // Close the transports rather than disconnecting the sockets: a client told "io server
  // disconnect" never reconnects, and after a restart it should (then join with `since`).
  fastify.addHook('preClose', async () => {
    bridge.stop();
    io.engine?.close();
    unroute?.();
  });
};

/**
 * Socket.IO beside the raw WebSocket endpoint, on the same server and port (path `/socket.io`),
 * so `socket.io-client` code written against the reference works unchanged:
 * `socket.emit('session:join', sessionId, (response) => ...)`, every server event by name.
 * Register it after `agentRuntimePlugin` (it serves that plugin's engine unless given one).
 *
 * @example
 * await app.register(agentRuntimeSocketIoPlugin, { authenticate, authorizeSession });
 */
export const agentRuntimeSocketIoPlugin = fp(plugin, {
  fastify: '5.x',
  name: '@agent-runtime/transport-socketio',
});
