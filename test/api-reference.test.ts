import { API_REFERENCE_CSP } from '@tessera/shared/http/api-reference';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueTid } from './support/env.ts';
import { type InProcessPlanes, startInProcessPlanes } from './support/planes.ts';

/** Every `src` and `href` of a page. */
const references = (html: string): string[] => [...html.matchAll(/\b(?:src|href)="([^"]*)"/g)].map((m) => m[1] ?? '');

/** The OpenAPI document a reference page renders (its data attribute). */
const documentOf = (html: string): string => /data-openapi-url="([^"]*)"/.exec(html)?.[1] ?? '';

/**
 * Fetches a reference page and everything it references: each same-origin, 200, with its content
 * type and the page's CSP. Answers the page's HTML.
 */
async function checkPage(pageUrl: string): Promise<string> {
  const res = await fetch(pageUrl);
  expect(res.status, pageUrl).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
  expect(res.headers.get('content-security-policy')).toBe(API_REFERENCE_CSP);
  expect(API_REFERENCE_CSP).toMatch(/^default-src 'self';/);
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  const html = await res.text();
  const refs = references(html);
  expect(refs.length).toBeGreaterThan(3);
  const origin = new URL(pageUrl).origin;
  const assets = refs.filter((ref) => !ref.startsWith('data:') && !ref.endsWith('.html'));
  for (const ref of refs)
    if (!ref.startsWith('data:')) expect(new URL(ref, pageUrl).origin, `${ref} in ${pageUrl}`).toBe(origin);
  const kinds = new Set<string>();
  for (const ref of assets) {
    const asset = await fetch(new URL(ref, pageUrl));
    expect(asset.status, ref).toBe(200);
    const type = asset.headers.get('content-type') ?? '';
    expect(type, ref).toMatch(ref.endsWith('.js') ? /^text\/javascript/ : /^text\/css/);
    kinds.add(type.split(';')[0] ?? '');
    expect(asset.headers.get('content-security-policy'), ref).toBe(API_REFERENCE_CSP);
    expect(asset.headers.get('cache-control'), ref).toContain('max-age=');
    expect((await asset.text()).length, ref).toBeGreaterThan(100);
  }
  // Swagger UI's bundle and stylesheet, and our start-up script and style.
  expect([...kinds].sort()).toEqual(['text/css', 'text/javascript']);
  expect(assets.filter((ref) => ref.endsWith('swagger-ui-bundle.js'))).toHaveLength(1);
  // The document it renders is reachable without a credential, as the page fetches it.
  const document = await fetch(new URL(documentOf(html), pageUrl));
  expect(document.status).toBe(200);
  expect(((await document.json()) as { openapi: string }).openapi).toBe('3.1.0');
  return html;
}

describe('the rendered API references: served by the planes, same-origin assets only, strict CSP', () => {
  let planes: InProcessPlanes;
  let cpUrl: string;
  let issuer: string;

  beforeAll(async () => {
    planes = await startInProcessPlanes({ listen: true });
    cpUrl = await planes.cp.listen({ host: '127.0.0.1', port: 0 });
    const tid = uniqueTid('apiref');
    issuer = `${planes.dataPlaneUrl}/${tid}`;
    await planes.createTenant({ tid, name: tid, issuer });
  });
  afterAll(async () => {
    await planes?.close();
  });

  it('control plane: GET /reference renders /openapi.json, no credential needed for either', async () => {
    const html = await checkPage(`${cpUrl}/reference`);
    expect(documentOf(html)).toBe('/openapi.json');
    // Public now: it names no source file (what test/fuzz-routes.test.ts takes for a leaked stack trace).
    expect(await (await fetch(`${cpUrl}/openapi.json`)).text()).not.toMatch(/\.ts:\d+|node_modules|\/src\//);
    const missing = await fetch(`${cpUrl}/reference/assets/index.html`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: string }).error).toBe('not_found');
    // The API it describes still needs the operator's credential.
    expect((await fetch(`${cpUrl}/tenants/rest/v1`)).status).toBe(401);
  });

  it('data plane: {issuer}/openapi/{api}.html renders the document, with links to the tenant’s other APIs', async () => {
    const html = await checkPage(`${issuer}/openapi/directory.html`);
    expect(documentOf(html)).toBe('directory.json');
    const links = references(html).filter((ref) => ref.endsWith('.html'));
    expect(links).toEqual(expect.arrayContaining(['directory.html', 'key-store.html', 'client-registration.html']));
    for (const link of links) expect((await fetch(new URL(link, `${issuer}/openapi/`))).status, link).toBe(200);
    expect(html).toContain('<a href="directory.html" aria-current="page">');
    expect((await fetch(`${issuer}/openapi/nothing.html`)).status).toBe(404);
    expect((await fetch(`${issuer}/openapi/assets/package.json`)).status).toBe(404);
    // An unknown tenant has no reference.
    expect(
      (await fetch(`${planes.dataPlaneUrl}/${uniqueTid('none')}/openapi/directory.html`)).status,
    ).toBeGreaterThanOrEqual(400);
  });
});
