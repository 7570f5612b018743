import { HttpError } from '@tessera/shared/http/errors';
import { tokenHash } from '@tessera/shared/tokens/identifiers';
import { describe, expect, it } from 'vitest';
import type { FlowContext } from '../../../src/authz/authz-flow.ts';
import { decideLogout, type LogoutMessage, startLogoutSession } from '../../../src/logout/logout-flow.ts';
import type { TenantContext } from '../../../src/tenancy/tenant-context.ts';
import { EC_KEYS, registerClient } from '../support/clients.ts';
import { type MemoryPlane, memoryPlane } from '../support/memory-plane.ts';

// The logout flow (logout/logout-flow.ts) on memoryPlane: subject sessions, logout sessions and the back-channel
// queue in memory, time by the clock.

const BYE = 'https://app.example/bye';

async function setup() {
  const plane = memoryPlane();
  const tenant = await plane.tenant(EC_KEYS);
  await registerClient(plane, tenant, {
    metadata: {
      client_name: 'App',
      post_logout_redirect_uris: [BYE],
      frontchannel_logout_uri: 'https://app.example/fc',
      frontchannel_logout_session_required: true,
      backchannel_logout_uri: 'https://app.example/bc',
    },
  });
  await registerClient(plane, tenant, {
    clientId: 'other',
    metadata: { frontchannel_logout_uri: 'https://other.example/fc?x=1' },
  });
  const session = await newSession(plane, tenant);
  const flow: FlowContext = { context: tenant, issuer: tenant.tenant.issuer, deps: plane.deps };
  return { plane, tenant, flow, session };
}

/** A subject session of alice in which `app` and `other` got tokens. */
async function newSession(plane: MemoryPlane, tenant: TenantContext) {
  const now = Math.floor(plane.clock.now() / 1000);
  return plane.ports.sessions.create(tenant.tenant.tid, tenant.secrets['identifier-hmac'], {
    sub: 'alice',
    authTime: now,
    creationTime: now,
    maxLife: 3600,
    rps: ['app', 'other'],
  });
}

const live = (plane: MemoryPlane, tenant: TenantContext, subSid: string) =>
  plane.ports.sessions.get(tenant.tenant.tid, tenant.secrets['identifier-hmac'], subSid);

function confirmed(message: LogoutMessage) {
  if (message.type !== 'confirm') throw new Error(`expected a confirm prompt, got ${JSON.stringify(message)}`);
  return message;
}

describe('logout flow', () => {
  it('asks for confirmation, then ends the session everywhere and tells every relying party', async () => {
    const { plane, tenant, flow, session } = await setup();
    const prompt = confirmed(
      await startLogoutSession(flow, {
        query: `client_id=app&post_logout_redirect_uri=${encodeURIComponent(BYE)}&state=s1&ui_locales=de`,
        subSid: session,
      }),
    );
    expect(prompt).toMatchObject({
      client: { client_id: 'app', name: 'App' },
      sub_session: { sub: 'alice', rps: ['app', 'other'] },
      id_token_hint_present: false,
      ui_locales: ['de'],
    });
    // Nothing has ended before the decision.
    expect(await live(plane, tenant, session)).not.toBeNull();
    const end = await decideLogout(flow, prompt.sid, { op_logout: true });
    const iss = encodeURIComponent(tenant.tenant.issuer);
    expect(end).toEqual({
      type: 'end',
      sub_session_closed: true,
      frontchannel_logout_uris: [
        `https://app.example/fc?iss=${iss}&sid=${tokenHash(session)}`,
        'https://other.example/fc?x=1',
      ],
      post_logout_redirect_uri: `${BYE}?state=s1`,
      ui_locales: ['de'],
    });
    expect(await live(plane, tenant, session)).toBeNull();
    expect(plane.events.ofType('session.ended')).toHaveLength(1);
    expect(plane.logoutQueue.jobs.map((j) => [j.clientId, j.sidHash])).toEqual([['app', tokenHash(session)]]);
    // A decision is taken once.
    await expect(decideLogout(flow, prompt.sid, { op_logout: true })).rejects.toMatchObject({ statusCode: 404 });
  });

  it('RP-only: the client leaves the session, which lives on; only that client is told', async () => {
    const { plane, tenant, flow, session } = await setup();
    const prompt = confirmed(await startLogoutSession(flow, { query: 'client_id=app', subSid: session }));
    const end = await decideLogout(flow, prompt.sid, { op_logout: false });
    expect(end).toMatchObject({
      sub_session_closed: false,
      frontchannel_logout_uris: [expect.stringMatching(/^https:\/\/app\.example\/fc\?iss=/)],
      post_logout_redirect_uri: null,
    });
    expect((await live(plane, tenant, session))?.rps).toEqual(['other']);
    expect(plane.events.ofType('session.ended')).toHaveLength(0);
    expect(plane.logoutQueue.jobs.map((j) => j.clientId)).toEqual(['app']);
  });

  it('without a session (none, forged or expired) goes straight to the end, redirect included', async () => {
    const { plane, tenant, flow } = await setup();
    const query = `client_id=app&post_logout_redirect_uri=${encodeURIComponent(BYE)}&state=s2`;
    const expired = await newSession(plane, tenant);
    plane.clock.advanceSeconds(3600);
    for (const subSid of [undefined, 'forged-session-id', expired]) {
      expect(await startLogoutSession(flow, { query, subSid })).toEqual({
        type: 'end',
        sub_session_closed: false,
        frontchannel_logout_uris: [],
        post_logout_redirect_uri: `${BYE}?state=s2`,
      });
    }
  });

  it('OP-initiated (no query): ends the session at once, no prompt, no redirect', async () => {
    const { plane, tenant, flow, session } = await setup();
    expect(await startLogoutSession(flow, { query: null, subSid: session })).toMatchObject({
      type: 'end',
      sub_session_closed: true,
      post_logout_redirect_uri: null,
    });
    expect(await live(plane, tenant, session)).toBeNull();
    expect(plane.events.ofType('session.ended')[0]?.data).toMatchObject({ cause: 'op_logout' });
  });

  it('answers a request it cannot trust with an error that redirects nowhere', async () => {
    const { flow, session } = await setup();
    expect(
      await startLogoutSession(flow, { query: 'post_logout_redirect_uri=https%3A%2F%2Fevil.example', subSid: session }),
    ).toMatchObject({ type: 'error', error: 'invalid_request' });
    expect(await startLogoutSession(flow, { query: 'id_token_hint=x.y.z', subSid: session })).toMatchObject({
      type: 'error',
      error: 'invalid_id_token_hint',
    });
  });

  it("keeps tenants apart: one tenant's session id and logout session id mean nothing at another", async () => {
    const { plane, tenant, flow, session } = await setup();
    const other = await plane.tenant(EC_KEYS);
    const otherFlow: FlowContext = { context: other, issuer: other.tenant.issuer, deps: plane.deps };
    expect(await startLogoutSession(otherFlow, { query: null, subSid: session })).toMatchObject({
      sub_session_closed: false,
    });
    const prompt = confirmed(await startLogoutSession(flow, { query: '', subSid: session }));
    const refused = await decideLogout(otherFlow, prompt.sid, { op_logout: true }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(HttpError);
    expect(await live(plane, tenant, session)).not.toBeNull();
    // Still there for its own tenant.
    expect(await decideLogout(flow, prompt.sid, { op_logout: true })).toMatchObject({ sub_session_closed: true });
  });

  it('forgets a logout session after ten minutes', async () => {
    const { plane, flow, session } = await setup();
    const prompt = confirmed(await startLogoutSession(flow, { query: '', subSid: session }));
    plane.clock.advanceSeconds(600);
    await expect(decideLogout(flow, prompt.sid, { op_logout: true })).rejects.toMatchObject({ statusCode: 404 });
  });
});
