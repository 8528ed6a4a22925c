// A tiny stdio MCP server (newline-delimited JSON-RPC) with one tool, `shout`, for the profile tests.
import { createInterface } from 'node:readline';

const send = (message) => process.stdout.write(`${JSON.stringify({ jsonrpc: '2.0', ...message })}\n`);
const tool = {
  name: 'shout',
  description: 'Returns its text in upper case.',
  inputSchema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
};
createInterface({ input: process.stdin }).on('line', (line) => {
  let request;
  try {
    request = JSON.parse(line);
  } catch {
    return;
  }
  if (request.id === undefined) return; // notifications need no answer
  if (request.method === 'initialize') {
    send({ id: request.id, result: { protocolVersion: request.params?.protocolVersion ?? '2025-06-18', capabilities: { tools: {} }, serverInfo: { name: 'shouter', version: '1.0.0' } } });
  } else if (request.method === 'tools/list') {
    send({ id: request.id, result: { tools: [tool] } });
  } else if (request.method === 'tools/call') {
    const text = String(request.params?.arguments?.text ?? '');
    send({ id: request.id, result: { content: [{ type: 'text', text: text.toUpperCase() }] } });
  } else {
    send({ id: request.id, error: { code: -32601, message: `unknown method ${request.method}` } });
  }
});
