export * from './tool-policy.js';
export * from './evaluate-tool-policy.js';
export * from './approval-request.js';
export * from './approval-events.js';
export * from './approval-rest.js';
export * from './approval-block.js';
export * from './turn-approvals.js';
export * from './pending-request-store.js';
