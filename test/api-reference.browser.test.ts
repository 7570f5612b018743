import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Chromium, launchChromium } from './support/chromium.ts';
import { uniqueTid } from './support/env.ts';
import { type InProcessPlanes, startInProcessPlanes } from './support/planes.ts';

/** Collects the page's CSP violations (an init script runs before the page's own, outside its CSP). */
const WATCH_CSP = `window.cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => window.cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));`;
const cspViolations = (page: Page) => page.evaluate('window.cspViolations') as Promise<string[]>;

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost']);

describe('the rendered API references in Chromium', () => {
  let planes: InProcessPlanes;
  let chromium: Chromium;
  let cpUrl: string;
  let issuer: string;
  const requests: string[] = [];

  beforeAll(async () => {
    planes = await startInProcessPlanes({ listen: true });
    cpUrl = await planes.cp.listen({ host: '127.0.0.1', port: 0 });
    const tid = uniqueTid('apirefui');
    issuer = `${planes.dataPlaneUrl}/${tid}`;
    await planes.createTenant({ tid, name: tid, issuer });
    chromium = await launchChromium();
    chromium.browser.on('request', (request) => requests.push(request.url()));
    await chromium.browser.addInitScript({ content: WATCH_CSP });
  });
  afterAll(async () => {
    await chromium?.close();
    await planes?.close();
  });

  /** Every request the browser made stayed on this machine (data: URLs never leave it). */
  const expectOnlyLocalRequests = () => {
    expect(requests.length).toBeGreaterThan(3);
    const away = requests.filter((url) => !url.startsWith('data:') && !LOCAL_HOSTS.has(new URL(url).hostname));
    expect(away).toEqual([]);
  };

  it('the control plane reference renders its operations, with no request leaving the machine and no CSP violation', async () => {
    const { page } = chromium;
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${cpUrl}/reference`);
    // An operation's summary, from /openapi.json, rendered by Swagger UI.
    await page.getByText('Validate a tenant configuration').first().waitFor({ state: 'visible', timeout: 15_000 });
    await page.getByText('Read a tenant', { exact: true }).first().waitFor({ state: 'visible', timeout: 5_000 });
    expect(await page.locator('.info .title').first().textContent({ timeout: 5_000 })).toContain(
      'Tessera control plane',
    );
    expect(await cspViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    expect(requests).toContain(`${cpUrl}/openapi.json`);
    expectOnlyLocalRequests();
  });

  it('a tenant’s data-plane reference renders its API, and links to the others', async () => {
    const { page } = chromium;
    await page.goto(`${issuer}/openapi/directory.html`);
    const title = page.locator('.info .title').first();
    await title.waitFor({ state: 'visible', timeout: 15_000 });
    expect(await title.textContent()).toContain('Tessera directory API');
    // Its operations, by the summaries generated from the route names.
    await page.getByText('Directory: create', { exact: true }).first().waitFor({ state: 'visible', timeout: 5_000 });
    await page.getByRole('link', { name: 'key-store', exact: true }).click();
    await page.waitForURL(`${issuer}/openapi/key-store.html`, { timeout: 5_000 });
    await page.getByText('Tessera key-store API').first().waitFor({ state: 'visible', timeout: 15_000 });
    expect(await cspViolations(page)).toEqual([]);
    expectOnlyLocalRequests();
  });
});
