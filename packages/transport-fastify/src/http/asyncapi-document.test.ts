import { Parser } from '@asyncapi/parser';
import { CLIENT_EVENT_NAMES, SERVER_EVENT_NAMES, serverEventPayloadSchemas } from '@agent-runtime/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../test/index.js';
import { buildAsyncApiDocument, messageKey, SERVER_EVENT_PAYLOADS } from './asyncapi-document.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

type Json = Record<string, any>;

describe('GET /asyncapi.json', () => {
  it('is public and served beside /openapi.json', async () => {
    const response = await fetch(`${server.baseUrl}/asyncapi.json`);
    expect(response.status).toBe(200);
    const document = (await response.json()) as Json;
    expect(document.asyncapi).toBe('3.0.0');
    expect(document.channels.runtime.address).toBe('/');
  });

  it('validates against the AsyncAPI 3 schema and rules (@asyncapi/parser), with no error diagnostics', async () => {
    const document = await fetch(`${server.baseUrl}/asyncapi.json`).then((response) => response.json());
    const parser = new Parser();
    const { document: parsed, diagnostics } = await parser.parse(JSON.stringify(document));
    const errors = diagnostics.filter((diagnostic) => diagnostic.severity === 0);
    expect(errors.map((diagnostic) => `${diagnostic.path.join('.')}: ${diagnostic.message}`)).toEqual([]);
    expect(parsed).toBeDefined();
    expect(parsed!.version()).toBe('3.0.0');
    expect(parsed!.allMessages().length).toBe(SERVER_EVENT_NAMES.length + CLIENT_EVENT_NAMES.length + 1);

    // The validator does reject a broken document (an operation without its channel).
    const broken = structuredClone(document) as Json;
    delete broken.operations.sendSessionBlockDelta.channel;
    const rejected = await parser.parse(JSON.stringify(broken));
    expect(rejected.diagnostics.some((diagnostic) => diagnostic.severity === 0)).toBe(true);
  });

  it('names every server event of core (and only those) as a message the server sends, and both client events', () => {
    const document = buildAsyncApiDocument({ websocketPath: '/', authenticate: undefined }) as Json;
    const sent = Object.values(document.operations as Json)
      .filter((operation: Json) => operation.action === 'send')
      .map((operation: Json) => document.components.messages[operation.messages[0].$ref.split('/').pop()].name);
    expect([...sent].sort()).toEqual([...SERVER_EVENT_NAMES].sort());
    expect(Object.keys(SERVER_EVENT_PAYLOADS).sort()).toEqual([...SERVER_EVENT_NAMES].sort());
    expect(Object.keys(serverEventPayloadSchemas).sort()).toEqual([...SERVER_EVENT_NAMES].sort());
    for (const event of SERVER_EVENT_NAMES) expect(SERVER_EVENT_PAYLOADS[event].schema).toBe(serverEventPayloadSchemas[event]); // generated from core's schemas
    const received = Object.values(document.operations as Json)
      .filter((operation: Json) => operation.action === 'receive')
      .map((operation: Json) => document.components.messages[operation.messages[0].$ref.split('/').pop()].name);
    expect(received.sort()).toEqual([...CLIENT_EVENT_NAMES].sort());
    for (const event of SERVER_EVENT_NAMES) {
      const payload = document.components.messages[messageKey(event)].payload;
      expect(payload.properties.event).toEqual({ const: event });
      expect(payload.properties.data.type).toBe('object');
    }
  });

  it('each payload schema accepts what the server really sends (the core schema the document is generated from)', async () => {
    const record = await server.engine.createSession({ agentProfileRef: 'code-assistant', architecture: 'claude-agent-sdk' });
    const seen: { event: string; data: unknown }[] = [];
    let unsubscribe = () => {};
    const turnEnded = new Promise<void>((resolve) => {
      unsubscribe = server.engine.events.subscribe((event) => {
        seen.push(event);
        if (event.event === 'session:turn:end') resolve();
      });
    });
    await server.engine.sendMessage(record.sessionId, { content: 'hello' });
    await turnEnded;
    unsubscribe();
    expect(seen.length).toBeGreaterThan(3);
    for (const event of seen) {
      const entry = SERVER_EVENT_PAYLOADS[event.event as keyof typeof SERVER_EVENT_PAYLOADS];
      expect(entry, event.event).toBeDefined();
      expect(entry.schema.safeParse(event.data).success, event.event).toBe(true);
    }
  });
});
