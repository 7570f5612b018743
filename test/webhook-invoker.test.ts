import { outboundPolicy } from '@tessera/shared/http/outbound-policy';
import { HttpWebhookInvoker } from '@tessera/shared/plugins/http-webhook-invoker';
import { verifySignature } from '@tessera/shared/plugins/signature';
import type { WebhookCall } from '@tessera/shared/plugins/webhook-invoker';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './support/env.ts';
import { startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver.ts';

const SECRETS: Record<string, readonly string[]> = {
  acme: ['whsec_acme-current'],
  beta: ['whsec_beta-current'],
  rotating: ['whsec_new', 'whsec_old'],
};
const secrets = { webhookSigningSecrets: async (tid: string) => SECRETS[tid] ?? [] };
const now = () => Math.floor(Date.now() / 1000);

/**
 * The webhook transport (docs/plugins/webhooks.md) against real HTTPS
 * receivers on loopback: signed JSON POSTs, a deadline, one retry for
 * idempotent calls only, a circuit per tenant and slot, and the outbound
 * (SSRF) policy.
 */
describe('HttpWebhookInvoker against local HTTPS receivers', () => {
  let receiver: WebhookReceiver;
  const invokers: HttpWebhookInvoker[] = [];
  const invoker = (options: Partial<ConstructorParameters<typeof HttpWebhookInvoker>[0]> = {}) => {
    const made = new HttpWebhookInvoker({ policy: outboundPolicy({ allowPrivate: true }), secrets, ...options });
    invokers.push(made);
    return made;
  };
  const call = (overrides: Partial<WebhookCall> = {}): WebhookCall => ({
    tid: 'acme',
    slot: 'claimsSource',
    url: `${receiver.url}/claims`,
    timeoutMs: 2000,
    payload: { sub: 'alice', claims: ['email'] },
    idempotent: false,
    ...overrides,
  });

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
  });
  afterEach(() => {
    receiver.requests.length = 0;
    receiver.answer(() => ({}));
    for (const made of invokers.splice(0)) made.close();
  });
  afterAll(async () => receiver?.close());

  it('POSTs the payload as JSON with slot and tenant, signed with the tenant secret, and returns the answer', async () => {
    receiver.answer(() => ({ body: JSON.stringify({ claims: { email: 'alice@example.com' } }) }));
    const result = await invoker().invoke(call({ payload: { sub: 'alice', tenant: 'spoofed', claims: ['email'] } }));
    expect(result).toEqual({ ok: true, status: 200, body: { claims: { email: 'alice@example.com' } } });
    expect(receiver.requests).toHaveLength(1);
    const [request] = receiver.requests;
    expect(request!.method).toBe('POST');
    expect(request!.path).toBe('/claims');
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.headers['tessera-slot']).toBe('claimsSource');
    expect(request!.headers['tessera-tenant']).toBe('acme');
    // A payload member cannot pass for the envelope's own.
    expect(JSON.parse(request!.body)).toEqual({
      slot: 'claimsSource',
      tenant: 'acme',
      sub: 'alice',
      claims: ['email'],
    });
    const signature = request!.headers['tessera-signature'] as string;
    expect(signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verifySignature('whsec_acme-current', request!.body, signature, now())).toBe(true);
    expect(verifySignature('whsec_beta-current', request!.body, signature, now())).toBe(false);
    expect(verifySignature('whsec_acme-current', `${request!.body} `, signature, now())).toBe(false);
  });

  it('signs with both secrets while a rotation overlaps', async () => {
    await invoker().invoke(call({ tid: 'rotating' }));
    const [request] = receiver.requests;
    const signature = request!.headers['tessera-signature'] as string;
    expect(signature.match(/v1=/g)).toHaveLength(2);
    expect(verifySignature('whsec_new', request!.body, signature, now())).toBe(true);
    expect(verifySignature('whsec_old', request!.body, signature, now())).toBe(true);
  });

  it('never calls unsigned: no_secret for a tenant without a webhook secret', async () => {
    const result = await invoker().invoke(call({ tid: 'nosecret' }));
    expect(result).toMatchObject({ ok: false, failure: 'no_secret' });
    expect(receiver.requests).toHaveLength(0);
  });

  it('fails on a 500, on an answer that is not a JSON object, and on a timeout', async () => {
    receiver.answer(() => ({ status: 500, body: '{"error":"boom"}' }));
    expect(await invoker().invoke(call())).toMatchObject({ ok: false, failure: 'status', status: 500 });
    receiver.answer(() => ({ body: '[1,2]' }));
    expect(await invoker().invoke(call())).toMatchObject({ ok: false, failure: 'invalid_answer', status: 200 });
    receiver.answer(() => ({ body: 'not json' }));
    expect(await invoker().invoke(call())).toMatchObject({ ok: false, failure: 'invalid_answer' });

    receiver.answer(() => ({ delayMs: 3000 }));
    const started = Date.now();
    const slow = await invoker().invoke(call({ timeoutMs: 200, idempotent: true }));
    expect(slow).toMatchObject({ ok: false, failure: 'timeout' });
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('retries an idempotent call once within its budget, and a non-idempotent one never', async () => {
    receiver.answer(() => ({ status: receiver.requests.length === 1 ? 503 : 200, body: '{"allow":true}' }));
    expect(await invoker().invoke(call({ idempotent: true }))).toEqual({
      ok: true,
      status: 200,
      body: { allow: true },
    });
    expect(receiver.requests).toHaveLength(2);
    // The retry is the same body, signed again.
    expect(receiver.requests[1]!.body).toBe(receiver.requests[0]!.body);

    receiver.requests.length = 0;
    receiver.answer(() => ({ status: 500 }));
    expect(await invoker().invoke(call({ idempotent: true }))).toMatchObject({ ok: false, failure: 'status' });
    expect(receiver.requests).toHaveLength(2); // once more, not again and again

    receiver.requests.length = 0;
    receiver.answer(() => ({ status: receiver.requests.length === 1 ? 503 : 200 }));
    expect(await invoker().invoke(call({ idempotent: false }))).toMatchObject({ ok: false, status: 503 });
    expect(receiver.requests).toHaveLength(1);

    // A deliberate 4xx is the receiver's answer: not retried even when idempotent.
    receiver.requests.length = 0;
    receiver.answer(() => ({ status: 400 }));
    expect(await invoker().invoke(call({ idempotent: true }))).toMatchObject({ ok: false, status: 400 });
    expect(receiver.requests).toHaveLength(1);
  });

  it("opens the circuit of a tenant's slot after repeated failures, fails at once while open, and closes again", async () => {
    const webhooks = invoker({ circuit: { volumeThreshold: 3, resetTimeoutMs: 400 } });
    receiver.answer(() => ({ status: 500 }));
    for (let i = 0; i < 3; i++) expect(await webhooks.invoke(call())).toMatchObject({ failure: 'status' });
    expect(receiver.requests).toHaveLength(3);

    const started = Date.now();
    expect(await webhooks.invoke(call())).toMatchObject({ ok: false, failure: 'circuit_open' });
    expect(Date.now() - started).toBeLessThan(100);
    expect(receiver.requests).toHaveLength(3); // not called at all

    // Another tenant on the same slot, and the same tenant on another slot, are not affected.
    receiver.answer(() => ({ body: '{"fine":true}' }));
    expect(await webhooks.invoke(call({ tid: 'beta' }))).toMatchObject({ ok: true });
    expect(await webhooks.invoke(call({ slot: 'introspectionComposer' }))).toMatchObject({ ok: true });
    expect(await webhooks.invoke(call())).toMatchObject({ failure: 'circuit_open' });
    expect(receiver.requests).toHaveLength(5);

    // After the reset time one trial goes through (calls until then fail at once); it succeeds, so the circuit closes.
    const trial = await eventually(
      () => webhooks.invoke(call()),
      (r) => r.ok || r.failure !== 'circuit_open',
    );
    expect(trial).toMatchObject({ ok: true, body: { fine: true } });
    expect(await webhooks.invoke(call())).toMatchObject({ ok: true });
    expect(receiver.requests).toHaveLength(7);
  });

  it('with the documented defaults, the fifth failure in a row opens the circuit, not the fourth', async () => {
    const webhooks = invoker();
    receiver.answer(() => ({ status: 500 }));
    for (let i = 0; i < 4; i++) expect(await webhooks.invoke(call())).toMatchObject({ failure: 'status' });
    expect(await webhooks.invoke(call())).toMatchObject({ failure: 'status' }); // the fifth still reaches the receiver
    expect(receiver.requests).toHaveLength(5);
    expect(await webhooks.invoke(call())).toMatchObject({ failure: 'circuit_open' });
    expect(receiver.requests).toHaveLength(5);
  });

  it('a half-open circuit whose trial fails opens again', async () => {
    const webhooks = invoker({ circuit: { volumeThreshold: 2, resetTimeoutMs: 300 } });
    receiver.answer(() => ({ status: 502 }));
    await webhooks.invoke(call());
    await webhooks.invoke(call());
    expect(await webhooks.invoke(call())).toMatchObject({ failure: 'circuit_open' });
    const trial = await eventually(
      () => webhooks.invoke(call()),
      (r) => r.ok || r.failure !== 'circuit_open',
    );
    expect(trial).toMatchObject({ failure: 'status' }); // the trial reached the receiver
    expect(receiver.requests).toHaveLength(3);
    expect(await webhooks.invoke(call())).toMatchObject({ failure: 'circuit_open' });
    expect(receiver.requests).toHaveLength(3);
  });

  it('keeps to the outbound policy: no private address unless the deployment allows it, no plain http but to loopback in dev', async () => {
    const strict = invoker({ policy: outboundPolicy({ allowPrivate: false }) });
    const refused = await strict.invoke(call());
    expect(refused).toMatchObject({ ok: false, failure: 'network', detail: '127.0.0.1 is not a public address' });
    // A name that resolves to loopback is refused on the address connected to.
    const byName = await strict.invoke(call({ url: receiver.url.replace('127.0.0.1', 'localhost') }));
    expect(byName).toMatchObject({ ok: false, failure: 'network' });
    expect(byName.ok ? '' : byName.detail).toContain('resolves to no public address');
    expect(receiver.requests).toHaveLength(0);

    const plain = await startWebhookReceiver(() => ({ body: '{"plain":true}' }), { tls: false });
    try {
      expect(await invoker().invoke(call({ url: `${plain.url}/x` }))).toMatchObject({
        ok: false,
        failure: 'network',
        detail: 'only https URLs are fetched',
      });
      expect(await invoker({ allowLoopbackHttp: true }).invoke(call({ url: `${plain.url}/x` }))).toMatchObject({
        ok: true,
        body: { plain: true },
      });
      expect(plain.requests).toHaveLength(1);
    } finally {
      await plain.close();
    }
  });
});
