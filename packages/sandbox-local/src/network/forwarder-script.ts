/** Port on 127.0.0.1 inside the sandbox's own network namespace where the proxy is reachable. */
export const SANDBOX_PROXY_PORT = 47113;


/**
 * The in-sandbox half of the network door, run by Node as the first process of every exec in a
 * sandbox without network: it listens on 127.0.0.1:<port> of the (otherwise empty) network
 * namespace, relays each connection to the proxy's unix socket, and only once listening starts
 * the real command with the same stdio, in a process group of its own. SIGTERM/SIGINT/SIGHUP
 * are relayed to that group (the command and its children); it exits with the command's status.
 */
export const FORWARDER_SCRIPT = `import { spawn } from 'node:child_process';
import { createServer, connect } from 'node:net';
import { constants } from 'node:os';
const [port, socketPath, ...command] = process.argv.slice(2);
let child;
for (const name of ['SIGTERM', 'SIGINT', 'SIGHUP']) {
  process.on(name, () => { try { process.kill(-child.pid, name); } catch { try { child?.kill(name); } catch {} } });
}
const server = createServer((client) => {
  const upstream = connect(socketPath);
  const close = () => { client.destroy(); upstream.destroy(); };
  client.on('error', close); upstream.on('error', close); client.on('close', close); upstream.on('close', close);
  client.pipe(upstream); upstream.pipe(client);
});
server.on('error', (error) => { process.stderr.write('agent-runtime forwarder: ' + error.message + '\\n'); process.exit(125); });
server.listen(Number(port), '127.0.0.1', () => {
  child = spawn(command[0], command.slice(1), { stdio: 'inherit', detached: true });
  child.on('error', (error) => { process.stderr.write(command[0] + ': ' + error.message + '\\n'); process.exit(error.code === 'ENOENT' ? 127 : 126); });
  child.on('exit', (code, signal) => process.exit(code ?? 128 + (constants.signals[signal] ?? 0)));
});
`;
