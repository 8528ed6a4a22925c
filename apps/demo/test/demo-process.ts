import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const serverPath = join(dirname(fileURLToPath(import.meta.url)), '..', 'server.mjs');

export interface DemoProcess {
  url: string;
  port: number;
  dataDir: string;
  child: ChildProcess;
  output: () => string;
  /** SIGTERM, wait for the exit; resolves with the exit code. Removes the data dir it created. */
  stop: () => Promise<number | null>;
}

/**
 * Runs `node server.mjs` as the README does, on a free port and a temp data dir, with no API
 * keys (so both agents use the offline demo model), and resolves once it prints its URL.
 */
export async function startDemoProcess(
  options: { port?: number; dataDir?: string; env?: Record<string, string> } = {},
): Promise<DemoProcess> {
  const extraEnv = options.env ?? {};
  const ownDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'demo-test-'));
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(options.port ?? 0), DEMO_DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...extraEnv };
  for (const key of ['ANTHROPIC_API_KEY', 'GEMINI_API_KEY', 'DATABASE_URL', 'GOOGLE_API_KEY', 'ANTHROPIC_BASE_URL', 'GOOGLE_GEMINI_BASE_URL']) {
    if (!(key in extraEnv)) delete env[key];
  }
  const child = spawn(process.execPath, [serverPath], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const onData = () => {
      const match = /agent-runtime demo: (http:\/\/\S+)/.exec(output);
      if (match?.[1]) resolve(match[1]);
    };
    child.stdout!.on('data', onData);
    void exited.then((code) => reject(new Error(`demo server exited with ${code} before listening:\n${output}`)));
  });
  return {
    url,
    port: Number(new URL(url).port),
    dataDir,
    child,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      const code = await exited;
      if (ownDataDir) rmSync(dataDir, { recursive: true, force: true });
      return code;
    },
  };
}
