import { useState, type FormEvent } from 'react';
import type { AgentArchitectureType, AgentProfileListData } from '@agent-runtime/core';
import { ARCHITECTURE_LABELS } from '../lib/format';

export interface NewSessionFormProps {
  profiles: AgentProfileListData[];
  onCreate: (agentProfileRef: string, architecture: AgentArchitectureType) => Promise<void>;
}

const ARCHITECTURES: AgentArchitectureType[] = ['claude-agent-sdk', 'gemini-cli'];

export function NewSessionForm({ profiles, onCreate }: NewSessionFormProps) {
  const [profile, setProfile] = useState('');
  const [architecture, setArchitecture] = useState<AgentArchitectureType>('claude-agent-sdk');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const chosen = profile || profiles[0]?.id || '';

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!chosen) return;
    setBusy(true);
    setError(undefined);
    try {
      await onCreate(chosen, architecture);
    } catch (cause) {
      setError(cause instanceof Error ? cause.message : String(cause));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="new-session" onSubmit={submit} data-testid="new-session">
      <label>
        Profile
        <select value={chosen} onChange={(event) => setProfile(event.target.value)} data-testid="profile-select">
          {profiles.map((item) => (
            <option key={item.id} value={item.id} title={item.description}>
              {item.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        Agent
        <select
          value={architecture}
          onChange={(event) => setArchitecture(event.target.value as AgentArchitectureType)}
          data-testid="architecture-select"
        >
          {ARCHITECTURES.map((type) => (
            <option key={type} value={type}>
              {ARCHITECTURE_LABELS[type]}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" className="primary" disabled={busy || !chosen} data-testid="create-session">
        {busy ? 'Creating…' : 'New session'}
      </button>
      {error && <p className="error-text">{error}</p>}
    </form>
  );
}
