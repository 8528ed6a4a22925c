import type { AgentRuntimeError } from '@agent-runtime/core';

/** `{"ack":n,"result":{...}}` */
export function ackFrame(ack: number, result: Record<string, unknown>): string {
  return JSON.stringify({ ack, result });
}

/** A failed ack: `{"ack":n,"result":{"success":false,"error":{code,message}}}` */
export function failedAckFrame(ack: number, error: AgentRuntimeError): string {
  return JSON.stringify({ ack, result: { success: false, error: { code: error.code, message: error.message } } });
}

/** An `error` event: `{"event":"error","data":{message,code,sessionId?}}` */
export function errorEventFrame(error: AgentRuntimeError, sessionId?: string): string {
  const data = sessionId === undefined ? { message: error.message, code: error.code } : { message: error.message, code: error.code, sessionId };
  return JSON.stringify({ event: 'error', data });
}

/** A server event frame; `seq` only on events of one session. */
export function eventFrame(event: string, data: unknown, seq?: number): string {
  return JSON.stringify(seq === undefined ? { event, data } : { event, data, seq });
}
