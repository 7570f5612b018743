import type { IssuerEntry } from '@tessera/shared/tenancy/tenant-reader';

/**
 * Every issuer URL and alias of every tenant, held in memory so resolving a
 * request is a few map look-ups and never touches the database. Entries are
 * small (a URL and a tid); the full tenant objects live in the LRU cache.
 */
export class IssuerIndex {
  readonly #byIssuer = new Map<string, IssuerEntry>();
  readonly #byTid = new Map<string, { primary?: string; issuers: Set<string> }>();

  get size(): number {
    return this.#byIssuer.size;
  }

  replaceAll(entries: readonly IssuerEntry[]): void {
    this.#byIssuer.clear();
    this.#byTid.clear();
    for (const entry of entries) this.#add(entry);
  }

  /** Replace one tenant's entries (an empty list removes the tenant). */
  replaceTenant(tid: string, entries: readonly IssuerEntry[]): void {
    const current = this.#byTid.get(tid);
    if (current) for (const issuer of current.issuers) this.#byIssuer.delete(issuer);
    this.#byTid.delete(tid);
    for (const entry of entries) if (entry.tid === tid) this.#add(entry);
  }

  byIssuer(issuer: string): IssuerEntry | undefined {
    return this.#byIssuer.get(issuer);
  }

  primaryIssuerOf(tid: string): string | undefined {
    return this.#byTid.get(tid)?.primary;
  }

  tids(): IterableIterator<string> {
    return this.#byTid.keys();
  }

  #add(entry: IssuerEntry): void {
    this.#byIssuer.set(entry.issuer, entry);
    let slot = this.#byTid.get(entry.tid);
    if (!slot) this.#byTid.set(entry.tid, (slot = { issuers: new Set() }));
    slot.issuers.add(entry.issuer);
    if (entry.mode === 'PRIMARY') slot.primary = entry.issuer;
  }
}
