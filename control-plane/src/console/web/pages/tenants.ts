import type { FastifyRequest } from 'fastify';
import { html } from '../html.ts';
import { problem } from '../layout.ts';
import { type ApiAnswer, type ConsolePage, canOperate, enc, type PageContext } from '../page-context.ts';
import { statusBadge, type TenantSummary } from './tenant-tabs.ts';

/** At most this many tenants are read for one list (the API pages by 200). */
const LIST_MAX = 2000;

async function allTenants(ctx: PageContext) {
  const tenants: TenantSummary[] = [];
  let cursor: string | null = null;
  do {
    const answer: ApiAnswer<{ tenants: TenantSummary[]; next_cursor: string | null }> = await ctx.api(
      'GET',
      `/tenants/rest/v1?limit=200${cursor ? `&cursor=${enc(cursor)}` : ''}`,
    );
    if (answer.status !== 200) return { answer };
    tenants.push(...answer.body.tenants);
    cursor = answer.body.next_cursor;
  } while (cursor && tenants.length < LIST_MAX);
  return { tenants };
}

/** `/console/tenants`: every tenant the caller may see (a tenant administrator: its own), searchable. */
export const tenantList: ConsolePage = {
  method: 'GET',
  path: '/console/tenants',
  async handle(ctx, request: FastifyRequest) {
    const q = String((request.query as { q?: string }).q ?? '').trim();
    const read = await allTenants(ctx);
    if (!read.tenants) return { title: 'Tenants', body: problem(read.answer), status: read.answer.status };
    const needle = q.toLowerCase();
    const shown = needle
      ? read.tenants.filter((t) => [t.tid, t.name, t.issuer].some((v) => v.toLowerCase().includes(needle)))
      : read.tenants;
    const body = html`<h1>Tenants</h1>
<div class="row">
<form method="get" action="/console/tenants" role="search" class="row">
<div><label for="q">Search by id, name or issuer</label><input type="search" id="q" name="q" value="${q}"></div>
<div class="fit"><button type="submit">Search</button></div>
</form>
${canOperate(ctx.viewer.role) ? html`<div class="fit"><a class="button primary" href="/console/tenants/new">New tenant</a></div>` : ''}
</div>
<p class="hint" role="status">${shown.length} of ${read.tenants.length} tenant${read.tenants.length === 1 ? '' : 's'}</p>
<table>
<caption class="visually-hidden">Tenants</caption>
<thead><tr><th scope="col">Tenant</th><th scope="col">Name</th><th scope="col">Status</th><th scope="col">Plan</th><th scope="col">Issuer</th></tr></thead>
<tbody>${shown.map(
      (t) =>
        html`<tr><td><a href="/console/tenants/${enc(t.tid)}">${t.tid}</a></td><td>${t.name}</td><td>${statusBadge(t.status)}</td><td>${t.plan}</td><td><code>${t.issuer}</code></td></tr>`,
    )}</tbody>
</table>`;
    return { title: 'Tenants', body };
  },
};

interface NewTenantValues {
  tid: string;
  name: string;
  issuer: string;
  plan: string;
  config: string;
}

async function newTenantForm(ctx: PageContext, values: NewTenantValues, error?: ReturnType<typeof problem>) {
  const plans = await ctx.api<{ plans: Array<{ id: string; name: string }> }>('GET', '/plans/rest/v1');
  const options = plans.status === 200 ? plans.body.plans : [{ id: 'free', name: 'Free' }];
  return html`<p><a href="/console/tenants">← Tenants</a></p>
<h1>New tenant</h1>
${error ?? ''}
<form method="post" action="/console/tenants" class="card">
<input type="hidden" name="_csrf" value="${ctx.viewer.csrf}">
<div class="row">
<div><label for="tid">Tenant id</label><input type="text" id="tid" name="tid" required pattern="[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?" value="${values.tid}" aria-describedby="tid-hint"><p class="hint" id="tid-hint">Lower-case letters, digits and dashes; it never changes.</p></div>
<div><label for="name">Name</label><input type="text" id="name" name="name" required maxlength="200" value="${values.name}"></div>
</div>
<div class="row">
<div><label for="issuer">Issuer URL</label><input type="url" id="issuer" name="issuer" required value="${values.issuer}" aria-describedby="issuer-hint"><p class="hint" id="issuer-hint">Under one of the platform's issuer bases, or a custom domain the tenant has verified.</p></div>
<div><label for="plan">Plan</label><select id="plan" name="plan">${options.map(
    (p) => html`<option value="${p.id}"${p.id === values.plan ? html` selected` : ''}>${p.name} (${p.id})</option>`,
  )}</select></div>
</div>
<label for="config">Configuration (JSON)</label>
<textarea id="config" name="config" spellcheck="false" aria-describedby="config-hint config-problems">${values.config}</textarea>
<p class="hint" id="config-hint">Checked as you type by the same validator the API uses; members left out take their defaults.</p>
<div id="config-problems" role="status" aria-live="polite"></div>
<div class="actions"><button type="submit" class="primary">Create tenant</button><a href="/console/tenants">Cancel</a></div>
</form>`;
}

/** `/console/tenants/new`: the create form with a live-checked config editor. */
export const newTenant: ConsolePage = {
  method: 'GET',
  path: '/console/tenants/new',
  async handle(ctx) {
    const values = { tid: '', name: '', issuer: '', plan: 'free', config: '{\n  \n}' };
    return { title: 'New tenant', body: await newTenantForm(ctx, values) };
  },
};

/** POST `/console/tenants`: create and provision; a refusal shows the form again with everything typed kept. */
export const createTenant: ConsolePage = {
  method: 'POST',
  path: '/console/tenants',
  async handle(ctx, request) {
    const form = (request.body ?? {}) as Record<string, string | undefined>;
    const values: NewTenantValues = {
      tid: String(form.tid ?? '').trim(),
      name: String(form.name ?? '').trim(),
      issuer: String(form.issuer ?? '').trim(),
      plan: String(form.plan ?? 'free'),
      config: String(form.config ?? ''),
    };
    let config: unknown;
    try {
      config = values.config.trim() === '' ? {} : JSON.parse(values.config);
    } catch (err) {
      const answer = {
        status: 400,
        body: {
          error: 'invalid_configuration',
          error_description: `The configuration is not valid JSON: ${(err as Error).message}`,
        },
      };
      return { title: 'New tenant', body: await newTenantForm(ctx, values, problem(answer)), status: 400 };
    }
    const created = await ctx.api<{ tid: string; api_token?: string; status: string }>(
      'POST',
      '/tenants/rest/v1?wait=true',
      {
        tid: values.tid,
        name: values.name,
        issuer: values.issuer,
        plan: values.plan,
        config,
      },
    );
    if (created.status !== 201 && created.status !== 202)
      return { title: 'New tenant', body: await newTenantForm(ctx, values, problem(created)), status: created.status };
    const tid = created.body.tid;
    return {
      title: `Tenant ${tid} created`,
      body: html`<h1>Tenant <code>${tid}</code> created</h1>
<div class="notice ok" role="status"><p>The tenant is ${created.body.status}.</p></div>
${
  created.body.api_token
    ? html`<div class="card"><h2>Its first integration API token</h2><p>Shown this once: copy it now.</p><p class="secret">${created.body.api_token}</p></div>`
    : ''
}
<p><a class="button primary" href="/console/tenants/${enc(tid)}">Open the tenant</a></p>`,
      status: 201,
    };
  },
};
