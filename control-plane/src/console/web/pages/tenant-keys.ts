import { html } from '../html.ts';
import { type ApiAnswer, type ConsolePage, canWrite, enc, type PageContext } from '../page-context.ts';
import { actionFailed, csrfField, doneNotice, refused, tabBase, tenantTab, tidOf, when } from './tab-parts.ts';
import { statusBadge } from './tenant-tabs.ts';

interface KeyRow {
  kid: string;
  kty: string;
  alg: string;
  use: string;
  crv?: string;
  status: string;
  current: boolean;
  backend: string;
  hsm: boolean;
  created_at: string;
  activated_at: string;
  retired_at: string | null;
  revoked_at: string | null;
}

/** The data plane's key store API answers within this, or the rotation is reported as failed. */
const DATA_PLANE_TIMEOUT_MS = 15_000;

/** `/console/tenants/:tid/keys`: every key the tenant has had, and (for a role that may write) rotation. */
export const keysPage: ConsolePage = {
  method: 'GET',
  path: '/console/tenants/:tid/keys',
  handle: (ctx, request) =>
    tenantTab(ctx, request, 'keys', 'keys', async (t) => {
      const answer = await ctx.api<{ keys: KeyRow[] }>('GET', `/tenants/rest/v1/${enc(t.tid)}/keys`);
      if (answer.status !== 200) return refused(answer);
      const keys = answer.body.keys;
      return {
        body: html`${doneNotice(request)}
<table><caption class="visually-hidden">Keys of ${t.tid}</caption>
<thead><tr><th scope="col">Key id</th><th scope="col">Type</th><th scope="col">Algorithm</th><th scope="col">Use</th><th scope="col">Status</th><th scope="col">Backend</th><th scope="col">Created</th><th scope="col">Signs from</th><th scope="col">Retired</th><th scope="col">Revoked</th></tr></thead>
<tbody>${
          keys.length === 0
            ? html`<tr><td colspan="10">No keys.</td></tr>`
            : keys.map(
                (k) =>
                  html`<tr><td><code>${k.kid}</code></td><td>${k.kty}${k.crv ? html` ${k.crv}` : ''}</td><td>${k.alg}</td><td>${k.use}</td><td>${statusBadge(k.status)}${k.current ? html` <strong>current</strong>` : ''}</td><td>${k.hsm ? 'HSM (PKCS#11)' : k.backend}</td><td>${k.created_at}</td><td>${k.activated_at}</td><td>${when(k.retired_at)}</td><td>${when(k.revoked_at)}</td></tr>`,
              )
        }</tbody></table>
${
  canWrite(ctx.viewer.role)
    ? html`<form method="post" action="${tabBase(t.tid)}/keys/rotate" class="card">${csrfField(ctx)}
<h2>Rotate keys</h2>
<p class="hint">New keys are generated for the configured algorithms and published before they sign (pre-publication); the current ones retire when the new ones take over.</p>
<div class="actions"><button type="submit" class="primary">Rotate keys</button></div>
</form>`
    : ''
}`,
      };
    }),
};

/**
 * POST `/console/tenants/:tid/keys/rotate`. The control plane has no rotate
 * route: rotation is the data plane's key store API, which takes a tenant
 * API token. As the CLI does, one is minted through the control plane as the
 * signed-in user (so the API decides whether this user may), used for this
 * one call and revoked after it.
 */
export const rotateKeys: ConsolePage = {
  method: 'POST',
  path: '/console/tenants/:tid/keys/rotate',
  async handle(ctx, request) {
    const tid = tidOf(request);
    const title = 'Rotate keys';
    const tenant = await ctx.api<{ issuer: string }>('GET', `/tenants/rest/v1/${enc(tid)}`);
    if (tenant.status !== 200) return actionFailed(tid, 'keys', title, tenant);
    const minted = await ctx.api<{ id: string; api_token: string }>('POST', `/tenants/rest/v1/${enc(tid)}/api-tokens`, {
      label: 'tessera-console',
    });
    if (minted.status !== 201) return actionFailed(tid, 'keys', title, minted);
    let rotated: ApiAnswer<unknown>;
    let revoked = false;
    try {
      rotated = await keyStore(tenant.body.issuer, minted.body.api_token, 'POST', '/rotate');
    } finally {
      revoked = await revoke(ctx, tid, minted.body.id);
    }
    const leftover = revoked
      ? ''
      : ` The temporary API token ${minted.body.id} could not be revoked: revoke it under the tenant's API tokens.`;
    if (rotated.status >= 300)
      return actionFailed(tid, 'keys', title, {
        status: rotated.status,
        body: {
          ...(rotated.body as object),
          ...(leftover ? { error_description: `${describe(rotated)}${leftover}` } : {}),
        },
      });
    return {
      redirect: `${tabBase(tid)}/keys?done=${enc(`Keys rotated: the new keys are listed below.${leftover}`)}`,
    };
  },
};

/** The data plane's key store API, `{issuer}/key-store/rest/v1/op…`; an unreachable data plane is a 502 answer, not a throw. */
async function keyStore(issuer: string, token: string, method: string, path: string): Promise<ApiAnswer<unknown>> {
  try {
    const res = await fetch(`${issuer}/key-store/rest/v1/op${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
      signal: AbortSignal.timeout(DATA_PLANE_TIMEOUT_MS),
    });
    const text = await res.text();
    let body: unknown = {};
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      body = { error: 'unexpected_answer', error_description: text.slice(0, 200) };
    }
    return { status: res.status, body };
  } catch (err) {
    const cause = (err as { cause?: { message?: string } }).cause?.message ?? (err as Error).message;
    return {
      status: 502,
      body: {
        error: 'data_plane_unreachable',
        error_description: `The issuer ${issuer} could not be reached: ${cause}`,
      },
    };
  }
}

/** The temporary token must not outlive the call: whether it was revoked, so a failure is said, not hidden. */
async function revoke(ctx: PageContext, tid: string, id: string): Promise<boolean> {
  const answer = await ctx.api('DELETE', `/tenants/rest/v1/${enc(tid)}/api-tokens/${enc(id)}`).catch(() => undefined);
  return answer !== undefined && answer.status < 300;
}

const describe = (answer: ApiAnswer<unknown>) =>
  String((answer.body as { error_description?: string }).error_description ?? 'The key store refused the rotation.');
