/**
 * The task command router (`modal.task_command_router.TaskCommandRouter`): exec start, stdio,
 * stdin, wait/poll, and the sandbox entrypoint's stdio. The SDK reaches it at the URL handed back
 * by SandboxCreateV2 / SandboxGetCommandRouterAccess, with `authorization: Bearer <jwt>`.
 */
import { ServerError, Status, type CallContext } from 'nice-grpc';
import type { SandboxRuntime } from './sandbox-runtime.js';
import type { FakeExec, FakeModalState, FakeSandbox } from './state.js';

/** Largest stdio message the fake sends (the SDK accepts up to 100 MiB). */
const MAX_STDIO_MESSAGE = 1024 * 1024;

/** Dependencies of the router handlers. */
export interface CommandRouterDeps {
  readonly state: FakeModalState;
  readonly runtime: SandboxRuntime;
  /** Answer UNAVAILABLE for a finished sandbox's task (its router is gone), as real Modal does. */
  readonly unavailableAfterFinish: boolean;
}

/** Build the TaskCommandRouter handlers, keyed by camelCase method name. */
export function commandRouterHandlers(deps: CommandRouterDeps): Record<string, (request: any, context: CallContext) => unknown> {
  const { state, runtime } = deps;

  /** The sandbox behind `taskId`, after checking the bearer token. */
  const sandboxForTask = (taskId: string, context: CallContext, requireRunning: boolean): FakeSandbox => {
    const sandbox = [...state.sandboxes.values()].find((candidate) => candidate.taskId === taskId);
    if (!sandbox) throw new ServerError(Status.NOT_FOUND, `Task ${taskId} not found`);
    if (deps.unavailableAfterFinish && sandbox.status === 'finished') {
      throw new ServerError(Status.UNAVAILABLE, `fake-modal: the command router of ${taskId} is gone (sandbox ${sandbox.endReason})`);
    }
    if (context.metadata.get('authorization') !== `Bearer ${sandbox.routerJwt}`) {
      throw new ServerError(Status.UNAUTHENTICATED, 'fake-modal: bad or missing command router token');
    }
    if (requireRunning && sandbox.status !== 'running') {
      throw new ServerError(Status.NOT_FOUND, `Task ${taskId} has finished (sandbox ${sandbox.endReason})`);
    }
    return sandbox;
  };
  const execFor = (request: { taskId: string; execId: string }, context: CallContext): FakeExec => {
    const sandbox = sandboxForTask(request.taskId, context, false);
    const exec = sandbox.execs.find((candidate) => candidate.execId === request.execId);
    if (!exec) throw new ServerError(Status.NOT_FOUND, `Exec ${request.execId} not found`);
    return exec;
  };
  const exitStatus = (exec: FakeExec) =>
    exec.exitCode === undefined ? {} : exec.signal !== undefined ? { signal: exec.signal } : { code: exec.exitCode };

  return {
    async taskExecStart(request, context) {
      const sandbox = sandboxForTask(request.taskId, context, true);
      runtime.startExec(sandbox, request);
      return {};
    },

    async *taskExecStdioRead(request, context) {
      const exec = execFor(request, context);
      const buffer = request.fileDescriptor === 1 ? exec.stderr : exec.stdout;
      for await (const data of buffer.tail(request.offset ?? 0, MAX_STDIO_MESSAGE, context.signal)) {
        yield { data };
      }
    },

    async taskExecStdinWrite(request, context) {
      const exec = execFor(request, context);
      runtime.writeExecStdin(exec, request.offset ?? 0, request.data ?? new Uint8Array(), request.eof === true);
      return {};
    },

    async taskExecStdinWriteStream(requests: AsyncIterable<any>, context) {
      let exec: FakeExec | undefined;
      let offset = 0;
      for await (const message of requests) {
        if (message.start) {
          exec = execFor(message.start, context);
          offset = message.start.offset ?? 0;
        } else if (message.data && exec) {
          runtime.writeExecStdin(exec, offset, message.data, false);
          offset += message.data.length;
        } else if (message.end && exec) {
          runtime.writeExecStdin(exec, offset, new Uint8Array(), true);
        }
      }
      return {};
    },

    async taskExecStdinStatus(request, context) {
      const exec = execFor(request, context);
      return { numBytesWritten: exec.stdinBytes, closed: exec.stdinClosed };
    },

    async taskExecWait(request, context) {
      const exec = execFor(request, context);
      await Promise.race([
        exec.done,
        new Promise<void>((resolve) => context.signal.addEventListener('abort', () => resolve(), { once: true })),
      ]);
      if (exec.exitCode === undefined) throw new ServerError(Status.CANCELLED, 'wait cancelled');
      // The sandbox ended under this call: with a vanished router the answer never arrives.
      execFor(request, context);
      return exitStatus(exec);
    },

    async taskExecPoll(request, context) {
      return exitStatus(execFor(request, context));
    },

    async *sandboxStdioReadV2(request, context) {
      const sandbox = sandboxForTask(request.taskId, context, false);
      const buffer = request.fileDescriptor === 1 ? sandbox.stderr : sandbox.stdout;
      let offset: number = request.offset ?? 0;
      for await (const data of buffer.tail(offset, MAX_STDIO_MESSAGE, context.signal)) {
        yield { data, startingOffset: offset };
        offset += data.length;
      }
    },

    async sandboxStdinWriteV2(request, context) {
      // Writes after the entrypoint ended are dropped (like writing to a closed pipe), not refused.
      const sandbox = sandboxForTask(request.taskId, context, false);
      runtime.writeSandboxStdin(sandbox, request.offset ?? 0, request.data ?? new Uint8Array(), request.eof === true);
      return {};
    },

    async sandboxWaitUntilReady(request, context) {
      sandboxForTask(request.taskId, context, true);
      return {};
    },
  };
}
