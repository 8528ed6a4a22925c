export * from './sqlite-persistence.js';
export { sqliteMigrations, type SqliteMigration } from './migrations.js';
export { loadAgentProfilesFromDirectory, seedAgentProfiles, type AgentProfileSeedTarget } from '@agent-runtime/persistence-sql';
