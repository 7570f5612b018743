import { randomBytes } from 'node:crypto';
import type { Authorization } from '@tessera/shared/authz/authorization';
import { decryptDirectJwe, encryptDirectJwe } from '@tessera/shared/crypto/direct-jwe';
import { HttpError } from '@tessera/shared/http/errors';
import { currentKey } from '@tessera/shared/keys/key-lifecycle';
import {
  accessTokenClaims,
  type ContentEncryption,
  encodeJwtAccessToken,
} from '@tessera/shared/tokens/access-token-jwt';
import { mintIdentifier, randomJti } from '@tessera/shared/tokens/identifiers';
import { identifierAccessToken } from '../plugins/identifier-token-codec.ts';
import { encodeAccessTokenClaims } from '../plugins/jwt-claims-codec.ts';
import type { AccessTokenStore } from '../ports/access-token-store.ts';
import type { AuthorizationStore } from '../ports/authorization-store.ts';
import { type Clock, epochSeconds } from '../ports/clock.ts';
import type { KeyBackends } from '../ports/key-backends.ts';
import type { SlotInvoker } from '../ports/slot-invoker.ts';
import { isolatesGrants } from '../tenancy/alias-mode.ts';
import type { TenantContext } from '../tenancy/tenant-context.ts';
import { ISSUED, type TokenResponse } from './token-response.ts';

/** What a self-contained (JWE) refresh token of a transient authorisation carries. */
export interface TransientRefreshToken {
  authz: Authorization;
  iat: number;
  /** 0 = no expiry. */
  exp: number;
  jti: string;
  /** RFC 9449 §5: the DPoP key (JWK thumbprint) a refresh must prove; absent for an unbound token. */
  jkt?: string;
}

/** What `issue` binds besides the access token (which `authz.cnf` binds). */
export interface IssueOptions {
  /**
   * Bind the refresh token to this DPoP key (RFC 9449 §5, public clients):
   * it is then self-contained (a JWE carrying the thumbprint), whether or not
   * the authorisation is persisted (a remembered consent is still stored).
   */
  refreshJkt?: string | undefined;
}

/**
 * Issues the tokens of an authorisation: the access token (JWT in the
 * tenant's profile, optionally encrypted, or an identifier kept hashed in
 * Redis) and, where the authorisation allows it, a refresh token
 * (identifier pointing at a persisted authorisation, or a JWE carrying a
 * transient one). The access token never outlives its refresh token.
 */
export class TokenIssuer {
  readonly #keyStores: KeyBackends;
  readonly #accessTokens: AccessTokenStore;
  readonly #authorizations: AuthorizationStore;
  readonly #clock: Clock;
  readonly #webhooks: SlotInvoker | undefined;

  constructor(deps: {
    keyStores: KeyBackends;
    accessTokens: AccessTokenStore;
    authorizations: AuthorizationStore;
    clock: Clock;
    /** For tenants whose JWT claims codec is a webhook (plugins/jwt-claims-codec.ts). */
    webhooks?: SlotInvoker | undefined;
  }) {
    this.#keyStores = deps.keyStores;
    this.#accessTokens = deps.accessTokens;
    this.#authorizations = deps.authorizations;
    this.#clock = deps.clock;
    this.#webhooks = deps.webhooks;
  }

  /** Tokens for a new authorisation (client credentials, password, direct authorisation, …). */
  async issue(context: TenantContext, given: Authorization, options: IssueOptions = {}): Promise<TokenResponse> {
    // Under a PERSISTED_GRANT_ISOLATION alias consent is never persisted: the refresh token is self-contained.
    const authz = given.longLived && isolatesGrants(context.tenant, given.iss) ? { ...given, longLived: false } : given;
    // The DPoP binding is the access token's: never stored with the authorisation or in a refresh token's.
    const { cnf: _cnf, ...kept } = authz;
    const now = epochSeconds(this.#clock);
    let refreshToken: string | undefined;
    let refreshExp = 0;
    const { refreshJkt } = options;
    if (authz.refreshToken.issue) {
      refreshExp = authz.refreshToken.lifetime > 0 ? now + authz.refreshToken.lifetime : 0;
      if (authz.longLived && refreshJkt === undefined) {
        const expiresAt = refreshExp ? new Date(refreshExp * 1000) : null;
        const persisted = await this.#authorizations.upsertWithRefreshToken(context.tenant.tid, kept, {
          hmacKey: context.secrets['identifier-hmac'],
          expiresAt,
        });
        refreshToken = persisted.refreshToken;
      } else {
        if (authz.longLived) await this.#authorizations.upsert(context.tenant.tid, kept);
        refreshToken = await this.encodeTransientRefreshToken(context, {
          authz: kept,
          iat: now,
          exp: refreshExp,
          jti: randomBytes(16).toString('base64url'),
          ...(refreshJkt !== undefined ? { jkt: refreshJkt } : {}),
        });
      }
    } else if (authz.longLived) {
      await this.#authorizations.upsert(context.tenant.tid, kept);
    }
    const limit = refreshToken ? this.refreshLimit(authz, refreshExp, now) : Infinity;
    return this.withRefresh(await this.accessToken(context, authz, limit), refreshToken, refreshExp, now);
  }

  /** The seconds an access token may live alongside a refresh token that expires at `refreshExp` (0 = never). */
  refreshLimit(authz: Authorization, refreshExp: number, now: number): number {
    let limit = refreshExp > 0 ? refreshExp - now : Infinity;
    if (authz.refreshToken.maxIdle > 0) limit = Math.min(limit, authz.refreshToken.maxIdle);
    return limit;
  }

  withRefresh(
    response: TokenResponse,
    refreshToken: string | undefined,
    refreshExp: number,
    now: number,
  ): TokenResponse {
    if (!refreshToken) return response;
    return {
      ...response,
      refresh_token: refreshToken,
      ...(refreshExp > 0 ? { refresh_token_expires_in: refreshExp - now } : {}),
    };
  }

  /** An access token for `authz`, living at most `maxLifetime` seconds. */
  async accessToken(context: TenantContext, authz: Authorization, maxLifetime = Infinity): Promise<TokenResponse> {
    const { config, tid } = context.tenant;
    const now = this.#clock.now();
    const iat = Math.floor(now / 1000);
    const lifetime = Math.max(
      1,
      Math.min(authz.accessToken.lifetime || config.tokens.accessTokenLifetime, maxLifetime),
    );
    const exp = iat + lifetime;
    const jti = randomJti();
    let token: string;
    if (authz.accessToken.encoding === 'IDENTIFIER') {
      const identifier = mintIdentifier(context.secrets['identifier-hmac'], 'at');
      await this.#accessTokens.put(tid, identifier, { authz, iss: authz.iss, iat, exp, jti });
      token = identifierAccessToken(context, identifier);
    } else {
      const alg = authz.accessToken.alg ?? config.keys.accessTokenSigningAlgorithm;
      const profile = authz.accessToken.profile ?? config.tokens.accessTokenProfile;
      const key = currentKey(context.keys, alg, new Date(now));
      if (!key) throw new HttpError(500, 'server_error', `No active ${alg} signing key`);
      const plain = accessTokenClaims(profile, authz, { iss: authz.iss, iat, exp, jti });
      // The tenant's claims codec, if any; awaited only when it is a webhook.
      const encoded = encodeAccessTokenClaims(context, this.#webhooks, plain);
      const claims = encoded instanceof Promise ? await encoded : encoded;
      const encryption = authz.accessToken.encrypt
        ? {
            secret: context.secrets['access-token-enc'],
            enc: config.tokens.accessTokenEncryptionMethod as ContentEncryption,
          }
        : undefined;
      token = await encodeJwtAccessToken(this.#keyStores.for(key.backend), tid, key, profile, claims, encryption);
    }
    return {
      access_token: token,
      // RFC 9449 §5: a DPoP-bound token says so.
      token_type: authz.cnf ? 'DPoP' : 'Bearer',
      expires_in: lifetime,
      ...(authz.scp.length ? { scope: authz.scp.join(' ') } : {}),
      [ISSUED]: {
        jti,
        sub: authz.sub,
        scope: authz.scp,
        exp,
        format: authz.accessToken.encoding === 'IDENTIFIER' ? 'identifier' : 'jwt',
      },
    };
  }

  async encodeTransientRefreshToken(context: TenantContext, payload: TransientRefreshToken): Promise<string> {
    return encryptDirectJwe(context.secrets['refresh-token-enc'], { cty: 'tessera-rt' }, JSON.stringify(payload));
  }

  async decodeTransientRefreshToken(context: TenantContext, token: string): Promise<TransientRefreshToken | null> {
    const opened = decryptDirectJwe(context.secrets['refresh-token-enc'], token);
    if (opened?.header.cty !== 'tessera-rt') return null;
    try {
      return JSON.parse(opened.plaintext) as TransientRefreshToken;
    } catch {
      return null;
    }
  }
}
