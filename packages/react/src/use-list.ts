import { useCallback, useState } from 'react';

export interface ListState<T> {
  items: T[];
  setItems: (items: T[]) => void;
  loading: boolean;
  setLoading: (loading: boolean) => void;
  error: Error | undefined;
  setError: (error: Error | undefined) => void;
  /** Loads the list again with `load`. */
  refresh: () => Promise<void>;
}

/** A list loaded over REST: items, loading, error and `refresh()`. */
export function useList<T>(load: () => Promise<T[]>): ListState<T> {
  const [items, setItems] = useState<T[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<Error | undefined>();
  const refresh = useCallback(async () => {
    try {
      setItems(await load());
      setError(undefined);
    } catch (caught) {
      setError(caught as Error);
    } finally {
      setLoading(false);
    }
  }, [load]);
  return { items, setItems, loading, setLoading, error, setError, refresh };
}
