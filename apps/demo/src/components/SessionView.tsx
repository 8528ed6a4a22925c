import { useEffect, useMemo, useRef } from 'react';
import type { SessionListData } from '@agent-runtime/core';
import { useSession } from '@agent-runtime/react';
import { ARCHITECTURE_LABELS } from '../lib/format';
import { Composer } from './Composer';
import { Conversation } from './Conversation';
import { FilesPanel } from './FilesPanel';
import { StatusBadge } from './StatusBadge';

export interface SessionViewProps {
  sessionId: string;
  title: string | undefined;
  onDelete: () => Promise<void>;
  /** Called with the session record whenever its events change it (status, activity). */
  onRecord: (record: SessionListData) => void;
}

/** One session: its conversation (live), the composer, and the workspace files. */
export function SessionView({ sessionId, title, onDelete, onRecord }: SessionViewProps) {
  const { session: state, running: working, error, sendMessage, interrupt, warmOnInput, pendingRequests, approve, deny, answerQuestion, declineQuestion } = useSession(sessionId);
  const approvals = useMemo(() => ({ approve, deny, answerQuestion, declineQuestion }), [approve, deny, answerQuestion, declineQuestion]);
  const scroller = useRef<HTMLDivElement>(null);
  const ended = state?.status === 'completed';
  const record = state?.record;

  useEffect(() => {
    if (record) onRecord(record);
  }, [record, onRecord]);

  // Follow the stream while the reader is at the bottom.
  const contentSize = JSON.stringify(state?.conversations ?? {}).length;
  useEffect(() => {
    const element = scroller.current;
    if (element && element.scrollHeight - element.scrollTop - element.clientHeight < 160) element.scrollTop = element.scrollHeight;
  }, [contentSize]);

  if (error) {
    return (
      <main className="session">
        <p className="error-text">
          Could not load session {sessionId}: {error.message}
        </p>
      </main>
    );
  }
  if (!state) {
    return (
      <main className="session">
        <p className="muted">Loading…</p>
      </main>
    );
  }

  return (
    <>
      <main className="session" data-testid="session-view" data-session-id={sessionId}>
        <div className="session-header">
          <div>
            <h1>{title ?? state.record.agentProfileReference}</h1>
            <div className="session-sub">
              <span className={`arch arch-${state.record.type}`}>{ARCHITECTURE_LABELS[state.record.type] ?? state.record.type}</span>
              <StatusBadge status={state.status} working={working} />
              {pendingRequests.length > 0 && (
                <span className="badge badge-waiting" data-testid="pending-count">
                  {pendingRequests.length} waiting for you
                </span>
              )}
              <span className="muted small mono">{sessionId}</span>
            </div>
          </div>
          <button
            type="button"
            className="ghost"
            onClick={() => {
              if (window.confirm('Delete this session? Its sandbox is stopped.')) void onDelete();
            }}
            data-testid="delete-session"
          >
            Delete
          </button>
        </div>
        <div className="scroller" ref={scroller}>
          <Conversation conversations={state.conversations} subagents={state.subagents} streaming={working} approvals={approvals} />
          {working && <div className="typing" data-testid="working">agent is working…</div>}
          {state.lastTurn?.outcome === 'interrupted' && !working && <div className="msg msg-system">Interrupted.</div>}
          {state.lastTurn?.outcome === 'error' && !working && (
            <div className="msg msg-system system-error">{state.lastTurn.error?.message ?? 'The turn failed.'}</div>
          )}
        </div>
        <Composer
          working={working}
          disabled={ended}
          onSend={async (text) => {
            await sendMessage(text);
          }}
          onInterrupt={async () => {
            await interrupt();
          }}
          onTyping={warmOnInput}
        />
      </main>
      <FilesPanel files={state.files} />
    </>
  );
}
