import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { CLIENT_EVENT_NAMES, ERROR_CODES, SERVER_EVENT_NAMES } from '@agent-runtime/core';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { documentationFiles, linkProblems } from '../../../scripts/check-docs.mjs';

describe('README.md and docs/', () => {
  it('hold the pages of the documentation', () => {
    const names = (documentationFiles() as string[]).map((file) => file.split('/').slice(-2).join('/'));
    for (const page of ['contract.md', 'websocket-protocol.md', 'deploying.md', 'persistence-adapter.md', 'sandbox-provider.md', 'agent-architecture.md']) {
      expect(names).toContain(`docs/${page}`);
    }
  });

  it('docs/contract.md names every event and every error code core defines', () => {
    const contract = readFileSync(new URL('../../../docs/contract.md', import.meta.url), 'utf8');
    for (const name of [...SERVER_EVENT_NAMES, ...CLIENT_EVENT_NAMES, ...ERROR_CODES]) expect(contract, name).toContain(`\`${name}\``);
  });

  it('link nothing outside the repository, and every relative link resolves', () => {
    expect((documentationFiles() as string[]).flatMap((file) => linkProblems(file))).toEqual([]);
  });

  it('the check finds an external link and a broken one', () => {
    const directory = mkdtempSync(join(tmpdir(), 'docs-check-'));
    try {
      const file = join(directory, 'page.md');
      writeFileSync(join(directory, 'there.md'), '');
      writeFileSync(
        file,
        '[out](https://example.com) [gone](./missing.md) [up](../elsewhere.md) [ok](there.md) [anchor](#x)\n```\n[in code](https://ignored)\n```\n',
      );
      expect(linkProblems(file, directory)).toEqual([
        'page.md: link outside the repository: https://example.com',
        'page.md: broken link: ./missing.md',
        'page.md: link outside the repository: ../elsewhere.md',
      ]);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
