import type { ApiTokenHashes } from '../api-token-hashes.ts';

/** API token hashes in a map, for unit tests: `add` a token minted after the tenant's context was loaded. */
export class MemoryApiTokenHashes implements ApiTokenHashes {
  readonly #hashes = new Map<string, string[]>();
  /** How many reads were asked for (a test checks a known token needs none). */
  reads = 0;

  add(tid: string, sha256: string): void {
    this.#hashes.set(tid, [...(this.#hashes.get(tid) ?? []), sha256]);
  }

  async current(tid: string): Promise<readonly string[]> {
    this.reads += 1;
    return this.#hashes.get(tid) ?? [];
  }
}
