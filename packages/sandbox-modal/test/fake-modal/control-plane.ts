/**
 * The control-plane (`modal.client.ModalClient`) methods the SDK's sandbox flow uses. Only the
 * V2 sandbox RPCs are implemented: modal@0.11.1 uses them by default (profile.sandboxV2 = true).
 */
import { ServerError, Status, type CallContext } from 'nice-grpc';
import { fakeJwt, newAppId, newImageId } from './ids.js';
import { envFromSecretSources, type SandboxRuntime } from './sandbox-runtime.js';
import type { FakeImageBuilds } from './server.js';
import type { FakeImage, FakeModalState, FakeSandbox, FakeSandboxOptions } from './state.js';

/** A handler: request in, response (partial message) out. */
export type UnaryHandler = (request: any, context: CallContext) => Promise<unknown>;

interface TagMessage {
  tagName: string;
  tagValue: string;
}

const tagsToRecord = (tags: TagMessage[] = []): Record<string, string> =>
  Object.fromEntries(tags.map((tag) => [tag.tagName, tag.tagValue]));
const recordToTags = (tags: Record<string, string>): TagMessage[] =>
  Object.entries(tags).map(([tagName, tagValue]) => ({ tagName, tagValue }));

/** Dependencies of the control-plane handlers. */
export interface ControlPlaneDeps {
  readonly state: FakeModalState;
  readonly runtime: SandboxRuntime;
  /** The command router URL handed to the SDK (`https://127.0.0.1:<port>`; localhost => no TLS). */
  readonly routerUrl: () => string;
  /** Build time / failure of new images (mutable). */
  readonly imageBuilds: FakeImageBuilds;
}

/** Build the ModalClient handlers, keyed by the definition's camelCase method names. */
export function controlPlaneHandlers(deps: ControlPlaneDeps): Record<string, UnaryHandler | ((request: any, context: CallContext) => AsyncIterable<unknown>)> {
  const { state, runtime } = deps;
  /** Build results of images still building (or built here), by image id. */
  const builds = new Map<string, Promise<{ status: number; exception: string }>>();
  const startBuild = (image: FakeImage): void => {
    const { durationMs, failWith } = deps.imageBuilds;
    builds.set(
      image.imageId,
      new Promise((resolve) =>
        setTimeout(() => resolve(failWith === undefined ? { status: 1, exception: '' } : { status: 2, exception: failWith }), durationMs),
      ),
    );
  };

  const findSandbox = (sandboxId: string): FakeSandbox => {
    const sandbox = state.sandboxes.get(sandboxId);
    if (!sandbox) throw new ServerError(Status.NOT_FOUND, `Sandbox ${sandboxId} not found`);
    return sandbox;
  };
  const handleMetadata = (sandbox: FakeSandbox) => ({ appId: sandbox.appId, result: sandbox.result });

  return {
    async authTokenGet() {
      return { token: fakeJwt({ fake: true }) };
    },

    async environmentGetOrCreate(request) {
      return {
        environmentId: 'en-fake',
        metadata: { name: request.deploymentName || 'main', settings: { imageBuilderVersion: '2024.10' } },
      };
    },

    async appGetOrCreate(request) {
      const environmentName = request.environmentName ?? '';
      const existing = [...state.apps.values()].find(
        (app) => app.name === request.appName && app.environmentName === environmentName,
      );
      if (existing) return { appId: existing.appId };
      if (request.objectCreationType !== 1) {
        throw new ServerError(Status.NOT_FOUND, `App '${request.appName}' not found`);
      }
      const app = { appId: newAppId(), name: request.appName as string, environmentName };
      state.apps.set(app.appId, app);
      return { appId: app.appId };
    },

    async imageGetOrCreate(request) {
      const dockerfileCommands: string[] = request.image?.dockerfileCommands ?? [];
      const baseImageIds: string[] = (request.image?.baseImages ?? []).map((base: { imageId: string }) => base.imageId);
      const same = [...state.images.values()].find(
        (image) =>
          JSON.stringify(image.dockerfileCommands) === JSON.stringify(dockerfileCommands) &&
          JSON.stringify(image.baseImageIds) === JSON.stringify(baseImageIds),
      );
      const base = baseImageIds[0] ? state.images.get(baseImageIds[0]) : undefined;
      const fullDockerfile = base
        ? [...base.fullDockerfile, ...dockerfileCommands.filter((line) => line !== 'FROM base')]
        : dockerfileCommands;
      const image = same ?? { imageId: newImageId(), appId: request.appId, dockerfileCommands, baseImageIds, fullDockerfile };
      state.images.set(image.imageId, image);
      const instant = deps.imageBuilds.durationMs <= 0 && deps.imageBuilds.failWith === undefined;
      if (!same && !instant) startBuild(image);
      const pending = builds.get(image.imageId);
      if (!pending) return { imageId: image.imageId, result: { status: 1 } };
      // A build in progress (or failed): the SDK then follows it through ImageJoinStreaming.
      return { imageId: image.imageId };
    },

    async *imageJoinStreaming(request: { imageId: string; timeout?: number }, context: CallContext) {
      const pending = builds.get(request.imageId) ?? Promise.resolve({ status: 1, exception: '' });
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timedOut = new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), (request.timeout ?? 55) * 1000);
      });
      const aborted = new Promise<undefined>((resolve) => context.signal.addEventListener('abort', () => resolve(undefined), { once: true }));
      const result = await Promise.race([pending, timedOut, aborted]);
      clearTimeout(timer);
      yield { taskLogs: [], entryId: `${Date.now()}`, ...(result ? { result, eof: true } : {}) };
    },

    async secretGetOrCreate(request) {
      const secret = state.secrets.get(request.deploymentName);
      if (!secret) throw new ServerError(Status.NOT_FOUND, `Secret '${request.deploymentName}' not found`);
      return { secretId: secret.secretId };
    },

    async imageFromId(request) {
      if (!state.images.has(request.imageId)) throw new ServerError(Status.NOT_FOUND, `Image ${request.imageId} not found`);
      return { imageId: request.imageId };
    },

    async sandboxCreateV2(request) {
      const definition = request.definition ?? {};
      if (!state.apps.has(request.appId)) throw new ServerError(Status.NOT_FOUND, `App ${request.appId} not found`);
      const name: string | undefined = definition.name || undefined;
      if (name) {
        const taken = [...state.sandboxes.values()].some(
          (sandbox) => sandbox.appId === request.appId && sandbox.options.name === name && sandbox.status === 'running',
        );
        if (taken) throw new ServerError(Status.ALREADY_EXISTS, `Sandbox named '${name}' already exists`);
      }
      const options: FakeSandboxOptions = {
        command: [...(definition.entrypointArgs ?? [])],
        timeoutSecs: definition.timeoutSecs ?? 0,
        idleTimeoutSecs: definition.idleTimeoutSecs,
        milliCpu: definition.resources?.milliCpu || undefined,
        memoryMb: definition.resources?.memoryMb || undefined,
        workdir: definition.workdir || undefined,
        env: envFromSecretSources(request.secretSources ?? []),
        name,
        imageId: definition.imageId ?? '',
        secretIds: [
          ...(definition.secretIds ?? []),
          ...(request.secretSources ?? [])
            .map((source: { secretId?: string }) => source.secretId)
            .filter((id: string | undefined): id is string => Boolean(id)),
        ],
        outboundPolicy: definition.experimentalOutboundPolicy,
      };
      const sandbox = runtime.create(request.appId, options, tagsToRecord(request.tags), request);
      return {
        sandboxId: sandbox.sandboxId,
        taskId: sandbox.taskId,
        tunnels: [],
        metadata: handleMetadata(sandbox),
        commandRouterAccess: { url: deps.routerUrl(), jwt: sandbox.routerJwt },
      };
    },

    async sandboxGetTaskIdV2(request) {
      const sandbox = findSandbox(request.sandboxId);
      if (sandbox.status === 'finished') return { taskResult: sandbox.result };
      return { taskId: sandbox.taskId };
    },

    async sandboxGetCommandRouterAccess(request) {
      const sandbox = findSandbox(request.sandboxId);
      if (sandbox.status === 'finished') {
        throw new ServerError(Status.NOT_FOUND, `Sandbox ${sandbox.sandboxId} has already finished`);
      }
      return { url: deps.routerUrl(), jwt: sandbox.routerJwt };
    },

    async sandboxWaitV2(request, context) {
      const sandbox = findSandbox(request.sandboxId);
      await runtime.waitFinished(sandbox, (request.timeout ?? 0) * 1000, context.signal);
      return { result: sandbox.result, metadata: handleMetadata(sandbox) };
    },

    async sandboxTerminateV2(request) {
      runtime.finish(findSandbox(request.sandboxId), 'terminated', 137);
      return {};
    },

    async sandboxTagsGetV2(request) {
      return { tags: recordToTags(findSandbox(request.sandboxId).tags) };
    },

    async sandboxTagsSetV2(request) {
      findSandbox(request.sandboxId).tags = tagsToRecord(request.tags);
      return {};
    },

    async sandboxListV2(request) {
      const wanted = tagsToRecord(request.tags);
      const environmentName: string = request.environmentName ?? '';
      const sandboxes = [...state.sandboxes.values()]
        .filter((sandbox) => !request.appId || sandbox.appId === request.appId)
        .filter((sandbox) => request.appId || !environmentName || state.apps.get(sandbox.appId)?.environmentName === environmentName)
        .filter((sandbox) => request.includeFinished || sandbox.status === 'running')
        .filter((sandbox) => !request.beforeTimestamp || sandbox.createdAt < request.beforeTimestamp)
        .filter((sandbox) => Object.entries(wanted).every(([key, value]) => sandbox.tags[key] === value))
        .sort((a, b) => b.createdAt - a.createdAt);
      return {
        sandboxes: sandboxes.map((sandbox) => ({
          id: sandbox.sandboxId,
          appId: sandbox.appId,
          createdAt: sandbox.createdAt,
          tags: recordToTags(sandbox.tags),
          name: sandbox.options.name ?? '',
          imageId: sandbox.options.imageId,
          timeoutSecs: sandbox.options.timeoutSecs,
          idleTimeoutSecs: sandbox.options.idleTimeoutSecs,
          metadata: handleMetadata(sandbox),
        })),
      };
    },

    async sandboxGetFromNameV2(request) {
      const app = [...state.apps.values()].find(
        (candidate) => candidate.name === request.appName && candidate.environmentName === (request.environmentName ?? ''),
      );
      const matches = [...state.sandboxes.values()]
        .filter((sandbox) => sandbox.appId === app?.appId && sandbox.options.name === request.sandboxName)
        .filter((sandbox) => request.includeTerminated || sandbox.status === 'running')
        .sort((a, b) => b.createdAt - a.createdAt);
      const found = matches[0];
      if (!found) throw new ServerError(Status.NOT_FOUND, `Sandbox '${request.sandboxName}' not found`);
      return { sandboxId: found.sandboxId, metadata: handleMetadata(found) };
    },
  };
}
