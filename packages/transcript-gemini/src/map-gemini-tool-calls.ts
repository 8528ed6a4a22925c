import type { ToolStatus } from '@agent-runtime/core';
import type { GeminiPart, GeminiToolCallRecord } from './gemini-session-schema.js';

// A model response's tool calls: from `toolCalls` records, or rebuilt from `functionCall` parts.

/** Tool calls rebuilt from `functionCall` parts, their results looked up by call id. */
export function callsFromParts(parts: GeminiPart[], responsesByCallId: () => Map<string, GeminiPart[]>): GeminiToolCallRecord[] {
  const calls: GeminiToolCallRecord[] = [];
  parts.forEach((part, index) => {
    const call = part.functionCall;
    if (!call || typeof call.name !== 'string') return;
    const id = call.id ?? `${call.name}_${index}`;
    const result = responsesByCallId().get(id);
    const response = result?.find((p) => p.functionResponse)?.functionResponse?.response;
    calls.push({
      id,
      name: call.name,
      args: call.args ?? {},
      result: result ?? null,
      ...(result ? { status: response && 'error' in response ? 'error' : 'success' } : {}),
    });
  });
  return calls;
}

/** A tool call record's status as a block's `ToolStatus`. */
export function mapToolStatus(call: GeminiToolCallRecord): ToolStatus {
  switch (call.status) {
    case 'success':
      return 'success';
    case 'error':
    case 'cancelled':
      return 'error';
    case 'awaiting_approval':
    case 'validating':
      return 'pending';
    case undefined:
      return 'pending';
    default:
      return 'running';
  }
}

/** The model-facing output of a tool: `response.output` / `response.error` text when it is that simple. */
export function toolOutput(result: GeminiToolCallRecord['result']): unknown {
  if (result == null) return null;
  if (typeof result === 'string') return result;
  if (Array.isArray(result) && result.length === 1) {
    const response = result[0]?.functionResponse?.response;
    if (response) {
      if (typeof response['output'] === 'string') return response['output'];
      if (typeof response['error'] === 'string') return response['error'];
      return response;
    }
  }
  return result;
}

