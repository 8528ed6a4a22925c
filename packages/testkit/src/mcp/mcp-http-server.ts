import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { answerMcpRequest } from './mcp-shout-tool.js';

/** One JSON-RPC request the server received. */
export interface McpHttpRequestRecord {
  transport: 'http' | 'sse';
  method: string | undefined;
  headers: IncomingMessage['headers'];
}

/** A fake remote MCP server offering the `shout` tool over both remote transports. */
export interface McpHttpServer {
  /** Streamable HTTP endpoint (MCP `type: 'http'`; Gemini `httpUrl`). */
  httpUrl: string;
  /** Legacy HTTP+SSE endpoint (MCP `type: 'sse'`; Gemini `url`). */
  sseUrl: string;
  /** Every JSON-RPC request, in arrival order (headers included, to check configured headers). */
  readonly requests: McpHttpRequestRecord[];
  close(): Promise<void>;
}

/**
 * Starts the fake remote MCP server on 127.0.0.1: `POST /mcp` answers JSON-RPC with JSON
 * (streamable HTTP, no server-initiated stream); `GET /sse` opens an event stream whose first
 * `endpoint` event names `POST /messages?sessionId=…`, whose answers come back on the stream.
 */
export async function startMcpHttpServer(options: { host?: string; serverName?: string } = {}): Promise<McpHttpServer> {
  const serverName = options.serverName ?? 'remote-shouter';
  const requests: McpHttpRequestRecord[] = [];
  const streams = new Map<string, ServerResponse>();

  const readJson = async (request: IncomingMessage): Promise<unknown> => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    try {
      return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
    } catch {
      return undefined;
    }
  };
  const asList = (body: unknown) => (Array.isArray(body) ? body : [body]).filter((item): item is Record<string, never> => typeof item === 'object' && item !== null);

  const server = createServer((request, response) => {
    void (async () => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      if (url.pathname === '/mcp' && request.method === 'POST') {
        const messages = asList(await readJson(request));
        for (const message of messages) requests.push({ transport: 'http', method: (message as { method?: string }).method, headers: request.headers });
        const answers = messages.map((message) => answerMcpRequest(message, serverName)).filter((answer) => answer !== undefined);
        if (answers.length === 0) return void response.writeHead(202).end();
        response.writeHead(200, { 'content-type': 'application/json', 'mcp-session-id': 'fake-session' });
        return void response.end(JSON.stringify(answers.length === 1 ? answers[0] : answers));
      }
      if (url.pathname === '/sse' && request.method === 'GET') {
        const sessionId = randomUUID();
        streams.set(sessionId, response);
        response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
        response.write(`event: endpoint\ndata: /messages?sessionId=${sessionId}\n\n`);
        response.on('close', () => streams.delete(sessionId));
        return;
      }
      if (url.pathname === '/messages' && request.method === 'POST') {
        const stream = streams.get(url.searchParams.get('sessionId') ?? '');
        if (!stream) return void response.writeHead(404).end();
        const messages = asList(await readJson(request));
        response.writeHead(202).end();
        for (const message of messages) {
          requests.push({ transport: 'sse', method: (message as { method?: string }).method, headers: request.headers });
          const answer = answerMcpRequest(message, serverName);
          if (answer) stream.write(`event: message\ndata: ${JSON.stringify(answer)}\n\n`);
        }
        return;
      }
      response.writeHead(request.method === 'GET' || request.method === 'DELETE' ? 405 : 404).end();
    })().catch(() => response.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const base = `http://${options.host ?? '127.0.0.1'}:${port}`;
  return {
    httpUrl: `${base}/mcp`,
    sseUrl: `${base}/sse`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
