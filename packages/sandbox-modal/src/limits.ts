import type { Logger, SandboxLimits } from '@agent-runtime/core';
import { invalidInputError } from './errors.js';
import { MAX_TIMEOUT_MS } from './modal-sandbox-options.js';

/** The create parameters Modal takes for `SandboxLimits`. */
export interface ModalLimitParams {
  timeoutMs: number;
  idleTimeoutMs?: number;
  cpu?: number;
  memoryMiB?: number;
}

/** Modal counts timeouts in whole seconds: round up, at least 1 s, at most 24 h (with a warning). */
function wholeSeconds(name: string, value: number, logger: Logger): number {
  if (!Number.isFinite(value) || value <= 0) throw invalidInputError(`limits.${name} must be a positive number of milliseconds.`, { [name]: value });
  const rounded = Math.max(1, Math.ceil(value / 1000)) * 1000;
  if (rounded > MAX_TIMEOUT_MS) {
    logger.warn({ [name]: value, max: MAX_TIMEOUT_MS }, `sandbox-modal: limits.${name} is above Modal's 24 h maximum; using 24 h`);
    return MAX_TIMEOUT_MS;
  }
  return rounded;
}

/** Maps `SandboxLimits` (and the provider defaults) to `sandboxes.create` parameters. */
export function limitParams(limits: SandboxLimits = {}, defaults: { timeoutMs: number; idleTimeoutMs: number | undefined }, logger: Logger): ModalLimitParams {
  const params: ModalLimitParams = { timeoutMs: wholeSeconds('timeoutMs', limits.timeoutMs ?? defaults.timeoutMs, logger) };
  const idle = limits.idleTimeoutMs ?? defaults.idleTimeoutMs;
  if (idle !== undefined) params.idleTimeoutMs = Math.min(wholeSeconds('idleTimeoutMs', idle, logger), params.timeoutMs);
  if (limits.cpuCount !== undefined) {
    if (!(limits.cpuCount > 0)) throw invalidInputError('limits.cpuCount must be positive.', { cpuCount: limits.cpuCount });
    params.cpu = limits.cpuCount;
  }
  if (limits.memoryMiB !== undefined) {
    if (!Number.isInteger(limits.memoryMiB) || limits.memoryMiB <= 0) {
      throw invalidInputError('limits.memoryMiB must be a positive integer.', { memoryMiB: limits.memoryMiB });
    }
    params.memoryMiB = limits.memoryMiB;
  }
  return params;
}
