import { hostname } from 'node:os';
import { AgentRuntimeError, noopLogger, type SandboxCreateOptions, type SandboxInfo, type SandboxProvider } from '@agent-runtime/core';
import type { App, Image, ModalClient, Sandbox as ModalSandboxHandle, SandboxCreateParams } from 'modal';
import { modalConfigHasToken, modalConfigPath } from './credentials.js';
import { invalidConfigError, invalidInputError, isNotFound, mapModalError, sandboxNotFoundError, sandboxTerminatedError } from './errors.js';
import { buildImage, describeImage, imageKey, tellListeners, type ImageBuild, type ImageChoice } from './image.js';
import { labelsToTags, tagsToLabels } from './labels.js';
import { limitParams } from './limits.js';
import { assertReachableModelUrls, MODEL_KEYS, withoutModelKeys } from './model-env.js';
import { ModalSandbox, type ModalSandboxLayout } from './modal-sandbox.js';
import {
  DEFAULT_CPU,
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  DEFAULT_HOME_PATH,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_IMAGE_BUILD_TIMEOUT_MS,
  DEFAULT_MEMORY_MIB,
  DEFAULT_ORPHAN_TIMEOUT_MS,
  DEFAULT_STATE_CHECK_INTERVAL_MS,
  DEFAULT_TIMEOUT_MS,
  DEFAULT_WATCH_IDLE_INTERVAL_MS,
  DEFAULT_WATCH_INTERVAL_MS,
  DEFAULT_WORKSPACE_PATH,
  DEPLOYMENT_TAG,
  SESSION_TAG,
  type ModalSandboxProviderOptions,
} from './modal-sandbox-options.js';
import { runScript } from './process/run-script.js';
import { SETUP_SCRIPT } from './process/scripts.js';
import { sandboxName } from './sandbox-name.js';

/** A Modal `SandboxProvider`; `attach` and `list` are always present. */
export interface ModalSandboxProvider extends SandboxProvider {
  readonly name: 'modal';
  /** The deployment this provider tags its sandboxes with (and only lists). */
  readonly deployment: string;
  /**
   * Opens the app and builds (or looks up) the image, logging progress, so the first session does
   * not wait for an image build. Optional: `create` does the same on first use. Fails with
   * `SANDBOX_UNAVAILABLE` after `imageBuildTimeoutMs`.
   */
  start(options?: { onProgress?: (message: string) => void }): Promise<void>;
  create(options: SandboxCreateOptions): Promise<ModalSandbox>;
  attach(sandboxId: string): Promise<ModalSandbox>;
  /** This deployment's sandboxes made by agent-runtime with all the given labels (`sessionId` included). */
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
  const hasTokens = Boolean(tokenId && tokenSecret);
  if (!options.client && !hasTokens && !modalConfigHasToken()) {
    throw invalidConfigError(
      'Modal credentials are missing: pass tokenId and tokenSecret (modal.tokenId / modal.tokenSecret), set MODAL_TOKEN_ID and MODAL_TOKEN_SECRET, ' +
        `or run \`modal token new\` (it writes ${modalConfigPath()}).`,
    );
  }
  const workspacePath = absolutePath('workspacePath', options.workspacePath ?? DEFAULT_WORKSPACE_PATH);
  const homePath = absolutePath('homePath', options.homePath ?? DEFAULT_HOME_PATH);
  if (nested(workspacePath, homePath)) throw invalidConfigError('workspacePath and homePath must not contain each other.');
  const deployment = options.deployment ?? hostname();
  if (typeof deployment !== 'string' || deployment === '' || deployment.length > 200) throw invalidConfigError('deployment must be a non-empty string (modal.deployment).');
  const defaults = { timeoutMs: options.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS, idleTimeoutMs: options.defaultIdleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS };
  const resources = {
    cpu: options.cpu ?? DEFAULT_CPU,
    memoryMiB: options.memoryMiB ?? DEFAULT_MEMORY_MIB,
    ...(options.cpuLimit === undefined ? {} : { cpuLimit: options.cpuLimit }),
    ...(options.memoryLimitMiB === undefined ? {} : { memoryLimitMiB: options.memoryLimitMiB }),
  };
  const sandboxSettings = {
    watchIntervalMs: options.watchIntervalMs ?? DEFAULT_WATCH_INTERVAL_MS,
    watchIdleIntervalMs: options.watchIdleIntervalMs ?? DEFAULT_WATCH_IDLE_INTERVAL_MS,
    killGraceMs: options.killGraceMs ?? 5000,
    orphanTimeoutMs: options.orphanTimeoutMs ?? DEFAULT_ORPHAN_TIMEOUT_MS,
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS,
    stateCheckIntervalMs: options.stateCheckIntervalMs ?? DEFAULT_STATE_CHECK_INTERVAL_MS,
    checkModelUrls: options.allowLocalhostModelUrls !== true,
    stripModelKeys: options.modelKeySecret !== undefined,
    logger,
  };
  if (sandboxSettings.orphanTimeoutMs > 0 && sandboxSettings.heartbeatIntervalMs * 2 > sandboxSettings.orphanTimeoutMs) {
    throw invalidConfigError('heartbeatIntervalMs must be at most half of orphanTimeoutMs, or live processes would be taken for orphans.');
  }
  const imageBuildTimeoutMs = options.imageBuildTimeoutMs ?? DEFAULT_IMAGE_BUILD_TIMEOUT_MS;

  let client: Promise<ModalClient> | undefined;
  let app: Promise<App> | undefined;
  const images = new Map<string, ImageBuild>();

  const getClient = (): Promise<ModalClient> =>
    (client ??= options.client
      ? Promise.resolve(options.client)
      : import('modal').then(({ ModalClient: Client }) =>
          // Without tokens the SDK reads the active profile of ~/.modal.toml itself.
          hasTokens ? new Client({ tokenId: tokenId as string, tokenSecret: tokenSecret as string }) : new Client(),
        ));

  const getApp = async (): Promise<App> => {
    app ??= getClient().then((modal) => modal.apps.fromName(options.appName, { createIfMissing: true }));
    try {
      return await app;
    } catch (error) {
      app = undefined;
      throw mapModalError(error, `open the Modal app "${options.appName}"`);
    }
  };

  const getImage = (modal: ModalClient, modalApp: App, tag: string | undefined, onProgress?: (message: string) => void): Promise<Image> => {
    const choice: ImageChoice = {
      tag: tag ?? options.image,
      imageName: tag === undefined ? options.imageName : undefined,
      dockerfileCommands: options.dockerfileCommands,
    };
    const key = imageKey(choice);
    let build = images.get(key);
    if (build && onProgress && !build.ready) {
      // Joining a build under way (e.g. the one start() began): say so now, not at the next tick.
      tellListeners([onProgress], `waiting for image ${build.describe} (${Math.round((Date.now() - build.startedAt) / 1000)} s so far)`, logger);
    }
    if (!build) {
      // The first listener is in before the build's first message.
      const listeners = new Set<(message: string) => void>(onProgress ? [onProgress] : []);
      const image = buildImage(modal, modalApp, choice, {
        timeoutMs: imageBuildTimeoutMs,
        logger,
        onProgress: (message) => tellListeners(listeners, message, logger),
        ...(options.imageProgressIntervalMs === undefined ? {} : { progressEveryMs: options.imageProgressIntervalMs }),
      });
      const started: ImageBuild = { image, describe: describeImage(choice), startedAt: Date.now(), ready: false, listeners };
      image.then(
        () => (started.ready = true),
        () => images.delete(key),
      );
      images.set(key, started);
      build = started;
    }
    if (onProgress && !build.ready) {
      const { listeners } = build;
      listeners.add(onProgress);
      const forget = () => listeners.delete(onProgress);
      build.image.then(forget, forget);
    }
    return build.image;
  };

  const outboundPolicy = async (modal: ModalClient): Promise<Pick<SandboxCreateParams, 'experimentalOutboundPolicy'>> => {
    if (options.modelKeySecret === undefined) return {};
    const { ExperimentalOutboundPolicy } = await import('modal');
    const secret = await modal.secrets.fromName(options.modelKeySecret).catch((error: unknown) => {
      throw mapModalError(error, `find the Modal secret "${options.modelKeySecret}" (modal.modelKeySecret)`);
    });
    let policy = new ExperimentalOutboundPolicy();
    for (const key of MODEL_KEYS) policy = policy.withHeaderReplacement({ domain: key.domain, secret, headers: { [key.header]: `$${key.variable}` } });
    return { experimentalOutboundPolicy: policy };
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
    return new ModalSandbox({ handle, sessionId, layout, env, ...sandboxSettings });
  };

  const attachHandle = async (handle: ModalSandboxHandle, sandboxId: string): Promise<ModalSandbox> => {
    let tags: Record<string, string>;
    try {
      tags = await handle.getTags();
    } catch (error) {
      if (isNotFound(error)) throw sandboxNotFoundError(sandboxId, error);
      throw mapModalError(error, 'attach to a sandbox', { sandboxId });
    }
    const sessionId = tags[SESSION_TAG];
    if (!sessionId || tags[DEPLOYMENT_TAG] !== deployment) throw sandboxNotFoundError(sandboxId);
    if ((await handle.poll().catch(() => 0)) !== null) throw sandboxTerminatedError(sandboxId);
    try {
      return await prepare(handle, sessionId, {});
    } catch (error) {
      const stopped = (await handle.poll().catch(() => 0)) !== null;
      throw mapModalError(error, 'attach to a sandbox', { sandboxId, stopped });
    }
  };

  const createSandbox = async (createOptions: SandboxCreateOptions, retried: boolean): Promise<ModalSandbox> => {
    if (typeof createOptions?.sessionId !== 'string' || createOptions.sessionId === '') throw invalidInputError('create needs a sessionId.');
    const { sessionId } = createOptions;
    const limits = limitParams(createOptions.limits, defaults, logger);
    if (sandboxSettings.checkModelUrls) assertReachableModelUrls(createOptions.env);
    const env = sandboxSettings.stripModelKeys ? withoutModelKeys(createOptions.env) : { ...createOptions.env };
    const tags = { ...labelsToTags(createOptions.labels), [SESSION_TAG]: sessionId, [DEPLOYMENT_TAG]: deployment };
    const name = sandboxName(deployment, sessionId);
    const progress = (message: string) => {
      if (createOptions.onProgress) tellListeners([createOptions.onProgress], message, logger);
    };
    const modal = await getClient();
    const modalApp = await getApp();
    const image = await getImage(modal, modalApp, createOptions.image, createOptions.onProgress);
    let handle: ModalSandboxHandle;
    try {
      progress('scheduling the sandbox on Modal');
      handle = await modal.sandboxes.create(modalApp, image, {
        command: KEEP_ALIVE_COMMAND,
        workdir: workspacePath,
        env,
        tags,
        name,
        ...resources,
        ...limits,
        ...(await outboundPolicy(modal)),
      });
    } catch (error) {
      if ((error as Error | null)?.name === 'AlreadyExistsError') {
        // One sandbox per session: the session's running sandbox is reattached, not duplicated.
        logger.info({ sessionId, name }, 'sandbox-modal: reattaching the running sandbox of this session');
        const existing = await modal.sandboxes.fromName(options.appName, name).catch((lookup: unknown) => {
          throw mapModalError(lookup, 'find the running sandbox of this session');
        });
        try {
          return await attachHandle(existing, existing.sandboxId);
        } catch (attachError) {
          // It finished between the two calls (a terminate in flight): its name is free now.
          if (!retried && AgentRuntimeError.isInstance(attachError) && attachError.code === 'SANDBOX_TERMINATED') return createSandbox(createOptions, true);
          throw attachError;
        }
      }
      throw mapModalError(error, 'create a sandbox');
    }
    try {
      progress('preparing the sandbox');
      const sandbox = await prepare(handle, sessionId, env);
      logger.debug({ sandboxId: sandbox.id, sessionId }, 'sandbox-modal: created');
      return sandbox;
    } catch (error) {
      await handle.terminate().catch(() => undefined);
      throw mapModalError(error, 'prepare a sandbox', { sandboxId: handle.sandboxId });
    }
  };

  return {
    name: 'modal',
    deployment,

    async start(startOptions = {}) {
      const modal = await getClient();
      const modalApp = await getApp();
      await getImage(modal, modalApp, undefined, startOptions.onProgress);
    },

    create: (createOptions: SandboxCreateOptions) => createSandbox(createOptions, false),

    async attach(sandboxId: string) {
      const modal = await getClient();
      let handle: ModalSandboxHandle;
      try {
        handle = await modal.sandboxes.fromId(sandboxId);
      } catch (error) {
        if (isNotFound(error)) throw sandboxNotFoundError(sandboxId, error);
        throw mapModalError(error, 'attach to a sandbox', { sandboxId });
      }
      return attachHandle(handle, sandboxId);
    },

    async list(labels?: Record<string, string>) {
      const modal = await getClient();
      const modalApp = await getApp();
      const infos: SandboxInfo[] = [];
      try {
        const tags = { ...labelsToTags(labels), [DEPLOYMENT_TAG]: deployment };
        for await (const handle of modal.sandboxes.list({ appId: modalApp.appId, tags })) {
          const found = await handle.getTags();
          const sessionId = found[SESSION_TAG];
          if (!sessionId || found[DEPLOYMENT_TAG] !== deployment) continue;
          const running = (await handle.poll()) === null;
          const { [DEPLOYMENT_TAG]: _deployment, ...rest } = found;
          infos.push({ id: handle.sandboxId, sessionId, labels: tagsToLabels(rest), running });
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
