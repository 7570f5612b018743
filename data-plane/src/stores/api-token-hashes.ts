import type { Db } from '@tessera/shared/db/database';
import type { ApiTokenHashes } from '../ports/api-token-hashes.ts';
import { type Clock, systemClock } from '../ports/clock.ts';

/** Reads of one tenant's token hashes begin at most this often (ports/api-token-hashes.ts). */
const MIN_INTERVAL_MS = 50;

interface Read {
  readonly began: number;
  readonly hashes: Promise<readonly string[]>;
}

/**
 * The API token hashes in PostgreSQL (`tenant_api_tokens`), one read per
 * tenant at a time. Written here rather than with a memoizing library because
 * the rule is "a read that began after this caller's moment", not an age.
 */
export class PgApiTokenHashes implements ApiTokenHashes {
  readonly #db: Db;
  readonly #clock: Clock;
  /** The latest read of each tenant; forgotten one interval after it is done, unless a newer read took its place. */
  readonly #latest = new Map<string, Read>();

  constructor(db: Db, clock: Clock = systemClock) {
    this.#db = db;
    this.#clock = clock;
  }

  current(tid: string, since: number): Promise<readonly string[]> {
    const latest = this.#latest.get(tid);
    if (latest && latest.began >= since) return latest.hashes;
    // The next read begins once the latest is done and the interval has passed, so one runs at a time.
    const after = latest ? latest.hashes.then(noop, noop) : Promise.resolve();
    const began = Math.max(this.#clock.now(), since, latest ? latest.began + MIN_INTERVAL_MS : 0);
    const hashes = after
      .then(() => wait(began - this.#clock.now()))
      .then(() => unrevokedApiTokenHashes(this.#db, tid))
      .finally(() => {
        if (this.#latest.get(tid)?.hashes === hashes)
          setTimeout(() => this.#forget(tid, hashes), MIN_INTERVAL_MS).unref();
      });
    this.#latest.set(tid, { began, hashes });
    return hashes;
  }

  #forget(tid: string, hashes: Promise<readonly string[]>): void {
    if (this.#latest.get(tid)?.hashes === hashes) this.#latest.delete(tid);
  }
}

/** The SHA-256 (hex) of every unrevoked API token of `tid` (the tenant context loads them too: tenancy/tenant-cache.ts). */
export async function unrevokedApiTokenHashes(db: Db, tid: string): Promise<string[]> {
  const rows = await db
    .selectFrom('tenant_api_tokens')
    .select('token_sha256')
    .where('tid', '=', tid)
    .where('revoked_at', 'is', null)
    .execute();
  return rows.map((row) => row.token_sha256);
}

const noop = () => undefined;
const wait = (ms: number) => (ms > 0 ? new Promise<void>((resolve) => setTimeout(resolve, ms)) : undefined);
