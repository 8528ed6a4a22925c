export {
  createGeminiArchitecture,
  defaultGeminiCliEntryPath,
  type GeminiArchitectureOptions,
} from './create-gemini-architecture.js';
export { geminiSessionUuid, isGeminiConfigPath } from './gemini-paths.js';
export { geminiProfileFiles, geminiSettings, type ProfileFile } from './profile-files.js';
