import { useState } from 'react';
import type { AgentQuestion, ApprovalBlock, PermissionRequest, QuestionRequest } from '@agent-runtime/core';

/** What the cards call to answer; `useSession` provides each. */
export interface ApprovalActions {
  approve: (requestId: string) => Promise<unknown>;
  deny: (requestId: string, message?: string) => Promise<unknown>;
  answerQuestion: (requestId: string, answers: Record<string, string>) => Promise<unknown>;
  declineQuestion: (requestId: string, message?: string) => Promise<unknown>;
}

/** Runs an answer, keeping the card busy meanwhile and showing a failure. */
function useAnswer() {
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | undefined>();
  const run = (answer: () => Promise<unknown>) => {
    setBusy(true);
    setFailure(undefined);
    answer()
      .catch((error: Error) => setFailure(error.message))
      .finally(() => setBusy(false));
  };
  return { busy, failure, run };
}

function expiresIn(expiresAt: number): string {
  const minutes = Math.max(0, Math.round((expiresAt - Date.now()) / 60_000));
  return minutes >= 60 ? `${Math.round(minutes / 60)} h` : `${minutes} min`;
}

function Resolution({ block }: { block: ApprovalBlock }) {
  const resolution = block.resolution;
  if (!resolution) return <span className="approval-outcome">resolved</span>;
  const by = resolution.by === 'timeout' ? 'timed out' : `by ${resolution.by}`;
  let what: string;
  if (resolution.decision === 'allow') what = 'Approved';
  else if (resolution.decision === 'deny') what = 'Denied';
  else if (resolution.decision === 'declined') what = 'Declined';
  else what = `Answered: ${Object.values('answers' in resolution ? (resolution.answers ?? {}) : {}).join('; ')}`;
  return (
    <span className={`approval-outcome approval-${resolution.decision}`} data-testid="approval-outcome">
      {what} ({by}){resolution.message ? ` — ${resolution.message}` : ''}
    </span>
  );
}

function PermissionCard({ request, actions }: { request: PermissionRequest; actions: ApprovalActions }) {
  const { busy, failure, run } = useAnswer();
  return (
    <>
      <div className="approval-title">
        The agent wants to run <strong data-testid="approval-tool">{request.toolName}</strong>
        <span className="muted small"> · denied automatically in {expiresIn(request.expiresAt)}</span>
      </div>
      <pre className="approval-input" data-testid="approval-input">{JSON.stringify(request.input, null, 2)}</pre>
      <div className="approval-buttons">
        <button type="button" disabled={busy} onClick={() => run(() => actions.approve(request.requestId))} data-testid="approve-button">
          Approve
        </button>
        <button type="button" className="ghost" disabled={busy} onClick={() => run(() => actions.deny(request.requestId, 'Denied in the demo UI.'))} data-testid="deny-button">
          Deny
        </button>
      </div>
      {failure && <div className="error-text small">{failure}</div>}
    </>
  );
}

function QuestionCard({ request, actions }: { request: QuestionRequest; actions: ApprovalActions }) {
  const { busy, failure, run } = useAnswer();
  const [chosen, setChosen] = useState<Record<string, string[]>>({});
  const send = (answers: Record<string, string[]>) =>
    run(() => actions.answerQuestion(request.requestId, Object.fromEntries(Object.entries(answers).map(([question, labels]) => [question, labels.join(', ')]))));
  const pick = (question: AgentQuestion, label: string) => {
    const current = chosen[question.question] ?? [];
    const labels = question.multiSelect ? (current.includes(label) ? current.filter((item) => item !== label) : [...current, label]) : [label];
    const next = { ...chosen, [question.question]: labels };
    setChosen(next);
    // One single-choice question: a click is the answer.
    if (request.questions.length === 1 && !question.multiSelect) send(next);
  };
  const complete = request.questions.every((question) => (chosen[question.question] ?? []).length > 0);
  const needsSend = request.questions.length > 1 || request.questions.some((question) => question.multiSelect);
  return (
    <>
      {request.questions.map((question) => (
        <div key={question.question} className="approval-question" data-testid="approval-question">
          <div className="approval-title">
            {question.header && <span className="tool-name">{question.header}: </span>}
            {question.question}
          </div>
          <div className="approval-buttons">
            {question.options.map((option) => (
              <button
                key={option.label}
                type="button"
                className={(chosen[question.question] ?? []).includes(option.label) ? undefined : 'ghost'}
                disabled={busy}
                title={option.description}
                onClick={() => pick(question, option.label)}
                data-testid="question-option"
              >
                {option.label}
              </button>
            ))}
          </div>
        </div>
      ))}
      <div className="approval-buttons">
        {needsSend && (
          <button type="button" disabled={busy || !complete} onClick={() => send(chosen)} data-testid="answer-button">
            Send answers
          </button>
        )}
        <button type="button" className="ghost" disabled={busy} onClick={() => run(() => actions.declineQuestion(request.requestId))} data-testid="decline-button">
          Skip
        </button>
      </div>
      {failure && <div className="error-text small">{failure}</div>}
    </>
  );
}

/** A permission request or an agent question in the conversation: the buttons while pending, then its outcome. */
export function ApprovalCard({ block, actions }: { block: ApprovalBlock; actions: ApprovalActions | undefined }) {
  const pending = block.status === 'pending';
  const request = block.request;
  return (
    <div className={`approval approval-${block.status}`} data-testid="approval-card" data-kind={request.kind} data-status={block.status} data-request-id={request.requestId}>
      <div className="approval-kind">{request.kind === 'permission' ? 'Permission needed' : 'The agent asks'}</div>
      {pending && actions ? (
        request.kind === 'permission' ? <PermissionCard request={request} actions={actions} /> : <QuestionCard request={request} actions={actions} />
      ) : (
        <>
          <div className="approval-title">
            {request.kind === 'permission' ? (
              <>
                <strong>{request.toolName}</strong> <span className="muted small mono">{JSON.stringify(request.input)}</span>
              </>
            ) : (
              request.questions.map((question) => question.question).join(' / ')
            )}
          </div>
          <Resolution block={block} />
        </>
      )}
    </div>
  );
}
