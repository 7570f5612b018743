import type { Redis } from 'ioredis';
import { checkIdentifier, mintIdentifier, tokenHash } from '@tessera/shared/tokens/identifiers';

/** A subject (SSO) session: who is logged in, since when, for how long. */
export interface SubjectSession {
  sub: string;
  /** Authentication time, seconds since the epoch. */
  authTime: number;
  acr?: string;
  amr?: string[];
  creationTime: number;
  /** Seconds the session may live in all. */
  maxLife: number;
  /** Seconds after `authTime` the session may skip the login page; 0 = as long as it lives. */
  authLife?: number;
  /** Seconds the session may stay unused; 0 = no idle limit. */
  maxIdle?: number;
  /** Last use, seconds since the epoch (idle limit). */
  lastAccess?: number;
  /** Clients (relying parties) that got tokens in this session. */
  rps?: string[];
  /** Claims fed into the ID tokens of this session. */
  claims?: Record<string, unknown>;
  data?: Record<string, unknown>;
}

/** Default session life when neither the caller nor the tenant says (direct authorisation). */
export const DEFAULT_SESSION_MAX_LIFE = 8 * 3600;

const key = (tid: string, hash: string) => `sess:${tid}:${hash}`;
/** The subject index: the hashes of a subject's sessions (entries of ended sessions are pruned on read). */
const subjectKey = (tid: string, sub: string) => `sess-sub:${tid}:${sub.length}:${sub}`;

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Seconds until the session ends by its maximum life or idle limit (at least 1). */
function remaining(session: SubjectSession, now: number): number {
  let left = session.creationTime + session.maxLife - now;
  if (session.maxIdle) left = Math.min(left, session.maxIdle);
  return Math.max(1, left);
}

function alive(session: SubjectSession, now: number): boolean {
  if (session.creationTime + session.maxLife <= now) return false;
  if (session.maxIdle && (session.lastAccess ?? session.creationTime) + session.maxIdle <= now) return false;
  return true;
}

/**
 * Subject sessions in Redis, keyed by the SHA-256 of their id, with a TTL
 * that follows the maximum life and idle limit; the id is an HMAC-tagged
 * identifier (purpose `sid`), so a forged one is refused before Redis is
 * asked. A per-subject set of hashes lists a subject's sessions.
 */
export class SubjectSessionStore {
  readonly #redis: Redis;

  constructor(redis: Redis) {
    this.#redis = redis;
  }

  async create(tid: string, hmacKey: Uint8Array, session: SubjectSession): Promise<string> {
    const sid = mintIdentifier(hmacKey, 'sid');
    const now = nowSeconds();
    const stored = { ...session, lastAccess: now };
    const hash = tokenHash(sid);
    await this.#redis
      .multi()
      .set(key(tid, hash), JSON.stringify(stored), 'EX', remaining(stored, now))
      .sadd(subjectKey(tid, session.sub), hash)
      // The index lives as long as its longest session: NX gives a new index a TTL, GT only ever extends it.
      .expire(subjectKey(tid, session.sub), session.maxLife, 'NX')
      .expire(subjectKey(tid, session.sub), session.maxLife, 'GT')
      .exec();
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
    return alive(session, nowSeconds()) ? session : null;
  }

  /** Record a use (idle timer) and, optionally, a relying party; returns the updated session. */
  async touch(tid: string, sid: string, session: SubjectSession, rp?: string): Promise<SubjectSession> {
    const now = nowSeconds();
    const rps = rp && !(session.rps ?? []).includes(rp) ? [...(session.rps ?? []), rp] : session.rps;
    const updated: SubjectSession = { ...session, lastAccess: now, ...(rps ? { rps } : {}) };
    await this.#redis.set(key(tid, tokenHash(sid)), JSON.stringify(updated), 'EX', remaining(updated, now), 'XX');
    return updated;
  }

  /** The sessions of a subject, by the hash of their id. */
  async listBySubject(tid: string, sub: string): Promise<Array<{ id: string; session: SubjectSession }>> {
    const hashes = await this.#redis.smembers(subjectKey(tid, sub));
    if (hashes.length === 0) return [];
    const raws = await this.#redis.mget(hashes.map((h) => key(tid, h)));
    const now = nowSeconds();
    const found: Array<{ id: string; session: SubjectSession }> = [];
    const gone: string[] = [];
    raws.forEach((raw, i) => {
      const session = raw ? (JSON.parse(raw) as SubjectSession) : null;
      if (session && session.sub === sub && alive(session, now)) found.push({ id: hashes[i]!, session });
      else gone.push(hashes[i]!);
    });
    if (gone.length) await this.#redis.srem(subjectKey(tid, sub), ...gone);
    return found;
  }

  /** End one session (by its id's hash); true when there was one. */
  async endByHash(tid: string, hash: string): Promise<boolean> {
    const raw = await this.#redis.getdel(key(tid, hash));
    if (!raw) return false;
    await this.#redis.srem(subjectKey(tid, (JSON.parse(raw) as SubjectSession).sub), hash);
    return true;
  }

  async end(tid: string, hmacKey: Uint8Array, sid: string): Promise<boolean> {
    if (!checkIdentifier(hmacKey, 'sid', sid)) return false;
    return this.endByHash(tid, tokenHash(sid));
  }

  /** End every session of a subject; returns how many. */
  async endSubject(tid: string, sub: string): Promise<number> {
    const sessions = await this.listBySubject(tid, sub);
    for (const { id } of sessions) await this.endByHash(tid, id);
    await this.#redis.del(subjectKey(tid, sub));
    return sessions.length;
  }
}
