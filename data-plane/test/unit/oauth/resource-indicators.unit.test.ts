import type { HttpError } from '@tessera/shared/http/errors';
import { describe, expect, it } from 'vitest';
import { clientCredentialsGrant } from '../../../src/grants/client-credentials.ts';
import { narrowedToResources, requestedResources } from '../../../src/oauth/resource-indicators.ts';
import { EC_KEYS, registerClient } from '../support/clients.ts';
import { grantRequest } from '../support/grant-request.ts';
import { memoryPlane } from '../support/memory-plane.ts';
import { verifyWithPublishedKeys } from '../support/published-keys.ts';

// RFC 8707 resource indicators on the in-memory ports and clock: which resources a request may name, the
// token's aud and settings, the scope rules, the tenant's default, narrowing, and the cache's eviction.

const ORDERS = 'https://orders.example.com/';
const BILLING = 'urn:example:billing';

async function setup(config: Record<string, unknown> = {}) {
  const plane = memoryPlane();
  const tenant = await plane.tenant({ ...EC_KEYS, ...config });
  const tid = tenant.tenant.tid;
  const client = await registerClient(plane, tenant, { clientId: 'svc', metadata: { scope: 'read' } });
  const store = plane.ports.resourceServerStore;
  await store.create(tid, {
    identifier: ORDERS,
    name: 'Orders',
    scopes: ['orders:read', 'orders:write'],
    accessToken: { lifetime: 60, profile: 'oauth-1.0', format: 'jwt' },
    allowedClients: ['svc'],
  });
  await store.create(tid, {
    identifier: BILLING,
    name: 'Billing',
    scopes: ['billing:read'],
    accessToken: { lifetime: 300 },
    allowedClients: null,
  });
  const grant = (params: Record<string, string>) =>
    clientCredentialsGrant.handle(grantRequest(plane, tenant, client, params));
  const refusal = (work: Promise<unknown>) =>
    work.then(
      () => 'issued',
      (err: HttpError) => err.code,
    );
  return { plane, tenant, tid, client, grant, refusal };
}

describe('RFC 8707 resource indicators', () => {
  it('reads resource (space-joined repeats) and audience, and refuses a value that is not an absolute URI without a fragment', () => {
    expect(requestedResources({})).toBeUndefined();
    expect(requestedResources({ resource: `${ORDERS} ${BILLING}`, audience: ORDERS })).toEqual([ORDERS, BILLING]);
    for (const bad of ['relative/path', 'https://x.example.com/#frag', 'x'.repeat(300)])
      expect(() => requestedResources({ resource: bad })).toThrow(expect.objectContaining({ code: 'invalid_target' }));
  });

  it('issues a token whose aud is the resource, with its profile and lifetime, and its scope values', async () => {
    const { plane, tenant, grant } = await setup();
    const response = await grant({ resource: ORDERS, scope: 'read orders:write' });
    expect(response.expires_in).toBe(60);
    const { claims } = await verifyWithPublishedKeys(plane, tenant, response.access_token);
    expect(claims).toMatchObject({ aud: [ORDERS], client_id: 'svc', scope: 'read orders:write' });
  });

  it('gives several resources the shortest lifetime and, where they disagree, the tenant profile', async () => {
    const { plane, tenant, grant } = await setup();
    const response = await grant({ resource: `${ORDERS} ${BILLING}` });
    expect(response.expires_in).toBe(60);
    const { claims } = await verifyWithPublishedKeys(plane, tenant, response.access_token);
    expect(claims).toMatchObject({ aud: [ORDERS, BILLING], cid: 'svc' });
  });

  it('refuses unknown resources, resources the client may not use and API scopes without their API', async () => {
    const { plane, tenant, grant, refusal } = await setup();
    expect(await refusal(grant({ resource: 'https://unknown.example.com/' }))).toBe('invalid_target');
    expect(await refusal(grant({ scope: 'orders:read' }))).toBe('invalid_scope');
    expect(await refusal(grant({ resource: BILLING, scope: 'orders:read' }))).toBe('invalid_scope');
    const other = await registerClient(plane, tenant, { clientId: 'other', metadata: {} });
    const otherGrant = (params: Record<string, string>) =>
      clientCredentialsGrant.handle(grantRequest(plane, tenant, other, params));
    expect(await refusal(otherGrant({ resource: ORDERS }))).toBe('invalid_target');
    expect(await refusal(otherGrant({ audience: BILLING }))).toBe('issued');
  });

  it("uses the tenant's default resource when none is named, and no aud when the client may not use it", async () => {
    const { plane, tenant, grant } = await setup({ resources: { default: ORDERS } });
    const { claims } = await verifyWithPublishedKeys(plane, tenant, (await grant({})).access_token);
    expect(claims.aud).toEqual([ORDERS]);
    const other = await registerClient(plane, tenant, { clientId: 'other', metadata: {} });
    const response = await clientCredentialsGrant.handle(grantRequest(plane, tenant, other, {}));
    expect((await verifyWithPublishedKeys(plane, tenant, response.access_token)).claims.aud).toBeUndefined();
  });

  it('narrows a grant to some of its resources, dropping the scope values only the others define', async () => {
    const { plane, tenant, client } = await setup();
    const authz = {
      sub: 'alice',
      cid: 'svc',
      scp: ['openid', 'orders:read', 'billing:read'],
      aud: [ORDERS, BILLING],
      iss: tenant.tenant.issuer,
      longLived: false,
      accessToken: { lifetime: 0, encoding: 'SELF_CONTAINED' as const, encrypt: false },
      refreshToken: { issue: true, lifetime: 0, maxIdle: 0, rotate: false },
    };
    const lookup = plane.ports.resourceServers;
    const narrowed = await narrowedToResources(lookup, tenant, client, { resource: BILLING }, authz);
    expect(narrowed).toMatchObject({ aud: [BILLING], scp: ['openid', 'billing:read'] });
    expect(narrowed.accessToken.lifetime).toBe(300);
    await expect(
      narrowedToResources(lookup, tenant, client, { resource: 'https://else.example.com/' }, authz),
    ).rejects.toMatchObject({ code: 'invalid_target' });
    const whole = await narrowedToResources(lookup, tenant, client, {}, authz);
    expect(whole).toMatchObject({ aud: [ORDERS, BILLING], scp: authz.scp });
  });

  it('forgets a deleted resource server once the tenant is evicted, and never sees another tenant', async () => {
    const { plane, tid, grant, refusal } = await setup();
    expect(await refusal(grant({ resource: BILLING }))).toBe('issued');
    const billing = await plane.ports.resourceServerStore.get(tid, BILLING);
    await plane.ports.resourceServerStore.delete(tid, billing!.id);
    expect(await refusal(grant({ resource: BILLING }))).toBe('issued'); // still cached
    plane.ports.resourceServers.evictTenant(tid);
    expect(await refusal(grant({ resource: BILLING }))).toBe('invalid_target');
    expect(await plane.ports.resourceServers.get('another-tenant', ORDERS)).toBeUndefined();
  });
});
