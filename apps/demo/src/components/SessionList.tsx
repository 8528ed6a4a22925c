import type { SessionListData } from '@agent-runtime/core';
import { ARCHITECTURE_LABELS, relativeTime } from '../lib/format';
import { StatusBadge } from './StatusBadge';

export interface SessionListProps {
  sessions: SessionListData[];
  profileNames: Record<string, string>;
  selectedId: string | undefined;
  onSelect: (sessionId: string) => void;
  now: number;
}

export function SessionList({ sessions, profileNames, selectedId, onSelect, now }: SessionListProps) {
  const sorted = [...sessions].sort((a, b) => (b.lastActivity ?? b.createdAt ?? 0) - (a.lastActivity ?? a.createdAt ?? 0));
  if (sorted.length === 0) return <p className="empty">No sessions yet. Create one above.</p>;
  return (
    <ul className="session-list" data-testid="session-list">
      {sorted.map((session) => (
        <li key={session.sessionId}>
          <button
            type="button"
            className={`session-item${session.sessionId === selectedId ? ' selected' : ''}`}
            onClick={() => onSelect(session.sessionId)}
            data-testid="session-item"
            data-session-id={session.sessionId}
          >
            <span className="session-title">{session.name ?? profileNames[session.agentProfileReference] ?? session.agentProfileReference}</span>
            <span className="session-meta">
              <span className={`arch arch-${session.type}`}>{ARCHITECTURE_LABELS[session.type] ?? session.type}</span>
              <StatusBadge status={session.status} />
            </span>
            <span className="session-time">{relativeTime(session.lastActivity ?? session.createdAt, now)}</span>
          </button>
        </li>
      ))}
    </ul>
  );
}
