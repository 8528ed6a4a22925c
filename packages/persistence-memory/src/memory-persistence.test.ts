import { persistenceContract } from '@agent-runtime/testkit/contracts';
import { describe, expect, it } from 'vitest';
import { createMemoryPersistence } from './index.js';

persistenceContract('memory', async () => {
  const adapter = createMemoryPersistence();
  return { adapter, seedProfiles: (profiles) => adapter.seedProfiles(profiles) };
});

describe('createMemoryPersistence', () => {
  it('starts with the profiles it is given', async () => {
    const adapter = createMemoryPersistence({ profiles: [{ id: 'p', name: 'P', tools: ['Read'] }] });
    expect(await adapter.listAgentProfiles()).toEqual([{ id: 'p', name: 'P' }]);
    expect(await adapter.loadAgentProfile('p')).toEqual({ id: 'p', name: 'P', tools: ['Read'] });
  });

  it('refuses invalid starting profiles, naming the field', () => {
    expect(() => createMemoryPersistence({ profiles: [{ id: 'p', name: '' }] })).toThrow(/name/);
  });
});
