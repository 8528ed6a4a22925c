export * from './postgres-persistence.js';
export { migrate, type MigrateOptions } from './migrate.js';
export { postgresMigrations, type PostgresMigration } from './migrations.js';
export { loadAgentProfilesFromDirectory, seedAgentProfiles, type AgentProfileSeedTarget } from '@agent-runtime/persistence-memory/seed';
export type { PostgresEventLogOptions } from './postgres-event-log.js';
