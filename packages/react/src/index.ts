export { AgentRuntimeProvider, useAgentRuntimeClient, type AgentRuntimeProviderProps } from './provider.js';
export { useSessions, type UseSessionsResult } from './use-sessions.js';
export { useSession, type UseSessionOptions, type UseSessionResult } from './use-session.js';
export { DEFAULT_WARM_COOLDOWN_MS, useWarmSession, type UseWarmSessionOptions, type UseWarmSessionResult, type WarmSignalResult } from './use-warm-session.js';
export { useAgentProfiles, type UseAgentProfilesResult } from './use-agent-profiles.js';
