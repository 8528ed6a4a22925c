export {
  createGeminiArchitecture,
  defaultGeminiCliEntryPath,
  type GeminiArchitectureOptions,
} from './create-gemini-architecture.js';
export { geminiSessionUuid, isGeminiConfigPath } from './gemini-paths.js';
export { geminiProfileFiles, geminiSettings, type ProfileFile } from './profile-files.js';
export {
  GEMINI_CLI_QUIET_ENV,
  geminiCliArgs,
  geminiCliEntryPath,
  geminiCliEnv,
  type GeminiCliArgsOptions,
  type GeminiCliEnvOptions,
} from './launch/gemini-cli-launch.js';
export { runGeminiCli, type GeminiCliRun, type RunGeminiCliOptions } from './launch/run-gemini-cli.js';
export type { GeminiArchitecture, GeminiProcessMode } from './create-gemini-architecture.js';
export type { WarmGeminiProcessInfo } from './acp/warm-gemini-process.js';
