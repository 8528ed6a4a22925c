import { sandboxContract } from '@agent-runtime/testkit/contracts';
import { startFakeModalHarness, type FakeModalHarness } from '../test/fake-modal/index.js';
import { createModalSandboxProvider } from './index.js';

let harness: FakeModalHarness | undefined;

// The real modal@0.11.1 SDK against the offline fake. The fake runs processes on the host with
// only their cwd mapped into a per-sandbox directory, so it cannot isolate one sandbox from
// another: 'isolation' is checked against real Modal only (modal-sandbox-provider.real.test.ts).
sandboxContract(
  'modal (real SDK, fake server)',
  async () => {
    harness = await startFakeModalHarness();
    return createModalSandboxProvider({ client: harness.modal, appName: 'agent-runtime-contract', watchIntervalMs: 100, killGraceMs: 2000 });
  },
  {
    skip: ['isolation'],
    cleanup: () => harness?.close(),
  },
);
