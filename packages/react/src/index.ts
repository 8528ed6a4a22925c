export { AgentRuntimeProvider, useAgentRuntimeClient, type AgentRuntimeProviderProps } from './provider.js';
export { useSessions, type UseSessionsResult } from './use-sessions.js';
export { useSession, type UseSessionResult } from './use-session.js';
export { useAgentProfiles, type UseAgentProfilesResult } from './use-agent-profiles.js';
