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

/**
 * The same door with socat (when the host has it under /usr, so it is visible inside): much
 * cheaper to start than Node. The shell starts socat, waits until 127.0.0.1:<port> is listening
 * in the namespace (read from /proc/net/tcp, so a command that connects at once cannot race it),
 * then execs the command, which keeps the process group; socat ends with the namespace.
 */
export function socatDoorCommand(socatPath: string, socketPath: string, command: readonly string[]): string[] {
  const hexPort = SANDBOX_PROXY_PORT.toString(16).toUpperCase().padStart(4, '0');
  const script =
    `${socatPath} TCP-LISTEN:${SANDBOX_PROXY_PORT},bind=127.0.0.1,fork,reuseaddr UNIX-CONNECT:${socketPath} 2>/dev/null & ` +
    `i=0; until grep -q ' 0100007F:${hexPort} 00000000:0000 0A' /proc/net/tcp; do i=$((i+1)); [ $i -gt 5000 ] && break; done; exec "$@"`;
  return ['/bin/sh', '-c', script, 'sh', ...command];
}
