import type { SessionListData } from '@agent-runtime/core';
import { useCallback, useEffect } from 'react';
import { useAgentRuntimeClient } from './provider.js';
import { useList } from './use-list.js';

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
  const load = useCallback(() => client.listSessions(), [client]);
  const { items, setItems, loading, setLoading, error, setError, refresh } = useList(load);

  useEffect(() => {
    const socket = client.socket();
    let live = false;
    const off = socket.on('sessions:list', (data) => {
      live = true;
      setItems(data.sessions);
      setLoading(false);
    });
    void socket.connect().catch(() => {});
    void client.listSessions().then(
      (list) => {
        if (!live) setItems(list);
        setLoading(false);
      },
      (caught: Error) => {
        setError(caught);
        setLoading(false);
      },
    );
    return off;
  }, [client, setItems, setLoading, setError]);

  return { sessions: items, loading, error, refresh };
}
