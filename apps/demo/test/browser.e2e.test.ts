import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_PATH, TEST_OUTPUT_DIR, startDemoInChromium, type DemoInChromium } from './browser';

/**
 * The demo in a real browser: the real Claude Code and Gemini CLI in the local sandbox, talking to
 * the offline demo model; headless Chromium drives the UI served by the demo server.
 */
const agents = [
  { type: 'claude-agent-sdk', label: 'Claude Code', write: 'Write', edit: 'Edit' },
  { type: 'gemini-cli', label: 'Gemini CLI', write: 'write_file', edit: 'replace' },
] as const;

describe.skipIf(!existsSync(CHROMIUM_PATH))('demo UI in Chromium', () => {
  let ui: DemoInChromium;
  let page: Page;

  beforeAll(async () => {
    ui = await startDemoInChromium('demo-e2e-');
    page = ui.page;
  });

  afterAll(async () => {
    await ui?.close();
  });

  async function createSession(architectureLabel: string, profile: string): Promise<string> {
    await page.selectOption('[data-testid=profile-select]', profile);
    await page.selectOption('[data-testid=architecture-select]', { label: architectureLabel });
    await page.click('[data-testid=create-session]');
    const view = page.locator('[data-testid=session-view]');
    await view.waitFor();
    const sessionId = await view.getAttribute('data-session-id');
    expect(sessionId).toBeTruthy();
    return sessionId!;
  }

  it('shows the offline badge and the profiles', async () => {
    await page.goto(ui.demo.url);
    await expect(page.locator('[data-testid=offline-badge]').textContent()).resolves.toContain('offline demo model');
    await page.locator('[data-testid=connection][data-state=open]').waitFor();
    const options = await page.locator('[data-testid=profile-select] option').allTextContents();
    expect(options.length).toBeGreaterThanOrEqual(3);
  });

  for (const agent of agents) {
    it(`${agent.label}: streams the answer, a tool call and a file; a reload shows the same conversation`, async () => {
      await page.goto(ui.demo.url);
      const sessionId = await createSession(agent.label, 'code-assistant');
      await page.fill('[data-testid=message-input]', 'Write me a FizzBuzz script, please.');
      await page.click('[data-testid=send]');

      await page.locator('[data-testid=user-message]', { hasText: 'FizzBuzz script' }).waitFor();
      // The streamed answer, the tool calls, the file with its edited contents.
      await page.locator('[data-testid=assistant-text]', { hasText: 'safe to import' }).waitFor({ timeout: 90_000 });
      await page.locator(`[data-testid=tool-call][data-tool-name=${agent.write}][data-status=success]`).waitFor();
      await page.locator(`[data-testid=tool-call][data-tool-name=${agent.edit}][data-status=success]`).waitFor();
      const file = page.locator('[data-testid=file][data-path="fizzbuzz.py"] [data-testid=file-content]');
      await expect.poll(() => file.textContent(), { timeout: 30_000 }).toContain('if __name__ == "__main__":');
      await page.locator('[data-testid=working]').waitFor({ state: 'detached' });

      // Expand the tool call: its input and result are there.
      await page.click(`[data-testid=tool-call][data-tool-name=${agent.write}] summary`);
      await expect(page.locator(`[data-testid=tool-call][data-tool-name=${agent.write}] .tool-body`).textContent()).resolves.toContain('fizzbuzz.py');
      await page.screenshot({ path: join(TEST_OUTPUT_DIR, `${agent.type}.png`) });

      const before = await conversationText(page);
      await page.reload();
      await page.locator(`[data-testid=session-view][data-session-id="${sessionId}"]`).waitFor();
      await page.locator('[data-testid=assistant-text]', { hasText: 'safe to import' }).waitFor();
      expect(await conversationText(page)).toEqual(before);
      await expect(file.textContent()).resolves.toContain('if __name__ == "__main__":');
      await page.locator(`[data-testid=session-item][data-session-id="${sessionId}"]`).waitFor();
    });
  }

  it('Claude Code with a subagent: its conversation is nested under the parent', async () => {
    await page.goto(ui.demo.url);
    await createSession('Claude Code', 'team-lead');
    await page.fill('[data-testid=message-input]', 'What makes a good agent runtime? Write it up.');
    await page.click('[data-testid=send]');
    const subagent = page.locator('[data-testid=subagent]');
    await subagent.locator('[data-testid=assistant-text]', { hasText: 'Isolation' }).waitFor({ timeout: 90_000 });
    await expect(subagent.locator('[data-testid=user-message]').textContent()).resolves.toContain('Research for the team lead');
    await page.locator('[data-testid=assistant-text]', { hasText: 'report.md sums up' }).waitFor();
    await page.locator('[data-testid=tool-call][data-tool-name=Write][data-status=success]').waitFor();
    await page.locator('[data-testid=file][data-path="report.md"]').waitFor();
    await page.locator('[data-testid=working]').waitFor({ state: 'detached' });
    await page.click('[data-testid=tool-call][data-tool-name=Write] summary');
    await page.screenshot({ path: join(TEST_OUTPUT_DIR, 'subagent.png') });
  });

  it('after a server restart the page reconnects and streams the next turn without duplicates', async () => {
    await page.goto(ui.demo.url);
    const sessionId = await createSession('Claude Code', 'code-assistant');
    await page.fill('[data-testid=message-input]', 'Write me a FizzBuzz script, please.');
    await page.click('[data-testid=send]');
    await page.locator('[data-testid=assistant-text]', { hasText: 'safe to import' }).waitFor({ timeout: 90_000 });
    await page.locator('[data-testid=working]').waitFor({ state: 'detached' });
    const before = await conversationText(page);

    expect(await ui.demo.stop()).toBe(0);
    await page.locator('[data-testid=connection]:not([data-state=open])').waitFor();
    await ui.startDemoAgain();
    await page.locator('[data-testid=connection][data-state=open]').waitFor({ timeout: 30_000 });
    expect(await conversationText(page)).toEqual(before);

    await page.fill('[data-testid=message-input]', 'Is the script still there?');
    await page.click('[data-testid=send]');
    await page.locator('[data-testid=assistant-text]', { hasText: 'still there and runs' }).waitFor({ timeout: 90_000 });
    await page.locator('[data-testid=tool-call][data-tool-name=Bash][data-status=success]').waitFor();
    await page.locator('[data-testid=working]').waitFor({ state: 'detached' });
    const after = await conversationText(page);
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after.filter((line) => line.startsWith('user-message:'))).toHaveLength(2);
    expect(after.filter((line) => line.includes('still there and runs'))).toHaveLength(1);
    // A fresh load from the server agrees with what the live stream built.
    await page.reload();
    await page.locator(`[data-testid=session-view][data-session-id="${sessionId}"]`).waitFor();
    await page.locator('[data-testid=assistant-text]', { hasText: 'still there and runs' }).waitFor();
    expect(await conversationText(page)).toEqual(after);
  });
});

/** What the conversation shows, block by block (tool calls by name and status). */
async function conversationText(page: Page): Promise<string[]> {
  return page.locator('.conversation[data-conversation-id=main] > *').evaluateAll((elements) =>
    elements.map((element) => {
      const testId = element.getAttribute('data-testid');
      if (testId === 'tool-call') return `tool:${element.getAttribute('data-tool-name')}:${element.getAttribute('data-status')}`;
      if (testId === 'thinking') return `thinking:${element.querySelector('.thinking-body')?.textContent ?? ''}`;
      return `${testId}:${element.textContent ?? ''}`;
    }),
  );
}
