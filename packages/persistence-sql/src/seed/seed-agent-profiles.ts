import type { AgentProfile } from '@agent-runtime/core';
import { loadAgentProfilesFromDirectory } from './load-agent-profiles.js';

/** Any store profiles can be seeded into: the memory, SQLite and PostgreSQL adapters all are. */
export interface AgentProfileSeedTarget {
  seedProfiles(profiles: AgentProfile[]): Promise<void>;
}

/**
 * Loads every profile in `directory` (see `loadAgentProfilesFromDirectory`) and upserts them into
 * `target` by id. Nothing is written unless every file is valid. Returns the profiles seeded.
 */
export async function seedAgentProfiles(target: AgentProfileSeedTarget, directory: string): Promise<AgentProfile[]> {
  const profiles = await loadAgentProfilesFromDirectory(directory);
  await target.seedProfiles(profiles);
  return profiles;
}
