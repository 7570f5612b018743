import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { currentKey } from '@tessera/shared/keys/key-lifecycle';
import type { KeyInfo } from '@tessera/shared/keys/key-store';
import { keyHistory } from '@tessera/shared/keys/published-keys';
import type { FastifyInstance } from 'fastify';
import type { ControlPlaneDeps } from './deps.ts';
import { requireTenant } from './require-tenant.ts';
import { ErrorBody, TidParams } from './schemas.ts';

/** The public members of a JWK: what `/jwks.json` publishes, never a private one. */
const PUBLIC_MEMBERS = ['kty', 'kid', 'use', 'alg', 'crv', 'n', 'e', 'x', 'y'] as const;
const Time = Type.String({ format: 'date-time' });
const NullableTime = (description: string) => Type.Union([Time, Type.Null()], { description });

const KeyView = Type.Object({
  kid: Type.String(),
  kty: Type.String({ description: 'RSA, EC or OKP' }),
  alg: Type.String(),
  use: Type.Union([Type.Literal('sig'), Type.Literal('enc')]),
  crv: Type.Optional(Type.String({ description: 'EC and OKP keys' })),
  status: Type.Union(
    [Type.Literal('pending'), Type.Literal('active'), Type.Literal('retired'), Type.Literal('revoked')],
    {
      description:
        'from the key’s times: pending until activated_at, active until retired_at, then retired (still published, verifies old tokens) until revoked (withdrawn, private part destroyed)',
    },
  ),
  current: Type.Boolean({ description: 'the newest active key of its algorithm: the one that signs now' }),
  backend: Type.Union([Type.Literal('software'), Type.Literal('pkcs11')]),
  hsm: Type.Boolean({ description: 'the private part is held in an HSM (PKCS#11) and never leaves it' }),
  created_at: Time,
  activated_at: Type.String({ format: 'date-time', description: 'when it starts (or started) signing' }),
  retired_at: NullableTime('when it stops (or stopped) signing; null: not scheduled'),
  revoked_at: NullableTime('when it was withdrawn from the JWK set'),
  jwk: Type.Record(Type.String(), Type.String(), {
    description: 'the public JWK (kty, kid, use, alg, crv, n, e, x, y)',
  }),
});

function keyView(key: KeyInfo, current: boolean) {
  const jwk = Object.fromEntries(
    PUBLIC_MEMBERS.filter((m) => typeof key.jwk[m] === 'string').map((m) => [m, key.jwk[m] as string]),
  );
  return {
    kid: key.kid,
    kty: key.jwk.kty,
    alg: key.alg,
    use: key.use,
    ...(key.jwk.crv ? { crv: key.jwk.crv } : {}),
    status: key.status,
    current,
    backend: key.backend,
    hsm: key.backend === 'pkcs11',
    created_at: key.createdAt.toISOString(),
    activated_at: key.activatedAt.toISOString(),
    retired_at: key.retiredAt?.toISOString() ?? null,
    revoked_at: key.revokedAt?.toISOString() ?? null,
    jwk,
  };
}

/**
 * `GET /tenants/rest/v1/{tid}/keys`: a tenant's signing and encryption keys,
 * revoked ones included, oldest first, read from `tenant_keys` (public halves
 * and lifecycle times; the private parts, sealed or in the HSM, and the HSM
 * PINs are never read here). Every role within its tenant: the console's
 * viewers read it, where the data plane's key-store API needs an API token,
 * which could change the keys.
 */
export function registerTenantKeyRoutes(root: FastifyInstance, deps: ControlPlaneDeps): void {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const { db } = deps;
  app.get(
    '/tenants/rest/v1/:tid/keys',
    {
      schema: {
        summary: "A tenant's keys: public members, status and lifecycle times",
        description:
          'Every key the tenant has had, revoked ones included, oldest first. Public information only: never a private part or an HSM PIN.',
        params: TidParams,
        response: { 200: Type.Object({ keys: Type.Array(KeyView) }), 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) => {
      const { tid } = request.params;
      await requireTenant(db, tid);
      const keys = await keyHistory(db, tid);
      const now = new Date();
      // The newest active key of each algorithm, among all of the tenant's keys.
      const current = new Set([...new Set(keys.map((k) => k.alg))].map((alg) => currentKey(keys, alg, now)?.kid));
      return { keys: keys.map((k) => keyView(k, current.has(k.kid))) };
    },
  );
}
