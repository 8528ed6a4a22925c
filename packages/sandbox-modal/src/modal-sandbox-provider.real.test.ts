import { sandboxContract } from '@agent-runtime/testkit/contracts';
import { describe } from 'vitest';
import { createModalSandboxProvider, type ModalSandboxProvider } from './index.js';

// The whole sandbox contract against REAL Modal. Without MODAL_TOKEN_ID / MODAL_TOKEN_SECRET the
// same suite is registered and reported as skipped (there is no empty placeholder test). Creates
// sandboxes in the app MODAL_TEST_APP_NAME (default `agent-runtime-test`) on the default image;
// each costs a little (see README, "Testing").
const hasTokens = Boolean(process.env.MODAL_TOKEN_ID && process.env.MODAL_TOKEN_SECRET);
if (!hasTokens) console.warn('[sandbox-modal] real Modal tests SKIPPED: set MODAL_TOKEN_ID and MODAL_TOKEN_SECRET to run them.');

(hasTokens ? describe : describe.skip)('real Modal', () => {
  let provider: ModalSandboxProvider | undefined;
  sandboxContract(
    'modal (real Modal)',
    () =>
      (provider = createModalSandboxProvider({
        appName: process.env.MODAL_TEST_APP_NAME ?? 'agent-runtime-test',
        deployment: `contract-${process.pid}`,
        killGraceMs: 2000,
      })),
    {
      // The first create builds the image (minutes); later runs find it cached.
      testTimeoutMs: 600_000,
      eventWaitMs: 60_000,
      cleanup: () => provider?.close(),
    },
  );
});
