import { useEffect, useState } from 'react';

/** The selected session lives in the URL hash (`#/sessions/<id>`), so a reload shows it again. */
export function useSelectedSessionId(): [string | undefined, (sessionId: string | undefined) => void] {
  const read = () => {
    const match = /^#\/sessions\/([^/]+)$/.exec(window.location.hash);
    return match?.[1] ? decodeURIComponent(match[1]) : undefined;
  };
  const [selected, setSelected] = useState<string | undefined>(read);
  useEffect(() => {
    const onChange = () => setSelected(read());
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  const select = (sessionId: string | undefined) => {
    window.location.hash = sessionId ? `#/sessions/${encodeURIComponent(sessionId)}` : '';
    setSelected(sessionId);
  };
  return [selected, select];
}
