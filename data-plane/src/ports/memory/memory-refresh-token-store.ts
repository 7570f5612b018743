import { checkIdentifier, mintIdentifier, tokenHash } from '@tessera/shared/tokens/identifiers';
import type { Clock } from '../clock.ts';
import type { RefreshTokenRow, RefreshTokenStore } from '../refresh-token-store.ts';
import { type MemoryGrantTables, toRefreshTokenRow } from './memory-grant-tables.ts';

/** Mint a refresh token for an existing authorisation and add its entry (the memory twin of the row insert). */
export function addRefreshToken(
  tables: MemoryGrantTables,
  tid: string,
  hmacKey: Uint8Array,
  authorizationId: string,
  expiresAt: Date | null,
  issuedAt: number,
): string {
  const authz = tables.authorizations.get(authorizationId);
  if (!authz || authz.tid !== tid) throw new Error(`no authorisation ${authorizationId} in tenant ${tid}`);
  const token = mintIdentifier(hmacKey, 'rt');
  tables.refreshTokens.set(tokenHash(token), {
    tid,
    authorizationId,
    issuedAt,
    expiresAt: expiresAt?.getTime() ?? null,
    lastUsedAt: null,
    rotatedAt: null,
  });
  return token;
}

/** Identifier refresh tokens in memory, under their SHA-256, beside the authorisations they point at. */
export class MemoryRefreshTokenStore implements RefreshTokenStore {
  readonly #tables: MemoryGrantTables;
  readonly #clock: Clock;

  constructor(tables: MemoryGrantTables, clock: Clock) {
    this.#tables = tables;
    this.#clock = clock;
  }

  async issue(tid: string, hmacKey: Uint8Array, authorizationId: string, expiresAt: Date | null): Promise<string> {
    return addRefreshToken(this.#tables, tid, hmacKey, authorizationId, expiresAt, this.#clock.now());
  }

  async find(tid: string, hmacKey: Uint8Array, token: string): Promise<RefreshTokenRow | null> {
    if (!checkIdentifier(hmacKey, 'rt', token)) return null;
    const hash = tokenHash(token);
    const entry = this.#tables.refreshTokens.get(hash);
    return entry && entry.tid === tid ? toRefreshTokenRow(hash, entry) : null;
  }

  async markUsed(hash: string, at: Date): Promise<void> {
    const entry = this.#tables.refreshTokens.get(hash);
    if (entry) entry.lastUsedAt = at.getTime();
  }

  async markRotated(hash: string, at: Date): Promise<boolean> {
    const entry = this.#tables.refreshTokens.get(hash);
    if (!entry || entry.rotatedAt !== null) return false;
    entry.lastUsedAt = entry.rotatedAt = at.getTime();
    return true;
  }
}
