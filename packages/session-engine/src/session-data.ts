import type { AgentArchitecture, PersistenceAdapter, RuntimeSessionData } from '@agent-runtime/core';
import { mergeApprovalBlocks } from './approvals/approval-blocks.js';
import type { SessionApprovals } from './approvals/session-approvals.js';
import type { SessionEventBus } from './event-bus.js';
import type { SessionConversations } from './session-conversations.js';
import type { SessionState } from './session-state.js';
import type { TranscriptSync } from './transcript-sync.js';
import type { WorkspaceMirror } from './workspace-mirror.js';

export interface SessionDataDependencies {
  state: SessionState;
  persistence: PersistenceAdapter;
  architecture: AgentArchitecture;
  bus: SessionEventBus;
  mirror: WorkspaceMirror;
  transcripts: TranscriptSync;
  conversations: SessionConversations;
  approvals: SessionApprovals;
}

/** A session's blocks and files: loaded from storage once, and what `getSession` answers. */
export class SessionData {
  private hydration: Promise<void> | undefined;

  constructor(private readonly deps: SessionDataDependencies) {}

  /** A new session: nothing stored to load. */
  markLoaded(): void {
    this.hydration = Promise.resolve();
  }

  /** Load blocks and files from storage once (sessions listed at start-up are loaded lazily). */
  hydrate(): Promise<void> {
    const { mirror, transcripts, conversations } = this.deps;
    this.hydration ??= (async () => {
      const saved = await this.deps.persistence.loadSession(this.deps.state.id);
      if (!saved) return;
      mirror.load(saved.workspaceFiles);
      const stored = {
        main: saved.rawTranscript,
        subagents: (saved.subagents ?? []).flatMap((subagent) =>
          subagent.rawTranscript === undefined ? [] : [{ id: subagent.id, rawTranscript: subagent.rawTranscript }],
        ),
      };
      transcripts.remember(stored);
      if (stored.main !== undefined || stored.subagents.length > 0) {
        conversations.load(this.deps.architecture.parseTranscripts(stored));
      }
    })().catch((error) => {
      this.hydration = undefined;
      throw error;
    });
    return this.hydration;
  }

  async getData(): Promise<RuntimeSessionData> {
    const { state, conversations } = this.deps;
    await this.hydrate();
    const approvals = await this.deps.approvals.blocks();
    const pendingRequests = approvals.filter((block) => block.status === 'pending').map((block) => block.request);
    const inConversation = (conversationId: string) => approvals.filter((block) => block.request.conversationId === conversationId);
    return {
      ...state.record,
      blocks: mergeApprovalBlocks(conversations.mainBlocks(), inConversation('main')),
      workspaceFiles: this.deps.mirror.list(),
      subagents: conversations.subagentData().map((subagent) => ({ ...subagent, blocks: mergeApprovalBlocks(subagent.blocks, inConversation(subagent.id)) })),
      lastEventSeq: this.deps.bus.latestSeq(state.id),
      ...(pendingRequests.length > 0 ? { pendingRequests } : {}),
    };
  }
}
