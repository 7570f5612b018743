import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addClient } from './support/clients.ts';
import { uniqueTid } from './support/env.ts';
import { startInProcessPlanes, type InProcessPlanes } from './support/planes.ts';

interface RawResponse { status: number; headers: Record<string, string>; body: string; /** Header names as sent, in order (lower case). */ names: string[] }

/** A raw HTTP/1.1 connection: bytes out exactly as given, responses read one at a time. */
class RawConnection {
  readonly socket: Socket;
  #buffer = Buffer.alloc(0);
  #waiters: Array<() => void> = [];
  closed = false;

  constructor(port: number) {
    this.socket = connect(port, '127.0.0.1');
    this.socket.on('data', (chunk: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      this.#wake();
    });
    this.socket.on('close', () => {
      this.closed = true;
      this.#wake();
    });
    this.socket.on('error', () => undefined);
  }

  #wake() {
    for (const waiter of this.#waiters.splice(0)) waiter();
  }

  async ready(): Promise<void> {
    if (!this.socket.connecting) return;
    await new Promise((resolve) => this.socket.once('connect', resolve));
  }

  send(text: string): void {
    this.socket.write(Buffer.from(text, 'utf8'));
  }

  /** The next complete response (Content-Length framed, as every answer here is). */
  async response(timeoutMs = 10_000): Promise<RawResponse> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const headEnd = this.#buffer.indexOf('\r\n\r\n');
      if (headEnd >= 0) {
        const lines = this.#buffer.toString('latin1', 0, headEnd).split('\r\n');
        const headers: Record<string, string> = {};
        const names: string[] = [];
        for (const line of lines.slice(1)) {
          const colon = line.indexOf(':');
          names.push(line.slice(0, colon).toLowerCase());
          headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
        }
        const length = Number(headers['content-length'] ?? 0);
        if (this.#buffer.length >= headEnd + 4 + length) {
          const body = this.#buffer.toString('utf8', headEnd + 4, headEnd + 4 + length);
          this.#buffer = this.#buffer.subarray(headEnd + 4 + length);
          return { status: Number(lines[0]!.split(' ')[1]), headers, body, names };
        }
      }
      if (this.closed) throw new Error(`connection closed; unread: ${JSON.stringify(this.#buffer.toString('latin1'))}`);
      if (Date.now() > deadline) throw new Error('no response in time');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async untilClosed(timeoutMs = 10_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return this.closed;
  }
}

/**
 * The wire lane (data-plane/src/http/wire-lane.ts) parses plain token
 * requests below node:http and gives every other connection to node:http at
 * the first request it does not take, with all of that request's bytes.
 * Raw sockets, so the exact bytes on the wire are what is tested.
 */
describe('token endpoint wire lane', () => {
  let planes: InProcessPlanes;
  let port: number;
  let tid: string;
  let basic: string;
  let closed = false;

  const metric = async (pattern: RegExp) => {
    const text = (await planes.dp.app.inject({ method: 'GET', url: '/monitor/v1/metrics', headers: { authorization: `Bearer ${planes.s.monitorToken}` } })).body;
    return Number(pattern.exec(text)?.[1] ?? 0);
  };
  const wireCount = () => metric(/^tessera_data_plane_wire_lane_requests_total (\d+)/m);
  const handoffs = (reason: string) => metric(new RegExp(`^tessera_data_plane_wire_lane_handoffs_total\\{reason="${reason}"\\} (\\d+)`, 'm'));
  const tokenRequest = (extra: string[] = [], body = 'grant_type=client_credentials&scope=read') =>
    [
      'POST /token HTTP/1.1',
      `Host: 127.0.0.1:${port}`,
      `Tenant-ID: ${tid}`,
      `Authorization: ${basic}`,
      'Content-Type: application/x-www-form-urlencoded',
      `Content-Length: ${Buffer.byteLength(body)}`,
      ...extra,
      '',
      body,
    ].join('\r\n');
  const discoveryRequest = () => ['GET /.well-known/openid-configuration HTTP/1.1', `Host: 127.0.0.1:${port}`, `Tenant-ID: ${tid}`, '', ''].join('\r\n');
  const open = async () => {
    const connection = new RawConnection(port);
    await connection.ready();
    return connection;
  };
  const expectToken = (response: RawResponse) => {
    expect(response.status, response.body).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ token_type: 'Bearer', scope: 'read', access_token: expect.any(String) });
  };

  beforeAll(async () => {
    planes = await startInProcessPlanes({ listen: true });
    port = Number(new URL(planes.dataPlaneUrl).port);
    tid = uniqueTid('wire');
    await planes.createTenant({ tid, name: tid, issuer: `https://${tid}.example.com`, config: { tokens: { accessTokenFormat: 'identifier' } } });
    const { clientId, secret } = (await addClient(planes.s, tid, { grant_types: ['client_credentials'], scope: 'read write' })) as { clientId: string; secret: string };
    basic = `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`;
    // The lanes serve cached tenants only; the first request loads it.
    expect((await planes.dp.app.inject({ method: 'GET', url: '/jwks.json', headers: { 'tenant-id': tid } })).statusCode).toBe(200);
  }, 60_000);
  afterAll(async () => {
    if (!closed) await planes.close();
  });

  it('answers plain token requests itself, one after another on a kept-alive connection, with the headers RFC 6749 and 9110 ask for', async () => {
    const before = await wireCount();
    const connection = await open();
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
      expect(new Set(response.names).size).toBe(response.names.length);
    }
    expect((await wireCount()) - before).toBe(3);
    // The errors too: a wrong secret is 401 with the challenge (RFC 6749 §5.2).
    connection.send(tokenRequest([], 'grant_type=client_credentials').replace(basic, `Basic ${Buffer.from('nobody:wrong').toString('base64')}`));
    const wrong = await connection.response();
    expect(wrong.status).toBe(401);
    expect(wrong.headers['www-authenticate']).toMatch(/^Basic realm=/);
    expect(wrong.headers).toMatchObject({ 'cache-control': 'no-store', pragma: 'no-cache' });
    expect(new Set(wrong.names).size, `each header once: ${wrong.names.join(', ')}`).toBe(wrong.names.length);
    expect(JSON.parse(wrong.body)).toMatchObject({ error: 'invalid_client' });
    expect((await wireCount()) - before).toBe(4);
    connection.socket.destroy();
  });

  it('answers introspection too, and leaves JWT introspection answers (RFC 9701) to fastify', async () => {
    const connection = await open();
    connection.send(tokenRequest());
    const { access_token: token } = JSON.parse((await connection.response()).body) as { access_token: string };
    const introspect = (extra: string[]) => {
      const body = new URLSearchParams({ token }).toString();
      return tokenRequest(extra, body).replace('POST /token HTTP/1.1', 'POST /token/introspect HTTP/1.1');
    };
    const before = await wireCount();
    connection.send(introspect([]));
    const plain = await connection.response();
    expect(plain.status).toBe(200);
    expect(plain.headers).toMatchObject({ 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
    expect(JSON.parse(plain.body)).toMatchObject({ active: true, scope: 'read' });
    expect((await wireCount()) - before).toBe(1);
    const handed = await handoffs('not-admitted');
    connection.send(introspect(['Accept: application/token-introspection+jwt']));
    const jwt = await connection.response();
    expect(jwt.status).toBe(200);
    expect(jwt.headers['content-type']).toMatch(/^application\/token-introspection\+jwt/);
    expect(jwt.body.split('.')).toHaveLength(3);
    expect((await handoffs('not-admitted')) - handed).toBe(1);
    connection.socket.destroy();
  });

  it('answers pipelined requests in order', async () => {
    const before = await wireCount();
    const connection = await open();
    connection.send(tokenRequest() + tokenRequest([], 'grant_type=client_credentials&scope=write'));
    expectToken(await connection.response());
    const second = await connection.response();
    expect(JSON.parse(second.body)).toMatchObject({ scope: 'write' });
    expect((await wireCount()) - before).toBe(2);
    connection.socket.destroy();
  });

  it('gives the connection to node:http at the first request it does not take, with all of its bytes, alone or pipelined', async () => {
    const handed = await handoffs('not-plain');
    const connection = await open();
    connection.send(tokenRequest());
    expectToken(await connection.response());
    connection.send(discoveryRequest());
    const discovery = await connection.response();
    expect(discovery.status).toBe(200);
    expect(JSON.parse(discovery.body)).toMatchObject({ issuer: `https://${tid}.example.com` });
    // Now node:http's: a token request on it is still answered (by the fast lane inside node:http).
    connection.send(tokenRequest());
    expectToken(await connection.response());
    expect((await handoffs('not-plain')) - handed).toBe(1);
    connection.socket.destroy();

    const pipelined = await open();
    pipelined.send(tokenRequest() + discoveryRequest() + tokenRequest());
    expectToken(await pipelined.response());
    expect(JSON.parse((await pipelined.response()).body)).toMatchObject({ issuer: `https://${tid}.example.com` });
    expectToken(await pipelined.response());
    pipelined.socket.destroy();
  });

  it('assembles a request that arrives in pieces, and leaves a slow one to node:http', async () => {
    const before = await wireCount();
    const connection = await open();
    const text = tokenRequest();
    const cut = text.indexOf('\r\n\r\n') + 4;
    for (const piece of [text.slice(0, 10), text.slice(10, cut), text.slice(cut)]) {
      connection.send(piece);
      await new Promise((r) => setTimeout(r, 50));
    }
    expectToken(await connection.response());
    expect((await wireCount()) - before).toBe(1);
    connection.socket.destroy();

    const slowBefore = await handoffs('slow');
    const slow = await open();
    slow.send(text.slice(0, cut));
    await new Promise((r) => setTimeout(r, 5_500)); // past the lane's 5 s for a whole request
    expect((await handoffs('slow')) - slowBefore).toBe(1);
    slow.send(text.slice(cut));
    expectToken(await slow.response());
    expect((await wireCount()) - before).toBe(1);
    slow.socket.destroy();
  }, 20_000);

  it('leaves framing it does not take to node:http: chunked bodies are served, smuggling-shaped and malformed requests get 400', async () => {
    const chunked = await open();
    const body = 'grant_type=client_credentials&scope=read';
    chunked.send(
      tokenRequest().replace(/Content-Length: \d+\r\n/, 'Transfer-Encoding: chunked\r\n').replace(/\r\n\r\n[^]*$/, `\r\n\r\n${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`),
    );
    expectToken(await chunked.response());
    chunked.socket.destroy();

    const cases = [
      tokenRequest(['Transfer-Encoding: chunked']), // both framings (RFC 9112 §6.1): node:http refuses
      tokenRequest().replace('Tenant-ID:', 'Tenant-ID :'),
      tokenRequest().replace(`Host: 127.0.0.1:${port}\r\n`, `Host: 127.0.0.1:${port}\n`),
    ];
    for (const text of cases) {
      const connection = await open();
      connection.send(text);
      const response = await connection.response();
      expect(response.status, text).toBe(400);
      expect(await connection.untilClosed()).toBe(true);
    }
  });

  it('closes after the answer when the client asks to', async () => {
    const connection = await open();
    connection.send(tokenRequest(['Connection: close']));
    const response = await connection.response();
    expectToken(response);
    expect(response.headers.connection).toBe('close');
    expect(await connection.untilClosed()).toBe(true);
  });

  it('answers what a client sent before ending its side of the stream, then closes', async () => {
    const connection = await open();
    connection.send(tokenRequest() + tokenRequest());
    connection.socket.end();
    expectToken(await connection.response());
    expectToken(await connection.response());
    expect(await connection.untilClosed()).toBe(true);
  });

  it('lets the server close: idle connections it holds are closed, not waited for', async () => {
    const connection = await open();
    connection.send(tokenRequest());
    expectToken(await connection.response());
    const started = Date.now();
    closed = true;
    await planes.close();
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await connection.untilClosed(2_000)).toBe(true);
  });
});
