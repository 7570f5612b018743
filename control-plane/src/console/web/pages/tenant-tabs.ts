import { type Html, html } from '../html.ts';
import { enc } from '../page-context.ts';

/** The tabs of a tenant's pages, in order: `''` is the tenant's overview, else `/console/tenants/:tid/<slug>`. */
export const TENANT_TABS: ReadonlyArray<{ slug: string; label: string }> = [
  { slug: '', label: 'Overview' },
  { slug: 'issuers', label: 'Issuers & migrations' },
  { slug: 'keys', label: 'Keys' },
  { slug: 'clients', label: 'Clients' },
  { slug: 'users', label: 'Users' },
  { slug: 'usage', label: 'Usage & plan' },
  { slug: 'audit', label: 'Audit log' },
  { slug: 'events', label: 'Webhooks & dead letters' },
];

export interface TenantSummary {
  tid: string;
  name: string;
  status: string;
  issuer: string;
  plan: string;
}

export const statusBadge = (status: string): Html => html`<span class="status status-${status}">${status}</span>`;

/** A tenant page's heading and tab bar; `active` is the current tab's slug. */
export function tenantHeader(tenant: TenantSummary, active: string): Html {
  const base = `/console/tenants/${enc(tenant.tid)}`;
  return html`<p><a href="/console/tenants">← Tenants</a></p>
<h1>${tenant.name} <small><code>${tenant.tid}</code></small> ${statusBadge(tenant.status)}</h1>
<nav class="tabs" aria-label="Tenant">${TENANT_TABS.map(
    (t) =>
      html`<a href="${t.slug ? `${base}/${t.slug}` : base}"${t.slug === active ? html` aria-current="page"` : ''}>${t.label}</a>`,
  )}</nav>`;
}
