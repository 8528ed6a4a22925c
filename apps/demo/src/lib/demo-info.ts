import { useEffect, useState } from 'react';

/** What the demo server says about itself (`GET /demo/info`). */
export interface DemoInfo {
  offline: boolean;
  agents: Record<string, { model: 'offline demo model' | 'real API' }>;
  persistence: 'sqlite' | 'postgres';
  sandbox: string;
}

export function useDemoInfo(): DemoInfo | undefined {
  const [info, setInfo] = useState<DemoInfo>();
  useEffect(() => {
    let cancelled = false;
    fetch('/demo/info')
      .then((response) => (response.ok ? (response.json() as Promise<DemoInfo>) : undefined))
      .then((body) => !cancelled && body && setInfo(body))
      .catch(() => {});
    return () => {
      cancelled = true;
    };
  }, []);
  return info;
}
