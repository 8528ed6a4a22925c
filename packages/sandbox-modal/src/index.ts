export { createModalSandboxProvider, type ModalSandboxProvider } from './modal-sandbox-provider.js';
export { ModalSandbox } from './modal-sandbox.js';
export {
  DEFAULT_CPU,
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  DEFAULT_IMAGE_BUILD_TIMEOUT_MS,
  DEFAULT_MEMORY_MIB,
  DEFAULT_ORPHAN_TIMEOUT_MS,
  DEFAULT_STATE_CHECK_INTERVAL_MS,
  DEPLOYMENT_TAG,
  DEFAULT_HOME_PATH,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_MODAL_DOCKERFILE_COMMANDS,
  DEFAULT_MODAL_IMAGE,
  DEFAULT_TIMEOUT_MS,
  DEFAULT_WORKSPACE_PATH,
  MODAL_IMAGE_AGENT_PATHS,
  MAX_TIMEOUT_MS,
  SESSION_TAG,
  type ModalSandboxProviderOptions,
} from './modal-sandbox-options.js';
export { KEY_PLACEHOLDER, MODEL_KEYS } from './model-env.js';
export type { BatchFile } from './files/batch-write.js';
