import {
  profileNotFoundError,
  type AgentProfile,
  type AnyServerEvent,
  type Logger,
  type PersistenceAdapter,
  type SessionListData,
  type SessionStatus,
} from '@agent-runtime/core';
import type { Clock } from './clock.js';
import { errorInfo } from './error-info.js';
import type { SessionEventBus } from './event-bus.js';
import type { StatusReason } from './session-sandbox.js';

export interface SessionStateDependencies {
  persistence: PersistenceAdapter;
  bus: SessionEventBus;
  clock: Clock;
  logger: Logger;
  /** Called whenever the session record changed (the manager announces `sessions:list`). */
  onRecordChanged(record: SessionListData): void;
}

/**
 * What every part of one session shares: its record and status, whether it was terminated, its
 * profile (loaded once), and the bus its events go to.
 */
export class SessionState {
  record: SessionListData;
  terminated: boolean;
  private profile: AgentProfile | undefined;

  constructor(
    record: SessionListData,
    private readonly deps: SessionStateDependencies,
  ) {
    this.record = record;
    this.terminated = record.status === 'completed';
  }

  get id(): string {
    return this.record.sessionId;
  }

  /** A newer record from the node that owns the session (cluster mode; this node only shows it). */
  showRecord(record: SessionListData): void {
    this.record = record;
    this.terminated = record.status === 'completed';
  }

  rememberProfile(profile: AgentProfile): void {
    this.profile = profile;
  }

  async loadProfile(): Promise<AgentProfile> {
    if (this.profile) return this.profile;
    const profile = await this.deps.persistence.loadAgentProfile(this.record.agentProfileReference);
    if (!profile) throw profileNotFoundError(this.record.agentProfileReference);
    this.profile = profile;
    return profile;
  }

  async setStatus(status: SessionStatus, reason?: StatusReason): Promise<void> {
    if (this.record.status === status) return;
    this.record = { ...this.record, status, lastActivity: this.deps.clock.now() };
    this.publish({ event: 'session:status', data: { sessionId: this.id, status, ...(reason ? { reason } : {}) } });
    await this.persistRecord({ status, lastActivity: this.record.lastActivity });
    this.deps.onRecordChanged(this.record);
  }

  async persistRecord(updates: Partial<SessionListData>): Promise<void> {
    try {
      await this.deps.persistence.updateSessionRecord(this.id, updates);
    } catch (error) {
      this.deps.logger.error({ error: errorInfo(error) }, 'updating the session record failed');
    }
  }

  touch(): void {
    this.record = { ...this.record, lastActivity: this.deps.clock.now() };
  }

  publish(event: AnyServerEvent): Promise<unknown> {
    return this.deps.bus.publish(event);
  }
}
