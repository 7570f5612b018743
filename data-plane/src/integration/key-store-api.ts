import { type Static, Type } from '@sinclair/typebox';
import { HttpError } from '@tessera/shared/http/errors';
import { deleteRetiredKey, generateFreshKeys, rotateKeys } from '@tessera/shared/keys/key-rotation';
import type { KeyInfo } from '@tessera/shared/keys/key-store';
import { keySpecsFor } from '@tessera/shared/keys/key-stores';
import { keyHistory, publishedKeys } from '@tessera/shared/keys/published-keys';
import { calculateJwkThumbprint } from 'jose';
import { emptyAnswer, jsonAnswer } from '../core/core-answer.ts';
import type { TenantRequest } from '../core/core-request.ts';
import type { Endpoint } from '../core/endpoint.ts';
import { route } from '../core/route.ts';
import { type Step, step } from '../core/step.ts';
import type { TenantContext } from '../tenancy/tenant-context.ts';
import { requireApiToken } from './api-token-auth.ts';

const PUBLIC_MEMBERS = ['kty', 'kid', 'use', 'alg', 'crv', 'n', 'e', 'x', 'y'] as const;
const seconds = (d: Date) => Math.floor(d.getTime() / 1000);

/** Who the `key.rotated` events of this API name: the tenant, through its API token. */
const KEY_API_ACTOR = 'tenant_api_token';

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

function specsFrom(context: TenantContext, form: Form | undefined) {
  return keySpecsFor(context.tenant.config, {
    ...(form?.rsa ? { rsaKeySize: Number(form.rsa) as 2048 | 3072 | 4096 } : {}),
    skip: (alg) => (form?.no_eddsa === 'true' && alg === 'EdDSA') || (form?.no_ec === 'true' && alg.startsWith('ES')),
  });
}

// An absent body is validated as {} (shared/src/http/validation.ts), so a route with a body schema always has one.
type KeyRequest = TenantRequest<Form, unknown, { ctx: string; kid: string }>;
const keyStep = (name: string, run: Step<object, KeyRequest>['run']) => step<object, KeyRequest>(name, run);
const keysAnswer = async (keys: KeyInfo[], withRevocation = false) =>
  jsonAnswer({ keys: await Promise.all(keys.map((k) => keyView(k, withRevocation))) });

/** Only the `op` key context exists (no federation keys yet). */
const checkContext = keyStep('checkContext', (x) => {
  if (x.request.params.ctx !== 'op')
    throw new HttpError(404, 'not_found', `No key context "${x.request.params.ctx}" (only "op")`);
});

/**
 * The key store API (`/key-store/rest/v1/op`, Connect2id §8.1): read the
 * published set, generate a fresh set, rotate with pre-publication, delete a
 * retired key, read the history. Private parts are never returned. Every
 * change is announced so all nodes reload the tenant's keys.
 */
export const keyStoreApi: Endpoint = {
  name: 'key-store',
  area: 'management',
  routes: (deps) => {
    const base = '/key-store/rest/v1/:ctx';
    const store = (context: TenantContext) => deps.keyStores.for(context.tenant.config.keys.backend);
    const admission = [requireApiToken(deps)];
    const published = keyStep('publishedKeys', async (x) =>
      keysAnswer(await publishedKeys(deps.db, x.request.tenant.tenant.tid)),
    );
    const history = keyStep('keyHistory', async (x) =>
      keysAnswer(await keyHistory(deps.db, x.request.tenant.tenant.tid), true),
    );
    const generate = keyStep('generateKeys', async (x) => {
      const context = x.request.tenant;
      const form = x.request.body;
      const keys = await generateFreshKeys(deps.db, store(context), context.tenant.tid, specsFrom(context, form), {
        revokeActiveAsCompromised: form?.revoke_all_active_as_compromised === 'true',
        actor: KEY_API_ACTOR,
      });
      await deps.announce(context.tenant.tid);
      return keysAnswer(keys);
    });
    const rotate = keyStep('rotateKeys', async (x) => {
      const context = x.request.tenant;
      const { tid, config } = context.tenant;
      const keys = await rotateKeys(
        deps.db,
        store(context),
        tid,
        specsFrom(context, x.request.body),
        config.keys.prePublicationSeconds,
        KEY_API_ACTOR,
      );
      await deps.announce(tid);
      return keysAnswer(keys);
    });
    const remove = keyStep('deleteRetiredKey', async (x) => {
      const context = x.request.tenant;
      const { tid, config } = context.tenant;
      await deleteRetiredKey(deps.db, store(context), tid, x.request.params.kid, config);
      await deps.announce(tid);
      return emptyAnswer(204);
    });
    return [
      route({
        name: 'key-store.read',
        method: 'GET',
        path: base,
        schema: { params: Ctx },
        admission,
        steps: [checkContext, published],
      }),
      route({
        name: 'key-store.history',
        method: 'GET',
        path: `${base}/history`,
        schema: { params: Ctx },
        admission,
        steps: [checkContext, history],
      }),
      route({
        name: 'key-store.generate',
        method: 'POST',
        path: `${base}/generate`,
        schema: { params: Ctx, body: GenerateForm },
        admission,
        steps: [checkContext, generate],
      }),
      route({
        name: 'key-store.rotate',
        method: 'POST',
        path: `${base}/rotate`,
        schema: { params: Ctx, body: Type.Omit(GenerateForm, ['revoke_all_active_as_compromised']) },
        admission,
        steps: [checkContext, rotate],
      }),
      route({
        name: 'key-store.delete',
        method: 'DELETE',
        path: `${base}/:kid`,
        schema: { params: KidParams },
        admission,
        steps: [checkContext, remove],
      }),
    ];
  },
};
