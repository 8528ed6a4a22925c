import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClaudeArchitecture } from '@agent-runtime/agent-claude';
import { createGeminiArchitecture } from '@agent-runtime/agent-gemini';
import { startModelServer } from '@agent-runtime/testkit';
import { agentRuntimeSocketIoPlugin } from '@agent-runtime/transport-socketio';
import { AgentRuntime } from 'agent-runtime';
import { demoScenario } from './demo-scenario.mjs';
import { serveUi } from './static-ui.mjs';

const appDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * @typedef {object} DemoOptions
 * @property {number} [port] HTTP + WebSocket port; 0 picks a free one. Default 3003.
 * @property {string} [host] Interface to listen on. Default 127.0.0.1 (the agents can write files: keep them local).
 * @property {string} [dataDir] SQLite file and sandboxes. Default apps/demo/.data.
 * @property {string} [databaseUrl] PostgreSQL instead of SQLite.
 * @property {string} [anthropicApiKey] Real Claude API; without it Claude Code talks to the offline demo model.
 * @property {string} [geminiApiKey] Real Gemini API; without it Gemini CLI talks to the offline demo model.
 * @property {string} [profilesDir] Agent profiles to seed (*.json). Default apps/demo/profiles.
 * @property {string} [distDir] The built UI. Default apps/demo/dist.
 * @property {'debug'|'info'|'warn'|'error'} [logLevel] Default 'info'.
 * @property {number} [idleTimeoutMs] Stop a session's sandbox after this much quiet. Default 10 minutes.
 * @property {boolean} [allowUnauthenticatedRemote] Allow a non-loopback `host` although the demo has no authentication (logged loudly).
 * @property {string[]} [allowedHosts] Further host names the server answers to (e.g. the name of the machine), beyond localhost and its address.
 */

/**
 * @typedef {object} Demo
 * @property {string} url
 * @property {AgentRuntime} runtime
 * @property {DemoInfo} info
 * @property {() => Promise<void>} stop
 */

/**
 * @typedef {object} DemoInfo What `GET /demo/info` answers.
 * @property {boolean} offline True when at least one agent talks to the offline demo model.
 * @property {Record<'claude-agent-sdk'|'gemini-cli', {model: 'offline demo model'|'real API'}>} agents
 * @property {'sqlite'|'postgres'} persistence
 * @property {'local'} sandbox
 */

/** The scripted model server, with ids unique to this start (stored conversations outlive it). */
async function startOfflineModel() {
  const modelServer = await startModelServer(demoScenario(), { idTag: Date.now().toString(36) });
  return { url: modelServer.url, close: () => modelServer.close() };
}

async function createPersistence(options, dataDir) {
  if (options.databaseUrl) {
    const { createPostgresPersistence, seedAgentProfiles } = await import('@agent-runtime/persistence-postgres');
    return { persistence: createPostgresPersistence({ connectionString: options.databaseUrl, schema: 'agent_runtime_demo' }), seedAgentProfiles, kind: 'postgres' };
  }
  const { createSqlitePersistence, seedAgentProfiles } = await import('@agent-runtime/persistence-sqlite');
  return { persistence: createSqlitePersistence({ filename: join(dataDir, 'demo.db') }), seedAgentProfiles, kind: 'sqlite' };
}

/**
 * Starts the demo: the runtime (SQLite or PostgreSQL, local sandbox), the agent profiles, the web
 * UI on the same port, and the offline demo model for any agent without an API key.
 *
 * @param {DemoOptions} [options]
 * @returns {Promise<Demo>}
 */
export async function startDemo(options = {}) {
  const dataDir = resolve(options.dataDir ?? join(appDir, '.data'));
  mkdirSync(dataDir, { recursive: true });
  const logLevel = options.logLevel ?? 'info';
  const claudeOffline = !options.anthropicApiKey;
  const geminiOffline = !options.geminiApiKey;
  const offlineModel = claudeOffline || geminiOffline ? await startOfflineModel() : undefined;

  const architectures = [
    claudeOffline
      ? createClaudeArchitecture({
          env: { ANTHROPIC_BASE_URL: offlineModel.url, ANTHROPIC_API_KEY: 'offline-demo', CLAUDE_CODE_MAX_RETRIES: '0' },
          model: 'claude-sonnet-4-5',
        })
      : createClaudeArchitecture({ env: { ANTHROPIC_API_KEY: options.anthropicApiKey } }),
    geminiOffline
      ? createGeminiArchitecture({ env: { GEMINI_API_KEY: 'offline-demo', GOOGLE_GEMINI_BASE_URL: offlineModel.url }, model: 'gemini-2.5-flash' })
      : createGeminiArchitecture({ env: { GEMINI_API_KEY: options.geminiApiKey } }),
  ];
  const [claude, gemini] = architectures;

  const { persistence, seedAgentProfiles, kind } = await createPersistence(options, dataDir);
  try {
    await seedAgentProfiles(persistence, options.profilesDir ?? join(appDir, 'profiles'));
  } catch (error) {
    await persistence.close?.();
    await offlineModel?.close();
    throw error;
  }

  /** @type {DemoInfo} */
  const info = {
    offline: claudeOffline || geminiOffline,
    agents: {
      'claude-agent-sdk': { model: claudeOffline ? 'offline demo model' : 'real API' },
      'gemini-cli': { model: geminiOffline ? 'offline demo model' : 'real API' },
    },
    persistence: kind,
    sandbox: 'local',
  };

  const runtime = new AgentRuntime({
    persistence,
    architectures,
    dataDir: join(dataDir, 'runtime'),
    websocketPort: options.port ?? 3003,
    host: options.host ?? '127.0.0.1',
    allowUnauthenticatedRemote: options.allowUnauthenticatedRemote === true,
    ...(options.allowedHosts?.length ? { server: { allowedHosts: options.allowedHosts } } : {}),
    logLevel,
    idleTimeoutMs: options.idleTimeoutMs ?? 10 * 60 * 1000,
    syncIntervalMs: 5_000,
    configureServer: async (app) => {
      await serveUi(app, options.distDir ?? join(appDir, 'dist'));
      // Socket.IO clients (the reference README's `socket.emit('session:join', ...)`) at /socket.io,
      // beside the raw WebSocket at / on the same port, with the same Host allowlist.
      await app.register(agentRuntimeSocketIoPlugin, options.allowedHosts?.length ? { allowedHosts: options.allowedHosts } : {});
      app.get('/demo/info', async () => info);
      // Which sessions have an agent CLI running between turns (started by a warm-up or a turn):
      // shows the UI's warm-up hint at work (`processId` changes when a process is replaced).
      app.get('/demo/agent-processes', async () => ({
        processes: [
          ...claude.warmProcesses().map((process) => ({ architecture: 'claude-agent-sdk', ...process })),
          ...gemini.warmProcesses().map((process) => ({ architecture: 'gemini-cli', ...process })),
        ],
      }));
    },
  });
  try {
    await runtime.start();
  } catch (error) {
    await persistence.close?.();
    await offlineModel?.close();
    throw error;
  }

  let stopping;
  return {
    url: runtime.url.replace('127.0.0.1', 'localhost'),
    runtime,
    info,
    stop: () =>
      (stopping ??= (async () => {
        await runtime.stop();
        await offlineModel?.close();
        await persistence.close?.();
      })()),
  };
}
