import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueTid } from './support/env.ts';
import { startHttpsServer } from './support/https-server.ts';
import { type InProcessPlanes, startInProcessPlanes } from './support/planes.ts';

describe('client registration: pairwise subjects, sector identifiers, request object / PAR / JARM members', () => {
  let planes: InProcessPlanes;
  let https: Awaited<ReturnType<typeof startHttpsServer>>;
  let tid: string;
  let apiToken: string;

  const register = (body: Record<string, unknown>) =>
    planes.dp.app.inject({
      method: 'POST',
      url: '/clients',
      headers: { 'tenant-id': tid, authorization: `Bearer ${apiToken}`, 'content-type': 'application/json' },
      payload: JSON.stringify(body),
    });
  const web = {
    redirect_uris: ['https://a.example.com/cb', 'https://b.example.com/cb'],
    grant_types: ['authorization_code'],
    response_types: ['code'],
  };

  beforeAll(async () => {
    planes = await startInProcessPlanes();
    tid = uniqueTid('pairwise');
    ({ apiToken } = await planes.createTenant({ tid, name: tid, issuer: `https://${tid}.example.com` }));
    https = await startHttpsServer({
      '/sector.json': {
        body: JSON.stringify(['https://a.example.com/cb', 'https://b.example.com/cb', 'https://c.example.com/cb']),
      },
      '/partial.json': { body: JSON.stringify(['https://a.example.com/cb']) },
      '/object.json': { body: '{"not":"an array"}' },
    });
  }, 60_000);
  afterAll(async () => {
    await https?.close();
    await planes.close();
  });

  it('accepts a pairwise client whose redirect URIs are all in its sector identifier document', async () => {
    const res = await register({ ...web, subject_type: 'pairwise', sector_identifier_uri: `${https.url}/sector.json` });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ subject_type: 'pairwise', sector_identifier_uri: `${https.url}/sector.json` });
  });

  it('refuses a missing redirect URI, a non-array document, an unreachable or non-https URI, and several hosts without a sector', async () => {
    for (const [body, fragment] of [
      [{ ...web, subject_type: 'pairwise', sector_identifier_uri: `${https.url}/partial.json` }, 'not listed'],
      [{ ...web, subject_type: 'pairwise', sector_identifier_uri: `${https.url}/object.json` }, 'JSON array'],
      [
        { ...web, subject_type: 'pairwise', sector_identifier_uri: `${https.url}/missing.json` },
        'could not be retrieved',
      ],
      [{ ...web, subject_type: 'pairwise', sector_identifier_uri: 'http://a.example.com/sector.json' }, 'https'],
      [{ ...web, subject_type: 'pairwise' }, 'several hosts'],
      [{ ...web, subject_type: 'secret' }, 'subject_type'],
    ] as const) {
      const res = await register(body);
      expect(res.statusCode, fragment).toBe(400);
      expect(res.json().error).toBe('invalid_client_metadata');
      expect(res.json().error_description).toContain(fragment);
    }
  });

  it('accepts provider-managed sectors without fetching (master token only)', async () => {
    const res = await register({
      ...web,
      subject_type: 'pairwise',
      sector_identifier_uri: 'urn:c2id:sector_id:group-1',
    });
    expect(res.statusCode).toBe(201);
    const rat = res.json().registration_access_token as string;
    const clientId = res.json().client_id as string;
    // a client's own registration token cannot set a provider-managed sector
    const update = await planes.dp.app.inject({
      method: 'PUT',
      url: `/clients/${clientId}`,
      headers: { 'tenant-id': tid, authorization: `Bearer ${rat}`, 'content-type': 'application/json' },
      payload: JSON.stringify({
        ...web,
        client_id: clientId,
        subject_type: 'pairwise',
        sector_identifier_uri: 'urn:c2id:sector_id:group-2',
      }),
    });
    expect(update.statusCode).toBe(400);
    // … but may keep the one it has
    const kept = await planes.dp.app.inject({
      method: 'PUT',
      url: `/clients/${clientId}`,
      headers: { 'tenant-id': tid, authorization: `Bearer ${rat}`, 'content-type': 'application/json' },
      payload: JSON.stringify({
        ...web,
        client_id: clientId,
        subject_type: 'pairwise',
        sector_identifier_uri: 'urn:c2id:sector_id:group-1',
      }),
    });
    expect(kept.statusCode).toBe(200);
    expect((await register({ ...web, sector_identifier_uri: 'urn:c2id:sector_id:' })).statusCode).toBe(400);
  });

  it('checks request object, PAR and JARM members', async () => {
    const ok = await register({
      ...web,
      request_uris: ['https://a.example.com/requests/'],
      require_pushed_authorization_requests: true,
      require_signed_request_object: true,
      request_object_signing_alg: 'HS256',
      request_object_encryption_alg: 'RSA-OAEP-256',
      authorization_signed_response_alg: 'ES256',
      authorization_encrypted_response_alg: 'A256KW',
    });
    expect(ok.statusCode).toBe(201);
    expect(ok.json()).toMatchObject({
      request_object_encryption_enc: 'A128CBC-HS256',
      authorization_encrypted_response_enc: 'A128CBC-HS256',
    });
    for (const bad of [
      { request_uris: ['http://a.example.com/r'] },
      { require_pushed_authorization_requests: 'yes' },
      { require_signed_request_object: true, request_object_signing_alg: 'none' },
      { request_object_encryption_alg: 'A128KW' },
      { authorization_signed_response_alg: 'none' },
      { authorization_encrypted_response_enc: 'A128GCM' },
      { authorization_signed_response_alg: 'PS256' }, // the tenant has no PS256 key
    ]) {
      const res = await register({ ...web, ...bad });
      expect(res.statusCode, JSON.stringify(bad)).toBe(400);
      expect(res.json().error).toBe('invalid_client_metadata');
    }
  });
});
