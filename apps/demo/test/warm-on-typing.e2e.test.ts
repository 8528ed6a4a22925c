import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_PATH, startDemoInChromium, type DemoInChromium } from './browser';

/**
 * Typing in the message box warms the session: the page sends one `session:warm` (seen in the
 * socket frames it sends), the demo server's `GET /demo/agent-processes` then lists a Claude Code
 * process for the session before any message went out, and the message runs in that process
 * (same `processId`, its first turn). Real Claude Code, offline demo model.
 */

interface AgentProcess {
  architecture: string;
  sessionId: string;
  processId: number;
  turns: number;
  ready: boolean;
}

describe.skipIf(!existsSync(CHROMIUM_PATH))('demo UI: warm-up on typing', () => {
  let ui: DemoInChromium;

  beforeAll(async () => {
    ui = await startDemoInChromium('demo-warm-');
  });

  afterAll(async () => {
    await ui?.close();
  });

  async function processesOf(sessionId: string): Promise<AgentProcess[]> {
    const response = await fetch(`${ui.demo.url}/demo/agent-processes`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { processes: AgentProcess[] };
    return body.processes.filter((process) => process.sessionId === sessionId);
  }

  it('Claude Code: the first keystroke sends one session:warm, and the message runs in the warmed process', async () => {
    const page = ui.page;
    const warmFrames: unknown[][] = [];
    page.on('websocket', (socket) =>
      socket.on('framesent', ({ payload }) => {
        if (typeof payload !== 'string') return;
        const frame = JSON.parse(payload) as { event?: string; args?: unknown[] };
        if (frame.event === 'session:warm') warmFrames.push(frame.args ?? []);
      }),
    );
    await page.goto(ui.demo.url);
    await page.locator('[data-testid=connection][data-state=open]').waitFor();
    await page.selectOption('[data-testid=profile-select]', 'code-assistant');
    await page.selectOption('[data-testid=architecture-select]', { label: 'Claude Code' });
    await page.click('[data-testid=create-session]');
    const view = page.locator('[data-testid=session-view]');
    await view.waitFor();
    const sessionId = (await view.getAttribute('data-session-id'))!;
    expect(sessionId).toBeTruthy();
    // Created, not warmed: the sandbox may be starting, but no agent runs yet.
    expect(await processesOf(sessionId)).toEqual([]);
    expect(warmFrames).toEqual([]);

    // Key by key, as a user types: one input event per character, one warm signal in all.
    await page.locator('[data-testid=message-input]').pressSequentially('Write me a FizzBuzz script, please.');
    await expect.poll(async () => (await processesOf(sessionId)).map((process) => process.ready), { timeout: 60_000 }).toEqual([true]);
    const [warmed] = await processesOf(sessionId);
    expect(warmed).toMatchObject({ architecture: 'claude-agent-sdk', turns: 0 });
    expect(warmFrames).toEqual([[sessionId]]);

    await page.click('[data-testid=send]');
    await page.locator('[data-testid=assistant-text]', { hasText: 'safe to import' }).waitFor({ timeout: 90_000 });
    await page.locator('[data-testid=working]').waitFor({ state: 'detached' });
    // The turn ran in the process the warm-up started: not a cold start.
    await expect.poll(async () => (await processesOf(sessionId)).map((process) => [process.processId, process.turns])).toEqual([[warmed!.processId, 1]]);
    expect(warmFrames).toHaveLength(1);
  });
});
