import { useEffect, useState } from 'react';
import { useAgentRuntimeClient } from '@agent-runtime/react';

export type ConnectionState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

/** The shared WebSocket's state, for the header's "live" / "reconnecting" pill. */
export function useConnectionState(): ConnectionState {
  const client = useAgentRuntimeClient();
  const [state, setState] = useState<ConnectionState>(client.socket().state);
  useEffect(() => {
    const socket = client.socket();
    const update = () => setState(socket.state);
    const offs = [socket.on('connection:open', update), socket.on('connection:close', update)];
    void socket.connect().then(update, update);
    return () => {
      for (const off of offs) off();
    };
  }, [client]);
  return state;
}
