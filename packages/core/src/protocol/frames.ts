import { z } from 'zod';
import { answerPermissionRequestSchema, answerQuestionRequestSchema } from '../approvals/approval-rest.js';

/**
 * WebSocket framing: raw `ws`, one JSON object per text frame.
 *
 * client -> server   {"event":"session:join","args":["<sessionId>", {"since": 41}],"ack":1}
 * server ack         {"ack":1,"result":{"success":true}}
 *                    {"ack":1,"result":{"success":false,"error":{"code":"SESSION_NOT_FOUND","message":"..."}}}
 * server -> client   {"event":"session:block:delta","data":{...},"seq":42}
 *
 * `seq` is per session and increases by one for every event of that session, so a client that
 * reconnects joins with `since: <last seq seen>` and receives exactly what it missed.
 */

export const MAX_FRAME_BYTES = 1024 * 1024;

export const clientFrameSchema = z.object({
  event: z.string().min(1).max(100),
  args: z.array(z.unknown()).max(8).default([]),
  /** Ask for an acknowledgement with this correlation number. */
  ack: z.number().int().nonnegative().optional(),
});

export const joinArgumentsSchema = z.tuple([
  z.string().min(1).max(200),
  z.object({ since: z.number().int().nonnegative().optional() }).strict().optional(),
]);

export const leaveArgumentsSchema = z.tuple([z.string().min(1).max(200)]);

/** `session:permission:respond` arguments: session id, request id, answer. */
export const permissionRespondArgumentsSchema = z.tuple([z.string().min(1).max(200), z.string().min(1).max(200), answerPermissionRequestSchema]);

/** `session:question:respond` arguments: session id, request id, answer. */
export const questionRespondArgumentsSchema = z.tuple([z.string().min(1).max(200), z.string().min(1).max(200), answerQuestionRequestSchema]);

export const ackFrameSchema = z.object({
  ack: z.number().int().nonnegative(),
  result: z.union([
    z.object({ success: z.literal(true) }).catchall(z.unknown()),
    z.object({ success: z.literal(false), error: z.object({ code: z.string(), message: z.string() }) }),
  ]),
});

export const eventFrameSchema = z.object({
  event: z.string(),
  data: z.unknown(),
  /** Per-session sequence number (absent on events that concern no single session). */
  seq: z.number().int().nonnegative().optional(),
});

export type ClientFrame = z.infer<typeof clientFrameSchema>;
export type AckFrame = z.infer<typeof ackFrameSchema>;
export type EventFrame = z.infer<typeof eventFrameSchema>;
