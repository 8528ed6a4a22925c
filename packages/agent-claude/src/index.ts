export { createClaudeArchitecture, defaultClaudeExecutablePath } from './create-claude-architecture.js';
export type { ClaudeArchitecture, ClaudeArchitectureOptions, ClaudeProcessMode } from './create-claude-architecture.js';
export type { WarmClaudeProcessInfo } from './warm-claude-process.js';
export { claudeSessionIdFor, claudeProjectSlug, claudeTranscriptPaths, isClaudeConfigPath } from './claude-paths.js';
export { claudeProfileFiles } from './profile-files.js';
export type { ProfileFile } from './profile-files.js';
export { claudeProfileOptions } from './query-options.js';
export {
  CLAUDE_CODE_QUIET_ENV,
  claudeCodeEnv,
  claudeCodeExecutablePath,
  prepareClaudeCodeDirs,
  type ClaudeCodeEnvOptions,
} from './launch/claude-code-launch.js';
