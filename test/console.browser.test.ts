import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations } from './support/axe.ts';
import { type Chromium, launchChromium, submitLogin } from './support/chromium.ts';
import { type ConsolePlanes, startConsolePlanes } from './support/console-http.ts';
import { uniqueTid } from './support/env.ts';
import { hostedSignIn } from './support/hosted-sign-in.ts';
import type { InProcessPlanes } from './support/planes.ts';

const ROOT = join(import.meta.dirname, '..');
const SHOTS = join(ROOT, '.cache', 'screenshots', 'console');

/** The text of the first match, polled until the expectation holds (Playwright's own expect is not vitest's). */
const textOf = (locator: Locator, timeout = 20_000) =>
  expect.poll(
    () =>
      locator
        .first()
        .textContent({ timeout: 1000 })
        .catch(() => ''),
    { timeout },
  );
const visible = (locator: Locator) => locator.first().waitFor({ state: 'visible', timeout: 20_000 });

/**
 * The admin console in Debian's Chromium: operators sign in through the
 * operator tenant's own hosted login (code + PKCE at Tessera itself); the
 * owner creates a tenant, adds an alias, suspends and resumes it; a viewer
 * can change nothing (the control plane answers 403 to its token, called
 * directly); a tenant administrator sees only its tenant. Every main page is
 * axe-core clean. `SAVE_SCREENSHOTS=1` copies the screenshots to docs/console/.
 */
describe('admin console in Chromium, signed in through Tessera itself', () => {
  let planes: InProcessPlanes;
  let consoleUrl: string;
  let opTid: string;
  let client: { clientId: string; secret: string };
  let audience: string;
  let owned: string;
  let people: ConsolePlanes['people'];
  const password = randomBytes(12).toString('base64url');
  const cp = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, token: string, payload?: unknown) =>
    planes.cp.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}` },
      ...(payload !== undefined ? { payload: payload as object } : {}),
    });

  beforeAll(async () => {
    // The operator tenant, the console client, the control plane as its API, and the people.
    ({ planes, consoleUrl, opTid, client, audience, owned, people } = await startConsolePlanes(password));
    mkdirSync(SHOTS, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await planes?.close();
  });

  /** A fresh browser, signed in to the console as `username` through the operator tenant's login (and consent, the first time). */
  async function signedIn(username: keyof typeof people): Promise<Chromium> {
    const chrome = await launchChromium();
    const { page } = chrome;
    await page.setViewportSize({ width: 1280, height: 860 });
    await page.goto(`${consoleUrl}/console`);
    // Redirected to Tessera's own hosted login of the operator tenant.
    await expect.poll(() => page.url()).toContain(`${planes.dataPlaneUrl}/${opTid}/login`);
    if (username === 'owner') await page.screenshot({ path: join(SHOTS, 'sign-in.png') });
    await submitLogin(page, username, password);
    await page.getByRole('button', { name: 'Allow' }).click();
    await expect.poll(() => page.url()).toMatch(new RegExp(`^${consoleUrl}/console/`));
    return chrome;
  }

  it('the owner signs in at the operator tenant, creates a tenant, adds an alias, suspends and resumes it', async () => {
    const chrome = await signedIn('owner');
    const { page } = chrome;
    try {
      await visible(page.getByRole('heading', { level: 1, name: 'Tenants' }));
      await textOf(page.locator('header .role')).toEqual('owner');
      await textOf(page.locator('header .who span').first()).toEqual('Olivia Owner');
      await visible(page.getByRole('link', { name: owned }));
      expect(await axeViolations(page)).toEqual([]);
      await page.screenshot({ path: join(SHOTS, 'tenants.png') });

      // Create: the config editor is checked live by the config check, and a bad config keeps everything typed.
      const tid = uniqueTid('made');
      await page.getByRole('link', { name: 'New tenant' }).click();
      await page.getByLabel('Tenant id').fill(tid);
      await page.getByLabel('Name', { exact: true }).fill('Made in the console');
      await page.getByLabel('Issuer URL').fill(`${planes.dataPlaneUrl}/${tid}`);
      await page.getByLabel('Configuration (JSON)').fill('{ "tokens": { "accessTokenLifetime": 0 } }');
      await textOf(page.locator('#config-problems')).toContain('$.tokens.accessTokenLifetime');
      expect(await axeViolations(page)).toEqual([]);
      await page.screenshot({ path: join(SHOTS, 'new-tenant.png') });
      await page.getByRole('button', { name: 'Create tenant' }).click();
      await textOf(page.getByRole('alert')).toContain('400');
      expect(await page.getByLabel('Tenant id').inputValue()).toBe(tid);
      await page.getByLabel('Configuration (JSON)').fill('{ "tokens": { "accessTokenLifetime": 900 } }');
      await textOf(page.locator('#config-problems')).toContain('The configuration is valid.');
      await page.getByRole('button', { name: 'Create tenant' }).click();
      await textOf(page.getByRole('heading', { level: 1 }), 45_000).toContain(`Tenant ${tid} created`);
      await textOf(page.locator('.secret')).toMatch(/\S{20,}/);
      await page.getByRole('link', { name: 'Open the tenant' }).click();
      await textOf(page.locator('h1 .status')).toEqual('active');
      expect(await axeViolations(page)).toEqual([]);
      await page.screenshot({ path: join(SHOTS, 'tenant.png') });

      // Alias.
      const alias = `${planes.dataPlaneUrl}/${tid}-old`;
      await page.getByRole('link', { name: 'Issuers & migrations' }).click();
      await page.getByLabel('Alias issuer URL').fill(alias);
      await page.getByRole('button', { name: 'Add alias' }).click();
      await textOf(page.getByRole('status')).toContain(`Alias ${alias} added.`);
      await visible(page.getByRole('cell', { name: alias }));
      expect(await axeViolations(page)).toEqual([]);
      await page.screenshot({ path: join(SHOTS, 'issuers.png') });
      const viaApi = await cp('GET', `/tenants/rest/v1/${tid}`, planes.s.operatorKey);
      expect(viaApi.json().aliases).toEqual([{ issuer: alias, mode: 'MIGRATION' }]);

      // An issuer migration, followed live on its page, then cancelled: the old issuer is primary again.
      const newIssuer = `${planes.dataPlaneUrl}/${tid}-new`;
      await page.getByLabel('New issuer URL').fill(newIssuer);
      await page.getByLabel('Window (seconds)').fill('3600');
      await page.getByRole('button', { name: 'Start migration' }).click();
      await textOf(page.getByRole('heading', { level: 2, name: 'Issuer migration' })).toEqual('Issuer migration');
      // console.js refreshes the live region until the window is open.
      await textOf(page.locator('#live dd strong'), 30_000).toEqual('window');
      await textOf(page.locator('#live')).toContain(newIssuer);
      await textOf(page.locator('#live')).toContain('Requests to the old URL');
      expect(await axeViolations(page)).toEqual([]);
      await page.screenshot({ path: join(SHOTS, 'migration.png') });
      await page.getByRole('button', { name: 'Cancel migration' }).click();
      await textOf(page.locator('#live dd strong'), 30_000).toEqual('cancelled');
      expect((await cp('GET', `/tenants/rest/v1/${tid}`, planes.s.operatorKey)).json().issuer).toBe(
        `${planes.dataPlaneUrl}/${tid}`,
      );

      // Suspend, with confirmation; then resume.
      await page.getByRole('link', { name: 'Overview' }).click();
      await page.getByRole('link', { name: 'Suspend…' }).click();
      await textOf(page.getByRole('heading', { level: 1 })).toContain(`Suspend tenant ${tid}?`);
      expect(await axeViolations(page)).toEqual([]);
      await page.screenshot({ path: join(SHOTS, 'confirm-suspend.png') });
      await page.getByRole('button', { name: `Suspend ${tid}` }).click();
      await textOf(page.locator('h1 .status')).toEqual('suspended');
      expect((await cp('GET', `/tenants/rest/v1/${tid}`, planes.s.operatorKey)).json().status).toBe('suspended');
      await page.getByRole('link', { name: 'Resume…' }).click();
      await page.getByRole('button', { name: `Resume ${tid}` }).click();
      await textOf(page.locator('h1 .status')).toEqual('active');
      expect((await cp('GET', `/tenants/rest/v1/${tid}`, planes.s.operatorKey)).json().status).toBe('active');

      // The other tabs, for the operator guide (their content and axe checks: console-pages*.test.ts).
      for (const [tab, file] of [
        ['Keys', 'keys.png'],
        ['Usage & plan', 'usage.png'],
        ['Audit log', 'audit.png'],
      ] as const) {
        await page.getByRole('link', { name: tab, exact: true }).click();
        await textOf(page.locator('nav.tabs [aria-current="page"]')).toEqual(tab);
        await page.screenshot({ path: join(SHOTS, file), fullPage: false });
      }

      // The audit log names the console member who acted.
      const audit = await cp('GET', `/tenants/rest/v1/${tid}/audit`, planes.s.operatorKey);
      const actors = (audit.json() as { records: Array<{ action: string; actor: string }> }).records
        .filter((r) => r.action.startsWith('tenant.'))
        .map((r) => r.actor);
      expect(actors).toContain(`console:${people.owner.sub}`);

      // Signing out ends the console session and the operator tenant's session (RP-initiated logout).
      await page.getByRole('button', { name: 'Sign out' }).click();
      await expect.poll(() => page.url()).toContain(`${planes.dataPlaneUrl}/${opTid}/logout`);
      await page.getByRole('button', { name: 'Sign out of all applications' }).click();
      await expect.poll(() => page.url()).toBe(`${consoleUrl}/console/signed-out`);
      await page.goto(`${consoleUrl}/console/tenants`);
      await expect.poll(() => page.url()).toContain(`${planes.dataPlaneUrl}/${opTid}/login`);
    } finally {
      if (process.env.SAVE_SCREENSHOTS === '1') {
        mkdirSync(join(ROOT, 'docs', 'console'), { recursive: true });
        for (const f of [
          'sign-in.png',
          'tenants.png',
          'new-tenant.png',
          'tenant.png',
          'issuers.png',
          'migration.png',
          'confirm-suspend.png',
          'keys.png',
          'usage.png',
          'audit.png',
        ])
          copyFileSync(join(SHOTS, f), join(ROOT, 'docs', 'console', f));
      }
      await chrome.close();
    }
  }, 180_000);

  it('a viewer sees everything and changes nothing: the control plane refuses its token, in the console and directly', async () => {
    // Directly: the viewer's own access token from the operator tenant, for the console's audience.
    const flow = await hostedSignIn(planes.dp.app, {
      tid: opTid,
      client,
      redirectUri: `${consoleUrl}/console/callback`,
      scope: 'openid profile',
      username: 'viewer',
      password,
      params: { resource: audience, nonce: 'n' },
    });
    expect(flow.tokens?.statusCode, flow.tokens?.body).toBe(200);
    const token = (flow.tokens!.json() as { access_token: string }).access_token;
    expect((await cp('GET', '/console/rest/v1/me', token)).json()).toMatchObject({ kind: 'console', role: 'viewer' });
    expect((await cp('GET', '/tenants/rest/v1', token)).statusCode).toBe(200);
    expect((await cp('GET', `/tenants/rest/v1/${owned}`, token)).statusCode).toBe(200);
    const refused = await cp('POST', `/tenants/rest/v1/${owned}/suspend`, token);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error_description).toBe('A console viewer may read but not change anything');
    expect(
      (await cp('POST', `/tenants/rest/v1/${owned}/aliases`, token, { issuer: `${planes.dataPlaneUrl}/${owned}-x` }))
        .statusCode,
    ).toBe(403);
    expect(
      (
        await cp('POST', '/tenants/rest/v1', token, {
          tid: uniqueTid('nope'),
          name: 'x',
          issuer: `${planes.dataPlaneUrl}/nope`,
        })
      ).statusCode,
    ).toBe(403);
    // The config check changes nothing: a viewer may run it.
    expect((await cp('POST', '/config/check', token, {})).statusCode).toBe(204);

    const chrome = await signedIn('viewer');
    const { page } = chrome;
    try {
      await textOf(page.locator('header .role')).toEqual('viewer');
      expect(await page.getByRole('link', { name: 'New tenant' }).count()).toBe(0);
      await page.getByRole('link', { name: owned }).click();
      expect(await page.getByRole('link', { name: 'Suspend…' }).count()).toBe(0);
      // Even when the form is reached anyway, the control plane decides, not the page.
      await page.goto(`${consoleUrl}/console/tenants/${owned}/confirm/suspend`);
      await page.getByRole('button', { name: `Suspend ${owned}` }).click();
      await textOf(page.getByRole('alert')).toContain('403 forbidden');
      await textOf(page.getByRole('alert')).toContain('A console viewer may read but not change anything');
      expect((await cp('GET', `/tenants/rest/v1/${owned}`, planes.s.operatorKey)).json().status).toBe('active');
    } finally {
      await chrome.close();
    }
  }, 120_000);

  it("the operator tenant is the console owners' alone: an admin may change other tenants, not it", async () => {
    const minted = await cp('POST', '/admin-tokens/rest/v1', planes.s.operatorKey, { expires_in: 300 });
    const admin = (minted.json() as { access_token: string }).access_token;
    // Minting an API token there would let it set an owner's password in the operator tenant's directory.
    const refused = await cp('POST', `/tenants/rest/v1/${opTid}/api-tokens`, admin, { label: 'escalate' });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error_description).toContain('manage the console');
    expect((await cp('POST', `/tenants/rest/v1/${opTid}/suspend`, admin)).statusCode).toBe(403);
    expect((await cp('GET', `/tenants/rest/v1/${opTid}`, admin)).statusCode).toBe(200);
    const elsewhere = await cp('POST', `/tenants/rest/v1/${owned}/api-tokens`, admin, { label: 'fine' });
    expect(elsewhere.statusCode, elsewhere.body).toBe(201);
    const id = (elsewhere.json() as { id: string }).id;
    expect((await cp('DELETE', `/tenants/rest/v1/${owned}/api-tokens/${id}`, admin)).statusCode).toBe(204);
    // The owner may.
    const byOwner = await cp('POST', `/tenants/rest/v1/${opTid}/api-tokens`, planes.s.operatorKey, { label: 'owner' });
    expect(byOwner.statusCode, byOwner.body).toBe(201);
    await cp(
      'DELETE',
      `/tenants/rest/v1/${opTid}/api-tokens/${(byOwner.json() as { id: string }).id}`,
      planes.s.operatorKey,
    );
  });

  it('a tenant administrator sees only its tenant; a signed-in stranger gets no console', async () => {
    const chrome = await signedIn('tadmin');
    const { page } = chrome;
    try {
      await textOf(page.locator('header .role')).toEqual(`tenant-admin of ${owned}`);
      const rows = page.locator('tbody tr');
      expect(await rows.count()).toBe(1);
      await textOf(rows.first()).toContain(owned);
      await page.goto(`${consoleUrl}/console/tenants/${opTid}`);
      await textOf(page.getByRole('alert')).toContain('403 forbidden');
    } finally {
      await chrome.close();
    }
    const stranger = await launchChromium();
    try {
      const { page: p } = stranger;
      await p.goto(`${consoleUrl}/console`);
      await submitLogin(p, 'stranger', password);
      await p.getByRole('button', { name: 'Allow' }).click();
      await textOf(p.getByRole('heading', { level: 1 })).toEqual('No access to the console');
    } finally {
      await stranger.close();
    }
  }, 120_000);
});
