import type { Logger } from '@agent-runtime/core';
import type { GeminiSessionIds } from '../gemini-session-id.js';
import type { WarmProcessInfo } from '@agent-runtime/core/helpers';

/** What a warm process needs: how to launch the CLI, and how to answer its permission requests. */
export interface WarmGeminiSettings {
  nodePath: string;
  cliEntryPath: string;
  env: Record<string, string>;
  model: string | undefined;
  logger: Logger;
  /** How long an interrupted turn may take to stop before the process is killed. */
  interruptGraceMs: number;
  sessionIds: GeminiSessionIds;
  /**
   * `--approval-mode` of the process (the ACP session mode): `'yolo'` runs every tool; `'default'`
   * makes the CLI ask (`session/request_permission`) before tools that change something. Given on
   * the command line: `session/set_mode` would also send an `agent_message_chunk` "[MODE_UPDATE] …".
   */
  approvalMode: 'yolo' | 'default';
}

/** What a warm process reports about itself (`GeminiArchitecture.warmProcesses()`). */
export interface WarmGeminiProcessInfo extends WarmProcessInfo {
  /** Started, initialised, and the session created or loaded. */
  ready: boolean;
  /**
   * Started and initialised (`initialize` answered). A new session without a file is only this
   * far before its first turn (which runs stream-json while the process waits to load it).
   */
  initialized: boolean;
}
