import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestServices, type TestServices } from '../../test/support/env.ts';
import { buildControlPlane } from '../src/server.ts';
import { closeTemporalClient, createTemporalClient } from '../src/temporal/client.ts';
import { loadTemporalSettings } from '../src/temporal/temporal-settings.ts';

describe('POST /config/check', () => {
  let s: TestServices;
  let app: FastifyInstance;
  let temporal: ReturnType<typeof createTemporalClient>;
  let temporalSettings: ReturnType<typeof loadTemporalSettings>;
  const check = (payload: unknown, headers: Record<string, string> = {}) =>
    app.inject({
      method: 'POST',
      url: '/config/check',
      headers: { authorization: `Bearer ${s.operatorKey}`, 'content-type': 'application/json', ...headers },
      payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
    });

  beforeAll(async () => {
    s = openTestServices();
    // The config check never starts a workflow: a lazy client that is never dialled.
    temporalSettings = loadTemporalSettings();
    temporal = createTemporalClient(temporalSettings);
    app = await buildControlPlane({
      db: s.db,
      redis: s.redis,
      settings: s.settings,
      keyStores: s.keyStores,
      masterKey: s.masterKey,
      temporal,
      temporalSettings,
    });
  });
  afterAll(async () => {
    await app.close();
    await closeTemporalClient(temporal);
    await s.close();
  });

  it('answers 204 for a valid config', async () => {
    const res = await check({
      tokens: { accessTokenLifetime: 300 },
      keys: { signingAlgorithms: ['RS256', 'EdDSA'], accessTokenSigningAlgorithm: 'EdDSA' },
    });
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
  });

  it('refuses a plugin config with a non-https URL, an unknown slot, a malformed mapping, an unbuilt grant: each by path', async () => {
    const res = await check({
      grants: { grantTypes: ['authorization_code', 'urn:openid:params:grant-type:ciba'] },
      plugins: {
        claimsSorce: { type: 'webhook', url: 'https://hooks.example.com/claims' },
        authorizationRequestValidator: { type: 'webhook', url: 'http://hooks.example.com/validate' },
        jwtClaimsCodec: { type: 'builtin', rename: { cid: 'client_id', azp: 'client_id' } },
        claimsSource: { type: 'ldap', url: 'ldaps://ldap.example.com', baseDn: 'dc=x', claims: { email: 'mail)(x' } },
      },
      events: { endpoints: [{ url: 'http://events.example.com', types: ['token.issued'] }] },
    });
    expect(res.statusCode).toBe(400);
    const paths = (res.json().errors as Array<{ path: string }>).map((e) => e.path).sort();
    expect(paths).toEqual(
      [
        '$.events.endpoints[0].url',
        '$.grants.grantTypes[1]',
        '$.plugins.authorizationRequestValidator.url',
        '$.plugins.claimsSorce',
        '$.plugins.claimsSource',
        '$.plugins.jwtClaimsCodec.rename.azp',
      ].sort(),
    );
    // Loopback http is development: accepted.
    const dev = await check({ plugins: { claimsSource: { type: 'webhook', url: 'http://localhost:9000/claims' } } });
    expect(dev.statusCode).toBe(204);
  });

  it('returns all three mistakes with their paths', async () => {
    const res = await check({
      tokens: { accessTokenLifetime: 'ten minutes' },
      grants: { grantTypes: ['authorization_code', 'magic'] },
      login: { primaryColor: '#12345' },
    });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.error).toBe('invalid_configuration');
    expect(body.error_description).toBe('The configuration has 3 problems');
    expect(body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      '$.grants.grantTypes[1]',
      '$.login.primaryColor',
      '$.tokens.accessTokenLifetime',
    ]);
    for (const e of body.errors) expect(typeof e.message).toBe('string');
  });

  it('answers 400, not 500, to malformed JSON, a wrong type and a wrong content type', async () => {
    const malformed = await check('{"tokens": ');
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error_description).toMatch(/not valid JSON/);
    const array = await check([1, 2, 3]);
    expect(array.statusCode).toBe(400);
    const text = await check('tokens=1', { 'content-type': 'text/plain' });
    expect(text.statusCode).toBe(400);
    expect(text.json().error_description).toMatch(/body must be object/);
    const xml = await check('<config/>', { 'content-type': 'application/xml' });
    expect(xml.statusCode).toBe(400);
    expect(xml.json().error_description).toMatch(/unsupported Content-Type/);
  });

  it('requires the operator key', async () => {
    const res = await app.inject({ method: 'POST', url: '/config/check', payload: {} });
    expect(res.statusCode).toBe(401);
  });
});
