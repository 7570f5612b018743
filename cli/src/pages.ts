import type { Client } from './client.ts';

/**
 * Every item of a list the control plane pages with `limit` and `after`
 * (`next_cursor` absent on the last page): one request per page, in order.
 */
export async function allPages<T>(
  c: Client,
  path: string,
  member: string,
  query: Record<string, string | undefined> = {},
): Promise<T[]> {
  const all: T[] = [];
  let after: string | undefined;
  do {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) q.set(k, v);
    if (after !== undefined) q.set('after', after);
    const page = await c.call<Record<string, unknown> & { next_cursor?: string | null }>(
      'GET',
      `${path}${q.size ? `?${q}` : ''}`,
    );
    all.push(...((page[member] as T[] | undefined) ?? []));
    after = page.next_cursor ?? undefined;
  } while (after !== undefined);
  return all;
}
