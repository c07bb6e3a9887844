import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { e2e } from './environment';
import { CHROMIUM_ARGS, CHROMIUM_PATH, requireChromium } from './observability-browser';

/*
 * The web client's users in Debian's Chromium (the dashboard test's browser and flags, no browser
 * download): one browser, a separate context per user, so each has its own storage and session as
 * on separate machines. Screenshots go to test-artifacts/web/<step>.png (gitignored).
 */

export const WEB_ARTIFACTS_DIR = path.join(e2e.workspaceRoot, 'test-artifacts', 'web');

export async function launchChromium(): Promise<Browser> {
  requireChromium();
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
}

export interface WebUser {
  username: string;
  password: string;
  context: BrowserContext;
  page: Page;
}

/** A new context (its own storage) on the web client's URL; `viewport` e.g. a phone's for the narrow layout. */
export async function openWebClient(browser: Browser, url: string, viewport = { width: 1280, height: 860 }): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  // Surface the app's own errors in the test output.
  page.on('pageerror', (error) => process.stderr.write(`[browser ${url}] ${error.message}\n`));
  await page.goto(url);
  return { context, page };
}

/** Saves a screenshot of the page as test-artifacts/web/<step>.png. */
export async function screenshot(page: Page, step: string): Promise<void> {
  await mkdir(WEB_ARTIFACTS_DIR, { recursive: true });
  await page.screenshot({ path: path.join(WEB_ARTIFACTS_DIR, `${step}.png`) });
}
