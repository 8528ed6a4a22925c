import type { RuntimeConfig } from '@agent-runtime/core';
import { validateRuntimeConfig, type ResolvedRuntimeConfig } from './validate-config.js';

/**
 * The runtime: sessions, agents in sandboxes, REST + WebSocket on `websocketPort`.
 * The constructor validates the config (throwing `INVALID_CONFIG` naming the field) and does no I/O.
 */
export class AgentRuntime {
  readonly config: ResolvedRuntimeConfig;

  constructor(config: RuntimeConfig) {
    this.config = validateRuntimeConfig(config);
  }

  async start(): Promise<void> {
    throw new Error('AgentRuntime.start() is not wired yet');
  }

  async stop(): Promise<void> {}
}
