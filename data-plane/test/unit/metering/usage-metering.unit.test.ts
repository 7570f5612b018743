import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { meterUsage } from '../../../src/core/policies/meter-usage.ts';
import { noStore } from '../../../src/core/policies/no-store.ts';
import { introspectionEndpoint } from '../../../src/endpoints/introspect.ts';
import { tokenEndpoint } from '../../../src/endpoints/token.ts';
import { UsageCounts } from '../../../src/metering/usage-counts.ts';
import { basicAuthorization } from '../support/client-auth-input.ts';
import { EC_KEYS, registerClient } from '../support/clients.ts';
import { answerBody, formRequest, runRoute } from '../support/core-request.ts';
import { memoryPlane } from '../support/memory-plane.ts';

// Metering (core/policies/meter-usage.ts, metering/usage-counts.ts): what steps meter is counted only for a
// successful answer, per tenant and UTC day, and a flush writes the day and month hashes, the month's subjects
// and the day to aggregate. Redis is a recording stand-in for ioredis' pipeline here; the integration suite
// (test/usage-metering.test.ts) runs the same flush against the real Redis.

/** A recorder of the commands one flush pipelines, whose `exec` succeeds or fails as told. */
function recordingRedis(fail = false) {
  const commands: string[][] = [];
  const pipeline = new Proxy({} as Record<string, unknown>, {
    get(_t, name: string) {
      if (name === 'exec')
        return async () => {
          if (fail) throw new Error('Redis is down');
          return commands.map(() => [null, 1]);
        };
      return (...args: unknown[]) => {
        commands.push([name, ...args.map(String)]);
        return pipeline;
      };
    },
  });
  return { redis: { pipeline: () => pipeline } as unknown as Redis, commands };
}

/** The usage a counter was told of, as "tid dimension sub" lines. */
function listeningCounter() {
  const seen: string[] = [];
  return {
    seen,
    record(tid: string, usage: readonly (string | undefined)[]) {
      for (let i = 0; i < usage.length; i += 2) seen.push(`${tid} ${usage[i]} ${usage[i + 1] ?? '-'}`);
    },
  };
}

async function setup() {
  const plane = memoryPlane({
    passwordAuthenticator: {
      authenticate: async (_tid, username, password) =>
        username === 'bob' && password === 'right' ? { sub: 'sub-bob' } : null,
    },
  });
  const tenant = await plane.tenant(
    { ...EC_KEYS, grants: { grantTypes: ['authorization_code', 'client_credentials', 'password', 'refresh_token'] } },
    't-meter',
  );
  await registerClient(plane, tenant, {
    clientId: 'svc',
    secret: 'svc-secret',
    metadata: { grant_types: ['client_credentials', 'password'], scope: 'read' },
  });
  const counter = listeningCounter();
  const policies = [meterUsage(counter), noStore];
  const auth = { authorization: basicAuthorization('svc', 'svc-secret') };
  const token = (form: Record<string, string>, headers = auth) =>
    runRoute(tokenEndpoint.routes(plane.deps)[0]!, formRequest(tenant, '/token', form, headers), policies);
  const introspect = (form: Record<string, string>) =>
    runRoute(
      introspectionEndpoint.routes(plane.deps)[0]!,
      formRequest(tenant, '/token/introspect', form, auth),
      policies,
    );
  return { counter, token, introspect };
}

describe('the meterUsage policy', () => {
  it('counts tokens by grant type with their subject (none for a machine client), and a password grant as a sign-in too', async () => {
    const { counter, token } = await setup();
    expect((await token({ grant_type: 'client_credentials' })).answer.status).toBe(200);
    expect((await token({ grant_type: 'password', username: 'bob', password: 'right' })).answer.status).toBe(200);
    expect(counter.seen).toEqual([
      't-meter tokens:client_credentials -',
      't-meter sign_ins sub-bob',
      't-meter tokens:password sub-bob',
    ]);
  });

  it('counts nothing for a refused request: a wrong password, a bad client secret, an unknown grant', async () => {
    const { counter, token } = await setup();
    expect((await token({ grant_type: 'password', username: 'bob', password: 'wrong' })).answer.status).toBe(400);
    const badSecret = { authorization: basicAuthorization('svc', 'nope') };
    expect((await token({ grant_type: 'client_credentials' }, badSecret)).answer.status).toBe(401);
    expect((await token({ grant_type: 'urn:unknown' })).answer.status).toBe(400);
    expect(counter.seen).toEqual([]);
  });

  it('counts an introspection answered, active or not, without a subject', async () => {
    const { counter, token, introspect } = await setup();
    const issued = answerBody((await token({ grant_type: 'client_credentials' })).answer);
    counter.seen.length = 0;
    const active = await introspect({ token: String(issued.access_token) });
    expect(answerBody(active.answer)).toMatchObject({ active: true });
    expect(answerBody((await introspect({ token: 'not-a-token' })).answer)).toEqual({ active: false });
    expect((await introspect({})).answer.status).toBe(400);
    expect(counter.seen).toEqual(['t-meter introspections -', 't-meter introspections -']);
  });
});

describe('UsageCounts', () => {
  it('flushes the day and month hashes, the month HyperLogLog of distinct subjects and the day to aggregate', async () => {
    const counts = new UsageCounts(() => Date.UTC(2030, 4, 17, 12));
    counts.record('t1', ['tokens:client_credentials', 'svc', 'tokens:client_credentials', 'svc']);
    counts.record('t1', ['sign_ins', 'alice', 'tokens:password', 'alice', 'introspections', undefined]);
    const { redis, commands } = recordingRedis();
    await counts.flush(redis);
    const ttl = String(40 * 24 * 3600);
    expect(commands).toEqual([
      ['hincrby', 'usage:t1:2030-05-17', 'tokens:client_credentials', '2'],
      ['hincrby', 'usage:t1:2030-05-17', 'sign_ins', '1'],
      ['hincrby', 'usage:t1:2030-05-17', 'tokens:password', '1'],
      ['hincrby', 'usage:t1:2030-05-17', 'introspections', '1'],
      ['hincrby', 'usage-month:t1:2030-05', 'tokens', '3'],
      ['hincrby', 'usage-month:t1:2030-05', 'sign_ins', '1'],
      ['hincrby', 'usage-month:t1:2030-05', 'introspections', '1'],
      ['expire', 'usage:t1:2030-05-17', ttl],
      ['expire', 'usage-month:t1:2030-05', ttl],
      ['pfadd', 'mas:t1:2030-05', 'svc', 'alice'],
      ['expire', 'mas:t1:2030-05', ttl],
      ['sadd', 'usage-days', 't1|2030-05-17'],
    ]);
    // Flushed counts are gone: the next flush sends nothing.
    const again = recordingRedis();
    await counts.flush(again.redis);
    expect(again.commands).toEqual([]);
  });

  it('puts usage on the UTC day it happened, also when the flush comes after midnight', async () => {
    let now = Date.UTC(2030, 4, 31, 23, 59, 59, 900);
    const counts = new UsageCounts(() => now);
    counts.record('t1', ['authorizations', 'alice']);
    now += 200;
    counts.record('t1', ['authorizations', 'bob']);
    const { redis, commands } = recordingRedis();
    await counts.flush(redis);
    const written = commands.filter(([c]) => c === 'hincrby' || c === 'pfadd' || c === 'sadd');
    expect(written).toEqual([
      ['hincrby', 'usage:t1:2030-05-31', 'authorizations', '1'],
      ['hincrby', 'usage-month:t1:2030-05', 'authorizations', '1'],
      ['pfadd', 'mas:t1:2030-05', 'alice'],
      ['sadd', 'usage-days', 't1|2030-05-31'],
      ['hincrby', 'usage:t1:2030-06-01', 'authorizations', '1'],
      ['hincrby', 'usage-month:t1:2030-06', 'authorizations', '1'],
      ['pfadd', 'mas:t1:2030-06', 'bob'],
      ['sadd', 'usage-days', 't1|2030-06-01'],
    ]);
  });

  it('keeps the counts of a failed flush for the next one, added to what came since', async () => {
    const counts = new UsageCounts(() => Date.UTC(2030, 4, 17));
    counts.record('t1', ['introspections', undefined]);
    await expect(counts.flush(recordingRedis(true).redis)).rejects.toThrow('Redis is down');
    counts.record('t1', ['introspections', undefined]);
    const { redis, commands } = recordingRedis();
    await counts.flush(redis);
    expect(commands[0]).toEqual(['hincrby', 'usage:t1:2030-05-17', 'introspections', '2']);
  });
});
