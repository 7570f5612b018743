import { Writable } from 'node:stream';
import Fastify from 'fastify';
import { Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { ERROR_CODES, isErrorCode, OAUTH_ERROR_CODES, TESSERA_ERROR_CODES } from '../../src/http/error-codes.ts';
import { errors } from '../../src/http/error-constructors.ts';
import { HttpError, installErrorHandling } from '../../src/http/errors.ts';
import { KeyStoreUnavailableError } from '../../src/keys/key-store.ts';
import { registerMonitorRoutes } from '../../src/observability/monitor.ts';

/** A PKCS#11 failure as pkcs11js reports one. */
const pkcs11Failure = () => Object.assign(new Error('CKR_PIN_INCORRECT'), { code: 160 });
const INTERNAL = /CKR_|PKCS|libsofthsm|ECONNREFUSED|10\.1\.2\.3|hsm token|relation "/i;

/** Typed errors (issue 12, step 5): a public description is sent, the private detail is logged with the request id. */
describe('error contract', () => {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  const app = Fastify({ logger: { level: 'info', stream } });
  installErrorHandling(app);
  app.get('/hsm', async () => {
    throw new KeyStoreUnavailableError('the HSM token tessera-acme refused its PIN', { cause: pkcs11Failure() });
  });
  app.get('/bug', async () => {
    throw new Error('relation "tenant_keys" does not exist');
  });
  app.get('/refused', async () => {
    throw errors.invalidRequest('The request_uri could not be retrieved', {
      detail: 'connect ECONNREFUSED 10.1.2.3:443',
    });
  });
  app.get('/workflow', async () => {
    throw errors.temporarilyUnavailable('The workflow service is unavailable', {
      headers: { 'retry-after': '5' },
      cause: new Error('14 UNAVAILABLE: connect ECONNREFUSED 10.1.2.3:7233'),
    });
  });
  registerMonitorRoutes(app, {
    checks: {
      ok: async () => undefined,
      hsm: async () => {
        throw new Error('the PKCS#11 module /usr/lib/softhsm/libsofthsm2.so cannot be used', {
          cause: pkcs11Failure(),
        });
      },
    },
    registry: new Registry(),
    tokenSha256: [],
  });
  afterAll(() => app.close());

  const logLines = () =>
    lines.map(
      (l) =>
        JSON.parse(l) as {
          level: number;
          reqId?: string;
          error?: string;
          detail?: string;
          check?: string;
          err?: unknown;
        },
    );

  it('has one table of codes: the standards’ and ours, none in both; a constructor per code with its usual status', () => {
    for (const code of Object.keys(OAUTH_ERROR_CODES))
      expect(Object.hasOwn(TESSERA_ERROR_CODES, code), code).toBe(false);
    expect(Object.keys(ERROR_CODES).length).toBe(
      Object.keys(OAUTH_ERROR_CODES).length + Object.keys(TESSERA_ERROR_CODES).length,
    );
    expect(isErrorCode('invalid_request')).toBe(true);
    expect(isErrorCode('invalid_requets')).toBe(false);
    expect(isErrorCode('toString')).toBe(false);
    const client = errors.invalidClient('Unknown client');
    expect(client).toBeInstanceOf(HttpError);
    expect([client.statusCode, client.code, client.message, client.detail]).toEqual([
      401,
      'invalid_client',
      'Unknown client',
      undefined,
    ]);
    expect(errors.tenantSuspended('The tenant is suspended').statusCode).toBe(403);
    expect(errors.invalidRequestUri('x', { status: 404 }).statusCode).toBe(404);
    expect(Object.keys(errors).length).toBe(Object.keys(ERROR_CODES).length);
  });

  it('makes a misspelt code a compile error', () => {
    // @ts-expect-error 'invalid_requets' is not one of our codes
    const typo = () => new HttpError(400, 'invalid_requets', 'x');
    // @ts-expect-error no constructor for a code we do not have
    const missing = () => errors.invalidRequets;
    expect([typeof typo, typeof missing]).toEqual(['function', 'function']);
  });

  it('answers a key store failure with 503 and a generic description; the PKCS#11 message is logged with the request id', async () => {
    const res = await app.inject({ method: 'GET', url: '/hsm' });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.json()).toEqual({
      error: 'temporarily_unavailable',
      error_description: 'The key store is temporarily unavailable',
    });
    expect(res.body).not.toMatch(INTERNAL);
    const logged = logLines().find(
      (l) => l.error === 'temporarily_unavailable' && l.detail?.includes('refused its PIN'),
    );
    expect(logged).toMatchObject({ level: 40, status: 503, reqId: expect.any(String), path: '/hsm' });
    expect(logged!.detail).toBe('the HSM token tessera-acme refused its PIN ← CKR_PIN_INCORRECT (160)');
  });

  it('keeps internal text of any 5xx out of the answer and in the log', async () => {
    const bug = await app.inject({ method: 'GET', url: '/bug' });
    expect(bug.statusCode).toBe(500);
    expect(bug.json()).toEqual({ error: 'server_error', error_description: 'Internal server error' });
    const workflow = await app.inject({ method: 'GET', url: '/workflow' });
    expect(workflow.statusCode).toBe(503);
    expect(workflow.json().error_description).toBe('The workflow service is unavailable');
    for (const res of [bug, workflow]) expect(res.body).not.toMatch(INTERNAL);
    const logged = logLines();
    expect(logged.find((l) => l.detail?.includes('relation "tenant_keys" does not exist'))).toMatchObject({
      level: 50,
      err: expect.anything(),
    });
    expect(logged.find((l) => l.detail?.includes('14 UNAVAILABLE'))).toMatchObject({ level: 40 });
  });

  it('sends a 4xx description and logs its private detail', async () => {
    const res = await app.inject({ method: 'GET', url: '/refused' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: 'invalid_request',
      error_description: 'The request_uri could not be retrieved',
    });
    const logged = logLines().find((l) => l.detail === 'connect ECONNREFUSED 10.1.2.3:443');
    expect(logged).toMatchObject({ level: 30, reqId: expect.any(String) });
  });

  it('says only "failed" in the public health check; the failure’s own text is logged', async () => {
    const res = await app.inject({ method: 'GET', url: '/monitor/v1/healthcheck' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ ok: { healthy: true }, hsm: { healthy: false, message: 'failed' } });
    expect(res.body).not.toMatch(INTERNAL);
    const logged = logLines().find((l) => l.check === 'hsm');
    expect(logged?.detail).toMatch(/libsofthsm2\.so cannot be used ← CKR_PIN_INCORRECT/);
  });
});
