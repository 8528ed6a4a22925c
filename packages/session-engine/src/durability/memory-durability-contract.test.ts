import { approvalRequestStoreContract, eventLogContract, turnQueueContract } from '@agent-runtime/testkit/contracts';
import { MemoryApprovalRequestStore } from './memory-approval-request-store.js';
import { MemorySessionEventLog } from './memory-session-event-log.js';
import { MemoryTurnQueueStore } from './memory-turn-queue-store.js';

// The in-memory implementations against the same contracts as the SQLite and PostgreSQL ones
// (no `reopen`: they survive nothing, so the restart tests are skipped).
eventLogContract('memory', async () => ({ store: new MemorySessionEventLog() }));
turnQueueContract('memory', async () => ({ store: new MemoryTurnQueueStore() }));
approvalRequestStoreContract('memory', async () => ({ store: new MemoryApprovalRequestStore() }));
