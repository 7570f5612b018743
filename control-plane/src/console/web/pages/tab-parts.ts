import type { FastifyRequest } from 'fastify';
import { type Html, html } from '../html.ts';
import { problem } from '../layout.ts';
import { type ApiAnswer, enc, type PageContext, type PageResult } from '../page-context.ts';
import { loadTenant, type TenantView } from './tenant-overview.ts';
import { tenantHeader } from './tenant-tabs.ts';

/** The pieces every tenant tab shares: its tenant id, query, form, notices and paging links. */
export const tidOf = (request: FastifyRequest) => (request.params as { tid: string }).tid;
export const queryOf = (request: FastifyRequest) => (request.query ?? {}) as Record<string, string | undefined>;
export const formOf = (request: FastifyRequest) => (request.body ?? {}) as Record<string, string | undefined>;
export const tabBase = (tid: string) => `/console/tenants/${enc(tid)}`;
export const csrfField = (ctx: PageContext): Html =>
  html`<input type="hidden" name="_csrf" value="${ctx.viewer.csrf}">`;

/** The `?done=` notice a form action redirects back with. */
export const doneNotice = (request: FastifyRequest): Html => {
  const done = String(queryOf(request).done ?? '');
  return done ? html`<div class="notice ok" role="status"><p>${done}</p></div>` : html``;
};

/** A tab's page: the tenant loaded (or why it cannot be), its header and tab bar, then the tab's own body. */
export async function tenantTab(
  ctx: PageContext,
  request: FastifyRequest,
  slug: string,
  title: string,
  body: (tenant: TenantView) => Promise<{ body: Html; status?: number }>,
): Promise<PageResult> {
  const loaded = await loadTenant(ctx, tidOf(request));
  if (!loaded.tenant) return loaded.page;
  const t = loaded.tenant;
  const own = await body(t);
  return {
    title: `${t.name}: ${title}`,
    body: html`${tenantHeader(t, slug)}${own.body}`,
    ...(own.status ? { status: own.status } : {}),
  };
}

/** A tab's list that the API refused: the API's own words. */
export const refused = (answer: ApiAnswer<unknown>) => ({ body: problem(answer), status: answer.status });

/** A form action the API refused, as a page that leads back to its tab. */
export function actionFailed(tid: string, slug: string, title: string, answer: ApiAnswer<unknown>): PageResult {
  return {
    title,
    body: html`<p><a href="${tabBase(tid)}/${slug}">← Back to ${tid}</a></p><h1>${title}</h1>${problem(answer)}`,
    status: answer.status,
  };
}

/** "First page" (when not on it) and "Next page" of a cursor-paged list: `next` is the API's next cursor, `filters` the query kept across pages. */
export function pager(
  path: string,
  filters: Record<string, string | undefined>,
  cursorName: string,
  current: string | undefined,
  next: string | undefined,
): Html {
  if (!current && !next) return html``;
  const link = (cursor?: string) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(filters)) if (v) q.set(k, v);
    if (cursor) q.set(cursorName, cursor);
    const s = q.toString();
    return s ? `${path}?${s}` : path;
  };
  return html`<nav class="actions" aria-label="Pages">${current ? html`<a href="${link()}">First page</a>` : ''}${
    next ? html`<a class="button" href="${link(next)}" rel="next">Next page</a>` : ''
  }</nav>`;
}

/** Compact JSON for a table cell. */
export const compact = (value: unknown): Html => html`<code class="json">${JSON.stringify(value ?? null)}</code>`;

/** An API time, or a dash. */
export const when = (value: string | null | undefined): string => value ?? '–';
