import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';

/** Debian's Chromium; prepare.sh installs it as root. */
const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
/** The launch flags of the machine notes: no background connections the closed network would refuse. */
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Chromium {
  browser: BrowserContext;
  /** The first tab. */
  page: Page;
  /** Closes the browser and removes its profile. */
  close(): Promise<void>;
}

/** Headless Chromium (playwright-core) with a fresh profile of its own, so tests share no cookies. */
export async function launchChromium(): Promise<Chromium> {
  expect(existsSync(CHROMIUM), `${CHROMIUM} (Debian chromium; prepare.sh installs it as root)`).toBe(true);
  const profile = mkdtempSync(join(tmpdir(), 'tessera-chromium-'));
  const removeProfile = () => rmSync(profile, { recursive: true, force: true });
  let browser: BrowserContext;
  try {
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: FLAGS,
      viewport: { width: 640, height: 720 },
    });
  } catch (err) {
    removeProfile();
    throw err;
  }
  const page = browser.pages()[0] ?? (await browser.newPage());
  return {
    browser,
    page,
    close: async () => {
      await browser.close();
      removeProfile();
    },
  };
}

/** Fills the hosted login page's form and submits it (what comes next, consent or the callback, is the test's). */
export async function submitLogin(page: Page, username: string, password: string): Promise<void> {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/**
 * What a test SPA page shows once it is done: its `#result` (JSON), after
 * failing the test with the page's `#error` if it showed one instead.
 */
export async function shownResult(page: Page): Promise<unknown> {
  await expect.poll(() => page.locator('#result, #error').allTextContents(), { timeout: 15_000 }).not.toEqual(['', '']);
  expect(await page.locator('#error').textContent()).toBe('');
  return JSON.parse((await page.locator('#result').textContent())!);
}
