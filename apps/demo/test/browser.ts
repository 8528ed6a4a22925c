import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { startDemoProcess, type DemoProcess } from './demo-process';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Where the browser tests put their screenshots. */
export const TEST_OUTPUT_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'test-output');

/** Headless Debian Chromium with a fresh profile; `close()` also removes the profile. */
export async function launchChromium(): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'demo-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    viewport: { width: 1360, height: 1000 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
    ],
  });
  return {
    context,
    close: async () => {
      await context.close().catch(() => {});
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

export interface DemoInChromium {
  /** The demo server running now (a new one after `startDemoAgain`). */
  readonly demo: DemoProcess;
  readonly dataDir: string;
  readonly page: Page;
  /** After `demo.stop()`: the demo again, on the same port and data dir. */
  startDemoAgain(): Promise<void>;
  /** Closes Chromium, stops the demo, removes the data dir. */
  close(): Promise<void>;
}

/** The demo server on a fresh data dir (`dataDirPrefix`) and headless Chromium with one page. */
export async function startDemoInChromium(dataDirPrefix: string): Promise<DemoInChromium> {
  mkdirSync(TEST_OUTPUT_DIR, { recursive: true });
  const dataDir = mkdtempSync(join(tmpdir(), dataDirPrefix));
  let demo: DemoProcess | undefined;
  let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;
  const close = async () => {
    await browser?.close();
    await demo?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    demo = await startDemoProcess({ dataDir });
    browser = await launchChromium();
    const page = browser.context.pages()[0] ?? (await browser.context.newPage());
    return {
      get demo() {
        return demo!;
      },
      dataDir,
      page,
      async startDemoAgain() {
        demo = await startDemoProcess({ port: demo!.port, dataDir });
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
