import type { DemoInfo } from '../lib/demo-info';
import { ARCHITECTURE_LABELS } from '../lib/format';

export interface HeaderProps {
  info: DemoInfo | undefined;
  connection: 'connecting' | 'open' | 'reconnecting' | 'closed' | 'idle';
}

export function Header({ info, connection }: HeaderProps) {
  const offlineAgents = info ? Object.entries(info.agents).filter(([, agent]) => agent.model === 'offline demo model') : [];
  return (
    <header className="header">
      <div className="brand">
        <span className="logo" aria-hidden>
          ▲
        </span>
        agent-runtime <span className="muted">demo</span>
      </div>
      <div className="header-right">
        {info && offlineAgents.length > 0 && (
          <span
            className="pill pill-warn"
            data-testid="offline-badge"
            title="The agents are the real Claude Code and Gemini CLI; their model is a local script. Set ANTHROPIC_API_KEY / GEMINI_API_KEY for real answers."
          >
            offline demo model
            {offlineAgents.length < Object.keys(info.agents).length &&
              ` (${offlineAgents.map(([type]) => ARCHITECTURE_LABELS[type] ?? type).join(', ')})`}
          </span>
        )}
        {info && <span className="pill">{info.persistence} · {info.sandbox} sandbox</span>}
        <span className={`pill conn conn-${connection}`} data-testid="connection" data-state={connection}>
          {connection === 'open' ? 'live' : connection}
        </span>
      </div>
    </header>
  );
}
