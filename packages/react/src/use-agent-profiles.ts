import type { AgentProfileListData } from '@agent-runtime/core';
import { useCallback, useEffect, useState } from 'react';
import { useAgentRuntimeClient } from './provider.js';

export interface UseAgentProfilesResult {
  profiles: AgentProfileListData[];
  loading: boolean;
  error: Error | undefined;
  refresh: () => Promise<void>;
}

/** The agent profiles (`GET /agent-profiles`). */
export function useAgentProfiles(): UseAgentProfilesResult {
  const client = useAgentRuntimeClient();
  const [profiles, setProfiles] = useState<AgentProfileListData[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<Error | undefined>();
  const refresh = useCallback(async () => {
    try {
      setProfiles(await client.listAgentProfiles());
      setError(undefined);
    } catch (caught) {
      setError(caught as Error);
    } finally {
      setLoading(false);
    }
  }, [client]);
  useEffect(() => {
    void refresh();
  }, [refresh]);
  return { profiles, loading, error, refresh };
}
