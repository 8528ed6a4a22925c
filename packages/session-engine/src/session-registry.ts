import { sessionNotFoundError, type AgentArchitecture, type AgentArchitectureType, type PersistenceAdapter, type SessionListData } from '@agent-runtime/core';
import { AgentSession, type AgentSessionDependencies } from './agent-session.js';
import type { SessionEventBus } from './event-bus.js';
import type { SessionCoordinator } from './session-coordinator.js';

export interface SessionRegistryDependencies {
  persistence: PersistenceAdapter;
  architectures: readonly AgentArchitecture[];
  events: SessionEventBus;
  /** What every session of an architecture is wired to (the manager's stores, bus, settings). */
  sessionDependencies(architecture: AgentArchitecture): AgentSessionDependencies;
  coordinator?: SessionCoordinator;
}

/**
 * The sessions this node has loaded (every stored one; in cluster mode most are only shown):
 * looking them up, making them for a record, and announcing the list.
 */
export class SessionRegistry {
  private readonly sessions = new Map<string, AgentSession>();
  private readonly architectures = new Map<AgentArchitectureType, AgentArchitecture>();

  constructor(private readonly deps: SessionRegistryDependencies) {
    for (const architecture of deps.architectures) this.architectures.set(architecture.type, architecture);
  }

  get size(): number {
    return this.sessions.size;
  }

  architecture(type: AgentArchitectureType): AgentArchitecture | undefined {
    return this.architectures.get(type);
  }

  architectureTypes(): AgentArchitectureType[] {
    return [...this.architectures.keys()];
  }

  allArchitectures(): AgentArchitecture[] {
    return [...this.architectures.values()];
  }

  get(sessionId: string): AgentSession | undefined {
    return this.sessions.get(sessionId);
  }

  set(sessionId: string, session: AgentSession): void {
    this.sessions.set(sessionId, session);
  }

  all(): AgentSession[] {
    return [...this.sessions.values()];
  }

  ids(): string[] {
    return [...this.sessions.keys()];
  }

  records(): SessionListData[] {
    return [...this.sessions.values()].map((session) => session.record);
  }

  /** A loaded session, else SESSION_NOT_FOUND. */
  require(sessionId: string): AgentSession {
    const session = typeof sessionId === 'string' ? this.sessions.get(sessionId) : undefined;
    if (!session) throw sessionNotFoundError(String(sessionId).slice(0, 200));
    return session;
  }

  /** Cluster mode: a session another node created moments ago may not be announced here yet; storage has it. */
  async known(sessionId: string): Promise<AgentSession> {
    const session = typeof sessionId === 'string' ? this.sessions.get(sessionId) : undefined;
    if (session) return session;
    const saved = typeof sessionId === 'string' && sessionId.length <= 200 ? await this.deps.persistence.loadSession(sessionId) : null;
    const shown = saved ? this.make(recordOf(saved)) : undefined;
    if (!shown) throw sessionNotFoundError(String(sessionId).slice(0, 200));
    this.sessions.set(sessionId, shown);
    await this.deps.events.open(sessionId).catch(() => undefined);
    return shown;
  }

  /** A session for the record; undefined when this runtime has no architecture of its type. */
  make(record: SessionListData): AgentSession | undefined {
    const architecture = this.architectures.get(record.type);
    if (!architecture) return undefined;
    return this.makeWith(record, architecture);
  }

  makeWith(record: SessionListData, architecture: AgentArchitecture): AgentSession {
    return new AgentSession(record, this.deps.sessionDependencies(architecture));
  }

  /** Replace a session this node does not run with a fresh shown-only one (nothing cached). */
  showOnly(sessionId: string): void {
    const session = this.sessions.get(sessionId);
    if (!session) return;
    const shown = this.make(session.record);
    if (shown) this.sessions.set(sessionId, shown);
  }

  /** `sessions:list` to this node's clients, and (`broadcast`, cluster mode) this node's records to the others. */
  announce(broadcast = true): void {
    const sessions = this.records();
    this.deps.events.publish({ event: 'sessions:list', data: { sessions } });
    const coordinator = this.deps.coordinator;
    if (broadcast && coordinator) coordinator.announced(sessions.filter((session) => coordinator.owns(session.sessionId)));
  }
}

/** The list fields of a stored session (what `listAllSessions` gives). */
export function recordOf(saved: SessionListData): SessionListData {
  const { sessionId, type, agentProfileReference, name, status, lastActivity, createdAt, metadata } = saved;
  return {
    sessionId,
    type,
    agentProfileReference,
    status,
    ...(name === undefined ? {} : { name }),
    ...(lastActivity === undefined ? {} : { lastActivity }),
    ...(createdAt === undefined ? {} : { createdAt }),
    ...(metadata === undefined ? {} : { metadata }),
  };
}
