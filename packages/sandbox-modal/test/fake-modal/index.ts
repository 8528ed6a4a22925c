/** Fake Modal server for offline tests of the real `modal@0.11.1` SDK. See README.md. */
export { MINIMAL_BASE_ENV, startFakeModal, type FakeImageBuilds, type FakeModal, type FakeModalOptions } from './server.js';
export { startFakeModalHarness, useFakeModalEnv, type FakeModalHarness } from './harness.js';
export { loadModalDefinitions, type ModalDefinitions } from './definitions.js';
export { toHostPath, toSandboxPath } from './paths.js';
export { ROOT_ENV_VAR, GenericStatus } from './sandbox-runtime.js';
export { FS_TOOLS_PATH } from './fs-tools.js';
export type {
  FakeApp,
  FakeExec,
  FakeImage,
  FakeModalState,
  FakeSandbox,
  FakeSandboxEndReason,
  FakeSandboxOptions,
} from './state.js';
