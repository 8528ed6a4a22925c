import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** A free TCP port on 127.0.0.1 (to restart a runtime on the same address). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface RuntimeProcessSettings {
  database: string;
  dataDir: string;
  modelServerUrl: string;
  port: number;
}

/** A runtime process (`runtime-child.mjs`); resolves once it listens. */
export async function startRuntimeProcess(env: RuntimeProcessSettings) {
  const child: ChildProcess = spawn(process.execPath, [fileURLToPath(new URL('./runtime-child.mjs', import.meta.url))], {
    env: {
      ...process.env,
      RUNTIME_DB: env.database,
      RUNTIME_DATA_DIR: env.dataDir,
      RUNTIME_MODEL_URL: env.modelServerUrl,
      RUNTIME_PORT: String(env.port),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const first = await createInterface({ input: child.stdout! })[Symbol.asyncIterator]().next();
  if (first.done) throw new Error('the runtime process exited before it listened');
  const { url } = JSON.parse(first.value as string) as { url: string };
  return {
    url,
    /** Stop it with `signal` and wait for the exit. */
    async kill(signal: 'SIGTERM' | 'SIGKILL'): Promise<number | null> {
      child.kill(signal);
      return exited;
    },
  };
}

export type RuntimeProcess = Awaited<ReturnType<typeof startRuntimeProcess>>;

/**
 * One runtime process at a time on the same database, data dir and port: after a `kill`, `start`
 * restarts it in place (a client reconnects to the same URL). `settings` is read at each start.
 */
export function restartableRuntime(settings: () => RuntimeProcessSettings) {
  let running: RuntimeProcess | undefined;
  const current = () => {
    if (!running) throw new Error('the runtime process was not started');
    return running;
  };
  return {
    get url(): string {
      return current().url;
    },
    async start(): Promise<RuntimeProcess> {
      running = await startRuntimeProcess(settings());
      return running;
    },
    kill(signal: 'SIGTERM' | 'SIGKILL'): Promise<number | null> {
      return current().kill(signal);
    },
    /** SIGTERM, if it was started (for `afterAll`). */
    async stop(): Promise<void> {
      await running?.kill('SIGTERM');
    },
  };
}
