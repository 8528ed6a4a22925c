import { spawn } from 'node:child_process';
import { geminiCliArgs, geminiCliEntryPath, type GeminiCliArgsOptions } from './gemini-cli-launch.js';

/** Options of {@link runGeminiCli}. */
export interface RunGeminiCliOptions extends GeminiCliArgsOptions {
  /** Working directory (the workspace). */
  cwd: string;
  /** The whole environment, e.g. from `geminiCliEnv()`. */
  env: Record<string, string>;
  /** Kill the CLI after this many ms; default 60 000. */
  timeoutMs?: number;
}

/** Outcome of one headless Gemini CLI run. */
export interface GeminiCliRun {
  exitCode: number | null;
  /** Parsed stream-json events (init, message, tool_use, tool_result, error, result). */
  events: Record<string, unknown>[];
  stdout: string;
  stderr: string;
}

/**
 * Runs the real Gemini CLI once on this host (no sandbox) with `node`, stdin ignored, and
 * collects its stream-json events. For tests, scripts and benchmarks; the architecture runs the
 * CLI inside a sandbox. Check the `result` event's `status`, not only the exit code.
 */
export function runGeminiCli(options: RunGeminiCliOptions): Promise<GeminiCliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [geminiCliEntryPath(), ...geminiCliArgs(options)], { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      const events = stdout
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .flatMap((line) => {
          try {
            return [JSON.parse(line) as Record<string, unknown>];
          } catch {
            return [];
          }
        });
      resolve({ exitCode, events, stdout, stderr });
    });
  });
}
