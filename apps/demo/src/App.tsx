import { useEffect, useMemo, useState } from 'react';
import type { AgentArchitectureType, SessionListData } from '@agent-runtime/core';
import { useAgentProfiles, useAgentRuntimeClient, useSessions } from '@agent-runtime/react';
import { Header } from './components/Header';
import { NewSessionForm } from './components/NewSessionForm';
import { SessionList } from './components/SessionList';
import { SessionView } from './components/SessionView';
import { useDemoInfo } from './lib/demo-info';
import { useSelectedSessionId } from './lib/hash-route';
import { useConnectionState } from './lib/connection';

/** Ticks every 15 s so "3 min ago" stays true. */
function useNow(intervalMs = 15_000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

export function App() {
  const client = useAgentRuntimeClient();
  const info = useDemoInfo();
  const connection = useConnectionState();
  const { sessions: listed } = useSessions();
  const { profiles } = useAgentProfiles();
  const [selectedId, select] = useSelectedSessionId();
  // The open session's record as its own event stream has it (newest status and activity).
  const [liveRecord, setLiveRecord] = useState<SessionListData>();
  const now = useNow();
  const profileNames = useMemo(() => Object.fromEntries(profiles.map((profile) => [profile.id, profile.name])), [profiles]);
  const sessions = useMemo(
    () => listed.map((session) => (liveRecord && session.sessionId === liveRecord.sessionId ? { ...session, status: liveRecord.status } : session)),
    [listed, liveRecord],
  );
  const selected = sessions.find((session) => session.sessionId === selectedId);

  // The list follows `sessions:list` events: creating or deleting needs no reload.
  const create = async (agentProfileRef: string, architecture: AgentArchitectureType) => {
    const { sessionId } = await client.createSession({ agentProfileRef, architecture });
    select(sessionId);
  };
  const remove = async (sessionId: string) => {
    await client.terminateSession(sessionId);
    if (sessionId === selectedId) select(undefined);
  };

  return (
    <div className="app">
      <Header info={info} connection={connection} />
      <div className="layout">
        <nav className="sidebar">
          <NewSessionForm profiles={profiles} onCreate={create} />
          <h2>Sessions</h2>
          <SessionList sessions={sessions} profileNames={profileNames} selectedId={selectedId} onSelect={select} now={now} />
        </nav>
        {selectedId ? (
          <SessionView
            key={selectedId}
            sessionId={selectedId}
            title={selected ? (selected.name ?? profileNames[selected.agentProfileReference] ?? selected.agentProfileReference) : undefined}
            onDelete={() => remove(selectedId)}
            onRecord={setLiveRecord}
          />
        ) : (
          <main className="welcome">
            <h1>Run real coding agents, watch them live</h1>
            <p>
              Pick a profile and an agent on the left and start a session. Each session runs the real{' '}
              <strong>Claude Code</strong> or <strong>Gemini CLI</strong> in its own sandbox; every thought, tool call and file change streams here as it
              happens, and survives reloads and server restarts.
            </p>
            {info?.offline && (
              <p className="note">
                No API key is set, so the agents talk to the <strong>offline demo model</strong>: a local script that answers with some thinking, writes a
                file and edits it. Set <code>ANTHROPIC_API_KEY</code> or <code>GEMINI_API_KEY</code> and restart for real answers.
              </p>
            )}
          </main>
        )}
      </div>
    </div>
  );
}
