import { METRICS } from '@tessera/shared/billing/metrics';
import { type Html, html } from '../html.ts';
import { problem } from '../layout.ts';
import { type ConsolePage, canOperate, enc } from '../page-context.ts';
import { actionFailed, csrfField, doneNotice, formOf, queryOf, tabBase, tenantTab, tidOf } from './tab-parts.ts';

type ByMetric = Record<string, number>;
interface Usage {
  from: string;
  to: string;
  days: Array<{ day: string; dimensions: Record<string, number> }>;
  totals: ByMetric;
  months: Array<{ month: string; usage: ByMetric; overage: ByMetric }>;
}
interface Plan {
  id: string;
  name: string;
  quotas: Record<string, number | null>;
  monthly_caps: Record<string, { limit: number; kind: string }>;
}

const QUOTAS = [
  ['clients', 'Clients'],
  ['users', 'Users'],
  ['monthly_active_subjects', 'Monthly active subjects'],
  ['token_requests_per_second', 'Token requests / s'],
  ['token_requests_burst', 'Token request burst'],
  ['issuer_aliases', 'Issuer aliases'],
  ['api_tokens', 'API tokens'],
] as const;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const label = (metric: string) => metric.replaceAll('_', ' ');
const count = (n: number | null | undefined) => (n === null || n === undefined ? 'unlimited' : String(n));

/** The default range: this month so far (UTC). */
function monthToDate(now = new Date()) {
  const today = now.toISOString().slice(0, 10);
  return { from: `${today.slice(0, 7)}-01`, to: today };
}

function usageTables(u: Usage): Html {
  const dimensions = [...new Set(u.days.flatMap((d) => Object.keys(d.dimensions)))].sort();
  return html`<h2>Totals, ${u.from} to ${u.to}</h2>
<table><caption class="visually-hidden">Usage totals per metric</caption>
<thead><tr><th scope="col">Metric</th><th scope="col">Total</th></tr></thead>
<tbody>${METRICS.map((m) => html`<tr><th scope="row">${label(m)}</th><td>${u.totals[m] ?? 0}</td></tr>`)}</tbody></table>
<h2>By month</h2>
<div class="table-scroll"><table><caption class="visually-hidden">Usage and overage per month</caption>
<thead><tr><th scope="col">Month</th>${METRICS.map((m) => html`<th scope="col">${label(m)}</th>`)}</tr></thead>
<tbody>${u.months.map(
    (mo) =>
      html`<tr><th scope="row">${mo.month}</th>${METRICS.map(
        (m) =>
          html`<td>${mo.usage[m] ?? 0}${mo.overage[m] ? html` <strong>(${mo.overage[m]} over the cap)</strong>` : ''}</td>`,
      )}</tr>`,
  )}</tbody></table></div>
<h2>By day</h2>
${
  u.days.length === 0
    ? html`<p>No usage recorded in this range.</p>`
    : html`<div class="table-scroll"><table><caption class="visually-hidden">Usage per day and dimension</caption>
<thead><tr><th scope="col">Day</th>${dimensions.map((d) => html`<th scope="col">${d}</th>`)}</tr></thead>
<tbody>${u.days.map(
        (d) =>
          html`<tr><th scope="row">${d.day}</th>${dimensions.map((k) => html`<td>${d.dimensions[k] ?? 0}</td>`)}</tr>`,
      )}</tbody></table></div>`
}`;
}

function plansTable(plans: Plan[], current: string): Html {
  return html`<div class="table-scroll"><table><caption class="visually-hidden">Plans and their quotas</caption>
<thead><tr><th scope="col">Plan</th>${QUOTAS.map(([, name]) => html`<th scope="col">${name}</th>`)}<th scope="col">Monthly caps</th></tr></thead>
<tbody>${plans.map(
    (p) =>
      html`<tr><th scope="row">${p.name} <code>${p.id}</code>${p.id === current ? html` <strong>(current)</strong>` : ''}</th>${QUOTAS.map(
        ([q]) => html`<td>${count(p.quotas[q])}</td>`,
      )}<td>${
        Object.keys(p.monthly_caps).length === 0
          ? 'none'
          : Object.entries(p.monthly_caps).map(([m, c]) => html`${label(m)}: ${c.limit} (${c.kind})<br>`)
      }</td></tr>`,
  )}</tbody></table></div>`;
}

/** `/console/tenants/:tid/usage`: metered usage over a range, the plan and its quotas, and (operators) a plan change. */
export const usagePage: ConsolePage = {
  method: 'GET',
  path: '/console/tenants/:tid/usage',
  handle: (ctx, request) =>
    tenantTab(ctx, request, 'usage', 'usage and plan', async (t) => {
      const q = queryOf(request);
      const range = monthToDate();
      const from = DAY.test(q.from ?? '') ? q.from! : range.from;
      const to = DAY.test(q.to ?? '') ? q.to! : range.to;
      const [usage, plans] = await Promise.all([
        ctx.api<Usage>('GET', `/tenants/rest/v1/${enc(t.tid)}/usage?from=${enc(from)}&to=${enc(to)}`),
        ctx.api<{ plans: Plan[] }>('GET', '/plans/rest/v1'),
      ]);
      const base = tabBase(t.tid);
      const planList = plans.status === 200 ? plans.body.plans : [];
      return {
        body: html`${doneNotice(request)}
<h2>Plan</h2>
<div class="card"><dl class="facts"><dt>Current plan</dt><dd>${planList.find((p) => p.id === t.plan)?.name ?? t.plan} <code>${t.plan}</code></dd></dl>
${
  canOperate(ctx.viewer.role) && planList.length > 0
    ? html`<form method="post" action="${base}/usage/plan" class="row">${csrfField(ctx)}
<div><label for="plan">Change the plan to</label><select id="plan" name="plan">${planList.map(
        (p) => html`<option value="${p.id}"${p.id === t.plan ? html` selected` : ''}>${p.name} (${p.id})</option>`,
      )}</select></div>
<div class="fit"><button type="submit" class="primary">Change plan</button></div>
</form>`
    : ''
}</div>
${plans.status === 200 ? plansTable(planList, t.plan) : problem(plans)}
<h2>Usage</h2>
<form method="get" action="${base}/usage" class="row">
<div><label for="from">From (UTC day)</label><input type="date" id="from" name="from" value="${from}" required></div>
<div><label for="to">To (UTC day)</label><input type="date" id="to" name="to" value="${to}" required></div>
<div class="fit"><button type="submit">Show</button></div>
</form>
${usage.status === 200 ? usageTables(usage.body) : problem(usage)}`,
        ...(usage.status === 200 ? {} : { status: usage.status }),
      };
    }),
};

/** POST `/console/tenants/:tid/usage/plan`: PATCH the tenant's plan, as the user (the API requires `tenants:plan`). */
export const changePlan: ConsolePage = {
  method: 'POST',
  path: '/console/tenants/:tid/usage/plan',
  async handle(ctx, request) {
    const tid = tidOf(request);
    const plan = String(formOf(request).plan ?? '');
    const answer = await ctx.api('PATCH', `/tenants/rest/v1/${enc(tid)}`, { plan });
    if (answer.status >= 300) return actionFailed(tid, 'usage', 'Change the plan', answer);
    return { redirect: `${tabBase(tid)}/usage?done=${enc(`The plan is now ${plan}.`)}` };
  },
};
