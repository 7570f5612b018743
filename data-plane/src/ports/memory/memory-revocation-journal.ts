import { type Clock, clockDate } from '../clock.ts';
import type { RevocationJournal, RevocationTarget } from '../revocation-journal.ts';

interface Revocation {
  tid: string;
  sub: string | null;
  cid: string | null;
  at: number;
}

/** Whether a revocation covers tokens of (sub, cid): its subject, its client, or both. */
const covers = (r: Revocation, tid: string, sub: string, cid: string) =>
  r.tid === tid &&
  ((r.sub === sub && r.cid === cid) || (r.sub === sub && r.cid === null) || (r.sub === null && r.cid === cid));

/** The revocation journal in memory: every revocation kept, both checks answered from it. */
export class MemoryRevocationJournal implements RevocationJournal {
  readonly #clock: Clock;
  readonly #entries: Revocation[] = [];

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  async revoke(tid: string, target: RevocationTarget, at: Date = clockDate(this.#clock)): Promise<void> {
    if (!target.sub && !target.cid) throw new Error('a revocation names a subject, a client or both');
    this.#entries.push({ tid, sub: target.sub ?? null, cid: target.cid ?? null, at: at.getTime() });
  }

  /** As the Redis mirror: whole seconds of the revocation time against `iat`. */
  async isRevoked(tid: string, sub: string, cid: string, iat: number): Promise<boolean> {
    return this.#entries.some((r) => covers(r, tid, sub, cid) && Math.floor(r.at / 1000) >= iat);
  }

  /** As PostgreSQL: the revocation time against `iat` seconds. */
  async isRevokedDurably(tid: string, sub: string, cid: string, iat: number): Promise<boolean> {
    return this.#entries.some((r) => covers(r, tid, sub, cid) && r.at >= iat * 1000);
  }
}
