#!/usr/bin/env node
// `pnpm bench <name>` runs bench/<name>.mjs; `pnpm bench` lists the benchmarks.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const benchDir = fileURLToPath(new URL('../bench/', import.meta.url));
const names = readdirSync(benchDir)
  .filter((file) => file.endsWith('.mjs'))
  .map((file) => file.slice(0, -4))
  .sort();
const name = process.argv[2];
if (!name || !existsSync(`${benchDir}${name}.mjs`)) {
  console.error(`${name ? `Unknown benchmark "${name}". ` : ''}Usage: pnpm bench <name>\nBenchmarks: ${names.join(', ')}`);
  process.exit(name ? 2 : 0);
}
const result = spawnSync(process.execPath, [`${benchDir}${name}.mjs`, ...process.argv.slice(3)], { stdio: 'inherit' });
process.exit(result.status ?? 1);
