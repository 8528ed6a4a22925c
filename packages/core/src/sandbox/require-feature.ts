import { unsupportedOperationError } from '../errors/errors.js';

/**
 * Returns the optional method bound to its owner, or throws `UNSUPPORTED_OPERATION`.
 *
 * @example const watch = requireSandboxFeature(sandbox, 'watch', sandbox.provider);
 */
export function requireSandboxFeature<T extends object, K extends keyof T>(
  owner: T,
  feature: K,
  providerName: string,
): NonNullable<T[K]> {
  const method = owner[feature];
  if (typeof method !== 'function') throw unsupportedOperationError(providerName, String(feature));
  return method.bind(owner) as NonNullable<T[K]>;
}
