export { sandboxContract } from './sandbox-contract.js';
export { SANDBOX_CONTRACT_CHECKS } from './subject.js';
export type { SandboxContractCheck, SandboxContractOptions, SandboxProviderFactory } from './subject.js';
