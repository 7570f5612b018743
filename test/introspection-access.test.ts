import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addClient } from './support/clients.ts';
import { uniqueTid } from './support/env.ts';
import { type InProcessPlanes, startInProcessPlanes } from './support/planes.ts';

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
const JWT_TYPE = 'application/token-introspection+jwt';

/**
 * Who may introspect which token (RFC 7662 §2.1), over the network, in
 * plain JSON and JWT answers: public
 * clients not at all; a client its own tokens and those naming it in `aud`;
 * a resource server the tenant lists, every token. Revocation: a client
 * revokes its own tokens only (RFC 7009 §2.1).
 */
describe('introspection: who may see which token', () => {
  let planes: InProcessPlanes;
  let issuer: string;
  let apiToken: string;
  type Registered = { clientId: string; secret: string };
  const c: Record<'x' | 'y' | 'rs', Registered> = {} as never;
  let publicId: string;

  beforeAll(async () => {
    planes = await startInProcessPlanes({ listen: true });
    const tid = uniqueTid('intro');
    issuer = `${planes.dataPlaneUrl}/${tid}`;
    ({ apiToken } = await planes.createTenant({
      tid,
      name: tid,
      issuer,
      config: { introspection: { resourceServers: ['resource-server'] } },
    }));
    for (const who of ['x', 'y', 'rs'] as const) {
      const { clientId, secret } = await addClient(
        planes.s,
        tid,
        { grant_types: ['client_credentials'], scope: 'read' },
        who === 'rs' ? { clientId: 'resource-server' } : {},
      );
      c[who] = { clientId, secret: secret! };
    }
    ({ clientId: publicId } = await addClient(
      planes.s,
      tid,
      {
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code'],
        redirect_uris: ['https://app.example.com/cb'],
      },
      { secret: null },
    ));
  }, 60_000);
  afterAll(async () => planes.close());

  const post = (path: string, params: Record<string, string>, headers: Record<string, string> = {}) =>
    fetch(`${issuer}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(params),
    });
  const introspect = async (who: 'x' | 'y' | 'rs', token: string) => {
    const res = await post('/token/introspect', { token }, { authorization: basic(c[who].clientId, c[who].secret) });
    expect(res.status).toBe(200);
    return (await res.json()) as { active: boolean; client_id?: string };
  };
  const introspectJwt = async (who: 'x' | 'y', token: string) => {
    const res = await post(
      '/token/introspect',
      { token },
      { authorization: basic(c[who].clientId, c[who].secret), accept: JWT_TYPE },
    );
    expect(res.headers.get('content-type')).toMatch(/^application\/token-introspection\+jwt/);
    return JSON.parse(Buffer.from((await res.text()).split('.')[1]!, 'base64url').toString()).token_introspection as {
      active: boolean;
    };
  };
  const clientToken = async (who: 'x' | 'y') =>
    (
      (await (
        await post(
          '/token',
          { grant_type: 'client_credentials', scope: 'read' },
          { authorization: basic(c[who].clientId, c[who].secret) },
        )
      ).json()) as { access_token: string }
    ).access_token;
  const direct = async (body: Record<string, unknown>) => {
    const res = await fetch(`${issuer}/direct-authz/rest/v2`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: c.y.clientId, scope: ['read'], ...body }),
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { access_token: string }).access_token;
  };

  it('refuses public clients with 401 invalid_client, which openid-client reports as such', async () => {
    const token = await clientToken('y');
    const res = await post('/token/introspect', { client_id: publicId, token });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: 'invalid_client' });
    expect(res.headers.get('www-authenticate')).toBeNull();

    const config = await oidc.discovery(new URL(issuer), publicId, undefined, oidc.None(), {
      execute: [oidc.allowInsecureRequests],
    });
    const error = await oidc.tokenIntrospection(config, token).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(oidc.ResponseBodyError);
    expect((error as oidc.ResponseBodyError).error).toBe('invalid_client');
    expect((await discoveryOf(issuer)).introspection_endpoint_auth_methods_supported).not.toContain('none');
  });

  it('shows a client its own tokens, and another client’s as inactive, in JSON and JWT answers', async () => {
    const own = await clientToken('x');
    const foreignJwt = await clientToken('y');
    const foreignIdentifier = await direct({ sub: 'alice', access_token: { encoding: 'IDENTIFIER' } });
    expect(await introspect('x', own)).toMatchObject({ active: true, client_id: c.x.clientId });
    for (const token of [foreignJwt, foreignIdentifier]) {
      expect(await introspect('y', token)).toMatchObject({ active: true, client_id: c.y.clientId });
      expect(await introspect('x', token)).toEqual({ active: false });
      expect(await introspectJwt('x', token)).toEqual({ active: false });
    }
    expect(await introspectJwt('y', foreignJwt)).toMatchObject({ active: true });
  });

  it('shows a client the tokens whose audience names it', async () => {
    for (const encoding of ['SELF_CONTAINED', 'IDENTIFIER']) {
      const token = await direct({ sub: 'bob', audience: [c.x.clientId], access_token: { encoding } });
      expect(await introspect('x', token), encoding).toMatchObject({
        active: true,
        sub: 'bob',
        client_id: c.y.clientId,
      });
    }
  });

  it('shows a resource server the tenant lists every token', async () => {
    const token = await clientToken('y');
    expect(await introspect('rs', token)).toMatchObject({ active: true, client_id: c.y.clientId });
  });

  it('lets a client revoke only its own tokens', async () => {
    const token = await clientToken('y');
    const foreign = await post('/token/revoke', { token }, { authorization: basic(c.x.clientId, c.x.secret) });
    expect(foreign.status).toBe(200);
    expect(await introspect('y', token)).toMatchObject({ active: true });
    expect((await post('/token/revoke', { token }, { authorization: basic(c.y.clientId, c.y.secret) })).status).toBe(
      200,
    );
    expect(await introspect('y', token)).toEqual({ active: false });
  });
});

async function discoveryOf(issuer: string): Promise<Record<string, string[]>> {
  return (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as Record<string, string[]>;
}
