import { normalizeWorkspacePath, workspacePathProblem } from '@agent-runtime/core';
import type {
  AgentProfileListData,
  AnswerPermissionRequest,
  AnswerQuestionRequest,
  AnswerRequestResponse,
  PermissionResolution,
  QuestionResolution,
  CreateSessionRequest,
  CreateSessionResponse,
  RuntimeSessionData,
  SendMessageRequest,
  SendMessageResponse,
  SessionListData,
  TerminateSessionResponse,
  UserMessageContent,
  WorkspaceFile,
} from '@agent-runtime/core';
import { AgentRuntimeClientError } from './client-error.js';
import { realTimers, type Timers } from './socket-types.js';

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface RestClientOptions {
  baseUrl: string;
  token?: string | (() => string | undefined | Promise<string | undefined>);
  fetch?: FetchLike;
  /** Extra headers on every request. */
  headers?: Record<string, string>;
  /** Retries of `sendMessage` after a network error or 502/503/504 (same clientMessageId). Default 2. */
  messageRetries?: number;
  /** Timers for the retry delays (200 ms, doubling). Default: the global ones. */
  timers?: Timers;
}

export interface SendMessageOptions {
  /** Idempotency key; generated when absent, so a retry never runs the message twice. */
  clientMessageId?: string;
  signal?: AbortSignal;
}

export interface InterruptResponse {
  success: true;
  sessionId: string;
  interrupted: boolean;
}

/** `POST /sessions/:sessionId/warm`: `warming: false` when there was nothing to warm (already warm or running). */
export interface WarmSessionResponse {
  success: true;
  sessionId: string;
  warming: boolean;
}

/** A random id without `node:crypto` (works in browsers, insecure contexts included). */
export function randomId(): string {
  const cryptoObject = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  if (cryptoObject?.randomUUID) return cryptoObject.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}-${Math.random().toString(36).slice(2)}`;
}

const RETRYABLE_STATUSES = new Set([502, 503, 504]);

/** Typed calls to the REST API; every failure is an `AgentRuntimeClientError`. */
/** `PUT .../files/<path>` and `POST .../files` answer. */
export interface WorkspaceWriteResponse {
  success: true;
  sessionId: string;
  files: { path: string; size: number; encoding?: 'base64' }[];
}

export class RestClient {
  private readonly baseUrl: string;
  private readonly fetchImplementation: FetchLike;

  constructor(private readonly options: RestClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    const fetchImplementation = options.fetch ?? (globalThis.fetch?.bind(globalThis) as FetchLike | undefined);
    if (!fetchImplementation) throw new AgentRuntimeClientError('INVALID_CONFIG', 'No fetch available: pass options.fetch.');
    this.fetchImplementation = fetchImplementation;
  }

  async token(): Promise<string | undefined> {
    const token = this.options.token;
    return typeof token === 'function' ? await token() : token;
  }

  createSession(request: CreateSessionRequest): Promise<CreateSessionResponse> {
    return this.request('POST', '/sessions/create', request);
  }

  async listSessions(): Promise<SessionListData[]> {
    return (await this.request<{ sessions: SessionListData[] }>('GET', '/sessions')).sessions;
  }

  getSession(sessionId: string): Promise<RuntimeSessionData> {
    return this.request('GET', `/sessions/${encodeURIComponent(sessionId)}`);
  }

  /**
   * Sends a message. A `clientMessageId` is generated when absent, and the call is retried with
   * the same id after a network error or 502/503/504: the server acknowledges a retry again but
   * never runs the message twice.
   */
  async sendMessage(sessionId: string, content: UserMessageContent | SendMessageRequest, options: SendMessageOptions = {}): Promise<SendMessageResponse> {
    const request: SendMessageRequest =
      typeof content === 'object' && content !== null && !Array.isArray(content) ? { ...content } : { content };
    request.clientMessageId ??= options.clientMessageId ?? randomId();
    const retries = this.options.messageRetries ?? 2;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.request('POST', `/sessions/${encodeURIComponent(sessionId)}/message`, request, options.signal);
      } catch (error) {
        const retryable = AgentRuntimeClientError.isInstance(error) && (error.code === 'NETWORK_ERROR' || RETRYABLE_STATUSES.has(error.status));
        if (!retryable || attempt >= retries || options.signal?.aborted) throw error;
        const timers = this.options.timers ?? realTimers;
        await new Promise<void>((resolve) => timers.setTimeout(resolve, 200 * 2 ** attempt));
      }
    }
  }

  terminateSession(sessionId: string): Promise<TerminateSessionResponse> {
    return this.request('DELETE', `/sessions/${encodeURIComponent(sessionId)}`);
  }

  interrupt(sessionId: string): Promise<InterruptResponse> {
    return this.request('POST', `/sessions/${encodeURIComponent(sessionId)}/interrupt`);
  }

  /**
   * The user started typing: warm the session's sandbox and agent process ahead of the message
   * (`POST /sessions/:sessionId/warm`, needs the `message` right). Resolves at once.
   */
  warmSession(sessionId: string): Promise<WarmSessionResponse> {
    return this.request('POST', `/sessions/${encodeURIComponent(sessionId)}/warm`);
  }

  /**
   * Answers a permission request (`POST /sessions/:sessionId/permissions/:requestId`):
   * `{ decision: 'allow' | 'deny', remember?, message? }`. A second answer changes nothing and
   * resolves with the first resolution and `alreadyResolved: true`.
   */
  answerPermission(sessionId: string, requestId: string, answer: AnswerPermissionRequest): Promise<AnswerRequestResponse<PermissionResolution>> {
    return this.request('POST', `/sessions/${encodeURIComponent(sessionId)}/permissions/${encodeURIComponent(requestId)}`, answer);
  }

  /**
   * Answers an agent question (`POST /sessions/:sessionId/questions/:requestId`):
   * `{ answers: { [questionText]: label } }` or `{ decline: true }`. Idempotent like `answerPermission`.
   */
  answerQuestion(sessionId: string, requestId: string, answer: AnswerQuestionRequest): Promise<AnswerRequestResponse<QuestionResolution>> {
    return this.request('POST', `/sessions/${encodeURIComponent(sessionId)}/questions/${encodeURIComponent(requestId)}`, answer);
  }

  /**
   * One workspace file (`path` relative, `/`-separated). A path the server would refuse (absolute,
   * `..`) is refused here with PATH_REFUSED before anything is sent: a URL with `..` would be
   * normalised into another route on the way.
   */
  async readFile(sessionId: string, path: string): Promise<WorkspaceFile> {
    return this.request('GET', `/sessions/${encodeURIComponent(sessionId)}/files/${this.encodedPath(path)}`);
  }

  async listAgentProfiles(): Promise<AgentProfileListData[]> {
    return (await this.request<{ profiles: AgentProfileListData[] }>('GET', '/agent-profiles')).profiles;
  }

  /**
   * Write one workspace file (raw bytes, `PUT /sessions/:id/files/<path>`); the same path checks as
   * `readFile` run here first.
   */
  async writeFile(sessionId: string, path: string, content: Uint8Array | string): Promise<WorkspaceWriteResponse> {
    const encoded = this.encodedPath(path);
    const body = typeof content === 'string' ? new TextEncoder().encode(content) : content;
    const response = await this.send('PUT', `/sessions/${encodeURIComponent(sessionId)}/files/${encoded}`, body, 'application/octet-stream');
    return (await response.json()) as WorkspaceWriteResponse;
  }

  /** Write many workspace files from a tar archive (`POST /sessions/:id/files`). */
  async uploadTar(sessionId: string, archive: Uint8Array): Promise<WorkspaceWriteResponse> {
    const response = await this.send('POST', `/sessions/${encodeURIComponent(sessionId)}/files`, archive, 'application/x-tar');
    return (await response.json()) as WorkspaceWriteResponse;
  }

  /** Every stored workspace file as a tar archive (`GET /sessions/:id/workspace.tar`). */
  async downloadWorkspace(sessionId: string): Promise<Uint8Array> {
    const response = await this.send('GET', `/sessions/${encodeURIComponent(sessionId)}/workspace.tar`);
    return new Uint8Array(await response.arrayBuffer());
  }

  /** Any route: JSON in, JSON out, errors as `AgentRuntimeClientError`. */
  async request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    const response = await this.send(method, path, body === undefined ? undefined : JSON.stringify(body), 'application/json', signal);
    const text = await response.text();
    try {
      return (text ? JSON.parse(text) : undefined) as T;
    } catch {
      return undefined as T;
    }
  }

  private encodedPath(path: string): string {
    const problem = workspacePathProblem(path);
    const normalized = normalizeWorkspacePath(path);
    if (problem !== null || normalized === null) {
      throw new AgentRuntimeClientError('PATH_REFUSED', `Path "${path}" refused: ${problem ?? 'invalid'}.`, { details: { path, reason: problem ?? 'invalid' } });
    }
    return normalized.split('/').map(encodeURIComponent).join('/');
  }

  /** One request with auth; a non-2xx answer becomes an `AgentRuntimeClientError`. */
  private async send(method: string, path: string, body?: string | Uint8Array, contentType?: string, signal?: AbortSignal): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json', ...this.options.headers };
    const token = await this.token();
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined && contentType) headers['content-type'] = contentType;
    let response: Response;
    try {
      response = await this.fetchImplementation(`${this.baseUrl}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: body as BodyInit }),
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      throw new AgentRuntimeClientError('NETWORK_ERROR', `${method} ${path} failed: ${(error as Error)?.message ?? String(error)}`, { cause: error });
    }
    if (response.ok) return response;
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    const error = (parsed as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)?.error;
    throw new AgentRuntimeClientError(
      typeof error?.code === 'string' ? error.code : `HTTP_${response.status}`,
      typeof error?.message === 'string' ? error.message : `${method} ${path} answered ${response.status}.`,
      { status: response.status, ...(error?.details && typeof error.details === 'object' ? { details: error.details as Record<string, unknown> } : {}) },
    );
  }
}
