import { AgentRuntimeError, type Logger } from '@agent-runtime/core';
import type { App, Image, ModalClient } from 'modal';
import { mapModalError } from './errors.js';
import { DEFAULT_IMAGE_PROGRESS_INTERVAL_MS, DEFAULT_MODAL_DOCKERFILE_COMMANDS, DEFAULT_MODAL_IMAGE } from './modal-sandbox-options.js';

export interface ImageChoice {
  /** Registry tag (`image`), or a published name (`imageName`). */
  tag?: string | undefined;
  imageName?: string | undefined;
  dockerfileCommands?: readonly string[] | undefined;
}

/** The Dockerfile commands for an image: custom commands extend the default image's, never replace them. */
export function imageCommands(choice: ImageChoice): readonly string[] {
  const tag = choice.tag ?? DEFAULT_MODAL_IMAGE;
  const custom = choice.dockerfileCommands ?? [];
  return tag === DEFAULT_MODAL_IMAGE && choice.tag === undefined ? [...DEFAULT_MODAL_DOCKERFILE_COMMANDS, ...custom] : custom;
}

/** Where one image build is: everyone waiting for it (`start()`, creates) hears its progress. */
export interface ImageBuild {
  image: Promise<Image>;
  describe: string;
  startedAt: number;
  ready: boolean;
  listeners: Set<(message: string) => void>;
}

/** Calls every listener, shielding the build from one that throws. */
export function tellListeners(listeners: Iterable<(message: string) => void>, message: string, logger: Logger): void {
  for (const listener of listeners) {
    try {
      listener(message);
    } catch (error) {
      logger.warn({ error: String(error) }, 'sandbox-modal: a progress listener threw');
    }
  }
}

/** A short description of the image for progress messages. */
export function describeImage(choice: ImageChoice): string {
  return choice.imageName ?? `${choice.tag ?? DEFAULT_MODAL_IMAGE}${imageCommands(choice).length > 0 ? ' + agent CLI layers' : ''}`;
}

/** A stable key for caching one built image per choice. */
export function imageKey(choice: ImageChoice): string {
  return JSON.stringify([choice.imageName ?? null, choice.tag ?? DEFAULT_MODAL_IMAGE, imageCommands(choice)]);
}

export interface BuildImageOptions {
  timeoutMs: number;
  logger: Logger;
  /** Progress for whoever waits (e.g. a session's status message), every `progressEveryMs`; the log lines carry a `sandbox-modal: ` prefix. */
  onProgress?: (message: string) => void;
  /** Default `DEFAULT_IMAGE_PROGRESS_INTERVAL_MS` (15 s). */
  progressEveryMs?: number;
}

/**
 * Looks up (`images.fromName`) or builds the image, logging progress while Modal builds it (the
 * first build installs both CLIs and takes minutes), and fails with a clear `SANDBOX_UNAVAILABLE`
 * after `timeoutMs`. Build failures carry Modal's build output as the message.
 */
export async function buildImage(modal: ModalClient, app: App, choice: ImageChoice, options: BuildImageOptions): Promise<Image> {
  const describe = describeImage(choice);
  const started = Date.now();
  const progress = (message: string) => {
    options.logger.info({ image: describe, elapsedMs: Date.now() - started }, `sandbox-modal: ${message}`);
    options.onProgress?.(message);
  };
  progress(`preparing image ${describe}`);
  const ticker = setInterval(
    () => progress(`still building image ${describe} (${Math.round((Date.now() - started) / 1000)} s)`),
    options.progressEveryMs ?? DEFAULT_IMAGE_PROGRESS_INTERVAL_MS,
  );
  ticker.unref();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new AgentRuntimeError(
            'SANDBOX_UNAVAILABLE',
            `The Modal image ${describe} was not ready after ${Math.round(options.timeoutMs / 1000)} s (modal.imageBuildTimeoutMs). ` +
              'The build goes on at Modal; a later start finds it cached.',
            { details: { provider: 'modal', image: describe, timeoutMs: options.timeoutMs } },
          ),
        ),
      options.timeoutMs,
    );
    timer.unref();
  });
  try {
    const build = async (): Promise<Image> => {
      if (choice.imageName) return modal.images.fromName(choice.imageName);
      let image = modal.images.fromRegistry(choice.tag ?? DEFAULT_MODAL_IMAGE);
      const commands = imageCommands(choice);
      if (commands.length > 0) image = image.dockerfileCommands([...commands]);
      return image.build(app);
    };
    const image = await Promise.race([build(), timedOut]);
    progress(`image ${describe} ready (${image.imageId})`);
    return image;
  } catch (error) {
    if (AgentRuntimeError.isInstance(error)) throw error;
    throw mapModalError(error, `build the image ${describe}`);
  } finally {
    clearInterval(ticker);
    clearTimeout(timer);
  }
}
