import { ADMIN_ACTIONS } from '@tessera/shared/audit/audit-actions';
import { EVENT_TYPES } from '@tessera/shared/events/event-types';
import { html } from '../html.ts';
import { type ConsolePage, enc } from '../page-context.ts';
import { compact, pager, queryOf, refused, tabBase, tenantTab, when } from './tab-parts.ts';

interface AuditRecord {
  id: string;
  occurred_at: string;
  actor: string;
  action: string;
  target: string | null;
  details: Record<string, unknown>;
}

const PAGE = 50;
/** What the action filter suggests: every recorded action, and each family (`tenant.*`). */
const SUGGESTIONS = (() => {
  const actions = [...ADMIN_ACTIONS, ...EVENT_TYPES] as string[];
  const families = [...new Set(actions.map((a) => `${a.slice(0, a.indexOf('.'))}.*`))];
  return [...families, ...actions].sort();
})();

/** `/console/tenants/:tid/audit`: the tenant's audit log, newest first, filtered by action and actor, a page at a time. */
export const auditPage: ConsolePage = {
  method: 'GET',
  path: '/console/tenants/:tid/audit',
  handle: (ctx, request) =>
    tenantTab(ctx, request, 'audit', 'audit log', async (t) => {
      const q = queryOf(request);
      const action = (q.action ?? '').trim();
      const actor = (q.actor ?? '').trim();
      const cursor = q.cursor || undefined;
      const base = `${tabBase(t.tid)}/audit`;
      const filters = html`<form method="get" action="${base}" role="search" class="row">
<div><label for="action">Action</label><input type="text" id="action" name="action" list="audit-actions" value="${action}" aria-describedby="action-hint"><p class="hint" id="action-hint">An action (tenant.suspended) or a family (tenant.*).</p></div>
<datalist id="audit-actions">${SUGGESTIONS.map((s) => html`<option value="${s}"></option>`)}</datalist>
<div><label for="actor">Actor</label><input type="text" id="actor" name="actor" value="${actor}" aria-describedby="actor-hint"><p class="hint" id="actor-hint">operator, system, admin:&lt;id&gt;, client:&lt;id&gt; or sub:&lt;subject&gt;</p></div>
<div class="fit"><button type="submit">Filter</button></div>
</form>`;
      const query = new URLSearchParams({ limit: String(PAGE) });
      if (action) query.set('action', action);
      if (actor) query.set('actor', actor);
      if (cursor) query.set('cursor', cursor);
      const answer = await ctx.api<{ records: AuditRecord[]; next_cursor?: string }>(
        'GET',
        `/tenants/rest/v1/${enc(t.tid)}/audit?${query}`,
      );
      if (answer.status !== 200) return { ...refused(answer), body: html`${filters}${refused(answer).body}` };
      const { records, next_cursor } = answer.body;
      return {
        body: html`${filters}
<div class="table-scroll"><table><caption class="visually-hidden">Audit log of ${t.tid}, newest first</caption>
<thead><tr><th scope="col">Time</th><th scope="col">Actor</th><th scope="col">Action</th><th scope="col">Target</th><th scope="col">Details</th></tr></thead>
<tbody>${
          records.length === 0
            ? html`<tr><td colspan="5">No records${action || actor ? ' match' : ''}.</td></tr>`
            : records.map(
                (r) =>
                  html`<tr><td>${r.occurred_at}</td><td><code>${r.actor}</code></td><td>${r.action}</td><td>${when(r.target)}</td><td>${compact(r.details)}</td></tr>`,
              )
        }</tbody></table></div>
${pager(base, { action, actor }, 'cursor', cursor, next_cursor)}`,
      };
    }),
};
