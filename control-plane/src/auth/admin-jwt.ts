import fastifyJwt from '@fastify/jwt';
import type { MasterKey } from '@tessera/shared/crypto/master-key';
import type { FastifyInstance } from 'fastify';

export const ADMIN_JWT_ISSUER = 'tessera-control-plane';
export const ADMIN_JWT_AUDIENCE = 'tessera-admin';
/** HKDF `info` of the admin JWT key: a key of its own, derived from the master key, never stored or logged. */
export const ADMIN_JWT_KEY_INFO = 'tessera:admin-jwt:hs256:v1';
/** The longest lifetime an admin JWT may be minted with, in seconds; also the verifier's `maxAge` backstop. */
export const ADMIN_JWT_MAX_LIFETIME_S = 86_400;

/** Claims of an admin JWT; `tid` scopes it to one tenant. */
export interface AdminClaims {
  sub: string;
  tid?: string;
  jti: string;
}

/** The admin JWT key: `TESSERA_ADMIN_JWT_SECRET` (base64url, ≥ 32 bytes) when set, else derived from the master key. */
export function adminJwtKey(masterKey: MasterKey, env: NodeJS.ProcessEnv = process.env): Buffer {
  const configured = env.TESSERA_ADMIN_JWT_SECRET;
  if (configured) {
    const key = Buffer.from(configured, 'base64url');
    if (key.length < 32) throw new Error('TESSERA_ADMIN_JWT_SECRET must be at least 32 bytes, base64url-encoded');
    return key;
  }
  return masterKey.derive(ADMIN_JWT_KEY_INFO);
}

/**
 * `@fastify/jwt` with HS256 only, our issuer and audience, and an expiry on
 * every token. `@fastify/jwt` reads numbers as seconds (expiresIn, maxAge).
 * `maxAge` refuses any token older than the longest lifetime we mint, whatever
 * its `exp` says, so a token minted with a wrong `exp` cannot outlive it.
 */
export async function registerAdminJwt(app: FastifyInstance, masterKey: MasterKey): Promise<void> {
  await app.register(fastifyJwt, {
    secret: adminJwtKey(masterKey),
    sign: { algorithm: 'HS256', iss: ADMIN_JWT_ISSUER, aud: ADMIN_JWT_AUDIENCE },
    verify: {
      algorithms: ['HS256'],
      allowedIss: ADMIN_JWT_ISSUER,
      allowedAud: ADMIN_JWT_AUDIENCE,
      requiredClaims: ['exp', 'iat', 'jti'],
      maxAge: ADMIN_JWT_MAX_LIFETIME_S,
    },
  });
}
