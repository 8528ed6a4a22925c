import { randomInt } from 'node:crypto';
import { createServer, request as httpRequest } from 'node:http';

/**
 * The scripted model numbers its message and tool-call ids from 1 in every process
 * (`msg_fake_0001`, `toolu_fake_0003`). Block ids derive from those ids, so after a demo restart a
 * session would get new messages with the ids of old ones. This proxy sits in front of the model
 * server and rewrites `_fake_` in its answers to a tag unique to this run (same length, so
 * `content-length` stays right), making every id unique across restarts.
 *
 * @param {string} targetUrl the model server
 * @returns {Promise<{ url: string, close: () => Promise<void> }>}
 */
export async function startUniqueIdsProxy(targetUrl) {
  const tag = `_${randomInt(36 ** 4).toString(36).padStart(4, '0')}_`;
  const target = new URL(targetUrl);
  const rewrite = (text) => text.replaceAll('_fake_', tag);

  const server = createServer((incoming, outgoing) => {
    const upstream = httpRequest(
      { host: target.hostname, port: target.port, method: incoming.method, path: incoming.url, headers: incoming.headers },
      (response) => {
        outgoing.writeHead(response.statusCode ?? 502, response.headers);
        outgoing.flushHeaders();
        // Rewrite whole lines only, so an id split across two chunks is still found.
        let pending = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => {
          pending += chunk;
          const end = pending.lastIndexOf('\n');
          if (end === -1) return;
          outgoing.write(rewrite(pending.slice(0, end + 1)));
          pending = pending.slice(end + 1);
        });
        response.on('end', () => outgoing.end(rewrite(pending)));
        response.on('error', () => outgoing.destroy());
      },
    );
    upstream.on('error', () => {
      if (!outgoing.headersSent) outgoing.writeHead(502, { 'content-type': 'application/json' });
      outgoing.end('{"error":{"message":"offline demo model unavailable"}}');
    });
    outgoing.on('close', () => upstream.destroy());
    incoming.pipe(upstream);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
