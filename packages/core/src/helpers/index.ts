// `@agent-runtime/core/helpers`: small pure pieces the implementation packages share (agent-*,
// sandbox-*, testkit). Not part of the contract, so not re-exported from the package root (and
// thus not by the `agent-runtime` umbrella).
export * from './event-channel.js';
export * from './least-recently-used-idle.js';
export * from './read-stream-bytes.js';
export * from './warm-processes-by-session.js';
