import { html } from '../html.ts';
import { type ConsolePage, enc } from '../page-context.ts';
import { pager, queryOf, refused, tabBase, tenantTab } from './tab-parts.ts';

interface ClientRow {
  client_id: string;
  client_name?: string;
  grant_types: string[];
  response_types: string[];
  redirect_uris: string[];
  token_endpoint_auth_method: string;
  scope?: string;
  has_secret: boolean;
  client_secret_expires_at: number;
  created_at: string;
  updated_at: string;
}

const PAGE = 100;

/** A secret's expiry: RFC 7591 says 0 is "never". */
const secretCell = (c: ClientRow) =>
  !c.has_secret
    ? 'none'
    : c.client_secret_expires_at
      ? `expires ${new Date(c.client_secret_expires_at * 1000).toISOString()}`
      : 'never expires';

/** `/console/tenants/:tid/clients`: the tenant's registered clients (never a secret), a page at a time. */
export const clientsPage: ConsolePage = {
  method: 'GET',
  path: '/console/tenants/:tid/clients',
  handle: (ctx, request) =>
    tenantTab(ctx, request, 'clients', 'clients', async (t) => {
      const after = queryOf(request).after || undefined;
      const answer = await ctx.api<{ clients: ClientRow[]; next_cursor?: string }>(
        'GET',
        `/tenants/rest/v1/${enc(t.tid)}/clients?limit=${PAGE}${after ? `&after=${enc(after)}` : ''}`,
      );
      if (answer.status !== 200) return refused(answer);
      const { clients, next_cursor } = answer.body;
      return {
        body: html`<div class="table-scroll"><table><caption class="visually-hidden">Clients of ${t.tid}</caption>
<thead><tr><th scope="col">Client id</th><th scope="col">Name</th><th scope="col">Grant types</th><th scope="col">Authentication</th><th scope="col">Redirect URIs</th><th scope="col">Scope</th><th scope="col">Secret</th><th scope="col">Created</th></tr></thead>
<tbody>${
          clients.length === 0
            ? html`<tr><td colspan="8">No clients${after ? ' on this page' : ''}.</td></tr>`
            : clients.map(
                (c) =>
                  html`<tr><td><code>${c.client_id}</code></td><td>${c.client_name ?? ''}</td><td>${c.grant_types.join(', ')}</td><td>${c.token_endpoint_auth_method}</td><td>${c.redirect_uris.map((u) => html`<code>${u}</code><br>`)}</td><td>${c.scope ?? ''}</td><td>${secretCell(c)}</td><td>${c.created_at}</td></tr>`,
              )
        }</tbody></table></div>
${pager(`${tabBase(t.tid)}/clients`, {}, 'after', after, next_cursor)}`,
      };
    }),
};
