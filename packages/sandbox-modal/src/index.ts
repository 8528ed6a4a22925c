export { createModalSandboxProvider, type ModalSandboxProvider } from './modal-sandbox-provider.js';
export { ModalSandbox } from './modal-sandbox.js';
export {
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
