export { createLocalSandboxProvider, type LocalSandboxProvider } from './local-sandbox-provider.js';
export type { LocalSandboxProviderOptions } from './local-sandbox-options.js';
export type { LocalSandbox } from './local-sandbox.js';
export { bwrapArguments, type BwrapLayout } from './bwrap/bwrap-arguments.js';
