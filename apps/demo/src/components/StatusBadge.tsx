import type { SessionStatus } from '@agent-runtime/core';

const LABELS: Record<SessionStatus, string> = {
  pending: 'pending',
  'building-sandbox': 'starting',
  active: 'active',
  inactive: 'idle',
  completed: 'ended',
  failed: 'failed',
};

/** A coloured dot and a word for a session's status (`working` while a turn runs). */
export function StatusBadge({ status, working = false }: { status: SessionStatus; working?: boolean }) {
  const kind = working ? 'working' : status;
  return (
    <span className={`status status-${kind}`} data-testid="session-status" data-status={kind}>
      <span className="status-dot" aria-hidden />
      {working ? 'working' : LABELS[status]}
    </span>
  );
}
