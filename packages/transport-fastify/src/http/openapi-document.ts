import {
  MAX_METADATA_BYTES,
  MAX_METADATA_DEPTH,
  agentProfileListDataSchema,
  answerPermissionRequestSchema,
  answerQuestionRequestSchema,
  pendingRequestSchema,
  permissionResolutionSchema,
  questionResolutionSchema,
  createSessionRequestSchema,
  ERROR_CODES,
  runtimeSessionDataSchema,
  sendMessageRequestSchema,
  sessionListDataSchema,
  sessionStatusSchema,
  workspaceFileSchema,
} from '@agent-runtime/core';
import { z } from 'zod';
import type { ResolvedPluginOptions } from '../options.js';

type Json = Record<string, unknown>;

function schemaOf(schema: z.ZodType, io: 'input' | 'output' = 'output'): Json {
  const json = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Json;
  delete json.$schema;
  return json;
}

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Json): Json => ({ 'application/json': { schema } });
const ok = (description: string, schema: Json): Json => ({ description, content: json(schema) });
const error = (description: string): Json => ({ description, content: json(ref('ErrorResponse')) });

const sessionIdParameter = { name: 'sessionId', in: 'path', required: true, schema: { type: 'string', pattern: '^[\\w.:@-]{1,200}$' } };

const requestIdParameter = { name: 'requestId', in: 'path', required: true, schema: { type: 'string', pattern: '^[\\w.:@-]{1,200}$' } };

const answerResponse = (resolution: string): Json => ({
  type: 'object',
  required: ['success', 'sessionId', 'requestId', 'resolution', 'alreadyResolved'],
  properties: { success: { const: true }, sessionId: { type: 'string' }, requestId: { type: 'string' }, resolution: ref(resolution), alreadyResolved: { type: 'boolean' } },
});

const successResponse = (extra: Json = {}): Json => ({
  type: 'object',
  required: ['success', 'sessionId'],
  properties: { success: { const: true }, sessionId: { type: 'string' }, ...extra },
});

const writtenFiles: Json = successResponse({
  files: {
    type: 'array',
    items: {
      type: 'object',
      required: ['path', 'size'],
      properties: { path: { type: 'string' }, size: { type: 'number' }, encoding: { const: 'base64' } },
    },
  },
});

/** The OpenAPI 3.1 document of every route this plugin serves (bodies from the core zod schemas). */
export function buildOpenApiDocument(options: ResolvedPluginOptions): Json {
  const common = {
    '401': error('Authentication required (UNAUTHORIZED)'),
    '403': error('FORBIDDEN: a Host header not served here (`details.reason: "host"`, DNS rebinding), or a POST/PUT/DELETE from a foreign Origin (`"origin"`)'),
    '500': error('INTERNAL_ERROR'),
  };
  const jsonOnly = { '415': error('UNSUPPORTED_MEDIA_TYPE: a body that is not application/json (a cross-site simple POST)') };
  const sessionErrors = {
    ...common,
    '400': error('INVALID_INPUT: a bad sessionId or body; `details.field` names it'),
    '403': error('FORBIDDEN: authorizeSession refused'),
    '404': error('SESSION_NOT_FOUND'),
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'agent-runtime',
      version: '0.1.0',
      description:
        `REST API of agent-runtime. Real-time updates: WebSocket at \`${options.websocketPath}\` with JSON text frames ` +
        '(`{"event":"session:join","args":["<sessionId>",{"since":n}],"ack":1}`; server events `{"event","data","seq"}`). ' +
        'The upgrade is refused with 403 from a foreign Origin and with 429 LIMIT_EXCEEDED over `limits.connectionsPerPrincipal`. ' +
        'Every request is refused with 403 for a Host header the server does not answer to. ' +
        'REST calls accept a W3C `traceparent` header (OpenTelemetry, when the application registers an SDK).',
    },
    security: options.authenticate ? [{ bearerAuth: [] }] : [],
    paths: {
      '/sessions/create': {
        post: {
          operationId: 'createSession',
          requestBody: { required: true, content: json(ref('CreateSessionRequest')) },
          responses: {
            '200': ok('The session was created', {
              type: 'object',
              required: ['sessionId', 'status', 'createdAt'],
              properties: { sessionId: { type: 'string' }, status: ref('SessionStatus'), createdAt: { type: 'number' } },
            }),
            '400': error(`INVALID_INPUT / UNSUPPORTED_ARCHITECTURE; also metadata deeper than ${MAX_METADATA_DEPTH} levels or larger than ${MAX_METADATA_BYTES} bytes`),
            '404': error('PROFILE_NOT_FOUND'),
            '413': error('PAYLOAD_TOO_LARGE'),
            '429': error(`LIMIT_EXCEEDED: the caller holds \`limits.sessionsPerPrincipal\` (${options.limits.sessionsPerPrincipal}) open sessions`),
            ...jsonOnly,
            ...common,
          },
        },
      },
      '/sessions': {
        get: {
          operationId: 'listSessions',
          responses: {
            '200': ok('All sessions (those the caller may read)', {
              type: 'object',
              required: ['sessions'],
              properties: { sessions: { type: 'array', items: ref('SessionListData') } },
            }),
            ...common,
          },
        },
      },
      '/sessions/{sessionId}': {
        get: {
          operationId: 'getSession',
          parameters: [sessionIdParameter],
          responses: { '200': ok('The session with blocks, files and subagents', ref('RuntimeSessionData')), ...sessionErrors },
        },
        delete: {
          operationId: 'terminateSession',
          parameters: [sessionIdParameter],
          responses: { '200': ok('Terminated', successResponse()), ...sessionErrors },
        },
      },
      '/sessions/{sessionId}/message': {
        post: {
          operationId: 'sendMessage',
          parameters: [sessionIdParameter],
          requestBody: { required: true, content: json(ref('SendMessageRequest')) },
          responses: {
            '200': ok(
              'Accepted (a retry with the same clientMessageId is acknowledged again, never run twice)',
              successResponse({ queued: { type: 'boolean' }, clientMessageId: { type: 'string' } }),
            ),
            ...sessionErrors,
            '409': error('SESSION_TERMINATED / SESSION_BUSY'),
            '413': error('PAYLOAD_TOO_LARGE'),
            '429': error(
              `RATE_LIMITED: more than \`limits.messagesPerWindow\` (${options.limits.messagesPerWindow}) messages per ${options.limits.messageWindowMs} ms; \`Retry-After\` says when`,
            ),
            ...jsonOnly,
          },
        },
      },
      '/sessions/{sessionId}/interrupt': {
        post: {
          operationId: 'interrupt',
          parameters: [sessionIdParameter],
          responses: { '200': ok('Interrupted (or nothing ran)', successResponse({ interrupted: { type: 'boolean' } })), ...sessionErrors, ...jsonOnly },
        },
      },
      '/sessions/{sessionId}/permissions/{requestId}': {
        post: {
          operationId: 'answerPermission',
          description:
            'Answer a pending permission request (`session:permission:request`; also in GET /sessions/{sessionId} `pendingRequests`). ' +
            '`authorizeSession` is asked for `answer`. The first answer wins: a second one changes nothing and gets the first ' +
            'resolution back with `alreadyResolved: true`. Same as the socket event `session:permission:respond`.',
          parameters: [sessionIdParameter, requestIdParameter],
          requestBody: { required: true, content: json(ref('AnswerPermissionRequest')) },
          responses: {
            '200': ok('The resolution (the first one when already answered)', answerResponse('PermissionResolution')),
            ...sessionErrors,
            '404': error('SESSION_NOT_FOUND / REQUEST_NOT_FOUND'),
            ...jsonOnly,
          },
        },
      },
      '/sessions/{sessionId}/questions/{requestId}': {
        post: {
          operationId: 'answerQuestion',
          description:
            'Answer a pending agent question (`session:question:request`) with `answers` (question text -> chosen label), or decline it ' +
            'with `decline: true`. Same rules as the permission route; same as the socket event `session:question:respond`.',
          parameters: [sessionIdParameter, requestIdParameter],
          requestBody: { required: true, content: json(ref('AnswerQuestionRequest')) },
          responses: {
            '200': ok('The resolution (the first one when already answered)', answerResponse('QuestionResolution')),
            ...sessionErrors,
            '404': error('SESSION_NOT_FOUND / REQUEST_NOT_FOUND'),
            ...jsonOnly,
          },
        },
      },
      '/sessions/{sessionId}/files/{path}': {
        get: {
          operationId: 'readFile',
          parameters: [
            sessionIdParameter,
            { name: 'path', in: 'path', required: true, description: 'Relative workspace path (may contain `/`); no `..`, not absolute', schema: { type: 'string' } },
          ],
          responses: {
            '200': ok('The file', ref('WorkspaceFile')),
            ...sessionErrors,
            '400': error('PATH_REFUSED / INVALID_INPUT'),
            '404': error('SESSION_NOT_FOUND / FILE_NOT_FOUND'),
          },
        },
        put: {
          operationId: 'writeFile',
          description:
            'Write one workspace file from the raw body (application/octet-stream only). Stored through saveWorkspaceFile and written into ' +
            'the running sandbox, else restored into the next one. The same path rules and per-file size limit as the workspace mirror; ' +
            '`authorizeSession` is asked for `write-file`.',
          parameters: [
            sessionIdParameter,
            { name: 'path', in: 'path', required: true, description: 'Relative workspace path (may contain `/`); no `..`, not absolute', schema: { type: 'string' } },
          ],
          requestBody: { required: true, content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } },
          responses: {
            '200': ok('The file was written', writtenFiles),
            ...sessionErrors,
            '400': error('PATH_REFUSED / INVALID_INPUT'),
            '409': error('SESSION_TERMINATED'),
            '413': error(`PAYLOAD_TOO_LARGE: the body is over maxUploadBytes (${options.maxUploadBytes}) or the file over the mirror's per-file limit`),
            '415': error('UNSUPPORTED_MEDIA_TYPE: a body that is not application/octet-stream'),
          },
        },
      },
      '/sessions/{sessionId}/files': {
        post: {
          operationId: 'uploadFiles',
          description:
            'Write many workspace files from a tar archive (application/x-tar only; ustar, pax or GNU long names). Directories are skipped; ' +
            'links and devices are refused. Every path and size is checked before anything is written.',
          parameters: [sessionIdParameter],
          requestBody: { required: true, content: { 'application/x-tar': { schema: { type: 'string', format: 'binary' } } } },
          responses: {
            '200': ok('The files were written', writtenFiles),
            ...sessionErrors,
            '400': error('PATH_REFUSED (an entry leaves the workspace) / INVALID_INPUT (not a tar archive, a link entry)'),
            '409': error('SESSION_TERMINATED'),
            '413': error(`PAYLOAD_TOO_LARGE: the body is over maxUploadBytes (${options.maxUploadBytes}) or a file over the mirror's per-file limit`),
            '415': error('UNSUPPORTED_MEDIA_TYPE: a body that is not application/x-tar'),
          },
        },
      },
      '/sessions/{sessionId}/workspace.tar': {
        get: {
          operationId: 'downloadWorkspace',
          description: 'Every stored workspace file as a tar archive (streamed; pax headers for paths over 100 bytes).',
          parameters: [sessionIdParameter],
          responses: {
            '200': { description: 'A tar archive', content: { 'application/x-tar': { schema: { type: 'string', format: 'binary' } } } },
            ...sessionErrors,
          },
        },
      },
      '/agent-profiles': {
        get: {
          operationId: 'listAgentProfiles',
          responses: {
            '200': ok('Agent profiles', {
              type: 'object',
              required: ['profiles'],
              properties: { profiles: { type: 'array', items: ref('AgentProfileListData') } },
            }),
            ...common,
          },
        },
      },
      '/health': { get: { operationId: 'health', security: [], responses: { '200': ok('Alive', { type: 'object', properties: { status: { const: 'ok' } } }) } } },
      '/ready': {
        get: {
          operationId: 'ready',
          security: [],
          responses: {
            '200': ok('Ready', { type: 'object', properties: { status: { const: 'ready' } } }),
            '503': ok('Not ready', { type: 'object', properties: { status: { const: 'not-ready' } } }),
          },
        },
      },
      ...(options.metrics
        ? {
            [options.metrics.path]: {
              get: {
                operationId: 'metrics',
                ...(options.metrics.public ? { security: [] } : {}),
                responses: {
                  '200': { description: 'Prometheus text exposition (`agent_runtime_*` series)', content: { 'text/plain': { schema: { type: 'string' } } } },
                  ...(options.metrics.public ? {} : { '401': error('Authentication required (UNAUTHORIZED)') }),
                },
              },
            },
          }
        : {}),
      '/openapi.json': { get: { operationId: 'openApi', security: [], responses: { '200': ok('This document', { type: 'object' }) } } },
    },
    components: {
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } },
      schemas: {
        CreateSessionRequest: schemaOf(createSessionRequestSchema, 'input'),
        SendMessageRequest: schemaOf(sendMessageRequestSchema, 'input'),
        SessionStatus: schemaOf(sessionStatusSchema),
        SessionListData: schemaOf(sessionListDataSchema),
        RuntimeSessionData: schemaOf(runtimeSessionDataSchema),
        WorkspaceFile: schemaOf(workspaceFileSchema),
        AgentProfileListData: schemaOf(agentProfileListDataSchema),
        PendingRequest: schemaOf(pendingRequestSchema),
        AnswerPermissionRequest: schemaOf(answerPermissionRequestSchema, 'input'),
        AnswerQuestionRequest: schemaOf(answerQuestionRequestSchema, 'input'),
        PermissionResolution: schemaOf(permissionResolutionSchema),
        QuestionResolution: schemaOf(questionResolutionSchema),
        ErrorResponse: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: { code: { type: 'string', enum: [...ERROR_CODES] }, message: { type: 'string' }, details: { type: 'object' } },
            },
          },
        },
      },
    },
  };
}
