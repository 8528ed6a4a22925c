import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_PATH, TEST_OUTPUT_DIR, startDemoInChromium, type DemoInChromium } from './browser';

/**
 * Approvals in the demo UI: the careful-assistant profile (toolPolicy ask: Bash, Write) with the
 * real Claude Code against the offline demo model. The approval card shows the tool and its input;
 * Approve runs the command (its result shows, the card turns resolved); Deny tells the agent; a
 * question card's option answers it.
 *
 * Needs the engine side of approvals (wip/approvals: the policy in agent-claude, the request events,
 * POST /sessions/:id/permissions/:requestId). Set DEMO_APPROVALS_E2E=0 to skip it where that is absent.
 */
const enabled = existsSync(CHROMIUM_PATH) && process.env.DEMO_APPROVALS_E2E !== '0';

describe.skipIf(!enabled)('demo UI: approvals in Chromium', () => {
  let ui: DemoInChromium;
  let page: Page;

  beforeAll(async () => {
    ui = await startDemoInChromium('demo-approvals-e2e-');
    page = ui.page;
  });

  afterAll(async () => {
    await ui?.close();
  });

  async function carefulSession(message: string): Promise<string> {
    await page.goto(ui.demo.url);
    await page.locator('[data-testid=connection][data-state=open]').waitFor();
    await page.selectOption('[data-testid=profile-select]', 'careful-assistant');
    await page.selectOption('[data-testid=architecture-select]', { label: 'Claude Code' });
    await page.click('[data-testid=create-session]');
    const view = page.locator('[data-testid=session-view]');
    await view.waitFor();
    await page.fill('[data-testid=message-input]', message);
    await page.click('[data-testid=send]');
    return (await view.getAttribute('data-session-id'))!;
  }

  it('the approval card shows the tool and its input; Approve runs it and its result shows', async () => {
    await carefulSession('Please create approved.txt.');
    const card = page.locator('[data-testid=approval-card][data-kind=permission][data-status=pending]');
    await card.waitFor({ timeout: 90_000 });
    await expect(card.locator('[data-testid=approval-tool]').textContent()).resolves.toBe('Bash');
    await expect(card.locator('[data-testid=approval-input]').textContent()).resolves.toContain('approved.txt');
    await page.locator('[data-testid=pending-count]').waitFor();
    // Nothing ran yet: the command waits for the click.
    expect(await page.locator('[data-testid=file][data-path="approved.txt"]').count()).toBe(0);
    await page.screenshot({ path: join(TEST_OUTPUT_DIR, 'approval-pending.png') });

    await card.locator('[data-testid=approve-button]').click();
    await page.locator('[data-testid=approval-card][data-kind=permission][data-status=resolved] [data-testid=approval-outcome]', { hasText: 'Approved' }).waitFor();
    const tool = page.locator('[data-testid=tool-call][data-tool-name=Bash][data-status=success]');
    await tool.waitFor({ timeout: 60_000 });
    await tool.locator('summary').click();
    await expect(tool.locator('.tool-body').textContent()).resolves.toContain('hello from an approved command');
    await page.locator('[data-testid=assistant-text]', { hasText: 'approved command ran' }).waitFor({ timeout: 60_000 });
    await page.locator('[data-testid=pending-count]').waitFor({ state: 'detached' });
    await page.locator('[data-testid=working]').waitFor({ state: 'detached' });
    await page.screenshot({ path: join(TEST_OUTPUT_DIR, 'approval-approved.png') });
  });

  it('Deny: the command does not run and the agent says so', async () => {
    await carefulSession('Please create approved.txt.');
    const card = page.locator('[data-testid=approval-card][data-kind=permission][data-status=pending]');
    await card.waitFor({ timeout: 90_000 });
    await card.locator('[data-testid=deny-button]').click();
    await page.locator('[data-testid=approval-outcome]', { hasText: 'Denied' }).waitFor();
    await page.locator('[data-testid=assistant-text]', { hasText: 'did not run the command' }).waitFor({ timeout: 60_000 });
    expect(await page.locator('[data-testid=file][data-path="approved.txt"]').count()).toBe(0);
  });

  it('a question card: clicking an option answers it', async () => {
    await carefulSession('Which colour should the banner be?');
    const card = page.locator('[data-testid=approval-card][data-kind=question][data-status=pending]');
    await card.waitFor({ timeout: 90_000 });
    await expect(card.locator('[data-testid=approval-question]').textContent()).resolves.toContain('Which colour should the banner be?');
    await page.screenshot({ path: join(TEST_OUTPUT_DIR, 'question-pending.png') });
    await card.locator('[data-testid=question-option]', { hasText: 'Green' }).click();
    await page.locator('[data-testid=approval-outcome]', { hasText: 'Green' }).waitFor();
    await page.locator('[data-testid=assistant-text]', { hasText: 'noted your choice' }).waitFor({ timeout: 60_000 });
  });
});
