import type { SessionListData } from '@agent-runtime/core';
import { useCallback, useEffect, useState } from 'react';
import { useAgentRuntimeClient } from './provider.js';

export interface UseSessionsResult {
  sessions: SessionListData[];
  loading: boolean;
  error: Error | undefined;
  /** Reloads the list with `GET /sessions`. */
  refresh: () => Promise<void>;
}

/** The session list, loaded with `GET /sessions` and kept current by `sessions:list` events. */
export function useSessions(): UseSessionsResult {
  const client = useAgentRuntimeClient();
  const [sessions, setSessions] = useState<SessionListData[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<Error | undefined>();

  const refresh = useCallback(async () => {
    try {
      setSessions(await client.listSessions());
      setError(undefined);
    } catch (caught) {
      setError(caught as Error);
    } finally {
      setLoading(false);
    }
  }, [client]);

  useEffect(() => {
    const socket = client.socket();
    let live = false;
    const off = socket.on('sessions:list', (data) => {
      live = true;
      setSessions(data.sessions);
      setLoading(false);
    });
    void socket.connect().catch(() => {});
    void client.listSessions().then(
      (list) => {
        if (!live) setSessions(list);
        setLoading(false);
      },
      (caught: Error) => {
        setError(caught);
        setLoading(false);
      },
    );
    return off;
  }, [client]);

  return { sessions, loading, error, refresh };
}
