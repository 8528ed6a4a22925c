#!/usr/bin/env node
// The agent-runtime demo: `node server.mjs` (PORT, HOST, ALLOW_UNAUTHENTICATED_REMOTE, ALLOWED_HOSTS, DATABASE_URL,
// ANTHROPIC_API_KEY, GEMINI_API_KEY, LOG_LEVEL).
import { pathToFileURL } from 'node:url';
import { startDemo } from './server/start-demo.mjs';

export { startDemo };

async function main() {
  const demo = await startDemo({
    port: process.env.PORT ? Number(process.env.PORT) : 3003,
    host: process.env.HOST || undefined,
    allowUnauthenticatedRemote: process.env.ALLOW_UNAUTHENTICATED_REMOTE === '1',
    allowedHosts: process.env.ALLOWED_HOSTS ? process.env.ALLOWED_HOSTS.split(',').map((name) => name.trim()).filter(Boolean) : undefined,
    dataDir: process.env.DEMO_DATA_DIR || undefined,
    databaseUrl: process.env.DATABASE_URL || undefined,
    anthropicApiKey: process.env.ANTHROPIC_API_KEY || undefined,
    geminiApiKey: process.env.GEMINI_API_KEY || undefined,
    logLevel: process.env.LOG_LEVEL || 'warn',
  });
  let signals = 0;
  const shutdown = (signal) => {
    signals += 1;
    if (signals > 1) process.exit(1);
    console.log(`\n${signal}: stopping (sessions are saved; press Ctrl+C again to force)`);
    demo.stop().then(
      () => process.exit(0),
      (error) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  const models = Object.entries(demo.info.agents).map(([agent, { model }]) => `${agent}: ${model}`).join(', ');
  console.log(`\nagent-runtime demo: ${demo.url}\n  ${models}; ${demo.info.persistence}, local sandbox\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
