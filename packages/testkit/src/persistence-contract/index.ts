export * from './subject.js';
export * from './persistence-contract.js';
export * from './crash-writer.js';
export * from './crash-test.js';
export { comparableFiles, largeTranscript } from './fixtures.js';
