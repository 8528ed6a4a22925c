import type { ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';

/**
 * Collects the JSON lines a crash-test child prints and SIGKILLs it at a random point up to
 * `maxDelayMs` after its `{ "t": "ready" }` line. Resolves with the complete lines (a partial
 * last line is a write that was never acknowledged: dropped); rejects if the child exits by itself.
 */
export function killAtRandom<Line extends { t: string }>(child: ChildProcess, maxDelayMs: number): Promise<Line[]> {
  return new Promise((resolve, reject) => {
    const lines: Line[] = [];
    let buffered = '';
    let stderr = '';
    let killed = false;
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      let newline = buffered.indexOf('\n');
      while (newline >= 0) {
        const line = JSON.parse(buffered.slice(0, newline)) as Line;
        buffered = buffered.slice(newline + 1);
        lines.push(line);
        if (line.t === 'ready') {
          setTimeout(() => {
            killed = true;
            child.kill('SIGKILL');
          }, randomInt(0, maxDelayMs + 1));
        }
        newline = buffered.indexOf('\n');
      }
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (killed && signal === 'SIGKILL') resolve(lines);
      else reject(new Error(`crash writer exited on its own (code ${code}, signal ${signal}): ${stderr.slice(-2000)}`));
    });
  });
}
