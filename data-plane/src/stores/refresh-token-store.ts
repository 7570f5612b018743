import type { Db } from '@tessera/shared/db/database';
import { checkIdentifier, mintIdentifier, tokenHash } from '@tessera/shared/tokens/identifiers';
import { type Clock, clockDate, systemClock } from '../ports/clock.ts';
import type { RefreshTokenRow, RefreshTokenStore } from '../ports/refresh-token-store.ts';

/** Mint a refresh token and insert its row through `executor` (the store's pool or a transaction). */
export async function insertRefreshToken(
  executor: Db,
  tid: string,
  hmacKey: Uint8Array,
  authorizationId: string,
  expiresAt: Date | null,
  issuedAt: Date,
): Promise<string> {
  const token = mintIdentifier(hmacKey, 'rt');
  await executor
    .insertInto('refresh_tokens')
    .values({
      token_sha256: tokenHash(token),
      tid,
      authorization_id: authorizationId,
      issued_at: issuedAt,
      expires_at: expiresAt,
      last_used_at: null,
      rotated_at: null,
    })
    .execute();
  return token;
}

/**
 * Identifier refresh tokens in PostgreSQL: SHA-256 rows pointing at their
 * authorisation (deleted with it, by cascade). A rotation marks the old row
 * instead of deleting it, so a replay after the grace period can be told
 * from an unknown token.
 */
export class PostgresRefreshTokenStore implements RefreshTokenStore {
  readonly #db: Db;
  readonly #clock: Clock;

  constructor(db: Db, clock: Clock = systemClock) {
    this.#db = db;
    this.#clock = clock;
  }

  async issue(tid: string, hmacKey: Uint8Array, authorizationId: string, expiresAt: Date | null): Promise<string> {
    return insertRefreshToken(this.#db, tid, hmacKey, authorizationId, expiresAt, clockDate(this.#clock));
  }

  async find(tid: string, hmacKey: Uint8Array, token: string): Promise<RefreshTokenRow | null> {
    if (!checkIdentifier(hmacKey, 'rt', token)) return null;
    const row = await this.#db
      .selectFrom('refresh_tokens')
      .selectAll()
      .where('token_sha256', '=', tokenHash(token))
      .where('tid', '=', tid)
      .executeTakeFirst();
    if (!row) return null;
    return {
      tokenHash: row.token_sha256,
      authorizationId: row.authorization_id,
      issuedAt: row.issued_at,
      expiresAt: row.expires_at,
      lastUsedAt: row.last_used_at,
      rotatedAt: row.rotated_at,
    };
  }

  async markUsed(hash: string, at: Date): Promise<void> {
    await this.#db.updateTable('refresh_tokens').set({ last_used_at: at }).where('token_sha256', '=', hash).execute();
  }

  async markRotated(hash: string, at: Date): Promise<boolean> {
    const result = await this.#db
      .updateTable('refresh_tokens')
      .set({ last_used_at: at, rotated_at: at })
      .where('token_sha256', '=', hash)
      .where('rotated_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
}
