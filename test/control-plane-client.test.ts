import { readFile, writeFile } from 'node:fs/promises';
import createClient from 'openapi-fetch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { paths } from '../cli/src/generated/control-plane.d.ts';
import { CONTROL_PLANE_TYPES, controlPlaneTypes } from './support/control-plane-types.ts';
import { uniqueTid } from './support/env.ts';
import { type InProcessPlanes, startInProcessPlanes } from './support/planes.ts';

/**
 * A client generated from the control plane's OpenAPI document
 * (openapi-typescript types, openapi-fetch calls): the committed types match
 * what the live document generates, and a typed client creates and reads a
 * tenant. `UPDATE_CONTROL_PLANE_TYPES=1` rewrites the committed types instead
 * of comparing (after a change to a control-plane route).
 */
describe('a client generated from the control plane OpenAPI document', () => {
  let planes: InProcessPlanes;
  let cpUrl: string;

  beforeAll(async () => {
    planes = await startInProcessPlanes({ listen: true });
    cpUrl = await planes.cp.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await planes?.close();
  });

  it('the committed types are what openapi-typescript generates from the live /openapi.json', async () => {
    const res = await fetch(`${cpUrl}/openapi.json`);
    expect(res.status).toBe(200);
    const fresh = await controlPlaneTypes(await res.json());
    expect(fresh).toContain('"/tenants/rest/v1/{tid}": {');
    if (process.env.UPDATE_CONTROL_PLANE_TYPES === '1') await writeFile(CONTROL_PLANE_TYPES, fresh);
    const committed = await readFile(CONTROL_PLANE_TYPES, 'utf8');
    expect(
      committed === fresh,
      `${CONTROL_PLANE_TYPES} is stale: UPDATE_CONTROL_PLANE_TYPES=1 npm test -- test/control-plane-client.test.ts (docs/development.md)`,
    ).toBe(true);
  });

  it('openapi-fetch with the generated types creates a tenant and reads it back', async () => {
    const client = createClient<paths>({
      baseUrl: cpUrl,
      headers: { authorization: `Bearer ${planes.s.operatorKey}` },
    });
    const tid = uniqueTid('genclient');
    const issuer = `${planes.dataPlaneUrl}/${tid}`;
    const created = await client.POST('/tenants/rest/v1', {
      params: { query: { wait: true } },
      body: { tid, name: 'Generated client', issuer, attrs: { team: 'platform' } },
    });
    expect(created.error).toBeUndefined();
    expect(created.response.status).toBe(201);
    expect(created.data?.tid).toBe(tid);
    expect(created.data?.status).toBe('active');
    expect(created.data?.api_token).toEqual(expect.any(String));

    const read = await client.GET('/tenants/rest/v1/{tid}', { params: { path: { tid } } });
    expect(read.response.status).toBe(200);
    const tenant = read.data;
    expect(tenant?.tid).toBe(tid);
    expect(tenant?.name).toBe('Generated client');
    expect(tenant?.issuer).toBe(issuer);
    expect(tenant?.status).toBe('active');
    expect(tenant?.attrs).toEqual({ team: 'platform' });
    // Shown once, on creation.
    expect(tenant?.api_token).toBeUndefined();

    // The typed error side: a tenant that is not there is the shared Error body.
    const missing = await client.GET('/tenants/rest/v1/{tid}', { params: { path: { tid: uniqueTid('none') } } });
    expect(missing.response.status).toBe(404);
    expect(missing.error?.error).toBe('tenant_not_found');
  });
});
