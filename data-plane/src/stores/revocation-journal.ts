import type { Db } from '@tessera/shared/db/database';
import type { Redis } from 'ioredis';
import { type Clock, clockDate, systemClock } from '../ports/clock.ts';
import {
  MAX_ACCESS_TOKEN_SECONDS,
  type RevocationJournal,
  type RevocationTarget,
} from '../ports/revocation-journal.ts';

const RAISE_ONLY = `local cur = redis.call('GET', KEYS[1])
if (not cur) or tonumber(cur) < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2]) end
return 1`;

const subjectClientKey = (tid: string, sub: string, cid: string) => `rev:${tid}:sc:${sub.length}:${sub}:${cid}`;
const subjectKey = (tid: string, sub: string) => `rev:${tid}:s:${sub}`;
const clientKey = (tid: string, cid: string) => `rev:${tid}:c:${cid}`;

/**
 * The revocation journal: PostgreSQL keeps every revocation; Redis mirrors
 * the newest time per (subject, client, both) key, for as long as an access
 * token can live, so the fast check is one MGET.
 */
export class PostgresRevocationJournal implements RevocationJournal {
  readonly #db: Db;
  readonly #redis: Redis;
  readonly #clock: Clock;

  constructor(db: Db, redis: Redis, clock: Clock = systemClock) {
    this.#db = db;
    this.#redis = redis;
    this.#clock = clock;
  }

  async revoke(tid: string, target: RevocationTarget, at: Date = clockDate(this.#clock)): Promise<void> {
    if (!target.sub && !target.cid) throw new Error('a revocation names a subject, a client or both');
    await this.#db
      .insertInto('revocations')
      .values({ tid, sub: target.sub ?? null, client_id: target.cid ?? null, actor: null, revoked_at: at })
      .execute();
    const key =
      target.sub && target.cid
        ? subjectClientKey(tid, target.sub, target.cid)
        : target.sub
          ? subjectKey(tid, target.sub)
          : clientKey(tid, target.cid!);
    const seconds = Math.floor(at.getTime() / 1000);
    // The mirror only ever moves forward: a revocation recorded with an older time must not hide a newer one.
    await this.#redis.eval(RAISE_ONLY, 1, key, String(seconds), String(MAX_ACCESS_TOKEN_SECONDS + 60));
  }

  async isRevoked(tid: string, sub: string, cid: string, iat: number): Promise<boolean> {
    const values = await this.#redis.mget(subjectClientKey(tid, sub, cid), subjectKey(tid, sub), clientKey(tid, cid));
    return values.some((v) => v !== null && Number(v) >= iat);
  }

  async isRevokedDurably(tid: string, sub: string, cid: string, iat: number): Promise<boolean> {
    const row = await this.#db
      .selectFrom('revocations')
      .select('id')
      .where('tid', '=', tid)
      .where('revoked_at', '>=', new Date(iat * 1000))
      .where((eb) =>
        eb.or([
          eb.and([eb('sub', '=', sub), eb('client_id', '=', cid)]),
          eb.and([eb('sub', '=', sub), eb('client_id', 'is', null)]),
          eb.and([eb('sub', 'is', null), eb('client_id', '=', cid)]),
        ]),
      )
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }
}
