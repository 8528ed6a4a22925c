import { z } from 'zod';
import { tokenUsageSchema } from '../blocks/token-usage.js';
import { toolStatusSchema } from '../blocks/tool-status.js';
import { sessionListDataSchema } from '../sessions/session-list-data.js';
import { sessionStatusSchema } from '../sessions/session-status.js';
import { workspaceFileSchema } from '../sessions/workspace-file.js';

/** A workspace file was created, modified (`file` set) or deleted (`path` set). */
export const fileEventSchema = z.object({
  sessionId: z.string(),
  file: workspaceFileSchema.optional(),
  path: z.string().optional(),
});

/**
 * The session's status changed, or (with `message`) progress while it stays in a status: e.g.
 * `building-sandbox` with "building image node:20-bookworm-slim + agent CLI layers (45 s)" while a
 * sandbox provider builds an image or schedules the sandbox. `message` is additive and optional;
 * a status event without it says nothing about progress.
 */
export const statusEventSchema = z.object({
  sessionId: z.string(),
  status: sessionStatusSchema,
  message: z.string().optional().describe('Human-readable progress while the status holds (e.g. image build or sandbox scheduling).'),
  reason: z
    .enum(['idle', 'stopped'])
    .optional()
    .describe('Why the sandbox stopped (with `inactive`): `idle` = the idle timeout; `stopped` = the runtime stopping or handing the session to another node. Absent otherwise.'),
});

/** Something went wrong; `sessionId` is set when it concerns one session. */
export const errorEventSchema = z.object({
  message: z.string(),
  code: z.string().optional(),
  sessionId: z.string().optional(),
});

/** The list of sessions changed (sent to every connected client). */
export const sessionsListEventSchema = z.object({ sessions: z.array(sessionListDataSchema) });

/** Token usage, cost and model of the session so far. */
export const metadataUpdateEventSchema = z.object({
  sessionId: z.string(),
  metadata: z.object({
    usage: tokenUsageSchema.optional(),
    costUsd: z.number().optional(),
    model: z.string().optional(),
  }).catchall(z.unknown()),
});

/** A subagent started; its blocks follow under `conversationId === subagent.id`. */
export const subagentDiscoveredEventSchema = z.object({
  sessionId: z.string(),
  subagent: z.object({ id: z.string(), name: z.string().optional(), toolUseId: z.string().optional() }),
});

/** A subagent finished. */
export const subagentCompletedEventSchema = z.object({
  sessionId: z.string(),
  subagentId: z.string(),
  status: toolStatusSchema,
});

/** The sandbox will be stopped for inactivity unless something happens before `idleAt`. */
export const idleWarningEventSchema = z.object({
  sessionId: z.string(),
  /** Epoch milliseconds. */
  idleAt: z.number(),
});

/** A turn started: a user message is being handled. */
export const turnStartEventSchema = z.object({
  sessionId: z.string(),
  turnId: z.string(),
  /** The client's message id when it sent one. */
  clientMessageId: z.string().optional(),
});

export const turnOutcomeSchema = z.enum(['completed', 'interrupted', 'error', 'timeout']);

/** A turn ended: every turn ends with exactly one of these, even when the agent crashes. */
export const turnEndEventSchema = z.object({
  sessionId: z.string(),
  turnId: z.string(),
  outcome: turnOutcomeSchema,
  error: z.object({ code: z.string(), message: z.string() }).optional(),
  usage: tokenUsageSchema.optional(),
  durationMs: z.number().optional(),
});

/** The client missed more than the replay window holds: reload `GET /sessions/:sessionId`. */
export const resyncEventSchema = z.object({
  sessionId: z.string(),
  /** Sequence number to use as `since` after reloading. */
  latestSeq: z.number().int().nonnegative(),
  reason: z.string(),
});

export type FileEvent = z.infer<typeof fileEventSchema>;
export type StatusEvent = z.infer<typeof statusEventSchema>;
export type ErrorEvent = z.infer<typeof errorEventSchema>;
export type SessionsListEvent = z.infer<typeof sessionsListEventSchema>;
export type MetadataUpdateEvent = z.infer<typeof metadataUpdateEventSchema>;
export type SubagentDiscoveredEvent = z.infer<typeof subagentDiscoveredEventSchema>;
export type SubagentCompletedEvent = z.infer<typeof subagentCompletedEventSchema>;
export type IdleWarningEvent = z.infer<typeof idleWarningEventSchema>;
export type TurnStartEvent = z.infer<typeof turnStartEventSchema>;
export type TurnOutcome = z.infer<typeof turnOutcomeSchema>;
export type TurnEndEvent = z.infer<typeof turnEndEventSchema>;
export type ResyncEvent = z.infer<typeof resyncEventSchema>;
