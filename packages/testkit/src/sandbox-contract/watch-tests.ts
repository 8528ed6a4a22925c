import type { WorkspaceChange } from '@agent-runtime/core';
import { expect, it } from 'vitest';
import { eventually, sh } from './helpers.js';
import type { SandboxContractContext } from './subject.js';

export function watchTests(context: SandboxContractContext): void {
  const { create, skips, settings } = context;

  it.skipIf(skips('watch'))('reports files created, modified and deleted by processes and by writeFile', async ({ skip }) => {
    const sandbox = await create();
    if (!sandbox.watch) return skip('the sandbox has no watch()');
    await sandbox.writeFile('existing.txt', 'before the watch');
    const changes: WorkspaceChange[] = [];
    const watcher = await sandbox.watch((change) => changes.push(change));
    const seen = (kind: WorkspaceChange['kind'], path: string) => () => changes.some((change) => change.kind === kind && change.path === path);
    const waitFor = (kind: WorkspaceChange['kind'], path: string) =>
      eventually(seen(kind, path), `${kind} ${path} (events so far: ${JSON.stringify(changes)})`, settings.eventWaitMs);
    try {
      await sh(sandbox, 'mkdir -p feed/sub && printf one > feed/sub/file.txt');
      await waitFor('created', 'feed/sub/file.txt');
      await sh(sandbox, 'printf two >> feed/sub/file.txt');
      await waitFor('modified', 'feed/sub/file.txt');
      await sh(sandbox, 'rm feed/sub/file.txt');
      await waitFor('deleted', 'feed/sub/file.txt');
      await sandbox.writeFile('api/written.txt', 'via writeFile');
      await waitFor('created', 'api/written.txt');
      await sh(sandbox, 'printf changed > existing.txt');
      await waitFor('modified', 'existing.txt');
      await sh(sandbox, 'mkdir -p moved/in && printf x > moved/in/a.txt && rm -r moved');
      await sh(sandbox, 'mkdir -p /tmp/stage/d && printf x > /tmp/stage/d/late.txt && mv /tmp/stage/d whole-dir');
      await waitFor('created', 'whole-dir/late.txt');
      // A tree created and removed before the feed caught up may be reported or not, but never
      // left behind: whatever was said about a path under moved/ ends with its deletion.
      const lastKinds = new Map<string, WorkspaceChange['kind']>();
      for (const change of changes) if (change.path.startsWith('moved/')) lastKinds.set(change.path, change.kind);
      expect([...lastKinds].filter(([, kind]) => kind !== 'deleted')).toEqual([]);
    } finally {
      await watcher.close();
    }
  }, settings.testTimeoutMs);
}
