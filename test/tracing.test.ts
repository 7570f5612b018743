import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { flushTraces, startTracing, stopTracing } from '@tessera/shared/observability/tracing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeFlow } from './support/authz-session.ts';
import { addClient } from './support/clients.ts';
import { eventually, uniqueTid } from './support/env.ts';
import { type InProcessPlanes, startInProcessPlanes } from './support/planes.ts';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes?: { key: string; value: { stringValue?: string; intValue?: number | string } }[];
}
interface OtlpExport {
  resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[];
}

const REDIRECT = 'http://localhost:3000/callback';
const TRACE_ID = randomBytes(16).toString('hex');
const PARENT_ID = randomBytes(8).toString('hex');
const attr = (span: OtlpSpan, key: string) => {
  const v = span.attributes?.find((a) => a.key === key)?.value;
  return v?.stringValue ?? v?.intValue;
};

/** A complete code flow with tracing on, its spans received by a local OTLP/HTTP (JSON) receiver. */
describe('tracing', () => {
  let receiver: Server;
  const spans: OtlpSpan[] = [];
  let planes: InProcessPlanes;
  let issuer: string;
  let tid: string;
  let apiToken: string;

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.url === '/v1/traces' && String(req.headers['content-type']).startsWith('application/json')) {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpExport;
          for (const rs of body.resourceSpans) for (const ss of rs.scopeSpans) spans.push(...ss.spans);
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    process.env.OTEL_SERVICE_NAME = 'tessera-tracing-test';
    expect(await startTracing('tessera-data-plane')).toBe(true);
    planes = await startInProcessPlanes({ listen: true });
    tid = uniqueTid('trace');
    issuer = `${planes.dataPlaneUrl}/${tid}`;
    ({ apiToken } = await planes.createTenant({ tid, name: tid, issuer }));
  }, 60_000);
  afterAll(async () => {
    await planes?.close();
    await stopTracing();
    receiver?.close();
  });

  it('sends the request, tenant, client authentication, grant and key spans of a code flow under the caller trace', async () => {
    const { clientId, secret } = await addClient(planes.s, tid, {
      grant_types: ['authorization_code'],
      response_types: ['code'],
      redirect_uris: [REDIRECT],
    });
    const verifier = randomBytes(32).toString('base64url');
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: REDIRECT,
      scope: 'openid',
      state: 's1',
      nonce: 'n1',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    });
    const { final } = await completeFlow(issuer, apiToken, query.toString());
    const code = new URL(final.parameters!.uri).searchParams.get('code')!;
    expect(code).toBeTruthy();
    const token = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
        traceparent: `00-${TRACE_ID}-${PARENT_ID}-01`,
      },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: REDIRECT,
        code_verifier: verifier,
      }),
    });
    expect(token.status).toBe(200);
    expect(token.headers.get('x-request-id')).toBe(TRACE_ID);
    await token.json();

    const traced = await eventually(
      async () => {
        await flushTraces();
        return spans.filter((s) => s.traceId === TRACE_ID);
      },
      (found) => found.some((s) => s.name === 'POST token') && found.some((s) => s.name === 'key.sign'),
    );
    const named = (name: string) => traced.find((s) => s.name === name);
    const server = named('POST token')!;
    // The caller's span is the server span's parent: the trace continues.
    expect(server.parentSpanId).toBe(PARENT_ID);
    expect(attr(server, 'http.route')).toBe('token');
    expect(attr(server, 'tessera.tenant_id')).toBe(tid);
    expect(attr(server, 'tessera.grant_type')).toBe('authorization_code');
    expect(Number(attr(server, 'http.response.status_code'))).toBe(200);
    const tenant = named('tenant')!;
    expect(tenant.parentSpanId).toBe(server.spanId);
    expect(attr(tenant, 'tessera.tenant_id')).toBe(tid);
    expect(named('authenticateClient')!.parentSpanId).toBe(server.spanId);
    const grant = named('runGrant')!;
    expect(attr(grant, 'tessera.grant_type')).toBe('authorization_code');
    const signs = traced.filter((s) => s.name === 'key.sign');
    expect(signs.length).toBeGreaterThanOrEqual(2); // the access token and the ID token
    for (const sign of signs) {
      expect(attr(sign, 'tessera.key_backend')).toMatch(/^(software|pkcs11)$/);
      expect(sign.parentSpanId).toBe(grant.spanId);
    }
  });
});
