import type { FastifyRequest } from 'fastify';
import type { MigrationProgress } from '../../../workflows/issuer-migration-types.ts';
import { html } from '../html.ts';
import { problem } from '../layout.ts';
import { type ConsolePage, canWrite, enc } from '../page-context.ts';
import { loadTenant } from './tenant-overview.ts';
import { tenantHeader } from './tenant-tabs.ts';

const tidOf = (request: FastifyRequest) => (request.params as { tid: string }).tid;
const form = (request: FastifyRequest) => (request.body ?? {}) as Record<string, string | undefined>;

/** The API's view of a migration: its id and the workflow's progress. */
type Migration = MigrationProgress & { id: string };

/** `/console/tenants/:tid/issuers`: the primary issuer, its aliases (add, remove), and starting an issuer migration. */
export const issuersPage: ConsolePage = {
  method: 'GET',
  path: '/console/tenants/:tid/issuers',
  async handle(ctx, request) {
    const loaded = await loadTenant(ctx, tidOf(request));
    if (!loaded.tenant) return loaded.page;
    const t = loaded.tenant;
    const base = `/console/tenants/${enc(t.tid)}`;
    const csrf = html`<input type="hidden" name="_csrf" value="${ctx.viewer.csrf}">`;
    const done = String((request.query as { done?: string }).done ?? '');
    return {
      title: `${t.name}: issuers`,
      body: html`${tenantHeader(t, 'issuers')}
${done ? html`<div class="notice ok" role="status"><p>${done}</p></div>` : ''}
<div class="card"><dl class="facts"><dt>Primary issuer</dt><dd><code>${t.issuer}</code></dd></dl></div>
<h2>Aliases</h2>
<table><caption class="visually-hidden">Issuer aliases</caption>
<thead><tr><th scope="col">Issuer</th><th scope="col">Mode</th>${canWrite(ctx.viewer.role) ? html`<th scope="col"><span class="visually-hidden">Actions</span></th>` : ''}</tr></thead>
<tbody>${
        t.aliases.length === 0
          ? html`<tr><td colspan="3">No aliases.</td></tr>`
          : t.aliases.map(
              (a) =>
                html`<tr><td><code>${a.issuer}</code></td><td>${a.mode}</td>${
                  canWrite(ctx.viewer.role)
                    ? html`<td><form method="post" action="${base}/aliases/remove">${csrf}<input type="hidden" name="issuer" value="${a.issuer}"><button type="submit" class="danger" aria-label="Remove alias ${a.issuer}">Remove</button></form></td>`
                    : ''
                }</tr>`,
            )
      }</tbody></table>
${
  canWrite(ctx.viewer.role)
    ? html`<form method="post" action="${base}/aliases" class="card">${csrf}
<h2>Add an alias</h2>
<div class="row"><div><label for="alias-issuer">Alias issuer URL</label><input type="url" id="alias-issuer" name="issuer" required></div>
<div><label for="alias-mode">Mode</label><select id="alias-mode" name="mode"><option value="MIGRATION">MIGRATION (same grants)</option><option value="PERSISTED_GRANT_ISOLATION">PERSISTED_GRANT_ISOLATION</option></select></div>
<div class="fit"><button type="submit" class="primary">Add alias</button></div></div>
</form>
<form method="post" action="${base}/issuer-migrations" class="card">${csrf}
<h2>Migrate to a new issuer</h2>
<p class="hint">Both URLs are served during the window; the page of the migration shows who still uses the old one.</p>
<div class="row"><div><label for="new-issuer">New issuer URL</label><input type="url" id="new-issuer" name="new_issuer" required></div>
<div><label for="window">Window (seconds)</label><input type="number" id="window" name="window_seconds" min="1" value="604800" required></div>
<div class="fit"><button type="submit" class="primary">Start migration</button></div></div>
</form>`
    : ''
}`,
    };
  },
};

/** POST `/console/tenants/:tid/aliases` */
export const addAlias: ConsolePage = {
  method: 'POST',
  path: '/console/tenants/:tid/aliases',
  async handle(ctx, request) {
    const tid = tidOf(request);
    const { issuer = '', mode = 'MIGRATION' } = form(request);
    const answer = await ctx.api('POST', `/tenants/rest/v1/${enc(tid)}/aliases`, { issuer: issuer.trim(), mode });
    if (answer.status >= 300) return failed(tid, 'Add an alias', answer);
    return { redirect: `/console/tenants/${enc(tid)}/issuers?done=${enc(`Alias ${issuer.trim()} added.`)}` };
  },
};

/** POST `/console/tenants/:tid/aliases/remove` */
export const removeAlias: ConsolePage = {
  method: 'POST',
  path: '/console/tenants/:tid/aliases/remove',
  async handle(ctx, request) {
    const tid = tidOf(request);
    const { issuer = '' } = form(request);
    const answer = await ctx.api('DELETE', `/tenants/rest/v1/${enc(tid)}/aliases?issuer=${enc(issuer)}`);
    if (answer.status >= 300) return failed(tid, 'Remove an alias', answer);
    return { redirect: `/console/tenants/${enc(tid)}/issuers?done=${enc(`Alias ${issuer} removed.`)}` };
  },
};

/** POST `/console/tenants/:tid/issuer-migrations`: start, then follow it on its own page. */
export const startMigration: ConsolePage = {
  method: 'POST',
  path: '/console/tenants/:tid/issuer-migrations',
  async handle(ctx, request) {
    const tid = tidOf(request);
    const { new_issuer = '', window_seconds = '' } = form(request);
    const answer = await ctx.api<Migration>('POST', `/tenants/rest/v1/${enc(tid)}/issuer-migrations`, {
      new_issuer: new_issuer.trim(),
      window_seconds: Number(window_seconds),
    });
    if (answer.status >= 300) return failed(tid, 'Start an issuer migration', answer);
    return { redirect: `/console/tenants/${enc(tid)}/issuer-migrations/${enc(answer.body.id)}` };
  },
};

/** `/console/tenants/:tid/issuer-migrations/:id`: the migration's live telemetry (console.js refreshes it). */
export const migrationPage: ConsolePage = {
  method: 'GET',
  path: '/console/tenants/:tid/issuer-migrations/:id',
  async handle(ctx, request) {
    const tid = tidOf(request);
    const { id } = request.params as { id: string };
    const loaded = await loadTenant(ctx, tid);
    if (!loaded.tenant) return loaded.page;
    const answer = await ctx.api<Migration>('GET', `/tenants/rest/v1/${enc(tid)}/issuer-migrations/${enc(id)}`);
    if (answer.status !== 200)
      return {
        title: 'Issuer migration',
        body: html`${tenantHeader(loaded.tenant, 'issuers')}${problem(answer)}`,
        status: answer.status,
      };
    const m = answer.body;
    const base = `/console/tenants/${enc(tid)}/issuer-migrations/${enc(id)}`;
    const running = m.state !== 'completed' && m.state !== 'cancelled' && m.state !== 'failed';
    return {
      title: `${tid}: issuer migration`,
      body: html`${tenantHeader(loaded.tenant, 'issuers')}
<h2>Issuer migration</h2>
<div class="card" id="live" data-refresh="${running ? '5' : ''}" aria-live="polite"><dl class="facts">
<dt>State</dt><dd><strong>${m.state}</strong>${m.reason ? html` — ${m.reason}` : ''}</dd>
<dt>From</dt><dd><code>${m.old_issuer}</code></dd>
<dt>To</dt><dd><code>${m.new_issuer}</code></dd>
<dt>Window</dt><dd>${m.window_started_at ?? '–'} → ${m.window_ends_at ?? '–'}</dd>
<dt>Requests to the old URL</dt><dd>${m.old_issuer_requests} in all, ${m.old_issuer_recent_requests} recently</dd>
<dt>Last request to the old URL</dt><dd>${m.old_issuer_last_request_at ?? 'none'}</dd>
<dt>Counted at</dt><dd>${m.counted_at ?? '–'}</dd>
</dl></div>
${
  running && canWrite(ctx.viewer.role)
    ? html`<div class="actions">
<form method="post" action="${base}/complete"><input type="hidden" name="_csrf" value="${ctx.viewer.csrf}"><button type="submit" class="primary">Complete now</button></form>
<form method="post" action="${base}/cancel"><input type="hidden" name="_csrf" value="${ctx.viewer.csrf}"><button type="submit" class="danger">Cancel migration</button></form>
</div>`
    : ''
}`,
    };
  },
};

/** POST `/console/tenants/:tid/issuer-migrations/:id/:action` (complete, cancel) */
export const endMigration: ConsolePage = {
  method: 'POST',
  path: '/console/tenants/:tid/issuer-migrations/:id/:action',
  async handle(ctx, request) {
    const tid = tidOf(request);
    const { id, action } = request.params as { id: string; action: string };
    if (action !== 'complete' && action !== 'cancel')
      return { title: 'Not found', body: html`<h1>No such action</h1>`, status: 404 };
    const answer = await ctx.api('POST', `/tenants/rest/v1/${enc(tid)}/issuer-migrations/${enc(id)}/${action}`);
    if (answer.status >= 300) return failed(tid, 'Issuer migration', answer);
    return { redirect: `/console/tenants/${enc(tid)}/issuer-migrations/${enc(id)}` };
  },
};

function failed(tid: string, title: string, answer: { status: number; body: unknown }) {
  return {
    title,
    body: html`<p><a href="/console/tenants/${enc(tid)}/issuers">← Issuers of ${tid}</a></p><h1>${title}</h1>${problem(answer)}`,
    status: answer.status,
  };
}
