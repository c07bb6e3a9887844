import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/*
 * Headless Chromium for the dashboard test: Debian's `chromium` package (scripts/ensure-deps.sh
 * installs it) driven by playwright-core, which never downloads a browser of its own. Each launch
 * gets a fresh profile in a temporary folder, deleted on close.
 */

/** Where the browser is; CHROMIUM_PATH overrides, e.g. for a Chrome installed elsewhere. */
export const CHROMIUM_PATH = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  // Tests run as root in containers, where Chromium's sandbox cannot start.
  '--no-sandbox',
  '--disable-gpu',
  // No update checks, field trials, sync or first-run UI: nothing but the page under test.
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export interface HeadlessBrowser {
  page: Page;
  close(): Promise<void>;
}

/** Fails with what to install when there is no browser at CHROMIUM_PATH. */
export function requireChromium(): void {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `headless Chromium is needed at ${CHROMIUM_PATH}: run \`bash scripts/ensure-deps.sh\` as root, or ` +
        '`apt-get install -y --no-install-recommends chromium` (Debian/Ubuntu), or set CHROMIUM_PATH',
    );
  }
}

export async function launchHeadlessChromium(viewport = { width: 1440, height: 1000 }): Promise<HeadlessBrowser> {
  requireChromium();
  const userDataDir = await mkdtemp(path.join(tmpdir(), 'chat-e2e-chromium-'));
  let context: BrowserContext;
  try {
    // A persistent context is how playwright takes an explicit user-data-dir (a fresh one here).
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport,
      timeout: 60_000,
    });
  } catch (error) {
    await rm(userDataDir, { recursive: true, force: true });
    throw error;
  }
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    page,
    async close() {
      await context.close();
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}
