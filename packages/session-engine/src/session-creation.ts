import { randomUUID } from 'node:crypto';
import {
  createSessionRequestSchema,
  invalidInputError,
  profileNotFoundError,
  unsupportedArchitectureError,
  type AgentArchitecture,
  type AgentProfile,
  type CreateSessionRequest,
  type PersistenceAdapter,
  type SessionListData,
  type WorkspaceUpload,
} from '@agent-runtime/core';
import { cloneGitSource } from './git-source.js';
import type { PooledSandbox, SandboxPool } from './sandbox-pool.js';
import type { SessionCoordinator } from './session-coordinator.js';
import type { SessionRegistry } from './session-registry.js';

export interface SessionCreationDependencies {
  sessions: SessionRegistry;
  persistence: PersistenceAdapter;
  pool: SandboxPool;
  /** The largest file a git source may bring (the mirror's limit). */
  maxFileBytes: number;
  /** Start a sandbox as soon as a session is created. */
  warmSandboxOnCreate: boolean;
  /** A session given a pooled sandbox also starts its agent process at once. */
  warmPoolAgentProcess: boolean;
  /** True once the runtime stops: no pooled sandbox is taken then. */
  isStopping(): boolean;
  coordinator?: SessionCoordinator;
}

/** `createSession`: the request checked, the profile and git source loaded, the record stored, the sandbox warmed. */
export class SessionCreation {
  constructor(private readonly deps: SessionCreationDependencies) {}

  async create(request: CreateSessionRequest): Promise<SessionListData> {
    const parsed = createSessionRequestSchema.safeParse(request);
    if (!parsed.success) throw invalidInputError(parsed.error.issues);
    const { agentProfileRef, architecture: type } = parsed.data;
    const architecture = this.deps.sessions.architecture(type);
    if (!architecture) {
      throw unsupportedArchitectureError(type, this.deps.sessions.architectureTypes());
    }
    const profile = await this.deps.persistence.loadAgentProfile(agentProfileRef);
    if (!profile) throw profileNotFoundError(agentProfileRef);
    // Cloned before the record exists: a bad URL or ref leaves no session behind.
    const gitFiles = parsed.data.git ? await cloneGitSource(parsed.data.git, { maxFileBytes: this.deps.maxFileBytes }) : [];
    // A pooled sandbox was created for a session id chosen then: the session takes that id.
    const spare = this.deps.isStopping() ? undefined : await this.deps.pool.take(type);
    try {
      return await this.createWith(parsed.data, architecture, profile, gitFiles, spare);
    } catch (error) {
      await spare?.sandbox.terminate().catch(() => undefined);
      throw error;
    }
  }

  private async createWith(
    request: CreateSessionRequest,
    architecture: AgentArchitecture,
    profile: AgentProfile,
    gitFiles: WorkspaceUpload[],
    spare: PooledSandbox | undefined,
  ): Promise<SessionListData> {
    const { agentProfileRef, architecture: type, name, metadata } = request;
    const { sessions } = this.deps;
    const now = Date.now();
    const record: SessionListData = {
      sessionId: spare?.sessionId ?? randomUUID(),
      type,
      agentProfileReference: agentProfileRef,
      status: 'pending',
      createdAt: now,
      lastActivity: now,
      ...(name === undefined ? {} : { name }),
      ...(metadata === undefined ? {} : { metadata }),
    };
    await this.deps.persistence.createSessionRecord(record);
    const session = sessions.makeWith(record, architecture);
    sessions.set(record.sessionId, session);
    if (spare) session.adoptSandbox(spare.sandbox);
    await this.deps.coordinator?.created(record.sessionId);
    await session.initialise(profile, gitFiles);
    sessions.announce();
    const agent = request.warm === true || (spare !== undefined && this.deps.warmPoolAgentProcess);
    if (spare || agent || this.deps.warmSandboxOnCreate) session.warmUp({ agent });
    return session.record;
  }
}
