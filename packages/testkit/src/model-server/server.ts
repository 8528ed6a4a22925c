import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { anthropicErrorBody, anthropicEvents, anthropicMessage, type SseEvent } from './anthropic-response.js';
import { viewAnthropicRequest } from './anthropic-request.js';
import { geminiChunks, geminiErrorBody, geminiResponse } from './gemini-response.js';
import { viewGeminiRequest } from './gemini-request.js';
import type { RecordedRequest, RecordedResponse, RecordedToolCall } from './recorded-request.js';
import { asRecord } from './request-view.js';
import { IdSource, resolveReply, type ResolvedReply } from './resolved-reply.js';
import { findWorkingDirectory, substituteWorkingDirectory } from './working-directory.js';
import { routeOf, type Route } from './route.js';
import type { ModelApi, Scenario, ScriptedError } from './scenario.js';
import { ScenarioPlayer } from './scenario-player.js';

/** Options of {@link startModelServer}. */
export interface ModelServerOptions {
  /** Interface to listen on; default 127.0.0.1. */
  host?: string;
  /** Port; default 0 (a free random port). */
  port?: number;
  /** Default cap on generation requests per scenario; default 200. */
  maxRequests?: number;
  /** Default delay before each streamed event, in ms; default 0. */
  chunkDelayMs?: number;
  /** Called with every request once it has been answered (e.g. to log while debugging). */
  onRequest?: (request: RecordedRequest) => void;
  /**
   * Put this tag in every generated id (`msg_fake_<tag>_0001`). Ids are otherwise the same in
   * every server instance; a server that outlives restarts of its scenario (a demo) should set a
   * fresh tag per start so stored conversations never see an id twice.
   */
  idTag?: string;
}

/** A running scripted model server. */
export interface ModelServer {
  /** `http://127.0.0.1:<port>`: use as ANTHROPIC_BASE_URL / GOOGLE_GEMINI_BASE_URL. */
  readonly url: string;
  readonly port: number;
  /** Every request since start / the last reset, in arrival order. */
  readonly requests: readonly RecordedRequest[];
  /** The current scenario. */
  readonly scenario: Scenario;
  /** Only the generation requests (messages / generateContent), optionally of one API. */
  generationRequests(api?: ModelApi): RecordedRequest[];
  /** Ids of tool calls the server sent (generated or scripted), optionally only for one tool name. */
  toolCallIds(name?: string): string[];
  /** Ids of scenario turns that never answered; `[]` once a scenario was played to the end. */
  unusedTurnIds(): string[];
  /** Replaces the scenario and resets everything (recorded requests, turn uses, id counters). */
  setScenario(scenario: Scenario): void;
  /** Clears recorded requests and id counters and replays the current scenario from its start. */
  reset(): void;
  /** Stops listening and drops open connections. */
  close(): Promise<void>;
}

const defaultMaxRequests = 200;

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function parseBody(raw: string): unknown {
  if (raw === '') return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

/** Waits `ms`, or less if the response closes first. */
function pause(response: ServerResponse, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    timer.unref();
    response.once('close', done);
    function done() {
      clearTimeout(timer);
      response.off('close', done);
      resolve();
    }
  });
}

async function writeSse(response: ServerResponse, events: SseEvent[], delayMs: number, stallAfterEvents?: number): Promise<void> {
  response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
  response.flushHeaders();
  for (const [index, { event, data }] of events.entries()) {
    if (stallAfterEvents !== undefined && index >= stallAfterEvents) {
      // Stuck mid-stream: nothing more until the client goes away or the server closes.
      if (!response.destroyed) await new Promise((resolve) => response.once('close', resolve));
      return;
    }
    if (delayMs > 0) await pause(response, delayMs);
    if (response.destroyed) return;
    response.write(`${event === undefined ? '' : `event: ${event}\n`}data: ${JSON.stringify(data)}\n\n`);
  }
  response.end();
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

function recordReply(reply: ResolvedReply): RecordedResponse {
  const toolCalls: RecordedToolCall[] = reply.toolCalls.map(({ id, name, input }) => ({ id, name, input }));
  return { status: 200, messageId: reply.messageId, text: reply.text.join(''), thinking: reply.thinking.join(''), toolCalls };
}

/**
 * Starts the scripted fake of the Anthropic Messages API and the Gemini API on 127.0.0.1
 * (random port). Point Claude Code (ANTHROPIC_BASE_URL) or Gemini CLI (GOOGLE_GEMINI_BASE_URL)
 * at `server.url`; each generation request is answered from `scenario` and recorded.
 */
export async function startModelServer(scenario: Scenario = { turns: [] }, options: ModelServerOptions = {}): Promise<ModelServer> {
  const maxRequests = options.maxRequests ?? defaultMaxRequests;
  const ids = new IdSource(options.idTag);
  let player = new ScenarioPlayer(scenario, maxRequests);
  let requests: RecordedRequest[] = [];

  function answerError(response: ServerResponse, api: ModelApi, error: ScriptedError): RecordedResponse {
    const requestId = ids.take('req_fake_');
    const body = api === 'anthropic' ? anthropicErrorBody(error, requestId) : geminiErrorBody(error);
    const headers: Record<string, string> = { 'request-id': requestId };
    if (error.retryAfterSeconds !== undefined) headers['retry-after'] = String(error.retryAfterSeconds);
    sendJson(response, error.status, body, headers);
    const inner = asRecord(body.error);
    return { status: error.status, text: '', thinking: '', toolCalls: [], error: { type: String(inner.type ?? inner.status), message: String(inner.message) } };
  }

  function answerGeneration(route: Route & { api: ModelApi }, body: Record<string, unknown>, response: ServerResponse): Pick<RecordedRequest, 'view' | 'turnId' | 'response'> {
    const view = route.api === 'anthropic' ? viewAnthropicRequest(body) : viewGeminiRequest(body, route.model ?? '', route.stream === true);
    const decision = player.decide(view);
    if (decision.kind === 'error') return { view, turnId: decision.turnId, response: answerError(response, route.api, decision.error) };
    const scripted = decision.reply.toolCalls ? { ...decision.reply, toolCalls: substituteWorkingDirectory(decision.reply.toolCalls, findWorkingDirectory(body)) } : decision.reply;
    const reply = resolveReply(scripted, route.api, view.model, ids, options.chunkDelayMs ?? 0);
    if (route.api === 'anthropic') {
      if (view.stream) void writeSse(response, anthropicEvents(reply), reply.chunkDelayMs, reply.stallAfterEvents);
      else sendJson(response, 200, anthropicMessage(reply), { 'request-id': ids.take('req_fake_') });
    } else if (view.stream) {
      void writeSse(response, geminiChunks(reply).map((data) => ({ event: undefined, data })), reply.chunkDelayMs, reply.stallAfterEvents);
    } else {
      sendJson(response, 200, geminiResponse(reply));
    }
    return { view, turnId: decision.turnId, response: recordReply(reply) };
  }

  function answerOther(route: Route, method: string, body: unknown, response: ServerResponse): RecordedResponse {
    const ok: RecordedResponse = { status: 200, text: '', thinking: '', toolCalls: [] };
    if (method === 'HEAD') {
      response.writeHead(200).end();
    } else if (route.endpoint === 'count_tokens') {
      const size = JSON.stringify(body ?? '').length;
      sendJson(response, 200, route.api === 'gemini' ? { totalTokens: Math.ceil(size / 4) } : { input_tokens: Math.ceil(size / 4) });
    } else if (route.endpoint === 'models' && route.api === 'gemini') {
      const model = { name: 'models/fake-model', displayName: 'Fake model', supportedGenerationMethods: ['generateContent', 'streamGenerateContent', 'countTokens'] };
      sendJson(response, 200, { models: [model] });
    } else if (route.endpoint === 'models') {
      const model = { type: 'model', id: 'claude-fake', display_name: 'Fake model', created_at: '2025-01-01T00:00:00Z' };
      sendJson(response, 200, { data: [model], has_more: false, first_id: model.id, last_id: model.id });
    } else {
      sendJson(response, 200, {});
    }
    return ok;
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const receivedAt = new Date();
    const method = request.method ?? 'GET';
    const path = request.url ?? '/';
    const body = parseBody(await readBody(request));
    const route = routeOf(method, path, request.headers);
    const index = requests.length;
    let outcome: Pick<RecordedRequest, 'view' | 'turnId' | 'response'>;
    if (route.endpoint === 'generate' && route.api !== 'unknown') {
      outcome = answerGeneration({ ...route, api: route.api }, asRecord(body), response);
    } else {
      outcome = { response: answerOther(route, method, body, response) };
    }
    const record: RecordedRequest = { index, method, path, headers: { ...request.headers }, body, api: route.api, endpoint: route.endpoint, ...outcome, receivedAt };
    requests.push(record);
    options.onRequest?.(record);
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) sendJson(response, 500, { type: 'error', error: { type: 'api_error', message: `testkit model server failed: ${String(error)}` } });
      else response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';

  return {
    url: `http://${host}:${port}`,
    port,
    get requests() {
      return requests;
    },
    get scenario() {
      return player.scenario;
    },
    generationRequests: (api) => requests.filter((record) => record.endpoint === 'generate' && (api === undefined || record.api === api)),
    toolCallIds: (name) =>
      requests
        .flatMap((record) => record.response.toolCalls)
        .filter((call) => name === undefined || call.name === name)
        .flatMap((call) => (call.id === undefined ? [] : [call.id])),
    unusedTurnIds: () => player.unusedTurnIds(),
    setScenario(next) {
      player = new ScenarioPlayer(next, maxRequests);
      requests = [];
      ids.reset();
    },
    reset() {
      player = new ScenarioPlayer(player.scenario, maxRequests);
      requests = [];
      ids.reset();
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
