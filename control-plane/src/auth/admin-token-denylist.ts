import type { Redis } from 'ioredis';
import { ADMIN_JWT_MAX_LIFETIME_S } from './admin-jwt.ts';

/**
 * Revoked admin JWTs, by `jti`, in Redis (the connection adds the
 * deployment's key prefix). No record of issued tokens is kept, so an entry
 * lives as long as any admin JWT can (the verifier's `maxAge`): by then the
 * token it names is refused anyway. The slack covers clock skew between
 * control-plane nodes.
 */
const key = (jti: string) => `admin-jwt:revoked:${jti}`;
export const DENYLIST_TTL_S = ADMIN_JWT_MAX_LIFETIME_S + 300;

export interface AdminTokenDenylist {
  revoke(jti: string): Promise<void>;
  isRevoked(jti: string): Promise<boolean>;
}

export function redisAdminTokenDenylist(redis: Redis): AdminTokenDenylist {
  return {
    async revoke(jti) {
      await redis.set(key(jti), '1', 'EX', DENYLIST_TTL_S);
    },
    async isRevoked(jti) {
      return (await redis.exists(key(jti))) === 1;
    },
  };
}
