import type { Client } from '@tessera/shared/clients/client';
import { ASYMMETRIC_SIGNING_ALGORITHMS, joseAlgorithm } from '@tessera/shared/jose/algorithms';
import { decryptCompactJwe } from '@tessera/shared/keys/jwe';
import { compactDecrypt, compactVerify, createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet } from 'jose';
import { validSecrets } from '../client-auth/secret-match.ts';
import type { DataPlaneDeps } from '../data-plane-deps.ts';
import { clockDate } from '../ports/clock.ts';
import type { TenantContext } from '../tenancy/tenant-context.ts';
import { secretDerivedKey } from '../tokens/client-jwt.ts';

/** What an `id_token_hint` tells the end-session endpoint: the issuer, subject, audience and session it was issued for. */
export interface HintClaims {
  iss: string;
  sub: string;
  aud: string[];
  /** The SHA-256 of the subject session id (ID tokens' `sid`). */
  sid?: string;
}

export type HintOutcome =
  | { kind: 'valid'; claims: HintClaims }
  /** Signed with a client secret or not at all: anyone holding the secret could make it, so it says nothing (Connect2id 16.0). */
  | { kind: 'ignored' }
  | { kind: 'invalid'; description: string };

/** Connect2id's limit on request objects, applied to hints too. */
const MAX_HINT_CHARS = 50_000;

const invalid = (description: string): HintOutcome => ({ kind: 'invalid', description });

function headerOf(jwt: string): Record<string, unknown> | undefined {
  try {
    return decodeProtectedHeader(jwt) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/**
 * A JWE hint (RP-Initiated Logout 1.0 §2: the RP may encrypt it to the OP):
 * to one of the tenant's encryption keys (opened by the key store, inside
 * the HSM for PKCS#11 tenants), or with a key derived from the secret of the
 * client that `client_id` names (`dir`, AES key wrap: Core §10.2).
 */
async function decrypt(
  context: TenantContext,
  deps: DataPlaneDeps,
  jwe: string,
  client: Client | undefined,
): Promise<string | undefined> {
  const header = headerOf(jwe);
  const alg = typeof header?.alg === 'string' ? joseAlgorithm(header.alg) : undefined;
  if (!header || !alg) return undefined;
  try {
    if (alg.clientSecret) {
      const enc = typeof header.enc === 'string' ? joseAlgorithm(header.enc) : undefined;
      const bytes = header.alg === 'dir' ? enc?.keyBytes : alg.keyBytes;
      if (!client || !bytes) return undefined;
      for (const secret of validSecrets(client, clockDate(deps.oauth.clock))) {
        try {
          const { plaintext } = await compactDecrypt(jwe, secretDerivedKey(secret, bytes), {
            keyManagementAlgorithms: [header.alg as string],
          });
          return Buffer.from(plaintext).toString('utf8');
        } catch {
          // the previous secret, during its rollover
        }
      }
      return undefined;
    }
    const key = context.keys.find((k) => k.kid === header.kid && k.use === 'enc');
    if (!key) return undefined;
    const { plaintext } = await decryptCompactJwe(deps.keyStores.for(key.backend), context.tenant.tid, jwe);
    return plaintext.toString('utf8');
  } catch {
    return undefined;
  }
}

/** The issuers the tenant signs ID tokens as: its own and every alias's. */
const tenantIssuers = (context: TenantContext) => [
  context.tenant.issuer,
  ...context.tenant.aliases.map((a) => a.issuer),
];

/**
 * Check an `id_token_hint` (OpenID Connect RP-Initiated Logout 1.0 §2): an
 * ID token this tenant signed with one of its keys, under its issuer or one
 * of its aliases, also when expired; plain or encrypted (`decrypt`). A hint
 * signed with HS* or `none` is ignored, not refused: its signature proves
 * nothing the client could not make itself. `client` is the client the
 * request's `client_id` names, if any (for hints encrypted with its secret).
 */
export async function checkLogoutHint(
  context: TenantContext,
  deps: DataPlaneDeps,
  hint: string,
  client: Client | undefined,
): Promise<HintOutcome> {
  if (hint.length > MAX_HINT_CHARS) return invalid('The id_token_hint is too large');
  let jws = hint.trim();
  const parts = jws.split('.').length;
  if (parts === 5) {
    const opened = await decrypt(context, deps, jws, client);
    if (opened === undefined) return invalid('The encrypted id_token_hint could not be decrypted');
    jws = opened;
  }
  if (jws.split('.').length !== 3) return invalid('The id_token_hint is not a JWT');
  const alg = headerOf(jws)?.alg;
  if (typeof alg !== 'string') return invalid('The id_token_hint is not a JWT');
  if (alg === 'none' || joseAlgorithm(alg)?.kind === 'hmac') return { kind: 'ignored' };
  let claims: Record<string, unknown>;
  try {
    const jwks = createLocalJWKSet({
      keys: context.keys.filter((k) => k.use === 'sig').map((k) => k.jwk),
    } as JSONWebKeySet);
    const { payload } = await compactVerify(jws, jwks, { algorithms: ASYMMETRIC_SIGNING_ALGORITHMS });
    claims = JSON.parse(Buffer.from(payload).toString('utf8')) as Record<string, unknown>;
  } catch {
    return invalid('The id_token_hint was not issued by this server');
  }
  const { iss, sub, aud, sid } = claims;
  if (typeof iss !== 'string' || !tenantIssuers(context).includes(iss))
    return invalid('The id_token_hint was not issued by this server');
  const audience = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : [];
  if (typeof sub !== 'string' || audience.length === 0 || !audience.every((a) => typeof a === 'string'))
    return invalid('The id_token_hint is not an ID token');
  return {
    kind: 'valid',
    claims: { iss, sub, aud: audience as string[], ...(typeof sid === 'string' ? { sid } : {}) },
  };
}
