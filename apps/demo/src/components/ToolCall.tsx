import type { ToolResultBlock, ToolUseBlock } from '@agent-runtime/core';
import { inputSummary, outputText } from '../lib/format';

/** A tool call: name, one-line summary and status; expands to its input and result. */
export function ToolCall({ block, result }: { block: ToolUseBlock; result: ToolResultBlock | undefined }) {
  const status = result ? (result.isError ? 'error' : block.status === 'running' || block.status === 'pending' ? 'success' : block.status) : block.status;
  const summary = block.description ?? inputSummary(block.input);
  return (
    <details className={`tool tool-${status}`} data-testid="tool-call" data-tool-name={block.toolName} data-status={status}>
      <summary>
        <span className="tool-icon" aria-hidden>
          {status === 'error' ? '✕' : status === 'success' ? '✓' : '⋯'}
        </span>
        <span className="tool-name">{block.displayName ?? block.toolName}</span>
        {summary && <span className="tool-summary">{summary}</span>}
        <span className={`tool-status tool-status-${status}`}>{status}</span>
        {result?.durationMs !== undefined && <span className="muted small">{Math.round(result.durationMs)} ms</span>}
      </summary>
      <div className="tool-body">
        <div className="tool-section">
          <div className="tool-label">Input</div>
          <pre>{JSON.stringify(block.input, null, 2)}</pre>
        </div>
        {result && (
          <div className="tool-section">
            <div className="tool-label">{result.isError ? 'Error' : 'Result'}</div>
            <pre className={result.isError ? 'error-text' : undefined}>{outputText(result.output) || '(empty)'}</pre>
          </div>
        )}
      </div>
    </details>
  );
}
