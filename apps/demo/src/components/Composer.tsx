import { useState, type FormEvent, type KeyboardEvent } from 'react';

export interface ComposerProps {
  working: boolean;
  disabled: boolean;
  onSend: (text: string) => Promise<void>;
  onInterrupt: () => Promise<void>;
  /** The user typed into the box: the session starts warming (debounced by the hook: once per message). */
  onTyping?: (event: { currentTarget: { value: string } }) => void;
}

/**
 * The message box: Enter sends, Shift+Enter breaks the line; Stop interrupts the running turn.
 * The first keystroke of a message warms the agent (`onTyping`), so it is ready when Send is hit.
 */
export function Composer({ working, disabled, onSend, onInterrupt, onTyping }: ComposerProps) {
  const [text, setText] = useState('');
  const [error, setError] = useState<string>();

  const send = async (event?: FormEvent) => {
    event?.preventDefault();
    const content = text.trim();
    if (!content || disabled) return;
    setError(undefined);
    setText('');
    try {
      await onSend(content);
    } catch (cause) {
      setText(content);
      setError(cause instanceof Error ? cause.message : String(cause));
    }
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey) void send(event);
  };

  return (
    <form className="composer" onSubmit={send}>
      {error && <p className="error-text">{error}</p>}
      <textarea
        value={text}
        onChange={(event) => setText(event.target.value)}
        onInput={onTyping}
        onKeyDown={onKeyDown}
        placeholder={disabled ? 'This session has ended.' : 'Ask the agent to build something…'}
        disabled={disabled}
        rows={2}
        data-testid="message-input"
      />
      <div className="composer-actions">
        {working && (
          <button type="button" className="danger" onClick={() => void onInterrupt().catch((cause) => setError(String(cause)))} data-testid="interrupt">
            Stop
          </button>
        )}
        <button type="submit" className="primary" disabled={disabled || !text.trim()} data-testid="send">
          Send
        </button>
      </div>
    </form>
  );
}
