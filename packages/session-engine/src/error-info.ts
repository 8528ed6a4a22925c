import { AgentRuntimeError } from '@agent-runtime/core';

/** `{ code, message }` for any thrown value, keeping our codes and hiding nothing useful. */
export function errorInfo(error: unknown, fallbackCode = 'INTERNAL_ERROR'): { code: string; message: string } {
  if (AgentRuntimeError.isInstance(error)) return { code: error.code, message: error.message };
  if (error instanceof Error) return { code: fallbackCode, message: error.message };
  return { code: fallbackCode, message: String(error) };
}
