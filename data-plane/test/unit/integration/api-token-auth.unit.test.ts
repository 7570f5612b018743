import { sha256Hex } from '@tessera/shared/http/api-token';
import { HttpError } from '@tessera/shared/http/errors';
import { describe, expect, it } from 'vitest';
import { Exchange } from '../../../src/core/exchange.ts';
import { registrationEndpoint } from '../../../src/endpoints/registration.ts';
import { requireApiToken } from '../../../src/integration/api-token-auth.ts';
import { ManualClock } from '../../../src/ports/clock.ts';
import { MemoryApiTokenHashes } from '../../../src/ports/memory/memory-api-token-hashes.ts';
import type { TenantContext } from '../../../src/tenancy/tenant-context.ts';
import { answerBody, coreRequest, runRoute } from '../support/core-request.ts';
import { memoryPlane } from '../support/memory-plane.ts';

/**
 * Admission of the integration APIs (integration/api-token-auth.ts): the
 * tenant context's token hashes first; a token it does not hold is checked
 * against the tokens as they are now (a token minted since the context was
 * loaded) before it is refused.
 */
const known = 'known-token-known-token-known-token-known-0';
const minted = 'minted-token-minted-token-minted-token-min';

function setUp() {
  const apiTokens = new MemoryApiTokenHashes();
  const admit = requireApiToken({ apiTokens, oauth: { clock: new ManualClock(0) } } as never);
  const tenant = (tid: string) =>
    ({
      tenant: { tid, issuer: `https://as.example/${tid}` },
      apiTokenHashes: [sha256Hex(known)],
    }) as unknown as TenantContext;
  const run = async (tid: string, authorization?: string) => {
    const request = coreRequest(tenant(tid), { path: '/x', headers: authorization ? { authorization } : {} });
    return admit.run(new Exchange(request, { name: 'x', path: '/x', tenant: true }));
  };
  const refusal = (promise: Promise<unknown>) =>
    promise.then(
      () => undefined,
      (err: unknown) => (err instanceof HttpError ? { status: err.statusCode, code: err.code } : err),
    );
  return { apiTokens, run, refusal };
}

describe('requireApiToken', () => {
  it("admits a token the tenant's context holds without reading anything", async () => {
    const { apiTokens, run } = setUp();
    expect(await run('a', `Bearer ${known}`)).toBeUndefined();
    expect(apiTokens.reads).toBe(0);
  });

  it('admits a token minted after the context was loaded, once the tokens as they are now hold it', async () => {
    const { apiTokens, run, refusal } = setUp();
    expect(await refusal(run('a', `Bearer ${minted}`))).toEqual({ status: 401, code: 'invalid_token' });
    apiTokens.add('a', sha256Hex(minted));
    expect(await run('a', `Bearer ${minted}`)).toBeUndefined();
    expect(apiTokens.reads).toBe(2);
  });

  it('refuses a token it cannot confirm when the read fails (401, not a server error)', async () => {
    const { apiTokens, run, refusal } = setUp();
    apiTokens.current = async () => {
      throw new Error('database unavailable');
    };
    expect(await refusal(run('a', `Bearer ${minted}`))).toEqual({ status: 401, code: 'invalid_token' });
    expect(await run('a', `Bearer ${known}`)).toBeUndefined();
  });

  it("refuses another tenant's token, and a request without one", async () => {
    const { apiTokens, run, refusal } = setUp();
    apiTokens.add('b', sha256Hex(minted));
    expect(await refusal(run('a', `Bearer ${minted}`))).toEqual({ status: 401, code: 'invalid_token' });
    expect(await refusal(run('a'))).toEqual({ status: 401, code: 'missing_token' });
    expect(await refusal(run('a', 'Basic Zm9vOmJhcg=='))).toEqual({ status: 401, code: 'missing_token' });
  });
});

describe('the registration master token (RFC 7591), the same check', () => {
  it('takes an API token minted after the context was loaded, at registration and for a registered client', async () => {
    const plane = memoryPlane();
    const tenant = await plane.tenant();
    const routes = registrationEndpoint.routes(plane.deps);
    const route = (name: string) => routes.find((r) => r.name === name)!;
    const headers = { authorization: `Bearer ${minted}` };
    const register = () =>
      runRoute(
        route('client-registration.register'),
        coreRequest(tenant, { path: '/clients', body: { redirect_uris: ['https://app.example/cb'] }, headers }),
      );
    expect((await register()).answer.status).toBe(401);
    plane.apiTokens.add(tenant.tenant.tid, sha256Hex(minted));
    const created = await register();
    expect(created.answer.status).toBe(201);
    const clientId = answerBody(created.answer).client_id as string;
    const read = await runRoute(route('client-registration.read'), {
      ...coreRequest(tenant, { method: 'GET', path: `/clients/${clientId}`, headers }),
      params: { client_id: clientId },
    });
    expect(read.answer.status).toBe(200);
    expect(answerBody(read.answer).client_id).toBe(clientId);
  });
});
