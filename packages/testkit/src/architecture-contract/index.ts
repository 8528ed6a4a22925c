export { ARCHITECTURE_CONTRACT_PROFILE, architectureContract } from './architecture-contract.js';
export { ARCHITECTURE_CONTRACT_CHECKS } from './subject.js';
export type {
  ArchitectureContractCheck,
  ArchitectureContractOptions,
  ArchitectureContractSubject,
  ArchitectureSubjectFactory,
} from './subject.js';
