import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startModelServer, type ModelServer } from './server.js';

/** Parses an SSE body into `{ event, data }` records. */
function parseSse(text: string): { event: string | undefined; data: Record<string, unknown> }[] {
  return text
    .split('\n\n')
    .filter((frame) => frame.trim() !== '')
    .map((frame) => {
      const event = /^event: (.*)$/m.exec(frame)?.[1];
      const data = /^data: (.*)$/m.exec(frame)?.[1] ?? '{}';
      return { event, data: JSON.parse(data) as Record<string, unknown> };
    });
}

const userMessage = (text: string) => ({ role: 'user', content: [{ type: 'text', text }] });

describe('startModelServer', () => {
  let server: ModelServer;
  const post = (path: string, body: unknown) =>
    fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': 'k' }, body: JSON.stringify(body) });

  beforeAll(async () => {
    server = await startModelServer();
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(() => {
    server.setScenario({ turns: [] });
  });

  it('listens on 127.0.0.1 with a random port', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect(server.port).toBeGreaterThan(0);
  });

  it('streams an Anthropic reply in the real event order', async () => {
    server.setScenario({
      turns: [{ id: 'all', reply: { thinking: ['a', 'b'], text: ['Hel', 'lo'], toolCalls: [{ name: 'Write', input: { file_path: '/w/a.txt', content: 'some content here' } }], usage: { inputTokens: 7, outputTokens: 3 } } }],
    });
    const response = await post('/v1/messages?beta=true', { model: 'claude-x', stream: true, messages: [userMessage('go')] });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const events = parseSse(await response.text());
    for (const { event, data } of events) expect(data.type).toBe(event);
    expect(events.map(({ data }) => (data.delta as { type?: string } | undefined)?.type ?? data.type)).toEqual([
      'message_start',
      'content_block_start', 'ping', 'thinking_delta', 'thinking_delta', 'signature_delta', 'content_block_stop',
      'content_block_start', 'text_delta', 'text_delta', 'content_block_stop',
      'content_block_start', 'input_json_delta', 'input_json_delta', 'input_json_delta', 'content_block_stop',
      'message_delta', 'message_stop',
    ]);
    expect(events[0]?.data.message).toMatchObject({ id: 'msg_fake_0001', role: 'assistant', model: 'claude-x', content: [], usage: { input_tokens: 7 } });
    const toolStart = events.find(({ data }) => (data.content_block as { type?: string } | undefined)?.type === 'tool_use');
    expect(toolStart?.data).toMatchObject({ index: 2, content_block: { type: 'tool_use', id: 'toolu_fake_0003', name: 'Write', input: {} } });
    const json = events.flatMap(({ data }) => { const delta = data.delta as { partial_json?: string } | undefined; return delta?.partial_json === undefined ? [] : [delta.partial_json]; }).join('');
    expect(JSON.parse(json)).toEqual({ file_path: '/w/a.txt', content: 'some content here' });
    expect(events.at(-2)?.data).toMatchObject({ delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 3 } });
    expect(server.requests[0]).toMatchObject({ api: 'anthropic', endpoint: 'generate', turnId: 'all', method: 'POST', path: '/v1/messages?beta=true' });
    expect(server.requests[0]?.response).toMatchObject({ status: 200, messageId: 'msg_fake_0001', text: 'Hello', thinking: 'ab', toolCalls: [{ id: 'toolu_fake_0003', name: 'Write' }] });
    expect(server.toolCallIds()).toEqual(['toolu_fake_0003']);
  });

  it('answers a non-streaming Anthropic request with a JSON message', async () => {
    server.setScenario({ turns: [{ reply: { text: 'plain' } }] });
    const body = (await (await post('/v1/messages', { model: 'm', messages: [userMessage('hi')] })).json()) as Record<string, unknown>;
    expect(body).toMatchObject({ type: 'message', role: 'assistant', content: [{ type: 'text', text: 'plain' }], stop_reason: 'end_turn' });
  });

  it('streams Gemini chunks with thoughts, text, function calls and usage', async () => {
    server.setScenario({ turns: [{ reply: { thinking: 'hmm', text: ['a', 'b'], toolCalls: [{ name: 'write_file', input: { file_path: 'x' } }, { name: 'replace', input: {}, id: null }] } }] });
    const response = await post('/v1beta/models/fake-model:streamGenerateContent?alt=sse', { contents: [{ role: 'user', parts: [{ text: 'go' }] }] });
    const chunks = parseSse(await response.text());
    expect(chunks.every(({ event }) => event === undefined)).toBe(true);
    const parts = chunks.map(({ data }) => (data.candidates as { content: { parts: unknown[] } }[])[0]?.content.parts);
    expect(parts).toEqual([
      [{ text: 'hmm', thought: true }],
      [{ text: 'a' }],
      [{ text: 'b' }],
      [{ functionCall: { id: 'call_fake_0002', name: 'write_file', args: { file_path: 'x' } } }, { functionCall: { name: 'replace', args: {} } }],
    ]);
    expect(chunks.at(-1)?.data).toMatchObject({ candidates: [{ finishReason: 'STOP' }], usageMetadata: { promptTokenCount: 100 }, modelVersion: 'fake-model' });
    expect(chunks[0]?.data.candidates).not.toHaveProperty('0.finishReason');
    expect(server.requests[0]).toMatchObject({ api: 'gemini', endpoint: 'generate', view: { model: 'fake-model', stream: true, lastUserText: 'go' } });
    expect(server.toolCallIds('write_file')).toEqual(['call_fake_0002']);
  });

  it('answers Gemini generateContent and countTokens', async () => {
    server.setScenario({ turns: [{ reply: { text: 'json' } }] });
    const generated = (await (await post('/v1beta/models/m:generateContent', { contents: [] })).json()) as Record<string, unknown>;
    expect(generated).toMatchObject({ candidates: [{ content: { role: 'model', parts: [{ text: 'json' }] }, finishReason: 'STOP' }] });
    const counted = (await (await post('/v1beta/models/m:countTokens', { contents: [] })).json()) as Record<string, unknown>;
    expect(counted.totalTokens).toEqual(expect.any(Number));
    expect(server.requests.map((request) => [request.api, request.endpoint])).toEqual([['gemini', 'generate'], ['gemini', 'count_tokens']]);
  });

  it('answers start-up side calls harmlessly and records them', async () => {
    const counted = (await (await post('/v1/messages/count_tokens', { messages: [] })).json()) as Record<string, unknown>;
    expect(counted.input_tokens).toEqual(expect.any(Number));
    expect((await fetch(`${server.url}/`, { method: 'HEAD' })).status).toBe(200);
    expect(((await (await fetch(`${server.url}/v1/models`)).json()) as { data: unknown[] }).data).toHaveLength(1);
    expect((await fetch(`${server.url}/api/anything`)).status).toBe(200);
    expect(server.requests.map((request) => request.endpoint)).toEqual(['count_tokens', 'other', 'models', 'other']);
    expect(server.generationRequests()).toEqual([]);
  });

  it('sends scripted errors in each API shape', async () => {
    server.setScenario({ turns: [{ id: 'busy', error: { status: 529, times: 1, retryAfterSeconds: 2 }, reply: { text: 'ok now' } }, { id: 'quota', match: { api: 'gemini' }, error: { status: 429, message: 'slow down' } }] });
    const first = await post('/v1/messages', { messages: [userMessage('x')], stream: true });
    expect(first.status).toBe(529);
    expect(first.headers.get('retry-after')).toBe('2');
    expect(await first.json()).toMatchObject({ type: 'error', error: { type: 'overloaded_error' } });
    expect((await post('/v1/messages', { messages: [userMessage('x')] })).status).toBe(200);
    const gemini = await post('/v1beta/models/m:streamGenerateContent?alt=sse', { contents: [] });
    expect(gemini.status).toBe(429);
    expect(await gemini.json()).toEqual({ error: { code: 429, message: 'slow down', status: 'RESOURCE_EXHAUSTED' } });
    expect(server.generationRequests().map((request) => [request.turnId, request.response.status])).toEqual([['busy', 529], ['busy', 200], ['quota', 429]]);
  });

  it('caps a looping agent with an explanatory 500', async () => {
    server.setScenario({ name: 'looper', turns: [{ reply: { text: 'again' }, times: 'always' }], maxRequests: 3 });
    const statuses: number[] = [];
    for (let index = 0; index < 4; index++) statuses.push((await post('/v1/messages', { messages: [userMessage('x')] })).status);
    expect(statuses).toEqual([200, 200, 200, 500]);
    expect(server.requests.at(-1)).toMatchObject({ turnId: 'request-limit', response: { error: { message: expect.stringContaining('"looper" reached its limit of 3 requests') } } });
  });

  it('reset() replays the scenario and clears the record', async () => {
    server.setScenario({ turns: [{ id: 'only', reply: { text: 'once' } }] });
    await post('/v1/messages', { messages: [userMessage('x')] });
    expect(server.unusedTurnIds()).toEqual([]);
    server.reset();
    expect(server.requests).toEqual([]);
    expect(server.unusedTurnIds()).toEqual(['only']);
  });

  it('stays parseable by the official Anthropic SDK stream reader', async () => {
    server.setScenario({ turns: [{ reply: { thinking: 'th', text: ['x', 'y'], toolCalls: [{ name: 'Read', input: { file_path: '/a' } }] } }] });
    const client = new Anthropic({ baseURL: server.url, apiKey: 'k', maxRetries: 0 });
    const message = await client.messages.stream({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'go' }] }).finalMessage();
    expect(message).toMatchObject({
      stop_reason: 'tool_use',
      content: [
        { type: 'thinking', thinking: 'th', signature: expect.stringMatching(/^fake-signature-/) },
        { type: 'text', text: 'xy' },
        { type: 'tool_use', name: 'Read', input: { file_path: '/a' } },
      ],
    });
  });

  it('stallAfterEvents sends that many events, then holds the stream open until the server closes', async () => {
    const server2 = await startModelServer({ turns: [{ reply: { text: ['one ', 'two'], stallAfterEvents: 4 } }] });
    const response = await fetch(`${server2.url}/v1/messages`, { method: 'POST', body: JSON.stringify({ stream: true, messages: [userMessage('x')] }) });
    const reader = response.body!.getReader();
    let received = '';
    while ((received.match(/\n\n/g) ?? []).length < 4) received += new TextDecoder().decode((await reader.read()).value);
    // message_start, content_block_start, ping, the first delta — and nothing about 'two' or the end.
    expect(parseSse(received).map((frame) => frame.event)).toEqual(['message_start', 'content_block_start', 'ping', 'content_block_delta']);
    expect(received).toContain('one ');
    const rest = reader.read().then(({ done, value }) => (done ? 'ended' : new TextDecoder().decode(value)), () => 'dropped');
    await server2.close();
    expect(await rest).toBe('dropped');
  });

  it('close() drops a stream that is still being written', async () => {
    const slow = await startModelServer({ turns: [{ reply: { text: ['a', 'b'], chunkDelayMs: 60_000 } }] });
    const response = fetch(`${slow.url}/v1/messages`, { method: 'POST', body: JSON.stringify({ stream: true, messages: [userMessage('x')] }) });
    const pending = (await response).text().then((text) => `completed: ${text}`, () => 'dropped');
    await slow.close();
    // The first event was still 60 s away: close() must cut the stream, not wait for it.
    expect(await pending).toBe('dropped');
  });
});
