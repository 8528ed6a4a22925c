import type { AgentRuntimeClient } from '@agent-runtime/client';
import { createContext, useContext, type ReactNode } from 'react';

const ClientContext = createContext<AgentRuntimeClient | undefined>(undefined);

export interface AgentRuntimeProviderProps {
  client: AgentRuntimeClient;
  children?: ReactNode;
}

/** Makes a client (from `createAgentRuntimeClient`) available to the hooks below it. */
export function AgentRuntimeProvider({ client, children }: AgentRuntimeProviderProps) {
  return <ClientContext.Provider value={client}>{children}</ClientContext.Provider>;
}

/** The client of the nearest `AgentRuntimeProvider`. */
export function useAgentRuntimeClient(): AgentRuntimeClient {
  const client = useContext(ClientContext);
  if (!client) throw new Error('useAgentRuntimeClient: wrap your components in <AgentRuntimeProvider client={...}>.');
  return client;
}
