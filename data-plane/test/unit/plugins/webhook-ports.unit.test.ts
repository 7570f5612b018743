import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/ports/clock.ts';
import { ScriptedWebhookInvoker } from '../../../src/ports/memory/memory-webhook-invoker.ts';
import { CachedTenantSecrets } from '../../../src/stores/cached-tenant-secrets.ts';
import { memoryPlane } from '../support/memory-plane.ts';

/** A secret source that counts its reads and can be changed or made to fail. */
function countingSource() {
  const values = new Map<string, string>();
  let reads = 0;
  let failing = false;
  return {
    values,
    reads: () => reads,
    fail: (on: boolean) => {
      failing = on;
    },
    async get(tid: string, name: string) {
      reads++;
      if (failing) throw new Error('database down');
      return values.get(`${tid}/${name}`) ?? null;
    },
    async webhookSigningSecrets(tid: string) {
      reads++;
      if (failing) throw new Error('database down');
      const secret = values.get(`${tid}/webhook`);
      return secret ? [secret] : [];
    },
  };
}

describe('CachedTenantSecrets (per node)', () => {
  it('reads each secret once, remembers a missing one, and forgets a tenant when it is announced', async () => {
    const source = countingSource();
    source.values.set('a/webhook', 'whsec_1');
    source.values.set('b/webhook', 'whsec_b');
    const cache = new CachedTenantSecrets(source);
    expect(await cache.webhookSigningSecrets('a')).toEqual(['whsec_1']);
    expect(await cache.webhookSigningSecrets('a')).toEqual(['whsec_1']);
    expect(await cache.get('a', 'ldap-bind')).toBeNull();
    expect(await cache.get('a', 'ldap-bind')).toBeNull();
    expect(await cache.webhookSigningSecrets('b')).toEqual(['whsec_b']);
    expect(source.reads()).toBe(3);

    source.values.set('a/webhook', 'whsec_2');
    source.values.set('b/webhook', 'whsec_b2');
    expect(await cache.webhookSigningSecrets('a')).toEqual(['whsec_1']); // until the change is announced
    cache.evictTenant('a');
    expect(await cache.webhookSigningSecrets('a')).toEqual(['whsec_2']);
    expect(await cache.webhookSigningSecrets('b')).toEqual(['whsec_b']); // another tenant's entry stays
  });

  it('keeps a secret at most its TTL, and does not remember a failed read', async () => {
    const source = countingSource();
    source.values.set('a/ldap-bind', 'pw');
    const clock = new ManualClock();
    const cache = new CachedTenantSecrets(source, { ttlMs: 30_000, clock });
    expect(await cache.get('a', 'ldap-bind')).toBe('pw');
    source.values.set('a/ldap-bind', 'pw2');
    clock.advance(29_999);
    expect(await cache.get('a', 'ldap-bind')).toBe('pw'); // still within its TTL
    clock.advance(2);
    expect(await cache.get('a', 'ldap-bind')).toBe('pw2');

    source.fail(true);
    cache.evictTenant('a');
    await expect(cache.get('a', 'ldap-bind')).rejects.toThrow('database down');
    source.fail(false);
    expect(await cache.get('a', 'ldap-bind')).toBe('pw2');
  });
});

describe('the unit plane’s webhooks and secrets', () => {
  it('answers as scripted, records every call, and fails an unscripted slot as an unreachable webhook would', async () => {
    const plane = memoryPlane();
    plane.webhooks
      .on('claimsSource', (call) => ({ email: `${call.payload.sub}@example.com` }))
      .on('introspectionComposer', () => ({ ok: false, failure: 'timeout', detail: 'scripted' }));
    const call = {
      tid: 't',
      url: 'https://hooks.example/x',
      timeoutMs: 100,
      idempotent: true,
      payload: { sub: 'bob' },
    };
    expect(await plane.deps.webhooks.invoke({ ...call, slot: 'claimsSource' })).toEqual({
      ok: true,
      status: 200,
      body: { email: 'bob@example.com' },
    });
    expect(await plane.deps.webhooks.invoke({ ...call, slot: 'introspectionComposer' })).toMatchObject({
      ok: false,
      failure: 'timeout',
    });
    expect(await plane.deps.webhooks.invoke({ ...call, slot: 'parValidator' })).toMatchObject({
      ok: false,
      failure: 'network',
    });
    expect(plane.webhooks.calls.map((c) => c.slot)).toEqual(['claimsSource', 'introspectionComposer', 'parValidator']);
    expect(plane.webhooks.callsOf('claimsSource')[0]!.payload).toEqual({ sub: 'bob' });

    plane.tenantSecrets.set('t', 'ldap-bind', 'pw');
    expect(await plane.deps.tenantSecrets.get('t', 'ldap-bind')).toBe('pw');
    expect(await plane.deps.tenantSecrets.get('other', 'ldap-bind')).toBeNull();
  });

  it('turns a script that throws into a failure (an invoker never throws)', async () => {
    const invoker = new ScriptedWebhookInvoker().on('claimsSource', () => {
      throw new Error('oops');
    });
    const result = await invoker.invoke({
      tid: 't',
      slot: 'claimsSource',
      url: 'https://x',
      timeoutMs: 1,
      idempotent: false,
      payload: {},
    });
    expect(result).toEqual({ ok: false, failure: 'network', detail: 'script threw: oops' });
  });
});
