import { checkIdentifier, mintIdentifier, tokenHash } from '@tessera/shared/tokens/identifiers';
import type { Redis } from 'ioredis';
import { type Clock, epochSeconds, systemClock } from '../ports/clock.ts';
import {
  type SubjectSession,
  type SubjectSessionStore,
  sessionAlive,
  sessionRemaining,
} from '../ports/subject-session-store.ts';

const key = (tid: string, hash: string) => `sess:${tid}:${hash}`;
/** The subject index: the hashes of a subject's sessions (entries of ended sessions are pruned on read). */
const subjectKey = (tid: string, sub: string) => `sess-sub:${tid}:${sub.length}:${sub}`;

/**
 * A new session and its index entry, atomically, as one command: one Lua
 * call shares the auto-pipelined write of whatever else is in flight, where
 * a MULTI was a pipeline and a write of its own. The index lives as long as
 * its longest session: NX gives a new index a TTL, GT only ever extends it.
 */
const CREATE = `redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
redis.call('SADD', KEYS[2], ARGV[3])
redis.call('EXPIRE', KEYS[2], ARGV[4], 'NX')
redis.call('EXPIRE', KEYS[2], ARGV[4], 'GT')
return 1`;
const CREATE_COMMAND = 'tesseraCreateSubjectSession';
type CreateCommand = (
  sessionKey: string,
  indexKey: string,
  value: string,
  ttl: number,
  hash: string,
  indexTtl: number,
) => Promise<number>;

/**
 * Subject sessions in Redis, keyed by the SHA-256 of their id, with a TTL
 * that follows the maximum life and idle limit; a per-subject set of hashes
 * lists a subject's sessions.
 */
export class RedisSubjectSessionStore implements SubjectSessionStore {
  readonly #redis: Redis;
  readonly #clock: Clock;
  readonly #create: CreateCommand;

  constructor(redis: Redis, clock: Clock = systemClock) {
    this.#redis = redis;
    this.#clock = clock;
    // ioredis sends it as EVALSHA (EVAL once per connection), with the connection's key prefix.
    if (!(CREATE_COMMAND in redis)) redis.defineCommand(CREATE_COMMAND, { numberOfKeys: 2, lua: CREATE });
    const command = (redis as unknown as Record<string, CreateCommand>)[CREATE_COMMAND]!;
    this.#create = command.bind(redis);
  }

  async create(tid: string, hmacKey: Uint8Array, session: SubjectSession): Promise<string> {
    const sid = mintIdentifier(hmacKey, 'sid');
    const now = epochSeconds(this.#clock);
    const stored = { ...session, lastAccess: now };
    const hash = tokenHash(sid);
    await this.#create(
      key(tid, hash),
      subjectKey(tid, session.sub),
      JSON.stringify(stored),
      sessionRemaining(stored, now),
      hash,
      session.maxLife,
    );
    return sid;
  }

  async get(tid: string, hmacKey: Uint8Array, sid: string): Promise<SubjectSession | null> {
    if (!checkIdentifier(hmacKey, 'sid', sid)) return null;
    return this.getByHash(tid, tokenHash(sid));
  }

  async getByHash(tid: string, hash: string): Promise<SubjectSession | null> {
    const raw = await this.#redis.get(key(tid, hash));
    if (!raw) return null;
    const session = JSON.parse(raw) as SubjectSession;
    return sessionAlive(session, epochSeconds(this.#clock)) ? session : null;
  }

  async touch(tid: string, sid: string, session: SubjectSession, rp?: string): Promise<SubjectSession> {
    const now = epochSeconds(this.#clock);
    const rps = rp && !(session.rps ?? []).includes(rp) ? [...(session.rps ?? []), rp] : session.rps;
    const updated: SubjectSession = { ...session, lastAccess: now, ...(rps ? { rps } : {}) };
    await this.#redis.set(
      key(tid, tokenHash(sid)),
      JSON.stringify(updated),
      'EX',
      sessionRemaining(updated, now),
      'XX',
    );
    return updated;
  }

  async listBySubject(tid: string, sub: string): Promise<Array<{ id: string; session: SubjectSession }>> {
    const hashes = await this.#redis.smembers(subjectKey(tid, sub));
    if (hashes.length === 0) return [];
    const raws = await this.#redis.mget(hashes.map((h) => key(tid, h)));
    const now = epochSeconds(this.#clock);
    const found: Array<{ id: string; session: SubjectSession }> = [];
    const gone: string[] = [];
    raws.forEach((raw, i) => {
      const session = raw ? (JSON.parse(raw) as SubjectSession) : null;
      if (session && session.sub === sub && sessionAlive(session, now)) found.push({ id: hashes[i]!, session });
      else gone.push(hashes[i]!);
    });
    if (gone.length) await this.#redis.srem(subjectKey(tid, sub), ...gone);
    return found;
  }

  async endByHash(tid: string, hash: string): Promise<boolean> {
    return (await this.#take(tid, hash)) !== null;
  }

  async end(tid: string, hmacKey: Uint8Array, sid: string): Promise<boolean> {
    if (!checkIdentifier(hmacKey, 'sid', sid)) return false;
    return this.endByHash(tid, tokenHash(sid));
  }

  async endSubject(tid: string, sub: string): Promise<Array<{ id: string; session: SubjectSession }>> {
    const ended: Array<{ id: string; session: SubjectSession }> = [];
    for (const { id } of await this.listBySubject(tid, sub)) {
      const session = await this.#take(tid, id);
      if (session) ended.push({ id, session });
    }
    await this.#redis.del(subjectKey(tid, sub));
    return ended;
  }

  /** The session, deleted as it is read (GETDEL: of two concurrent ends, one gets it), and its index entry. */
  async #take(tid: string, hash: string): Promise<SubjectSession | null> {
    const raw = await this.#redis.getdel(key(tid, hash));
    if (!raw) return null;
    const session = JSON.parse(raw) as SubjectSession;
    await this.#redis.srem(subjectKey(tid, session.sub), hash);
    return session;
  }
}
