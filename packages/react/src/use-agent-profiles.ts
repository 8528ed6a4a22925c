import type { AgentProfileListData } from '@agent-runtime/core';
import { useCallback, useEffect } from 'react';
import { useAgentRuntimeClient } from './provider.js';
import { useList } from './use-list.js';

export interface UseAgentProfilesResult {
  profiles: AgentProfileListData[];
  loading: boolean;
  error: Error | undefined;
  refresh: () => Promise<void>;
}

/** The agent profiles (`GET /agent-profiles`). */
export function useAgentProfiles(): UseAgentProfilesResult {
  const client = useAgentRuntimeClient();
  const load = useCallback(() => client.listAgentProfiles(), [client]);
  const { items, loading, error, refresh } = useList(load);
  useEffect(() => {
    void refresh();
  }, [refresh]);
  return { profiles: items, loading, error, refresh };
}
