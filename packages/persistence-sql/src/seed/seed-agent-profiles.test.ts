import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasErrorCode, type AgentProfile } from '@agent-runtime/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadAgentProfilesFromDirectory, seedAgentProfiles } from './index.js';

describe('seedAgentProfiles', () => {
  let directory: string;
  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'profiles-'));
  });
  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  const failure = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error as Error);
  /** A seed target that records each batch it is given. */
  const recordingTarget = () => {
    const batches: AgentProfile[][] = [];
    return { batches, seedProfiles: async (profiles: AgentProfile[]) => void batches.push(profiles) };
  };

  it('seeds every *.json profile in name order and ignores other files', async () => {
    await writeFile(join(directory, 'b.json'), JSON.stringify({ id: 'b', name: 'B', skills: [{ name: 's', description: 'd', skillMd: 'm' }] }));
    await writeFile(join(directory, 'a.json'), JSON.stringify({ id: 'a', name: 'A', environmentVariables: { KEY: 'v' } }));
    await writeFile(join(directory, 'README.md'), '# not a profile');
    const target = recordingTarget();
    const seeded = await seedAgentProfiles(target, directory);
    expect(seeded.map((profile) => profile.id)).toEqual(['a', 'b']);
    expect(target.batches).toEqual([seeded]);
    expect(seeded[0]?.environmentVariables).toEqual({ KEY: 'v' });
    expect(seeded[1]?.skills?.[0]?.supportingFiles).toEqual([]);
  });

  it('names the file and the field of an invalid profile, and seeds nothing', async () => {
    await writeFile(join(directory, 'good.json'), JSON.stringify({ id: 'good', name: 'Good' }));
    await writeFile(join(directory, 'bad.json'), JSON.stringify({ id: 'bad', name: 'Bad', mcpServers: { web: { type: 'http', url: 'not a url' } } }));
    const target = recordingTarget();
    const error = await failure(seedAgentProfiles(target, directory));
    expect(hasErrorCode(error, 'INVALID_INPUT')).toBe(true);
    expect(error?.message).toContain('bad.json');
    expect(error?.message).toContain('mcpServers.web.url');
    expect(target.batches).toEqual([]);
  });

  it('names the file with broken JSON, refuses YAML, duplicate ids and a missing folder', async () => {
    await writeFile(join(directory, 'broken.json'), '{ "id": ');
    expect((await failure(loadAgentProfilesFromDirectory(directory)))?.message).toMatch(/broken\.json: not valid JSON/);
    await rm(join(directory, 'broken.json'));
    await writeFile(join(directory, 'one.json'), JSON.stringify({ id: 'same', name: 'One' }));
    await writeFile(join(directory, 'two.json'), JSON.stringify({ id: 'same', name: 'Two' }));
    expect((await failure(loadAgentProfilesFromDirectory(directory)))?.message).toMatch(/two\.json: profile id "same" is already used by .*one\.json/);
    await writeFile(join(directory, 'p.yaml'), 'id: p');
    expect((await failure(loadAgentProfilesFromDirectory(directory)))?.message).toMatch(/p\.yaml: YAML profiles are not supported/);
    expect(hasErrorCode(await failure(loadAgentProfilesFromDirectory(join(directory, 'missing'))), 'INVALID_CONFIG')).toBe(true);
  });
});
