import type { SlotDefinition } from '@tessera/shared/plugins/slot';
import { SLOTS } from '@tessera/shared/plugins/slots/index';
import type { DeadLetter } from '../../../events/dead-letters.ts';
import { type Html, html } from '../html.ts';
import { type ConsolePage, canWrite, enc } from '../page-context.ts';
import {
  actionFailed,
  csrfField,
  doneNotice,
  pager,
  queryOf,
  refused,
  tabBase,
  tenantTab,
  tidOf,
  when,
} from './tab-parts.ts';
import type { TenantView } from './tenant-overview.ts';

const PAGE = 50;
/** The event-listener slots: webhooks that receive events after the request (shared/src/plugins/slots). */
const LISTENER_SLOTS = (SLOTS as readonly SlotDefinition[]).filter((s) => s.events !== undefined);

/** Where the tenant's events go, from its config: `events.endpoints` and the event-listener slots that are set. */
function targets(t: TenantView): Html {
  const config = t.config as {
    events?: { endpoints?: Array<{ url: string; types: string[] }> };
    plugins?: Record<string, { type?: string; url?: string } | undefined>;
  };
  const rows: Array<{ source: string; url: string; types: string }> = [
    ...(config.events?.endpoints ?? []).map((e) => ({
      source: 'events.endpoints',
      url: e.url,
      types: e.types.join(', '),
    })),
    ...LISTENER_SLOTS.flatMap((s) => {
      const set = config.plugins?.[s.name];
      return set?.url ? [{ source: `plugins.${s.name}`, url: set.url, types: (s.events ?? []).join(', ') }] : [];
    }),
  ];
  return html`<table><caption class="visually-hidden">Webhook targets of ${t.tid}</caption>
<thead><tr><th scope="col">Configured in</th><th scope="col">URL</th><th scope="col">Event types</th></tr></thead>
<tbody>${
    rows.length === 0
      ? html`<tr><td colspan="3">No webhook targets are configured.</td></tr>`
      : rows.map(
          (r) => html`<tr><td><code>${r.source}</code></td><td><code>${r.url}</code></td><td>${r.types}</td></tr>`,
        )
  }</tbody></table>
<p class="hint">Read-only here: targets are part of the tenant's configuration.</p>`;
}

/** `/console/tenants/:tid/events`: the webhook targets, and the deliveries that exhausted their attempts, each retryable. */
export const eventsPage: ConsolePage = {
  method: 'GET',
  path: '/console/tenants/:tid/events',
  handle: (ctx, request) =>
    tenantTab(ctx, request, 'events', 'webhooks and dead letters', async (t) => {
      const cursor = queryOf(request).cursor || undefined;
      const base = `${tabBase(t.tid)}/events`;
      const answer = await ctx.api<{ dead_letters: DeadLetter[]; next_cursor?: string }>(
        'GET',
        `/tenants/rest/v1/${enc(t.tid)}/events/dead-letters?limit=${PAGE}${cursor ? `&cursor=${enc(cursor)}` : ''}`,
      );
      const head = html`${doneNotice(request)}<h2>Webhook targets</h2>${targets(t)}<h2>Dead letters</h2>`;
      if (answer.status !== 200) return { ...refused(answer), body: html`${head}${refused(answer).body}` };
      const { dead_letters, next_cursor } = answer.body;
      const write = canWrite(ctx.viewer.role);
      return {
        body: html`${head}
<div class="table-scroll"><table><caption class="visually-hidden">Event deliveries that exhausted their attempts</caption>
<thead><tr><th scope="col">Failed</th><th scope="col">Event</th><th scope="col">Type</th><th scope="col">URL</th><th scope="col">Attempts</th><th scope="col">Last error</th>${
          write ? html`<th scope="col"><span class="visually-hidden">Actions</span></th>` : ''
        }</tr></thead>
<tbody>${
          dead_letters.length === 0
            ? html`<tr><td colspan="${write ? 7 : 6}">No dead letters.</td></tr>`
            : dead_letters.map(
                (d) =>
                  html`<tr><td>${when(d.failed_at)}</td><td><code>${d.event_id}</code></td><td>${d.type}</td><td><code>${d.url}</code> <span class="hint">(${d.source})</span></td><td>${d.attempts}</td><td>${d.last_error}</td>${
                    write
                      ? html`<td><form method="post" action="${base}/dead-letters/${enc(d.id)}/retry">${csrfField(ctx)}<button type="submit" aria-label="Retry delivery ${d.id}">Retry</button></form></td>`
                      : ''
                  }</tr>`,
              )
        }</tbody></table></div>
${pager(base, {}, 'cursor', cursor, next_cursor)}`,
      };
    }),
};

/** POST `/console/tenants/:tid/events/dead-letters/:id/retry`: re-drive one delivery, with all its attempts. */
export const retryDeadLetter: ConsolePage = {
  method: 'POST',
  path: '/console/tenants/:tid/events/dead-letters/:id/retry',
  async handle(ctx, request) {
    const tid = tidOf(request);
    const { id } = request.params as { id: string };
    const answer = await ctx.api('POST', `/tenants/rest/v1/${enc(tid)}/events/dead-letters/${enc(id)}/retry`);
    if (answer.status >= 300) return actionFailed(tid, 'events', 'Retry a delivery', answer);
    return { redirect: `${tabBase(tid)}/events?done=${enc(`Delivery ${id} is queued again.`)}` };
  },
};
