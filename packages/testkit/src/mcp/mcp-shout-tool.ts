/**
 * The one tool the fake MCP servers offer: `shout` returns its `text` upper-cased, followed by
 * the value of `SHOUT_SUFFIX` in the server's environment (so a test can see that MCP `env`
 * reached a stdio server). JSON-RPC 2.0, MCP methods `initialize`, `tools/list`, `tools/call`.
 */
export const SHOUT_TOOL = {
  name: 'shout',
  description: 'Returns its text in upper case.',
  inputSchema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
} as const;

interface JsonRpcRequest {
  id?: string | number;
  method?: string;
  params?: { protocolVersion?: string; arguments?: { text?: unknown } };
}

/** The JSON-RPC answer to one request, or `undefined` for a notification. */
export function answerMcpRequest(request: JsonRpcRequest, serverName: string, suffix = ''): Record<string, unknown> | undefined {
  if (request.id === undefined) return undefined;
  const reply = (body: Record<string, unknown>) => ({ jsonrpc: '2.0', id: request.id, ...body });
  switch (request.method) {
    case 'initialize':
      return reply({ result: { protocolVersion: request.params?.protocolVersion ?? '2025-06-18', capabilities: { tools: {} }, serverInfo: { name: serverName, version: '1.0.0' } } });
    case 'tools/list':
      return reply({ result: { tools: [SHOUT_TOOL] } });
    case 'tools/call':
      return reply({ result: { content: [{ type: 'text', text: `${String(request.params?.arguments?.text ?? '').toUpperCase()}${suffix}` }] } });
    case 'ping':
      return reply({ result: {} });
    default:
      return reply({ error: { code: -32601, message: `unknown method ${String(request.method)}` } });
  }
}

/**
 * Source of a stdio MCP server (newline-delimited JSON-RPC) offering {@link SHOUT_TOOL}: write it
 * into a sandbox as `server.mjs` and configure `{ command: <node>, args: [<path>], env }`.
 * Self-contained: it needs nothing but Node.
 */
export const MCP_STDIO_SERVER_SOURCE = `// Fake stdio MCP server (from @agent-runtime/testkit): one tool, shout.
import { createInterface } from 'node:readline';
const tool = ${JSON.stringify(SHOUT_TOOL)};
const send = (message) => process.stdout.write(JSON.stringify({ jsonrpc: '2.0', ...message }) + '\\n');
createInterface({ input: process.stdin }).on('line', (line) => {
  let request;
  try { request = JSON.parse(line); } catch { return; }
  if (request.id === undefined) return;
  if (request.method === 'initialize') send({ id: request.id, result: { protocolVersion: request.params?.protocolVersion ?? '2025-06-18', capabilities: { tools: {} }, serverInfo: { name: 'shouter', version: '1.0.0' } } });
  else if (request.method === 'tools/list') send({ id: request.id, result: { tools: [tool] } });
  else if (request.method === 'tools/call') send({ id: request.id, result: { content: [{ type: 'text', text: String(request.params?.arguments?.text ?? '').toUpperCase() + (process.env.SHOUT_SUFFIX ?? '') }] } });
  else if (request.method === 'ping') send({ id: request.id, result: {} });
  else send({ id: request.id, error: { code: -32601, message: 'unknown method ' + request.method } });
});
`;
