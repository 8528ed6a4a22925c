import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // The scripted model server, from source (the testkit package may not be built yet).
    alias: {
      '@agent-runtime/testkit/contracts': fileURLToPath(new URL('../testkit/src/contracts.ts', import.meta.url)),
      '@agent-runtime/testkit': fileURLToPath(new URL('../testkit/src/index.ts', import.meta.url)),
    },
  },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
