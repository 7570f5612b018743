import { checkIdentifier, mintIdentifier, tokenHash } from '@tessera/shared/tokens/identifiers';
import { type Clock, epochSeconds } from '../clock.ts';
import {
  type SubjectSession,
  type SubjectSessionStore,
  sessionAlive,
  sessionRemaining,
} from '../subject-session-store.ts';
import { ExpiringMap } from './expiring-map.ts';

const key = (tid: string, hash: string) => `${tid}\u0000${hash}`;

/** Subject sessions in memory under the SHA-256 of their id, with a per-subject index, living by the clock. */
export class MemorySubjectSessionStore implements SubjectSessionStore {
  readonly #clock: Clock;
  readonly #sessions: ExpiringMap;
  /** `tid \0 sub` → hashes of the subject's sessions (ended ones are pruned on read). */
  readonly #bySubject = new Map<string, Set<string>>();

  constructor(clock: Clock) {
    this.#clock = clock;
    this.#sessions = new ExpiringMap(clock);
  }

  async create(tid: string, hmacKey: Uint8Array, session: SubjectSession): Promise<string> {
    const sid = mintIdentifier(hmacKey, 'sid');
    const now = epochSeconds(this.#clock);
    const stored = { ...session, lastAccess: now };
    const hash = tokenHash(sid);
    this.#sessions.set(key(tid, hash), JSON.stringify(stored), sessionRemaining(stored, now));
    const index = key(tid, session.sub);
    this.#bySubject.set(index, (this.#bySubject.get(index) ?? new Set()).add(hash));
    return sid;
  }

  async get(tid: string, hmacKey: Uint8Array, sid: string): Promise<SubjectSession | null> {
    if (!checkIdentifier(hmacKey, 'sid', sid)) return null;
    return this.getByHash(tid, tokenHash(sid));
  }

  async getByHash(tid: string, hash: string): Promise<SubjectSession | null> {
    const raw = this.#sessions.get(key(tid, hash));
    if (!raw) return null;
    const session = JSON.parse(raw) as SubjectSession;
    return sessionAlive(session, epochSeconds(this.#clock)) ? session : null;
  }

  async touch(tid: string, sid: string, session: SubjectSession, rp?: string): Promise<SubjectSession> {
    const now = epochSeconds(this.#clock);
    const rps = rp && !(session.rps ?? []).includes(rp) ? [...(session.rps ?? []), rp] : session.rps;
    const updated: SubjectSession = { ...session, lastAccess: now, ...(rps ? { rps } : {}) };
    const k = key(tid, tokenHash(sid));
    if (this.#sessions.get(k) !== null) this.#sessions.set(k, JSON.stringify(updated), sessionRemaining(updated, now));
    return updated;
  }

  async listBySubject(tid: string, sub: string): Promise<Array<{ id: string; session: SubjectSession }>> {
    const hashes = this.#bySubject.get(key(tid, sub));
    if (!hashes) return [];
    const found: Array<{ id: string; session: SubjectSession }> = [];
    for (const hash of [...hashes]) {
      const session = await this.getByHash(tid, hash);
      if (session && session.sub === sub) found.push({ id: hash, session });
      else hashes.delete(hash);
    }
    return found;
  }

  async endByHash(tid: string, hash: string): Promise<boolean> {
    return this.#take(tid, hash) !== null;
  }

  async end(tid: string, hmacKey: Uint8Array, sid: string): Promise<boolean> {
    if (!checkIdentifier(hmacKey, 'sid', sid)) return false;
    return this.endByHash(tid, tokenHash(sid));
  }

  async endSubject(tid: string, sub: string): Promise<Array<{ id: string; session: SubjectSession }>> {
    const ended: Array<{ id: string; session: SubjectSession }> = [];
    for (const { id } of await this.listBySubject(tid, sub)) {
      const session = this.#take(tid, id);
      if (session) ended.push({ id, session });
    }
    this.#bySubject.delete(key(tid, sub));
    return ended;
  }

  #take(tid: string, hash: string): SubjectSession | null {
    const raw = this.#sessions.take(key(tid, hash));
    if (!raw) return null;
    const session = JSON.parse(raw) as SubjectSession;
    this.#bySubject.get(key(tid, session.sub))?.delete(hash);
    return session;
  }
}
