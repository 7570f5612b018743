import { describe, expect, it } from 'vitest';
import { announceSessionEnded } from '../../../src/logout/session-ended.ts';
import type { SubjectSession } from '../../../src/ports/subject-session-store.ts';
import { EC_KEYS, registerClient } from '../support/clients.ts';
import { memoryPlane } from '../support/memory-plane.ts';

// logout/session-ended.ts: what every path that ends a subject session announces.

const SID = 'b'.repeat(64);
const session = (rps: string[]): SubjectSession => ({ sub: 'alice', authTime: 1, creationTime: 1, maxLife: 3600, rps });

describe('announceSessionEnded', () => {
  it('queues one notice per client of the session with a backchannel_logout_uri, in its tenant only, and emits session.ended', async () => {
    const plane = memoryPlane();
    const tenant = await plane.tenant(EC_KEYS);
    const other = await plane.tenant(EC_KEYS);
    await registerClient(plane, tenant, {
      clientId: 'bc',
      metadata: { backchannel_logout_uri: 'https://bc.example/l' },
    });
    await registerClient(plane, tenant, { clientId: 'plain' });
    // A client of the same id in another tenant, with a logout URI: never this session's.
    await registerClient(plane, other, {
      clientId: 'theirs',
      metadata: { backchannel_logout_uri: 'https://x.example/l' },
    });
    await announceSessionEnded(plane.deps, tenant, {
      sidHash: SID,
      session: session(['bc', 'plain', 'theirs', 'bc']),
      cause: 'session_store_api',
    });
    expect(plane.logoutQueue.jobs).toEqual([
      { tid: tenant.tenant.tid, clientId: 'bc', sidHash: SID, sub: 'alice', jti: expect.any(String) },
    ]);
    const [ended] = plane.events.ofType('session.ended');
    expect(ended).toMatchObject({
      tid: tenant.tenant.tid,
      actor: 'tenant_api_token',
      data: {
        sub: 'alice',
        sid: SID,
        cause: 'session_store_api',
        clients: ['bc', 'plain', 'theirs', 'bc'],
        notified: ['bc'],
      },
    });
    expect(plane.events.events).toHaveLength(1);
  });

  it('tells the clients it is given instead of the session’s, each notice with its own jti', async () => {
    const plane = memoryPlane();
    const tenant = await plane.tenant(EC_KEYS);
    for (const clientId of ['a', 'b'])
      await registerClient(plane, tenant, {
        clientId,
        metadata: { backchannel_logout_uri: `https://${clientId}.example/l` },
      });
    await announceSessionEnded(plane.deps, tenant, { sidHash: SID, session: session(['a']), cause: 'rp_logout' }, [
      'a',
      'b',
    ]);
    expect(plane.logoutQueue.jobs.map((j) => j.clientId)).toEqual(['a', 'b']);
    expect(new Set(plane.logoutQueue.jobs.map((j) => j.jti)).size).toBe(2);
    expect(plane.events.ofType('session.ended')[0]).toMatchObject({
      actor: 'sub:alice',
      data: { notified: ['a', 'b'] },
    });
  });

  it('queues nothing for a session no client with a logout URI took part in, and still records its end', async () => {
    const plane = memoryPlane();
    const tenant = await plane.tenant(EC_KEYS);
    await announceSessionEnded(plane.deps, tenant, { sidHash: SID, session: session([]), cause: 'user_deleted' });
    expect(plane.logoutQueue.jobs).toEqual([]);
    expect(plane.events.ofType('session.ended')[0]).toMatchObject({ data: { notified: [], cause: 'user_deleted' } });
  });
});
