import type { Sandbox, SandboxProvider } from '@agent-runtime/core';
import { afterAll, afterEach, beforeAll, describe } from 'vitest';
import { execTests } from './exec-tests.js';
import { fileTests } from './file-tests.js';
import { lifecycleTests } from './lifecycle-tests.js';
import { pathTests } from './path-tests.js';
import type { SandboxContractContext, SandboxContractOptions, SandboxProviderFactory } from './subject.js';
import { watchTests } from './watch-tests.js';

/**
 * The behaviour every `SandboxProvider` must have, as one vitest suite. Commands used inside the
 * sandbox: `sh`, `cat`, `seq`, `sleep`, `ln`, `mkdir`, `mv`, `rm`, `wc`, `test`, `readlink`, `pwd`.
 *
 * What the suite pins (providers document it too): exit codes of killed processes are non-zero;
 * `cwd` escapes and every bad file path reject with `PATH_REFUSED` (including symlinks made by a
 * process that resolve outside the workspace); a missing file is `FILE_NOT_FOUND` and deleting
 * one is not an error; after `terminate()` `exec` rejects with `SANDBOX_TERMINATED`; labels given
 * to `create` come back from `list` together with `sessionId`.
 *
 * @example
 * sandboxContract('local', () => createLocalSandboxProvider({ dataDir }));
 * sandboxContract('modal (fake)', () => makeModalProvider(), { skip: ['sandbox-timeout'] });
 */
export function sandboxContract(name: string, makeProvider: SandboxProviderFactory, options: SandboxContractOptions = {}): void {
  const skipped = new Set(options.skip ?? []);
  describe(`sandboxContract: ${name}`, () => {
    let current: SandboxProvider | undefined;
    const created: Sandbox[] = [];
    const context: SandboxContractContext = {
      provider() {
        if (!current) throw new Error('sandboxContract: makeProvider() has not resolved');
        return current;
      },
      async create(createOptions = {}) {
        const sandbox = await context.provider().create({
          ...options.createOptions,
          ...createOptions,
          env: { ...options.createOptions?.env, ...createOptions.env },
          sessionId: `contract-${Math.random().toString(36).slice(2, 10)}`,
        });
        created.push(sandbox);
        return sandbox;
      },
      skips: (check) => skipped.has(check),
      settings: { testTimeoutMs: options.testTimeoutMs ?? 60_000, eventWaitMs: options.eventWaitMs ?? 20_000 },
    };
    beforeAll(async () => {
      current = await makeProvider();
    });
    afterEach(async () => {
      const sandboxes = created.splice(0);
      await Promise.all(sandboxes.map((sandbox) => sandbox.terminate().catch(() => undefined)));
    }, 60_000);
    afterAll(async () => {
      await options.cleanup?.();
    });

    describe('exec', () => execTests(context));
    describe('files', () => fileTests(context));
    describe('paths', () => pathTests(context));
    describe('change feed', () => watchTests(context));
    describe('lifecycle and isolation', () => lifecycleTests(context));
  });
}
