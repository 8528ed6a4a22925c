import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AgentRuntimeError, parseAgentProfile, type AgentProfile } from '@agent-runtime/core';

/**
 * Reads a folder of agent profiles: every `*.json` file holds one `AgentProfile`, validated with
 * core's `agentProfileSchema`. Files are read in name order; other files are ignored, except
 * `*.yaml`/`*.yml`, which are refused (no YAML parser ships with the adapters: convert to JSON).
 * Errors are `INVALID_INPUT` and name the file and the field; a missing folder is `INVALID_CONFIG`.
 */
export async function loadAgentProfilesFromDirectory(directory: string): Promise<AgentProfile[]> {
  let names: string[];
  try {
    names = (await readdir(directory)).sort();
  } catch (cause) {
    throw new AgentRuntimeError('INVALID_CONFIG', `Agent profile folder "${directory}" cannot be read.`, { details: { directory }, cause });
  }
  const refused = names.find((name) => /\.ya?ml$/i.test(name));
  if (refused) {
    throw new AgentRuntimeError('INVALID_INPUT', `${join(directory, refused)}: YAML profiles are not supported; write the profile as JSON.`, {
      details: { source: join(directory, refused) },
    });
  }
  const profiles: AgentProfile[] = [];
  const seen = new Map<string, string>();
  for (const name of names.filter((candidate) => candidate.toLowerCase().endsWith('.json'))) {
    const source = join(directory, name);
    let value: unknown;
    try {
      value = JSON.parse(await readFile(source, 'utf8'));
    } catch (cause) {
      throw new AgentRuntimeError('INVALID_INPUT', `${source}: not valid JSON (${(cause as Error).message}).`, { details: { source }, cause });
    }
    const profile = parseAgentProfile(value, source);
    const earlier = seen.get(profile.id);
    if (earlier) {
      throw new AgentRuntimeError('INVALID_INPUT', `${source}: profile id "${profile.id}" is already used by ${earlier}.`, {
        details: { source, agentProfileId: profile.id },
      });
    }
    seen.set(profile.id, source);
    profiles.push(profile);
  }
  return profiles;
}
