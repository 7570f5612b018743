import { randomBytes } from 'node:crypto';
import { PostgresUserDirectory } from '@tessera/data-plane/directory/user-directory';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations } from './support/axe.ts';
import { type Chromium, launchChromium } from './support/chromium.ts';
import { addClient } from './support/clients.ts';
import { type ConsolePlanes, startConsolePlanes } from './support/console-http.ts';
import { uniqueTid } from './support/env.ts';

/**
 * The console's tenant tabs in Chromium, as the owner (every form shown)
 * and as a viewer: each is axe-core clean, with one h1 and every table
 * captioned. The session is the one an HTTP sign-in got
 * (test/support/console-http.ts), handed to the browser as its cookie.
 */
describe('admin console tenant tabs are accessible', () => {
  let c: ConsolePlanes;
  let tid: string;
  const password = randomBytes(12).toString('base64url');
  const TABS = ['keys', 'clients', 'users', 'usage', 'audit', 'events'];

  beforeAll(async () => {
    c = await startConsolePlanes(password);
    tid = uniqueTid('a11y');
    await c.planes.createTenant({
      tid,
      name: 'Accessible tenant',
      issuer: `${c.planes.dataPlaneUrl}/${tid}`,
      config: { events: { endpoints: [{ url: 'https://hooks.example/tessera', types: ['key.rotated'] }] } },
    });
    await addClient(c.planes.s, tid, {
      client_name: 'A client',
      redirect_uris: ['https://app.example/cb'],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    });
    await new PostgresUserDirectory(c.planes.s.db).create(tid, {
      username: 'grace',
      sub: 'sub-grace',
      password,
      claims: { name: 'Grace Hopper' },
    });
  }, 120_000);

  afterAll(async () => {
    await c?.planes.close();
  });

  for (const who of ['owner', 'viewer'] as const)
    it(`every tab, as the ${who}`, async () => {
      const session = await c.signIn(who);
      const chrome: Chromium = await launchChromium();
      try {
        await chrome.browser.addCookies(
          [...session.jar].map(([name, value]) => ({ name, value, url: `${c.consoleUrl}/console` })),
        );
        const { page } = chrome;
        await page.setViewportSize({ width: 1280, height: 860 });
        for (const slug of TABS) {
          const res = await page.goto(`${c.consoleUrl}/console/tenants/${tid}/${slug}`);
          expect(res?.status(), slug).toBe(200);
          expect(await page.getByRole('heading', { level: 1 }).count(), slug).toBe(1);
          expect(await page.locator('nav.tabs [aria-current="page"]').getAttribute('href'), slug).toBe(
            `/console/tenants/${tid}/${slug}`,
          );
          expect(await page.locator('table:not(:has(caption))').count(), slug).toBe(0);
          expect(await axeViolations(page), `${slug} as the ${who}`).toEqual([]);
        }
      } finally {
        await chrome.close();
      }
    }, 120_000);
});
