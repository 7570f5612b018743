import { createHash, randomBytes } from 'node:crypto';
import type { MasterKey } from '@tessera/shared/crypto/master-key';
import type { Redis } from 'ioredis';

/** A signed-in console user: its tokens stay on the server, sealed; the browser holds only a random id. */
export interface ConsoleSession {
  sub: string;
  name: string;
  accessToken: string;
  idToken: string;
  /** The CSRF token of this session's forms and scripted calls. */
  csrf: string;
  /** Epoch ms: when the access token expires, and with it the session. */
  expiresAt: number;
}

/** A sign-in on its way to the operator tenant and back. */
export interface PendingSignIn {
  verifier: string;
  nonce: string;
  returnTo: string;
}

const hash = (id: string) => createHash('sha256').update(id).digest('base64url');

/**
 * Sessions and pending sign-ins in Redis (every control-plane node sees
 * them), under the SHA-256 of their id, so a Redis dump yields no usable
 * cookie; the tokens are sealed under the master key as well, bound to the
 * session's key.
 */
export class ConsoleSessions {
  constructor(
    private readonly redis: Redis,
    private readonly masterKey: MasterKey,
  ) {}

  async create(session: ConsoleSession): Promise<string> {
    const id = randomBytes(32).toString('base64url');
    const key = `console:session:${hash(id)}`;
    const sealed = this.masterKey.seal(Buffer.from(JSON.stringify(session)), key);
    const ttl = Math.max(1, Math.ceil((session.expiresAt - Date.now()) / 1000));
    await this.redis.set(key, sealed, 'EX', ttl);
    return id;
  }

  async get(id: string | undefined): Promise<ConsoleSession | undefined> {
    if (!id || id.length > 100) return undefined;
    const key = `console:session:${hash(id)}`;
    const sealed = await this.redis.get(key);
    if (!sealed) return undefined;
    try {
      const session = JSON.parse(this.masterKey.open(sealed, key).toString()) as ConsoleSession;
      return session.expiresAt > Date.now() ? session : undefined;
    } catch {
      return undefined;
    }
  }

  async destroy(id: string | undefined): Promise<void> {
    if (id && id.length <= 100) await this.redis.del(`console:session:${hash(id)}`);
  }

  /** Keyed by the `state` sent to the operator tenant; 10 minutes to come back. */
  async begin(state: string, pending: PendingSignIn): Promise<void> {
    const key = `console:sign-in:${hash(state)}`;
    await this.redis.set(key, this.masterKey.seal(Buffer.from(JSON.stringify(pending)), key), 'EX', 600);
  }

  /** Once only: a replayed callback finds nothing. */
  async finish(state: string): Promise<PendingSignIn | undefined> {
    const key = `console:sign-in:${hash(state)}`;
    const sealed = await this.redis.getdel(key);
    if (!sealed) return undefined;
    return JSON.parse(this.masterKey.open(sealed, key).toString()) as PendingSignIn;
  }
}
