import { sandboxContract } from '@agent-runtime/testkit/contracts';
import { describe, it } from 'vitest';
import { createModalSandboxProvider, type ModalSandboxProvider } from './index.js';

// Against REAL Modal, only when credentials are present. Creates sandboxes in the app
// MODAL_TEST_APP_NAME (default `agent-runtime-test`) on the default image; each costs a little.
const hasTokens = Boolean(process.env.MODAL_TOKEN_ID && process.env.MODAL_TOKEN_SECRET);

if (!hasTokens) {
  console.warn('[sandbox-modal] real Modal tests SKIPPED: set MODAL_TOKEN_ID and MODAL_TOKEN_SECRET to run them.');
  describe('modal (real Modal)', () => {
    it.skipIf(!hasTokens)('needs MODAL_TOKEN_ID and MODAL_TOKEN_SECRET', () => {});
  });
} else {
  let provider: ModalSandboxProvider | undefined;
  sandboxContract(
    'modal (real Modal)',
    () => (provider = createModalSandboxProvider({ appName: process.env.MODAL_TEST_APP_NAME ?? 'agent-runtime-test', killGraceMs: 2000 })),
    {
      // The first create builds the image; Modal round trips are slow compared with a local fake.
      testTimeoutMs: 600_000,
      eventWaitMs: 60_000,
      cleanup: () => provider?.close(),
    },
  );
}
