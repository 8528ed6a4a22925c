import {
  ackFrameSchema,
  CLIENT_EVENT_NAMES,
  permissionRespondArgumentsSchema,
  questionRespondArgumentsSchema,
  SERVER_EVENT_NAMES,
  serverEventPayloadSchemas,
  type ClientEventName,
  type ServerEventName,
} from '@agent-runtime/core';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ResolvedPluginOptions } from '../options.js';

type Json = Record<string, unknown>;

/** One line per server event; `satisfies` makes a new event in core a compile error until it is described. */
const SUMMARIES = {
  'session:block:start': 'A new block (message, tool use, thinking...) started.',
  'session:block:delta': 'A text chunk for an assistant_text or thinking block: append it to content.',
  'session:block:update': 'Some properties of a block changed (a tool status, its final input...).',
  'session:block:complete': 'A block is final; block is its complete state.',
  'session:file:created': 'The agent created a workspace file (file is set).',
  'session:file:modified': 'The agent modified a workspace file (file is set).',
  'session:file:deleted': 'The agent deleted a workspace file (path is set).',
  'session:status': 'The session status changed.',
  'session:metadata:update': 'Token usage, cost and model of the session so far.',
  'session:subagent:discovered': 'A subagent started; its blocks follow under conversationId = subagent.id.',
  'session:subagent:completed': 'A subagent finished.',
  'session:idle:warning': 'The sandbox stops for inactivity at idleAt unless something happens.',
  'session:turn:start': 'A turn started: a user message is being handled.',
  'session:turn:end': 'A turn ended; every turn ends with exactly one of these.',
  'session:resync': 'The missed events left the replay window: reload GET /sessions/:sessionId, then join with since = latestSeq.',
  'session:permission:request': 'A tool call waits for a person (tool policy ask): answer with POST /sessions/:sessionId/permissions/:requestId or session:permission:respond.',
  'session:permission:resolved': 'A permission request was answered (by a person, the policy, a timeout or the runtime).',
  'session:question:request': 'The agent asks a question with options: answer with POST /sessions/:sessionId/questions/:requestId or session:question:respond.',
  'session:question:resolved': 'A question was answered or declined.',
  'sessions:list': 'The list of sessions changed (sent to every client, without seq).',
  error: 'Something went wrong; sessionId is set when it concerns one session.',
} as const satisfies Record<ServerEventName, string>;

/** Every server event of core with its payload schema (core's `serverEventPayloadSchemas`) and summary. */
export const SERVER_EVENT_PAYLOADS = Object.fromEntries(
  SERVER_EVENT_NAMES.map((event) => [event, { schema: serverEventPayloadSchemas[event] as z.ZodType, summary: SUMMARIES[event] }]),
) as Record<ServerEventName, { schema: z.ZodType; summary: string }>;

function schemaOf(schema: z.ZodType): Json {
  const json = z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any', target: 'draft-7' }) as Json;
  delete json.$schema;
  return json;
}

/** `session:block:start` -> `sessionBlockStart` (component keys must match ^[\w.-]+$). */
export function messageKey(event: string): string {
  return event.replace(/:(\w)/g, (_match, letter: string) => letter.toUpperCase());
}

const seqSchema = { type: 'integer', minimum: 0, description: 'Per-session sequence number: +1 for every event of the session. Absent on events of no single session.' };

function serverEventFrame(event: ServerEventName, payload: Json): Json {
  const perSession = event !== 'sessions:list' && event !== 'error';
  return {
    type: 'object',
    required: perSession ? ['event', 'data', 'seq'] : ['event', 'data'],
    properties: { event: { const: event }, data: payload, seq: seqSchema },
    ...(event === 'error' ? { description: 'seq is set when the error is an event of one session.' } : {}),
  };
}

const CLIENT_SUMMARIES = {
  'session:join': 'Subscribe to the events of one session (authorizeSession decides).',
  'session:leave': 'Stop receiving the events of one session.',
  'session:permission:respond': 'Answer a permission request: [sessionId, requestId, {decision, remember?, message?}] (as POST /sessions/:sessionId/permissions/:requestId).',
  'session:question:respond': 'Answer a question: [sessionId, requestId, {answers} | {decline: true}] (as POST /sessions/:sessionId/questions/:requestId).',
} as const satisfies Record<ClientEventName, string>;

function clientArguments(event: ClientEventName): Json {
  const sessionId = { type: 'string', minLength: 1, maxLength: 200 };
  if (event === 'session:permission:respond') return { ...schemaOf(permissionRespondArgumentsSchema), description: '[sessionId, requestId, answer]' };
  if (event === 'session:question:respond') return { ...schemaOf(questionRespondArgumentsSchema), description: '[sessionId, requestId, answer]' };
  return event === 'session:join'
      ? {
          type: 'array',
          minItems: 1,
          maxItems: 2,
          items: [sessionId, { type: 'object', properties: { since: { type: 'integer', minimum: 0 } }, additionalProperties: false }],
          description: '[sessionId] or [sessionId, {since}]: since = the last seq seen; the events after it are sent after the ack.',
        }
      : { type: 'array', minItems: 1, maxItems: 1, items: [sessionId], description: '[sessionId]' };
}

function clientFrame(event: ClientEventName): Json {
  const args = clientArguments(event);
  return {
    type: 'object',
    required: ['event', 'args'],
    properties: {
      event: { const: event },
      args,
      ack: { type: 'integer', minimum: 0, description: 'Ask for an acknowledgement carrying this number.' },
    },
  };
}

/**
 * The AsyncAPI 3.0 document of the WebSocket protocol (JSON text frames), generated from the
 * event schemas of core. Described from the server's side: it `send`s events, `receive`s joins.
 */
export function buildAsyncApiDocument(options: Pick<ResolvedPluginOptions, 'websocketPath' | 'authenticate'>): Json {
  const messages: Json = {};
  const channelMessages: Json = {};
  const operations: Json = {};
  for (const [event, { schema, summary }] of Object.entries(SERVER_EVENT_PAYLOADS) as [ServerEventName, { schema: z.ZodType; summary: string }][]) {
    const key = messageKey(event);
    messages[key] = { name: event, title: event, summary, payload: serverEventFrame(event, schemaOf(schema)) };
    channelMessages[key] = { $ref: `#/components/messages/${key}` };
    operations[`send${key.charAt(0).toUpperCase()}${key.slice(1)}`] = {
      action: 'send',
      channel: { $ref: '#/channels/runtime' },
      summary,
      messages: [{ $ref: `#/channels/runtime/messages/${key}` }],
    };
  }
  messages.ack = {
    name: 'ack',
    title: 'acknowledgement',
    summary: 'The answer to a client frame that carried "ack". Join: {success, latestSeq, replayed, resync?}; failure: {success:false, error:{code,message}}.',
    payload: schemaOf(ackFrameSchema),
  };
  channelMessages.ack = { $ref: '#/components/messages/ack' };
  for (const event of CLIENT_EVENT_NAMES) {
    const key = messageKey(event);
    messages[key] = {
      name: event,
      title: event,
      summary: CLIENT_SUMMARIES[event],
      payload: clientFrame(event),
    };
    channelMessages[key] = { $ref: `#/components/messages/${key}` };
    operations[`receive${key.charAt(0).toUpperCase()}${key.slice(1)}`] = {
      action: 'receive',
      channel: { $ref: '#/channels/runtime' },
      messages: [{ $ref: `#/channels/runtime/messages/${key}` }],
      reply: { channel: { $ref: '#/channels/runtime' }, messages: [{ $ref: '#/channels/runtime/messages/ack' }] },
    };
  }
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'agent-runtime WebSocket protocol',
      version: '0.1.0',
      description:
        'One JSON object per text frame. Client: {"event":"session:join","args":["<sessionId>",{"since":41}],"ack":1}. ' +
        'Server: {"ack":1,"result":{...}} and {"event":"<name>","data":{...},"seq":42}. REST: /openapi.json.',
    },
    defaultContentType: 'application/json',
    servers: {
      runtime: {
        host: 'localhost:3003',
        protocol: 'ws',
        pathname: options.websocketPath,
        description: 'The runtime (websocketPort). Also served over Socket.IO at /socket.io when @agent-runtime/transport-socketio is mounted.',
        ...(options.authenticate ? { security: [{ $ref: '#/components/securitySchemes/bearer' }] } : {}),
      },
    },
    channels: {
      runtime: {
        address: options.websocketPath,
        title: 'The WebSocket endpoint',
        description: 'All frames of one connection, both directions.',
        messages: channelMessages,
      },
    },
    operations,
    components: {
      messages,
      securitySchemes: {
        bearer: {
          type: 'httpApiKey',
          name: 'access_token',
          in: 'query',
          description: 'The upgrade request carries Authorization: Bearer <token> or ?access_token=<token> (browsers cannot set headers).',
        },
      },
    },
  };
}

/** `GET /asyncapi.json`, public like `/openapi.json`. */
export function registerAsyncApiRoute(app: FastifyInstance, options: ResolvedPluginOptions): void {
  let document: Json | undefined;
  app.get('/asyncapi.json', { config: { agentRuntimePublic: true } }, async () => (document ??= buildAsyncApiDocument(options)));
}
