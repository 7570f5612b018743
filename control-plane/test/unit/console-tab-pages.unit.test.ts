import type { FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import type { ApiAnswer, PageContext } from '../../src/console/web/page-context.ts';
import { pager } from '../../src/console/web/pages/tab-parts.ts';
import { rotateKeys } from '../../src/console/web/pages/tenant-keys.ts';

/** A page context whose API answers from `answers` (by "METHOD path") and records every call. */
function fakeContext(role: string, answers: Record<string, ApiAnswer<unknown>>) {
  const calls: string[] = [];
  const ctx: PageContext = {
    viewer: { name: 'Tester', role, tid: null, csrf: 'csrf' },
    api: (async (method: string, url: string) => {
      const key = `${method} ${url}`;
      calls.push(key);
      return answers[key] ?? { status: 404, body: { error: 'not_found', error_description: key } };
    }) as PageContext['api'],
  };
  return { ctx, calls };
}
const request = (tid: string) => ({ params: { tid }, query: {}, body: { _csrf: 'csrf' } }) as unknown as FastifyRequest;

describe('console tab paging links', () => {
  it('shows nothing on a single page, "Next page" with the filters kept, and "First page" past the first', () => {
    expect(pager('/p', { q: 'x' }, 'after', undefined, undefined).value).toBe('');
    const first = pager('/p', { username: 'a b', empty: '' }, 'after', undefined, 'c&1').value;
    expect(first).toContain('href="/p?username=a+b&amp;after=c%261"');
    expect(first).not.toContain('First page');
    const later = pager('/p', {}, 'cursor', 'c1', undefined).value;
    expect(later).toContain('<a href="/p">First page</a>');
    expect(later).not.toContain('Next page');
  });
});

describe('console key rotation', () => {
  it('revokes the temporary API token when the data plane cannot be reached, and says why (502)', async () => {
    const { ctx, calls } = fakeContext('owner', {
      'GET /tenants/rest/v1/acme': { status: 200, body: { issuer: 'http://127.0.0.1:1/acme' } },
      'POST /tenants/rest/v1/acme/api-tokens': { status: 201, body: { id: 'tok-1', api_token: 'secret' } },
      'DELETE /tenants/rest/v1/acme/api-tokens/tok-1': { status: 204, body: {} },
    });
    const result = await rotateKeys.handle(ctx, request('acme'));
    expect(calls).toEqual([
      'GET /tenants/rest/v1/acme',
      'POST /tenants/rest/v1/acme/api-tokens',
      'DELETE /tenants/rest/v1/acme/api-tokens/tok-1',
    ]);
    expect(result).toMatchObject({ status: 502 });
    expect(String((result as { body: unknown }).body)).toContain('data_plane_unreachable');
  });

  it("shows the API's refusal to mint the token (a viewer) and calls nothing else", async () => {
    const { ctx, calls } = fakeContext('viewer', {
      'GET /tenants/rest/v1/acme': { status: 200, body: { issuer: 'http://127.0.0.1:1/acme' } },
      'POST /tenants/rest/v1/acme/api-tokens': {
        status: 403,
        body: { error: 'forbidden', error_description: 'A console viewer may read but not change anything' },
      },
    });
    const result = await rotateKeys.handle(ctx, request('acme'));
    expect(calls).toEqual(['GET /tenants/rest/v1/acme', 'POST /tenants/rest/v1/acme/api-tokens']);
    expect(result).toMatchObject({ status: 403 });
    expect(String((result as { body: unknown }).body)).toContain('A console viewer may read but not change anything');
  });

  it('says so when the temporary token could not be revoked', async () => {
    const { ctx } = fakeContext('owner', {
      'GET /tenants/rest/v1/acme': { status: 200, body: { issuer: 'http://127.0.0.1:1/acme' } },
      'POST /tenants/rest/v1/acme/api-tokens': { status: 201, body: { id: 'tok-2', api_token: 'secret' } },
      'DELETE /tenants/rest/v1/acme/api-tokens/tok-2': { status: 500, body: {} },
    });
    const result = await rotateKeys.handle(ctx, request('acme'));
    expect(String((result as { body: unknown }).body)).toContain('tok-2 could not be revoked');
  });
});
