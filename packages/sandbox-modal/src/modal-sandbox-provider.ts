import { noopLogger, type SandboxCreateOptions, type SandboxInfo, type SandboxProvider } from '@agent-runtime/core';
import type { App, Image, ModalClient, Sandbox as ModalSandboxHandle } from 'modal';
import { invalidConfigError, invalidInputError, isNotFound, mapModalError, sandboxNotFoundError, sandboxTerminatedError } from './errors.js';
import { labelsToTags, tagsToLabels } from './labels.js';
import { limitParams } from './limits.js';
import { ModalSandbox, type ModalSandboxLayout } from './modal-sandbox.js';
import {
  DEFAULT_HOME_PATH,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_MODAL_DOCKERFILE_COMMANDS,
  DEFAULT_MODAL_IMAGE,
  DEFAULT_TIMEOUT_MS,
  DEFAULT_WORKSPACE_PATH,
  SESSION_TAG,
  type ModalSandboxProviderOptions,
} from './modal-sandbox-options.js';
import { runScript } from './process/run-script.js';
import { SETUP_SCRIPT } from './process/scripts.js';

/** A Modal `SandboxProvider`; `attach` and `list` are always present. */
export interface ModalSandboxProvider extends SandboxProvider {
  readonly name: 'modal';
  create(options: SandboxCreateOptions): Promise<ModalSandbox>;
  attach(sandboxId: string): Promise<ModalSandbox>;
  /** Sandboxes of the app made by agent-runtime with all the given labels (`sessionId` included). */
  list(labels?: Record<string, string>): Promise<SandboxInfo[]>;
  /** Closes the SDK client this provider made (an injected `client` is left open). Sandboxes keep running. */
  close(): Promise<void>;
}

/** The command that keeps a sandbox alive; it is not an exec, so it does not count as activity. */
const KEEP_ALIVE_COMMAND = ['sleep', 'infinity'];

function absolutePath(name: string, value: string): string {
  const segments = value.split('/').filter((segment) => segment !== '' && segment !== '.');
  if (!value.startsWith('/') || segments.length === 0 || segments.includes('..') || value.includes('\0')) {
    throw invalidConfigError(`${name} must be an absolute path below / without "..", got "${value}".`);
  }
  return `/${segments.join('/')}`;
}

function nested(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);
}

/**
 * A `SandboxProvider` on Modal sandboxes (Modal JS SDK `modal@0.11.1`). Synchronous and I/O-free:
 * the SDK is loaded and the app looked up on the first `create`/`attach`/`list`.
 *
 * @example
 * const provider = createModalSandboxProvider({ appName: 'agent-runtime' }); // MODAL_TOKEN_ID/SECRET
 * const sandbox = await provider.create({ sessionId: 's1', limits: { idleTimeoutMs: 600_000 } });
 */
export function createModalSandboxProvider(options: ModalSandboxProviderOptions): ModalSandboxProvider {
  const logger = options.logger ?? noopLogger;
  if (typeof options.appName !== 'string' || options.appName.trim() === '') throw invalidConfigError('appName is required (modal.appName).');
  const tokenId = options.tokenId ?? process.env.MODAL_TOKEN_ID;
  const tokenSecret = options.tokenSecret ?? process.env.MODAL_TOKEN_SECRET;
  if (!options.client && (!tokenId || !tokenSecret)) {
    throw invalidConfigError(
      'Modal credentials are missing: pass tokenId and tokenSecret (modal.tokenId / modal.tokenSecret) or set MODAL_TOKEN_ID and MODAL_TOKEN_SECRET ' +
        '(create a token with `modal token new` or at https://modal.com/settings/tokens).',
    );
  }
  const workspacePath = absolutePath('workspacePath', options.workspacePath ?? DEFAULT_WORKSPACE_PATH);
  const homePath = absolutePath('homePath', options.homePath ?? DEFAULT_HOME_PATH);
  if (nested(workspacePath, homePath)) throw invalidConfigError('workspacePath and homePath must not contain each other.');
  const defaults = { timeoutMs: options.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS, idleTimeoutMs: options.defaultIdleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS };
  const watchIntervalMs = options.watchIntervalMs ?? 1000;
  const killGraceMs = options.killGraceMs ?? 5000;

  let client: Promise<ModalClient> | undefined;
  let app: Promise<App> | undefined;
  const images = new Map<string, Image>();

  const getClient = (): Promise<ModalClient> =>
    (client ??= options.client
      ? Promise.resolve(options.client)
      : import('modal').then(({ ModalClient: Client }) => new Client({ tokenId: tokenId as string, tokenSecret: tokenSecret as string })));

  const getApp = async (): Promise<App> => {
    app ??= getClient().then((modal) => modal.apps.fromName(options.appName, { createIfMissing: true }));
    try {
      return await app;
    } catch (error) {
      app = undefined;
      throw mapModalError(error, `open the Modal app "${options.appName}"`);
    }
  };

  const getImage = (modal: ModalClient, tag: string | undefined): Image => {
    const name = tag ?? options.image ?? DEFAULT_MODAL_IMAGE;
    const commands = options.dockerfileCommands ?? (name === DEFAULT_MODAL_IMAGE ? DEFAULT_MODAL_DOCKERFILE_COMMANDS : []);
    const key = JSON.stringify([name, commands]);
    let image = images.get(key);
    if (!image) {
      image = modal.images.fromRegistry(name);
      if (commands.length > 0) image = image.dockerfileCommands([...commands]);
      images.set(key, image);
    }
    return image;
  };

  /** Creates the workspace, home and pid directories and learns their physical paths. */
  const prepare = async (handle: ModalSandboxHandle, sessionId: string, env: Record<string, string>): Promise<ModalSandbox> => {
    const result = await runScript(handle, SETUP_SCRIPT, [workspacePath.slice(1), homePath.slice(1), 'tmp/agent-runtime'], { workdir: '/' });
    const lines = new TextDecoder().decode(result.stdout).split('\n');
    if (result.code !== 0 || lines.length < 3) {
      throw mapModalError(new Error(`setup exited ${result.code}: ${result.stderr.trim().slice(-500)}`), 'prepare a sandbox', {
        sandboxId: handle.sandboxId,
      });
    }
    const layout: ModalSandboxLayout = {
      apiWorkspacePath: workspacePath,
      apiHomePath: homePath,
      workspacePath: lines[0] as string,
      homePath: lines[1] as string,
      pidDirectory: lines[2] as string,
    };
    return new ModalSandbox({ handle, sessionId, layout, env, watchIntervalMs, killGraceMs, logger });
  };

  return {
    name: 'modal',

    async create(createOptions: SandboxCreateOptions) {
      if (typeof createOptions?.sessionId !== 'string' || createOptions.sessionId === '') throw invalidInputError('create needs a sessionId.');
      const { sessionId } = createOptions;
      const limits = limitParams(createOptions.limits, defaults, logger);
      const env = { ...createOptions.env };
      const tags = { ...labelsToTags(createOptions.labels), [SESSION_TAG]: sessionId };
      const modal = await getClient();
      const modalApp = await getApp();
      let handle: ModalSandboxHandle;
      try {
        handle = await modal.sandboxes.create(modalApp, getImage(modal, createOptions.image), {
          command: KEEP_ALIVE_COMMAND,
          workdir: workspacePath,
          env,
          tags,
          ...limits,
        });
      } catch (error) {
        throw mapModalError(error, 'create a sandbox');
      }
      try {
        const sandbox = await prepare(handle, sessionId, env);
        logger.debug({ sandboxId: sandbox.id, sessionId }, 'sandbox-modal: created');
        return sandbox;
      } catch (error) {
        await handle.terminate().catch(() => undefined);
        throw mapModalError(error, 'prepare a sandbox', { sandboxId: handle.sandboxId });
      }
    },

    async attach(sandboxId: string) {
      const modal = await getClient();
      let handle: ModalSandboxHandle;
      let tags: Record<string, string>;
      try {
        handle = await modal.sandboxes.fromId(sandboxId);
        tags = await handle.getTags();
      } catch (error) {
        if (isNotFound(error)) throw sandboxNotFoundError(sandboxId, error);
        throw mapModalError(error, 'attach to a sandbox', { sandboxId });
      }
      const sessionId = tags[SESSION_TAG];
      if (!sessionId) throw sandboxNotFoundError(sandboxId);
      if ((await handle.poll().catch(() => 0)) !== null) throw sandboxTerminatedError(sandboxId);
      try {
        return await prepare(handle, sessionId, {});
      } catch (error) {
        const stopped = (await handle.poll().catch(() => 0)) !== null;
        throw mapModalError(error, 'attach to a sandbox', { sandboxId, stopped });
      }
    },

    async list(labels?: Record<string, string>) {
      const modal = await getClient();
      const modalApp = await getApp();
      const infos: SandboxInfo[] = [];
      try {
        for await (const handle of modal.sandboxes.list({ appId: modalApp.appId, tags: labelsToTags(labels) })) {
          const tags = await handle.getTags();
          const sessionId = tags[SESSION_TAG];
          if (!sessionId) continue;
          const running = (await handle.poll()) === null;
          infos.push({ id: handle.sandboxId, sessionId, labels: tagsToLabels(tags), running });
        }
      } catch (error) {
        throw mapModalError(error, 'list sandboxes');
      }
      return infos;
    },

    async close() {
      if (options.client || !client) return;
      const made = client;
      client = undefined;
      app = undefined;
      (await made.catch(() => undefined))?.close();
    },
  };
}
