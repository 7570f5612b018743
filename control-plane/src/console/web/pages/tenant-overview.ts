import type { FastifyRequest } from 'fastify';
import { html } from '../html.ts';
import { problem } from '../layout.ts';
import { type ConsolePage, canOperate, enc, type PageContext } from '../page-context.ts';
import { type TenantSummary, tenantHeader } from './tenant-tabs.ts';

export interface TenantView extends TenantSummary {
  status_reason: string | null;
  config: Record<string, unknown>;
  config_version: number;
  aliases: Array<{ issuer: string; mode: string }>;
  created_at: string;
  updated_at: string;
}

const tidOf = (request: FastifyRequest) => (request.params as { tid: string }).tid;

/** The tenant, or the page that says why it cannot be shown. */
export async function loadTenant(ctx: PageContext, tid: string) {
  const answer = await ctx.api<TenantView>('GET', `/tenants/rest/v1/${enc(tid)}`);
  if (answer.status !== 200)
    return { page: { title: `Tenant ${tid}`, body: problem(answer), status: answer.status } } as const;
  return { tenant: answer.body } as const;
}

/** The status changes a tenant can take, with what the confirmation says. */
const ACTIONS = {
  suspend: {
    from: 'active',
    label: 'Suspend',
    warning:
      'Its issuer will answer 403 tenant_suspended to every request until it is resumed. Keys, clients and grants stay.',
  },
  resume: { from: 'suspended', label: 'Resume', warning: 'Its issuer will serve requests again.' },
  delete: {
    from: '*',
    label: 'Delete',
    warning:
      'Deprovisioning removes its keys, clients, users and grants, and frees its id and issuers. This cannot be undone.',
  },
} as const;
type Action = keyof typeof ACTIONS;
const isAction = (a: string): a is Action => a in ACTIONS;

/** `/console/tenants/:tid`: status, plan, issuer, config, and the status changes the caller may make. */
export const tenantOverview: ConsolePage = {
  method: 'GET',
  path: '/console/tenants/:tid',
  async handle(ctx, request) {
    const loaded = await loadTenant(ctx, tidOf(request));
    if (!loaded.tenant) return loaded.page;
    const t = loaded.tenant;
    const done = String((request.query as { done?: string }).done ?? '');
    const base = `/console/tenants/${enc(t.tid)}`;
    const actions = (Object.keys(ACTIONS) as Action[]).filter(
      (a) => ACTIONS[a].from === '*' || ACTIONS[a].from === t.status,
    );
    return {
      title: t.name,
      body: html`${tenantHeader(t, '')}
${done ? html`<div class="notice ok" role="status"><p>Done: the tenant was ${done}.</p></div>` : ''}
<div class="card"><dl class="facts">
<dt>Status</dt><dd>${t.status}${t.status_reason ? html` — ${t.status_reason}` : ''}</dd>
<dt>Plan</dt><dd>${t.plan}</dd>
<dt>Issuer</dt><dd><code>${t.issuer}</code></dd>
<dt>Aliases</dt><dd>${t.aliases.length}</dd>
<dt>Config version</dt><dd>${t.config_version}</dd>
<dt>Created</dt><dd>${t.created_at}</dd>
<dt>Updated</dt><dd>${t.updated_at}</dd>
</dl>
${
  canOperate(ctx.viewer.role) && actions.length > 0
    ? html`<div class="actions">${actions.map(
        (a) =>
          html`<a class="button${a === 'delete' ? ' danger' : ''}" href="${base}/confirm/${a}">${ACTIONS[a].label}…</a>`,
      )}</div>`
    : ''
}
</div>
<h2>Configuration</h2>
<pre tabindex="0" aria-label="Configuration">${JSON.stringify(t.config, null, 2)}</pre>`,
    };
  },
};

/** `/console/tenants/:tid/confirm/:action`: what the change does, and one button to make it. */
export const confirmStatus: ConsolePage = {
  method: 'GET',
  path: '/console/tenants/:tid/confirm/:action',
  async handle(ctx, request) {
    const { action } = request.params as { action: string };
    const loaded = await loadTenant(ctx, tidOf(request));
    if (!loaded.tenant) return loaded.page;
    if (!isAction(action)) return { title: 'Not found', body: html`<h1>No such action</h1>`, status: 404 };
    const t = loaded.tenant;
    const what = ACTIONS[action];
    return {
      title: `${what.label} ${t.tid}?`,
      body: html`<p><a href="/console/tenants/${enc(t.tid)}">← ${t.name}</a></p>
<h1>${what.label} tenant <code>${t.tid}</code>?</h1>
<div class="card"><p>${what.warning}</p>
<form method="post" action="/console/tenants/${enc(t.tid)}/${action}">
<input type="hidden" name="_csrf" value="${ctx.viewer.csrf}">
<div class="actions"><button type="submit" class="primary${action === 'delete' ? ' danger' : ''}">${what.label} ${t.tid}</button><a href="/console/tenants/${enc(t.tid)}">Cancel</a></div>
</form></div>`,
    };
  },
};

/** POST `/console/tenants/:tid/:action` (suspend, resume, delete): the API call, as the user. */
export const changeStatus: ConsolePage = {
  method: 'POST',
  path: '/console/tenants/:tid/:action',
  async handle(ctx, request) {
    const tid = tidOf(request);
    const { action } = request.params as { action: string };
    if (!isAction(action)) return { title: 'Not found', body: html`<h1>No such action</h1>`, status: 404 };
    const answer =
      action === 'delete'
        ? await ctx.api('DELETE', `/tenants/rest/v1/${enc(tid)}`)
        : await ctx.api('POST', `/tenants/rest/v1/${enc(tid)}/${action}`);
    if (answer.status >= 300)
      return {
        title: `${ACTIONS[action].label} ${tid}`,
        body: html`<p><a href="/console/tenants/${enc(tid)}">← ${tid}</a></p><h1>${ACTIONS[action].label} ${tid}</h1>${problem(answer)}`,
        status: answer.status,
      };
    if (action === 'delete') return { redirect: `/console/tenants?deleted=${enc(tid)}` };
    return { redirect: `/console/tenants/${enc(tid)}?done=${action === 'suspend' ? 'suspended' : 'resumed'}` };
  },
};
