export {
  claudeCodeEnv,
  claudeCodeExecutablePath,
  prepareClaudeCodeDirs,
  type ClaudeCodeEnvOptions,
} from './claude-code.js';
export {
  geminiCliArgs,
  geminiCliEntryPath,
  geminiCliEnv,
  writeGeminiSettings,
  type GeminiCliArgsOptions,
  type GeminiCliEnvOptions,
  type GeminiSettingsOptions,
} from './gemini-cli.js';
export { runGeminiCli, type GeminiCliRun, type RunGeminiCliOptions } from './run-gemini-cli.js';
