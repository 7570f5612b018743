import type { Db } from '@tessera/shared/db/database';
import { checkIdentifier, mintIdentifier, tokenHash } from '@tessera/shared/tokens/identifiers';

export interface RefreshTokenRow {
  tokenHash: string;
  authorizationId: string;
  issuedAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  rotatedAt: Date | null;
}

/**
 * Identifier refresh tokens of long-lived authorisations: HMAC-tagged
 * identifiers (purpose `rt`), stored as SHA-256 rows that point at the
 * authorisation. A rotation marks the old row instead of deleting it, so a
 * replay after the grace period can be told from an unknown token.
 */
export class RefreshTokenStore {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  async issue(tid: string, hmacKey: Uint8Array, authorizationId: string, expiresAt: Date | null, executor: Db = this.#db): Promise<string> {
    const token = mintIdentifier(hmacKey, 'rt');
    await executor
      .insertInto('refresh_tokens')
      .values({ token_sha256: tokenHash(token), tid, authorization_id: authorizationId, issued_at: new Date(), expires_at: expiresAt, last_used_at: null, rotated_at: null })
      .execute();
    return token;
  }

  /** The row of a refresh token of this tenant, or null (a token failing its tag never reaches the database). */
  async find(tid: string, hmacKey: Uint8Array, token: string): Promise<RefreshTokenRow | null> {
    if (!checkIdentifier(hmacKey, 'rt', token)) return null;
    const row = await this.#db.selectFrom('refresh_tokens').selectAll().where('token_sha256', '=', tokenHash(token)).where('tid', '=', tid).executeTakeFirst();
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

  /** Mark a token replaced by rotation; false when another request rotated it first. */
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
