// Workspace upload and download through the client, against the real engine behind the real transport.
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { parseTar, tarStream } from '@agent-runtime/transport-fastify';
import { createAgentRuntimeClient, type WebSocketConstructor } from './index.js';
import { echoTurn, startRealEngineServer, type RealEngineServer } from './testing/real-engine-server.js';

let server: RealEngineServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('RestClient workspace files', () => {
  it('writeFile, uploadTar and downloadWorkspace round-trip; a traversing path is refused before sending', async () => {
    server = await startRealEngineServer(echoTurn({ deltas: 1 }));
    const client = createAgentRuntimeClient({ baseUrl: server.baseUrl, WebSocket: WebSocket as unknown as WebSocketConstructor });
    try {
      const { sessionId } = await client.createSession({ agentProfileRef: 'helper', architecture: 'claude-agent-sdk' });
      expect(await client.writeFile(sessionId, 'notes/a.md', 'alpha')).toEqual({ success: true, sessionId, files: [{ path: 'notes/a.md', size: 5 }] });
      const chunks: Buffer[] = [];
      for await (const chunk of tarStream([{ path: 'b.bin', content: new Uint8Array([9, 8]) }])) chunks.push(chunk as Buffer);
      expect((await client.uploadTar(sessionId, new Uint8Array(Buffer.concat(chunks)))).files).toEqual([{ path: 'b.bin', size: 2 }]);
      const files = parseTar(await client.downloadWorkspace(sessionId));
      expect(files.map((file) => file.path).sort()).toEqual(['b.bin', 'notes/a.md']);
      await expect(client.writeFile(sessionId, '../x', 'no')).rejects.toMatchObject({ code: 'PATH_REFUSED', status: 0 });
      await expect(client.writeFile('missing', 'a.txt', 'no')).rejects.toMatchObject({ code: 'SESSION_NOT_FOUND', status: 404 });
    } finally {
      client.close();
    }
  });
});
