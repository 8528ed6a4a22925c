import type { z } from 'zod';
import {
  permissionRequestEventSchema,
  permissionResolvedEventSchema,
  questionRequestEventSchema,
  questionResolvedEventSchema,
} from '../approvals/approval-events.js';
import { blockCompleteEventSchema, blockDeltaEventSchema, blockStartEventSchema, blockUpdateEventSchema } from './block-events.js';
import type { ServerEventName } from './events.js';
import {
  errorEventSchema,
  fileEventSchema,
  idleWarningEventSchema,
  metadataUpdateEventSchema,
  resyncEventSchema,
  sessionsListEventSchema,
  statusEventSchema,
  subagentCompletedEventSchema,
  subagentDiscoveredEventSchema,
  turnEndEventSchema,
  turnStartEventSchema,
} from './session-events.js';

/**
 * The payload schema of every server event, by name: what a client validates an event frame's
 * `data` with before it trusts it (an AsyncAPI document or a test can enumerate it too). The
 * `satisfies` keeps it in step with `ServerToClientEvents`: a new event without a schema does not
 * compile.
 */
export const serverEventPayloadSchemas = {
  'session:block:start': blockStartEventSchema,
  'session:block:delta': blockDeltaEventSchema,
  'session:block:update': blockUpdateEventSchema,
  'session:block:complete': blockCompleteEventSchema,
  'session:file:created': fileEventSchema,
  'session:file:modified': fileEventSchema,
  'session:file:deleted': fileEventSchema,
  'session:status': statusEventSchema,
  'session:metadata:update': metadataUpdateEventSchema,
  'session:subagent:discovered': subagentDiscoveredEventSchema,
  'session:subagent:completed': subagentCompletedEventSchema,
  'session:idle:warning': idleWarningEventSchema,
  'session:turn:start': turnStartEventSchema,
  'session:turn:end': turnEndEventSchema,
  'session:resync': resyncEventSchema,
  'session:permission:request': permissionRequestEventSchema,
  'session:permission:resolved': permissionResolvedEventSchema,
  'session:question:request': questionRequestEventSchema,
  'session:question:resolved': questionResolvedEventSchema,
  'sessions:list': sessionsListEventSchema,
  error: errorEventSchema,
} as const satisfies Record<ServerEventName, z.ZodType>;

/** True for the name of an event this version of the protocol defines. */
export function isServerEventName(name: string): name is ServerEventName {
  return Object.prototype.hasOwnProperty.call(serverEventPayloadSchemas, name);
}
