import { html } from '../html.ts';
import { type ConsolePage, enc } from '../page-context.ts';
import { compact, pager, queryOf, refused, tabBase, tenantTab } from './tab-parts.ts';

interface UserRow {
  sub: string;
  username: string;
  claims: Record<string, unknown>;
  created_at: string;
  updated_at: string;
}

const PAGE = 100;

/** `/console/tenants/:tid/users`: the tenant's directory users (never a password hash), by username or a page at a time. */
export const usersPage: ConsolePage = {
  method: 'GET',
  path: '/console/tenants/:tid/users',
  handle: (ctx, request) =>
    tenantTab(ctx, request, 'users', 'users', async (t) => {
      const q = queryOf(request);
      const after = q.after || undefined;
      const username = (q.username ?? '').trim();
      const search = html`<form method="get" action="${tabBase(t.tid)}/users" role="search" class="row">
<div><label for="username">Username</label><input type="search" id="username" name="username" value="${username}"></div>
<div class="fit"><button type="submit">Find</button></div>
${username ? html`<div class="fit"><a href="${tabBase(t.tid)}/users">All users</a></div>` : ''}
</form>`;
      const query = new URLSearchParams({ limit: String(PAGE) });
      if (after) query.set('after', after);
      if (username) query.set('username', username);
      const answer = await ctx.api<{ users: UserRow[]; next_cursor?: string }>(
        'GET',
        `/tenants/rest/v1/${enc(t.tid)}/users?${query}`,
      );
      if (answer.status !== 200) return { ...refused(answer), body: html`${search}${refused(answer).body}` };
      const { users, next_cursor } = answer.body;
      return {
        body: html`${search}
<div class="table-scroll"><table><caption class="visually-hidden">Users of ${t.tid}</caption>
<thead><tr><th scope="col">Username</th><th scope="col">Subject</th><th scope="col">Claims</th><th scope="col">Created</th><th scope="col">Updated</th></tr></thead>
<tbody>${
          users.length === 0
            ? html`<tr><td colspan="5">${username ? `No user named ${username}.` : 'No users.'}</td></tr>`
            : users.map(
                (u) =>
                  html`<tr><td>${u.username}</td><td><code>${u.sub}</code></td><td>${compact(u.claims)}</td><td>${u.created_at}</td><td>${u.updated_at}</td></tr>`,
              )
        }</tbody></table></div>
${pager(`${tabBase(t.tid)}/users`, { username }, 'after', after, next_cursor)}`,
      };
    }),
};
