import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createAgentRuntimeClient } from '@agent-runtime/client';
import { AgentRuntimeProvider } from '@agent-runtime/react';
import { App } from './App';
import './styles.css';

// Same origin as the page: the demo server serves this UI beside the runtime's REST + WebSocket.
// Under `vite dev`, the WebSocket goes through Vite's proxy at /ws.
const client = createAgentRuntimeClient({
  baseUrl: window.location.origin,
  ...(import.meta.env.DEV ? { websocketUrl: `${window.location.origin.replace(/^http/, 'ws')}/ws` } : {}),
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <AgentRuntimeProvider client={client}>
      <App />
    </AgentRuntimeProvider>
  </StrictMode>,
);
