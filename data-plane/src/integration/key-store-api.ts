import { Type, type Static } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { calculateJwkThumbprint } from 'jose';
import { HttpError } from '@tessera/shared/http/errors';
import { keySpecsFor } from '@tessera/shared/keys/key-stores';
import { deleteRetiredKey, generateFreshKeys, rotateKeys } from '@tessera/shared/keys/key-rotation';
import type { KeyInfo } from '@tessera/shared/keys/key-store';
import { keyHistory, publishedKeys } from '@tessera/shared/keys/published-keys';
import type { DataPlaneDeps, Endpoint } from '../endpoints/endpoint.ts';
import { requireApiToken } from './api-token-auth.ts';

const PUBLIC_MEMBERS = ['kty', 'kid', 'use', 'alg', 'crv', 'n', 'e', 'x', 'y'] as const;
const seconds = (d: Date) => Math.floor(d.getTime() / 1000);

/** A key as this API shows it: public members, RFC 7638 thumbprint (`tpr`), status and lifecycle times. */
async function keyView(key: KeyInfo, withRevocation = false) {
  const jwk = Object.fromEntries(PUBLIC_MEMBERS.filter((m) => key.jwk[m] !== undefined).map((m) => [m, key.jwk[m]]));
  return {
    ...jwk,
    tpr: await calculateJwkThumbprint(jwk as never, 'sha256'),
    status: key.status,
    iat: seconds(key.createdAt),
    nbf: seconds(key.activatedAt),
    ...(key.retiredAt ? { exp: seconds(key.retiredAt) } : {}),
    ...(withRevocation && key.revokedAt ? { revoked_at: seconds(key.revokedAt) } : {}),
    backend: key.backend,
  };
}

const Flag = Type.Union([Type.Literal('true'), Type.Literal('false')]);
const GenerateForm = Type.Object(
  {
    rsa: Type.Optional(Type.Union([Type.Literal('2048'), Type.Literal('3072'), Type.Literal('4096')])),
    no_eddsa: Type.Optional(Flag),
    no_ec: Type.Optional(Flag),
    revoke_all_active_as_compromised: Type.Optional(Flag),
  },
  { additionalProperties: false },
);
type Form = Static<typeof GenerateForm>;
const Ctx = Type.Object({ ctx: Type.String() });
const KidParams = Type.Object({ ctx: Type.String(), kid: Type.String({ minLength: 1, maxLength: 128 }) });

/** Only the `op` key context exists (no federation keys yet). */
function checkContext(ctx: string): void {
  if (ctx !== 'op') throw new HttpError(404, 'not_found', `No key context "${ctx}" (only "op")`);
}

function specsFrom(request: FastifyRequest, form: Form | undefined) {
  const config = request.tenant!.tenant.config;
  return keySpecsFor(config, {
    ...(form?.rsa ? { rsaKeySize: Number(form.rsa) as 2048 | 3072 | 4096 } : {}),
    skip: (alg) => (form?.no_eddsa === 'true' && alg === 'EdDSA') || (form?.no_ec === 'true' && alg.startsWith('ES')),
  });
}

/**
 * The key store API (`/key-store/rest/v1/op`, Connect2id §8.1): read the
 * published set, generate a fresh set, rotate with pre-publication, delete a
 * retired key, read the history. Private parts are never returned. Every
 * change is announced so all nodes reload the tenant's keys.
 */
export const keyStoreApi: Endpoint = {
  name: 'key-store',
  register(app, deps: DataPlaneDeps) {
    const base = '/key-store/rest/v1/:ctx';
    const store = (request: FastifyRequest) => deps.keyStores.for(request.tenant!.tenant.config.keys.backend);
    const changed = (request: FastifyRequest) => deps.announce(request.tenant!.tenant.tid);

    app.get<{ Params: Static<typeof Ctx> }>(base, { onRequest: requireApiToken, schema: { params: Ctx } }, async (request, reply) => {
      checkContext(request.params.ctx);
      const keys = await publishedKeys(deps.db, request.tenant!.tenant.tid);
      return reply.header('cache-control', 'no-store').send({ keys: await Promise.all(keys.map((k) => keyView(k))) });
    });

    app.get<{ Params: Static<typeof Ctx> }>(`${base}/history`, { onRequest: requireApiToken, schema: { params: Ctx } }, async (request, reply) => {
      checkContext(request.params.ctx);
      const keys = await keyHistory(deps.db, request.tenant!.tenant.tid);
      return reply.header('cache-control', 'no-store').send({ keys: await Promise.all(keys.map((k) => keyView(k, true))) });
    });

    app.post<{ Params: Static<typeof Ctx>; Body: Form | undefined }>(
      `${base}/generate`,
      { onRequest: requireApiToken, schema: { params: Ctx, body: GenerateForm } },
      async (request, reply) => {
        checkContext(request.params.ctx);
        const keys = await generateFreshKeys(deps.db, store(request), request.tenant!.tenant.tid, specsFrom(request, request.body), {
          revokeActiveAsCompromised: request.body?.revoke_all_active_as_compromised === 'true',
        });
        await changed(request);
        return reply.header('cache-control', 'no-store').send({ keys: await Promise.all(keys.map((k) => keyView(k))) });
      },
    );

    app.post<{ Params: Static<typeof Ctx>; Body: Form | undefined }>(
      `${base}/rotate`,
      { onRequest: requireApiToken, schema: { params: Ctx, body: Type.Omit(GenerateForm, ['revoke_all_active_as_compromised']) } },
      async (request, reply) => {
        checkContext(request.params.ctx);
        const { tid, config } = request.tenant!.tenant;
        const keys = await rotateKeys(deps.db, store(request), tid, specsFrom(request, request.body), config.keys.prePublicationSeconds);
        await changed(request);
        return reply.header('cache-control', 'no-store').send({ keys: await Promise.all(keys.map((k) => keyView(k))) });
      },
    );

    app.delete<{ Params: Static<typeof KidParams> }>(`${base}/:kid`, { onRequest: requireApiToken, schema: { params: KidParams } }, async (request, reply) => {
      checkContext(request.params.ctx);
      const { tid, config } = request.tenant!.tenant;
      await deleteRetiredKey(deps.db, store(request), tid, request.params.kid, config);
      await changed(request);
      return reply.code(204).send();
    });
  },
};
