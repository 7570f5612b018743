import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addClient } from './support/clients.ts';
import { uniqueTid } from './support/env.ts';
import { type InProcessPlanes, startInProcessPlanes } from './support/planes.ts';
import { openRaw, type RawResponse } from './support/raw-connection.ts';

const FORM = 'application/x-www-form-urlencoded';
const basicOf = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

/**
 * The token and introspection endpoints as a client sees them over the
 * network: answers and errors with the headers RFC 6749 §5.1 and RFC 9110
 * ask for (each once), kept-alive and pipelined connections, framings node
 * refuses, and the request metrics. Raw sockets where the exact bytes matter.
 */
describe('token endpoint over HTTP', () => {
  let planes: InProcessPlanes;
  let port: number;
  let tid: string;
  let issuer: string;
  let clientId: string;
  let secret: string;
  let basic: string;
  let closed = false;

  const tokenRequest = (extra: string[] = [], body = 'grant_type=client_credentials&scope=read') =>
    [
      'POST /token HTTP/1.1',
      `Host: 127.0.0.1:${port}`,
      `Tenant-ID: ${tid}`,
      `Authorization: ${basic}`,
      `Content-Type: ${FORM}`,
      `Content-Length: ${Buffer.byteLength(body)}`,
      ...extra,
      '',
      body,
    ].join('\r\n');
  const expectToken = (response: RawResponse) => {
    expect(response.status, response.body).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({
      token_type: 'Bearer',
      scope: 'read',
      access_token: expect.any(String),
    });
  };
  const post = async (headers: Record<string, string>, body: string) => {
    const res = await fetch(`${planes.dataPlaneUrl}/token`, { method: 'POST', headers, body });
    return {
      status: res.status,
      headers: Object.fromEntries(res.headers),
      body: (await res.json()) as Record<string, unknown>,
    };
  };

  beforeAll(async () => {
    planes = await startInProcessPlanes({ listen: true });
    port = Number(new URL(planes.dataPlaneUrl).port);
    tid = uniqueTid('tokhttp');
    issuer = `https://${tid}.example.com`;
    await planes.createTenant({ tid, name: tid, issuer, config: { tokens: { accessTokenFormat: 'identifier' } } });
    ({ clientId, secret } = (await addClient(planes.s, tid, {
      grant_types: ['client_credentials'],
      scope: 'read write',
    })) as { clientId: string; secret: string });
    basic = basicOf(clientId, secret);
  }, 60_000);
  afterAll(async () => {
    if (!closed) await planes.close();
  });

  it('answers successes and every error with no-store, the right code and, for a failed client, the challenge', async () => {
    const { clientId: postId, secret: postSecret } = (await addClient(planes.s, tid, {
      grant_types: ['client_credentials'],
      scope: 'read',
      token_endpoint_auth_method: 'client_secret_post',
    })) as { clientId: string; secret: string };
    const auth = () => ({ 'tenant-id': tid, 'content-type': FORM, authorization: basic });
    const noStore = { 'cache-control': 'no-store', pragma: 'no-cache' };

    expect(await post(auth(), 'grant_type=client_credentials&scope=read')).toMatchObject({
      status: 200,
      headers: noStore,
      body: { token_type: 'Bearer', scope: 'read' },
    });
    expect(
      await post(
        { 'tenant-id': tid, 'content-type': FORM },
        `grant_type=client_credentials&client_id=${postId}&client_secret=${postSecret}`,
      ),
    ).toMatchObject({ status: 200 });
    expect(
      await post({ 'content-type': FORM, authorization: basic, issuer }, 'grant_type=client_credentials'),
    ).toMatchObject({ status: 200 });
    expect(
      await post({ ...auth(), 'content-type': `${FORM}; charset=UTF-8` }, 'grant_type=client_credentials'),
    ).toMatchObject({ status: 200 });
    expect(
      await post({ ...auth(), authorization: basicOf(clientId, `${secret}x`) }, 'grant_type=client_credentials'),
    ).toMatchObject({
      status: 401,
      headers: { ...noStore, 'www-authenticate': `Basic realm="${issuer}"` },
      body: { error: 'invalid_client' },
    });
    expect(await post({ 'tenant-id': tid, 'content-type': FORM }, 'grant_type=client_credentials')).toMatchObject({
      status: 401,
      headers: noStore,
      body: { error: 'invalid_client' },
    });
    const errors: Array<[string, Record<string, string>, string, string]> = [
      ['repeated parameter', auth(), 'grant_type=client_credentials&grant_type=client_credentials', 'invalid_request'],
      ['missing grant_type', auth(), 'scope=read', 'invalid_request'],
      ['unsupported grant type', auth(), 'grant_type=urn:example:nope', 'unsupported_grant_type'],
      ['scope not allowed', auth(), 'grant_type=client_credentials&scope=admin', 'invalid_scope'],
      [
        'body over 50,000 characters',
        auth(),
        `grant_type=client_credentials&pad=${'x'.repeat(50_000)}`,
        'invalid_request',
      ],
      [
        'JSON body',
        { ...auth(), 'content-type': 'application/json' },
        '{"grant_type":"client_credentials"}',
        'invalid_request',
      ],
      [
        'unknown tenant',
        { ...auth(), 'tenant-id': 'no-such-tenant-here' },
        'grant_type=client_credentials',
        'invalid_tenant',
      ],
    ];
    for (const [name, headers, body, error] of errors) {
      const answer = await post(headers, body);
      expect(answer, name).toMatchObject({ status: 400, body: { error } });
      if (error !== 'invalid_tenant') expect(answer.headers['cache-control'], name).toBe('no-store');
    }
  });

  it('answers one request after another on a kept-alive connection, each header once', async () => {
    const connection = await openRaw(port);
    for (let n = 0; n < 3; n++) {
      connection.send(tokenRequest());
      const response = await connection.response();
      expectToken(response);
      expect(response.headers).toMatchObject({
        'content-type': 'application/json; charset=utf-8',
        'cache-control': 'no-store',
        pragma: 'no-cache',
        connection: 'keep-alive',
      });
      expect(Number.isNaN(Date.parse(response.headers.date!))).toBe(false);
      expect(Number(response.headers['content-length'])).toBe(Buffer.byteLength(response.body));
      expect(new Set(response.names).size, `each header once: ${response.names.join(', ')}`).toBe(
        response.names.length,
      );
    }
    connection.send(tokenRequest([], 'grant_type=client_credentials').replace(basic, basicOf('nobody', 'wrong')));
    const wrong = await connection.response();
    expect(wrong.status).toBe(401);
    expect(wrong.headers['www-authenticate']).toMatch(/^Basic realm=/);
    expect(wrong.headers).toMatchObject({ 'cache-control': 'no-store', pragma: 'no-cache' });
    expect(new Set(wrong.names).size, `each header once: ${wrong.names.join(', ')}`).toBe(wrong.names.length);
    expect(JSON.parse(wrong.body)).toMatchObject({ error: 'invalid_client' });
    connection.socket.destroy();
  });

  it('introspects the tokens it issued, in JSON and as a JWT (RFC 9701), never cached', async () => {
    const connection = await openRaw(port);
    connection.send(tokenRequest());
    const { access_token: token } = JSON.parse((await connection.response()).body) as { access_token: string };
    const introspect = (extra: string[]) =>
      tokenRequest(extra, new URLSearchParams({ token }).toString()).replace(
        'POST /token HTTP/1.1',
        'POST /token/introspect HTTP/1.1',
      );
    connection.send(introspect([]));
    const plain = await connection.response();
    expect(plain.status).toBe(200);
    expect(plain.headers).toMatchObject({
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
    });
    expect(JSON.parse(plain.body)).toMatchObject({ active: true, client_id: clientId, scope: 'read' });
    connection.send(introspect(['Accept: application/token-introspection+jwt']));
    const jwt = await connection.response();
    expect(jwt.status).toBe(200);
    expect(jwt.headers['content-type']).toMatch(/^application\/token-introspection\+jwt/);
    expect(jwt.headers['cache-control']).toBe('no-store');
    expect(jwt.body.split('.')).toHaveLength(3);
    connection.socket.destroy();
  });

  it('answers pipelined requests in order', async () => {
    const connection = await openRaw(port);
    connection.send(tokenRequest() + tokenRequest([], 'grant_type=client_credentials&scope=write'));
    expectToken(await connection.response());
    expect(JSON.parse((await connection.response()).body)).toMatchObject({ scope: 'write' });
    connection.socket.destroy();
  });

  it('serves chunked bodies; smuggling-shaped and malformed requests get 400 and the connection closes', async () => {
    const chunked = await openRaw(port);
    const body = 'grant_type=client_credentials&scope=read';
    chunked.send(
      tokenRequest()
        .replace(/Content-Length: \d+\r\n/, 'Transfer-Encoding: chunked\r\n')
        .replace(/\r\n\r\n[\s\S]*$/, `\r\n\r\n${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`),
    );
    expectToken(await chunked.response());
    chunked.socket.destroy();

    const cases = [
      tokenRequest(['Transfer-Encoding: chunked']), // both framings (RFC 9112 §6.1)
      tokenRequest().replace('Tenant-ID:', 'Tenant-ID :'),
      tokenRequest().replace(`Host: 127.0.0.1:${port}\r\n`, `Host: 127.0.0.1:${port}\n`),
    ];
    for (const text of cases) {
      const connection = await openRaw(port);
      connection.send(text);
      expect((await connection.response()).status, text).toBe(400);
      expect(await connection.untilClosed()).toBe(true);
    }
  });

  it('closes after the answer when the client asks to', async () => {
    const connection = await openRaw(port);
    connection.send(tokenRequest(['Connection: close']));
    const response = await connection.response();
    expectToken(response);
    expect(response.headers.connection).toBe('close');
    expect(await connection.untilClosed()).toBe(true);
  });

  it('counts token requests in the request metrics per tenant, route and status', async () => {
    const scrape = async () => {
      const text = (
        await planes.dp.app.inject({
          method: 'GET',
          url: '/monitor/v1/metrics',
          headers: { authorization: `Bearer ${planes.s.monitorToken}` },
        })
      ).body;
      const line = new RegExp(
        `^tessera_data_plane_http_requests_total\\{tenant="${tid}",route="/token",method="POST",status="200"\\} (\\d+)`,
        'm',
      ).exec(text);
      return Number(line?.[1] ?? 0);
    };
    const before = await scrape();
    for (let n = 0; n < 2; n++)
      expect(
        (await post({ 'tenant-id': tid, 'content-type': FORM, authorization: basic }, 'grant_type=client_credentials'))
          .status,
      ).toBe(200);
    expect((await scrape()) - before).toBe(2);
  });

  it('lets the server close: idle kept-alive connections are closed, not waited for', async () => {
    const connection = await openRaw(port);
    connection.send(tokenRequest());
    expectToken(await connection.response());
    const started = Date.now();
    closed = true;
    await planes.close();
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await connection.untilClosed(2_000)).toBe(true);
  });
});
