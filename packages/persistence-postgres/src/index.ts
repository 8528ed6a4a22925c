export * from './postgres-persistence.js';
export { migrate, type MigrateOptions } from './migrate.js';
export { postgresMigrations, type PostgresMigration } from './migrations.js';
export { loadAgentProfilesFromDirectory, seedAgentProfiles, type AgentProfileSeedTarget } from '@agent-runtime/persistence-sql';
export type { PostgresEventLogOptions } from './postgres-event-log.js';
