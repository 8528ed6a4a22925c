/** Sandbox label keys (Modal tags) every cluster node sets. */
export const DEPLOYMENT_LABEL = 'agent-runtime-deployment';
export const NODE_LABEL = 'agent-runtime-node';
