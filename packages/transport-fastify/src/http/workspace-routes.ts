import { AgentRuntimeError, unsupportedOperationError, type SessionEngine, type WorkspaceFile, type WorkspaceUpload } from '@agent-runtime/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ResolvedPluginOptions, SessionAction } from '../options.js';
import { checkWorkspacePath } from './validate.js';
import { parseTar, tarStream } from './workspace-tar.js';

const RAW_TYPE = 'application/octet-stream';
const TAR_TYPE = 'application/x-tar';

type SessionFor = (request: FastifyRequest, action: SessionAction) => Promise<string>;

function bodyBytes(body: unknown): Uint8Array {
  if (body instanceof Uint8Array) return body;
  if (body === undefined || body === null) return new Uint8Array(0);
  throw new AgentRuntimeError('UNSUPPORTED_MEDIA_TYPE', 'body: send the raw bytes as application/octet-stream.', { details: { field: 'body' } });
}

function writer(engine: SessionEngine): (sessionId: string, files: readonly WorkspaceUpload[]) => Promise<WorkspaceFile[]> {
  if (!engine.writeWorkspaceFiles) throw unsupportedOperationError('this session engine', 'writeWorkspaceFiles');
  return engine.writeWorkspaceFiles.bind(engine);
}

function fileBytes(file: WorkspaceFile): Uint8Array {
  return file.encoding === 'base64' ? Buffer.from(file.content, 'base64') : Buffer.from(file.content, 'utf8');
}

/** Summary of what was written: paths and sizes, never the content back. */
function written(sessionId: string, files: readonly WorkspaceFile[], uploads: readonly WorkspaceUpload[]) {
  return {
    success: true as const,
    sessionId,
    files: files.map((file, index) => ({ path: file.path, size: uploads[index]?.content.byteLength ?? 0, ...(file.encoding ? { encoding: file.encoding } : {}) })),
  };
}

/**
 * Workspace input and output: `PUT /sessions/:id/files/*` (one file, raw bytes),
 * `POST /sessions/:id/files` (a tar of many), `GET /sessions/:id/workspace.tar` (every stored file).
 * Uploads take exactly their own content type; the Origin check applies as to every POST/PUT.
 */
export function registerWorkspaceRoutes(app: FastifyInstance, options: ResolvedPluginOptions, sessionFor: SessionFor): void {
  const { engine } = options;
  for (const type of [RAW_TYPE, TAR_TYPE]) {
    if (!app.hasContentTypeParser(type)) {
      app.addContentTypeParser(type, { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    }
  }

  app.put(
    '/sessions/:sessionId/files/*',
    { bodyLimit: options.maxUploadBytes, config: { agentRuntimeBodyTypes: [RAW_TYPE] } },
    async (request) => {
      const sessionId = await sessionFor(request, 'write-file');
      const path = checkWorkspacePath((request.params as Record<string, unknown>)['*']);
      const uploads = [{ path, content: bodyBytes(request.body) }];
      return written(sessionId, await writer(engine)(sessionId, uploads), uploads);
    },
  );

  app.post(
    '/sessions/:sessionId/files',
    { bodyLimit: options.maxUploadBytes, config: { agentRuntimeBodyTypes: [TAR_TYPE] } },
    async (request) => {
      const sessionId = await sessionFor(request, 'write-file');
      if (!(request.body instanceof Uint8Array)) {
        throw new AgentRuntimeError('UNSUPPORTED_MEDIA_TYPE', `body: send a tar archive as ${TAR_TYPE}.`, { details: { field: 'body' } });
      }
      const uploads = parseTar(request.body);
      for (const upload of uploads) checkWorkspacePath(upload.path);
      return written(sessionId, await writer(engine)(sessionId, uploads), uploads);
    },
  );

  app.get('/sessions/:sessionId/workspace.tar', async (request, reply) => {
    const sessionId = await sessionFor(request, 'read-file');
    const { workspaceFiles } = await engine.getSession(sessionId);
    const files = [...workspaceFiles].sort((a, b) => a.path.localeCompare(b.path));
    return reply
      .type(TAR_TYPE)
      .header('content-disposition', `attachment; filename="workspace-${sessionId.replace(/[^\w.-]/g, '_')}.tar"`)
      .send(tarStream((function* () {
        for (const file of files) yield { path: file.path, content: fileBytes(file) };
      })()));
  });
}
