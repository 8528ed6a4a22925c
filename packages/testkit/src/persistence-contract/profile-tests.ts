import { agentProfileSchema } from '@agent-runtime/core';
import { expect, it } from 'vitest';
import { expectCode } from '../contract-helpers/expect-code.js';
import { fullProfile } from './fixtures.js';
import type { PersistenceContractSubject } from './subject.js';

/** Agent profiles: seeded through the factory's hook, listed without secrets, loaded whole. */
export function profileTests(subject: () => PersistenceContractSubject): void {
  it('lists no profiles and loads null for an unknown id (no throw)', async () => {
    expect(await subject().adapter.listAgentProfiles()).toEqual([]);
    expect(await subject().adapter.loadAgentProfile('no-such-profile')).toBeNull();
  });

  it('loads a seeded profile whole (secrets included), as the schema parses it', async () => {
    const profile = fullProfile('full');
    await subject().seedProfiles([profile, { id: 'bare', name: 'Bare' }]);
    expect(await subject().adapter.loadAgentProfile('full')).toEqual(agentProfileSchema.parse(profile));
    expect(await subject().adapter.loadAgentProfile('bare')).toEqual({ id: 'bare', name: 'Bare' });
  });

  it('lists id, name and description only: no prompts, no secrets', async () => {
    await subject().seedProfiles([fullProfile('b'), { id: 'a', name: 'A' }]);
    const listed = [...(await subject().adapter.listAgentProfiles())].sort((x, y) => (x.id < y.id ? -1 : 1));
    expect(listed).toEqual([
      { id: 'a', name: 'A' },
      { id: 'b', name: 'Profile b', description: 'Writes and reviews code' },
    ]);
    expect(JSON.stringify(listed)).not.toContain('secret');
  });

  it('upserts profiles by id when seeded again', async () => {
    await subject().seedProfiles([{ id: 'p', name: 'Old' }]);
    await subject().seedProfiles([{ id: 'p', name: 'New', model: 'm' }]);
    expect(await subject().adapter.listAgentProfiles()).toEqual([{ id: 'p', name: 'New' }]);
    expect(await subject().adapter.loadAgentProfile('p')).toEqual({ id: 'p', name: 'New', model: 'm' });
  });

  it('hands out copies: mutating a loaded profile changes nothing stored', async () => {
    await subject().seedProfiles([fullProfile('p')]);
    const loaded = await subject().adapter.loadAgentProfile('p');
    loaded!.tools!.push('Evil');
    expect((await subject().adapter.loadAgentProfile('p'))?.tools).toEqual(['Read', 'Write', 'Bash']);
  });

  it('rejects an invalid profile with INVALID_INPUT and seeds none of the batch', async () => {
    const invalid = { id: 'bad', name: 'Bad', skills: [{ name: 'has space', description: '', skillMd: '' }] };
    await expectCode(subject().seedProfiles([{ id: 'good', name: 'Good' }, invalid]), 'INVALID_INPUT');
    expect(await subject().adapter.listAgentProfiles()).toEqual([]);
  });
}
