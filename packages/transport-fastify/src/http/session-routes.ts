import { createSessionRequestSchema, sendMessageRequestSchema, type CreateSessionResponse, type SessionListData } from '@agent-runtime/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { authorize } from '../auth.js';
import { answerRequest } from './approval-answers.js';
import type { ResolvedPluginOptions, SessionAction } from '../options.js';
import { principalKeyOf } from '../limits/principal-key.js';
import { SessionQuota } from '../limits/session-quota.js';
import type { Tracing } from '../observability/tracing.js';
import { boundedSession } from './bounded-session.js';
import { checkSessionId, checkWorkspacePath, parseBody } from './validate.js';
import { registerWorkspaceRoutes } from './workspace-routes.js';

/** The reference's five session routes, plus interrupt and workspace files (read, upload, tar download). */
export function registerSessionRoutes(app: FastifyInstance, options: ResolvedPluginOptions, tracing: Tracing): void {
  const { engine, authorizeSession } = options;
  const quota = new SessionQuota(options.limits.sessionsPerPrincipal, () => engine.listSessions());
  const messageRateLimit =
    options.limits.messagesPerWindow > 0
      ? {
          config: {
            rateLimit: {
              max: options.limits.messagesPerWindow,
              timeWindow: options.limits.messageWindowMs,
              hook: 'preHandler' as const,
              keyGenerator: (request: FastifyRequest) => principalKeyOf(options, request.agentRuntimePrincipal, request),
            },
          },
        }
      : {};

  /** Validates `:sessionId` and checks the caller may do `action` on it. */
  async function sessionFor(request: FastifyRequest, action: SessionAction): Promise<string> {
    const sessionId = checkSessionId((request.params as { sessionId?: unknown }).sessionId);
    await authorize(authorizeSession, request.agentRuntimePrincipal, sessionId, action);
    return sessionId;
  }

  app.post('/sessions/create', async (request): Promise<CreateSessionResponse> => {
    const body = parseBody(createSessionRequestSchema, request.body);
    const key = principalKeyOf(options, request.agentRuntimePrincipal, request);
    quota.reserve(key);
    let record: SessionListData | undefined;
    try {
      record = await engine.createSession(body);
    } finally {
      quota.settle(key, record?.sessionId);
    }
    return { sessionId: record.sessionId, status: record.status, createdAt: record.createdAt ?? Date.now() };
  });

  app.get('/sessions', async (request): Promise<{ sessions: SessionListData[] }> => {
    const sessions = engine.listSessions().map(boundedSession);
    if (!authorizeSession) return { sessions };
    const allowed = await Promise.all(
      sessions.map(async (session) => {
        try {
          return (await authorizeSession(request.agentRuntimePrincipal, session.sessionId, 'read')) === true;
        } catch {
          return false;
        }
      }),
    );
    return { sessions: sessions.filter((_, index) => allowed[index]) };
  });

  app.get('/sessions/:sessionId', async (request) => {
    const sessionId = await sessionFor(request, 'read');
    return boundedSession(await engine.getSession(sessionId));
  });

  app.post('/sessions/:sessionId/message', messageRateLimit, async (request) => {
    const sessionId = await sessionFor(request, 'message');
    const body = parseBody(sendMessageRequestSchema, request.body);
    tracing.messageAccepted(sessionId, request);
    const result = await engine.sendMessage(sessionId, body);
    return { ...result, success: true as const, sessionId };
  });

  app.post('/sessions/:sessionId/interrupt', async (request) => {
    const sessionId = await sessionFor(request, 'interrupt');
    const { interrupted } = await engine.interrupt(sessionId);
    return { success: true as const, sessionId, interrupted };
  });

  app.delete('/sessions/:sessionId', async (request) => {
    const sessionId = await sessionFor(request, 'terminate');
    await engine.terminateSession(sessionId);
    return { success: true as const, sessionId };
  });

  app.get('/sessions/:sessionId/files/*', async (request) => {
    const sessionId = await sessionFor(request, 'read-file');
    const path = checkWorkspacePath((request.params as Record<string, unknown>)['*']);
    return engine.readWorkspaceFile(sessionId, path);
  });

  app.post('/sessions/:sessionId/permissions/:requestId', async (request) => {
    const params = request.params as { sessionId?: unknown; requestId?: unknown };
    return answerRequest(options, request.agentRuntimePrincipal, 'permission', params.sessionId, params.requestId, request.body);
  });

  app.post('/sessions/:sessionId/questions/:requestId', async (request) => {
    const params = request.params as { sessionId?: unknown; requestId?: unknown };
    return answerRequest(options, request.agentRuntimePrincipal, 'question', params.sessionId, params.requestId, request.body);
  });

  registerWorkspaceRoutes(app, options, sessionFor);
}
