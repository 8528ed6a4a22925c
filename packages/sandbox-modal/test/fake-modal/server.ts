/**
 * `startFakeModal()`: one nice-grpc server on 127.0.0.1:<random port> serving both services the
 * real Modal JS SDK talks to — the control plane at `MODAL_SERVER_URL=http://127.0.0.1:<port>`
 * and the task command router at `https://127.0.0.1:<port>` (the SDK skips TLS for localhost).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createServer, ServerError, Status, type CallContext } from 'nice-grpc';
import { commandRouterHandlers } from './command-router.js';
import { controlPlaneHandlers } from './control-plane.js';
import { loadModalDefinitions, type TsProtoServiceDefinition } from './definitions.js';
import { SandboxRuntime } from './sandbox-runtime.js';
import { newSecretId } from './ids.js';
import type { FakeModalState } from './state.js';

/** Options for startFakeModal. All optional. */
export interface FakeModalOptions {
  /** Directory holding one `<sandboxId>/` root per sandbox (default: a fresh dir under os.tmpdir()). */
  readonly rootDir?: string;
  /** Keep the sandbox roots on close (default false: a temp root dir is removed on close). */
  readonly keepFiles?: boolean;
  /**
   * Environment every exec'd process starts from. Default `MINIMAL_BASE_ENV` (a PATH and nothing
   * else, like a container image), so a test that needs a host variable or a CLI missing from the
   * "image" fails here as it would on Modal. Pass `process.env` to inherit the host's.
   */
  readonly baseEnv?: NodeJS.ProcessEnv;
  /** Delay, in real ms, before every RPC is answered (real Modal is ~20-100 ms per round trip). Default 0. */
  readonly latencyMs?: number;
  /** Image builds: how long each new image takes (real ms) and whether it fails. Changeable later via `fake.imageBuilds`. */
  readonly imageBuilds?: FakeImageBuilds;
  /**
   * After a sandbox finishes, the command router answers UNAVAILABLE (the task and its router are
   * gone, as on real Modal) instead of NOT_FOUND. The SDK retries UNAVAILABLE forever. Default false.
   */
  readonly routerUnavailableAfterFinish?: boolean;
  /** Named secrets `secrets.fromName(name)` resolves (key -> value). */
  readonly secrets?: Record<string, Record<string, string>>;
  /**
   * Real milliseconds per Modal second for sandbox `timeoutMs` / `idleTimeoutMs` and exec
   * `timeoutMs` (default 1000). The SDK only accepts whole seconds; a test can pass e.g. 10 to
   * make a 60 s idle timeout fire after 600 ms.
   */
  readonly msPerSecond?: number;
  /**
   * Decide whether a token pair is accepted (default: everything except a token id or secret of
   * 'reject'). Rejected calls fail with UNAUTHENTICATED, which the SDK surfaces as a ClientError.
   */
  readonly acceptToken?: (tokenId: string, tokenSecret: string) => boolean;
  /** Poll interval of the emulated `sb.filesystem.watch` (default 50 ms). */
  readonly watchPollMs?: number;
}

/** How the fake "builds" images that are new to it. */
export interface FakeImageBuilds {
  /** Real ms a new image takes to build (reported through ImageJoinStreaming). Default 0 (built at once). */
  durationMs: number;
  /** When set, every new build fails with this message (GENERIC_STATUS_FAILURE). */
  failWith?: string | undefined;
}

/** A PATH and nothing else, as processes in a fresh container see. */
export const MINIMAL_BASE_ENV: NodeJS.ProcessEnv = Object.freeze({ PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' });

/** A running fake. */
export interface FakeModal {
  /** Mutable: change build time / failure between tests. */
  readonly imageBuilds: FakeImageBuilds;
  /** Stop a sandbox the way Modal's memory manager does (GENERIC_STATUS_MEMORY_MANAGER_EVICTION, exit 137). */
  evict(sandboxId: string): void;
  /** Control-plane URL: set `process.env.MODAL_SERVER_URL = url` BEFORE `new ModalClient()`. */
  readonly url: string;
  readonly port: number;
  /** Directory under which each sandbox's root lives (`<rootDir>/<sandboxId>`). */
  readonly rootDir: string;
  /** Live, inspectable state (apps, images, sandboxes with options/tags/status/execs, call log). */
  readonly state: FakeModalState;
  /**
   * Make the next `times` calls of `method` (e.g. 'SandboxCreateV2' or 'sandboxCreateV2',
   * 'TaskExecStart') fail with gRPC `code`. Note the SDK retries UNAVAILABLE/INTERNAL/UNKNOWN/
   * DEADLINE_EXCEEDED/CANCELLED, so use e.g. FAILED_PRECONDITION / RESOURCE_EXHAUSTED /
   * PERMISSION_DENIED for a failure that surfaces at once.
   */
  injectError(method: string, code: Status, details?: string, times?: number): void;
  /** Kill every process, stop the server, remove the temp root (unless keepFiles / rootDir given). */
  close(): Promise<void>;
}

type Handler = (request: any, context: CallContext) => unknown;

interface InjectedError {
  code: Status;
  details: string;
  remaining: number;
}

/** Start a fake Modal server. */
export async function startFakeModal(options: FakeModalOptions = {}): Promise<FakeModal> {
  const definitions = loadModalDefinitions();
  const ownsRoot = options.rootDir === undefined;
  const rootDir = options.rootDir ?? mkdtempSync(path.join(tmpdir(), 'fake-modal-'));
  const state: FakeModalState = { apps: new Map(), images: new Map(), sandboxes: new Map(), secrets: new Map(), calls: [] };
  for (const [name, entries] of Object.entries(options.secrets ?? {})) state.secrets.set(name, { secretId: newSecretId(), name, entries });
  const imageBuilds: FakeImageBuilds = { durationMs: 0, ...options.imageBuilds };
  const latencyMs = options.latencyMs ?? 0;
  const runtime = new SandboxRuntime(state, {
    baseDir: rootDir,
    baseEnv: options.baseEnv ?? MINIMAL_BASE_ENV,
    msPerSecond: options.msPerSecond ?? 1000,
    watchPollMs: options.watchPollMs ?? 50,
  });
  const acceptToken = options.acceptToken ?? ((id, secret) => id !== 'reject' && secret !== 'reject');
  const injected = new Map<string, InjectedError>();
  let port = 0;

  const takeInjected = (name: string): InjectedError | undefined => {
    const entry = injected.get(name.toLowerCase());
    if (!entry || entry.remaining <= 0) return undefined;
    entry.remaining -= 1;
    return entry;
  };

  const checkToken = (context: CallContext): void => {
    const tokenId = context.metadata.get('x-modal-token-id') ?? '';
    const tokenSecret = context.metadata.get('x-modal-token-secret') ?? '';
    if (!acceptToken(String(tokenId), String(tokenSecret))) {
      throw new ServerError(Status.UNAUTHENTICATED, 'fake-modal: token rejected');
    }
  };

  /** A full implementation: our handlers, UNIMPLEMENTED for the rest, all logged. */
  const implement = (
    definition: TsProtoServiceDefinition,
    handlers: Record<string, Handler>,
    service: string,
    authenticate: boolean,
  ): Record<string, Handler> => {
    for (const key of Object.keys(handlers)) {
      if (!definition.methods[key]) throw new Error(`fake-modal: ${service} has no method ${key}`);
    }
    const implementation: Record<string, Handler> = {};
    for (const [key, method] of Object.entries(definition.methods)) {
      const handler = handlers[key];
      const label = `${service}/${method.name}`;
      const guard = async (context: CallContext): Promise<void> => {
        state.calls.push(label);
        if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
        if (authenticate) checkToken(context);
        const failure = takeInjected(method.name);
        if (failure) throw new ServerError(failure.code, failure.details);
        if (!handler) throw new ServerError(Status.UNIMPLEMENTED, `fake-modal: ${label} is not implemented`);
      };
      implementation[key] = method.responseStream
        ? async function* (request: unknown, context: CallContext) {
            await guard(context);
            yield* handler!(request, context) as AsyncIterable<unknown>;
          }
        : async (request: unknown, context: CallContext) => {
            await guard(context);
            return handler!(request, context);
          };
    }
    return implementation;
  };

  const server = createServer({
    'grpc.max_receive_message_length': 100 * 1024 * 1024,
    'grpc.max_send_message_length': 100 * 1024 * 1024,
  });
  server.add(
    definitions.ModalClientDefinition as never,
    implement(
      definitions.ModalClientDefinition,
      controlPlaneHandlers({ state, runtime, imageBuilds, routerUrl: () => `https://127.0.0.1:${port}` }),
      'ModalClient',
      true,
    ) as never,
  );
  server.add(
    definitions.TaskCommandRouterDefinition as never,
    implement(definitions.TaskCommandRouterDefinition, commandRouterHandlers({ state, runtime, unavailableAfterFinish: options.routerUnavailableAfterFinish ?? false }), 'TaskCommandRouter', false) as never,
  );
  port = await server.listen('127.0.0.1:0');

  let closed = false;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    rootDir,
    state,
    imageBuilds,
    evict(sandboxId) {
      const sandbox = state.sandboxes.get(sandboxId);
      if (sandbox) runtime.finish(sandbox, 'evicted', 137);
    },
    injectError(method, code, details = `fake-modal: injected ${Status[code]}`, times = 1) {
      injected.set(method.toLowerCase(), { code, details, remaining: times });
    },
    async close() {
      if (closed) return;
      closed = true;
      runtime.closeAll();
      server.forceShutdown();
      if (ownsRoot && !options.keepFiles) rmSync(rootDir, { recursive: true, force: true });
    },
  };
}
