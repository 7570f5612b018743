import { type Static, Type } from '@sinclair/typebox';
import type { Authorization } from '@tessera/shared/authz/authorization';
import { HttpError } from '@tessera/shared/http/errors';
import { PRINTABLE_IDENTIFIER_PATTERN } from '@tessera/shared/text/printable-identifier';
import { authorizationRevokedEvent } from '../authz/authorization-revoked-event.ts';
import { emptyAnswer, jsonAnswer } from '../core/core-answer.ts';
import type { TenantRequest } from '../core/core-request.ts';
import type { Endpoint } from '../core/endpoint.ts';
import { route } from '../core/route.ts';
import { step } from '../core/step.ts';
import type { DataPlaneDeps } from '../data-plane-deps.ts';
import { newAuthorization } from '../grants/new-authorization.ts';
import { usableRefreshToken } from '../oauth/refresh-token-inspection.ts';
import { inspectAccessToken } from '../oauth/token-inspection.ts';
import type { StoredAuthorization } from '../ports/authorization-store.ts';
import { epochSeconds } from '../ports/clock.ts';
import { isolatesGrants } from '../tenancy/alias-mode.ts';
import { API_TOKEN_ACTOR as API_ACTOR, requireApiToken } from './api-token-auth.ts';

const BASE = '/authz-store/rest/v3';
/** Subjects, client ids and actors: no control characters (shared/src/text/printable-identifier.ts). */
const Str = Type.String({ minLength: 1, maxLength: 1000, pattern: PRINTABLE_IDENTIFIER_PATTERN });
const ClientId = Type.String({ minLength: 1, maxLength: 128, pattern: PRINTABLE_IDENTIFIER_PATTERN });
const Strings = Type.Array(Type.String({ minLength: 1, maxLength: 1000 }), { maxItems: 500 });
const Obj = Type.Record(Type.String(), Type.Unknown());
const Seconds = Type.Integer({ minimum: 0, maximum: 86_400 * 3650 });
const Token = Type.String({ minLength: 1, maxLength: 20_000 });
const EpochSeconds = Type.String({ pattern: '^[0-9]{1,12}$' });

/**
 * An authorisation object in Connect2id's short member names, as PUT takes
 * it. `iat` / `uat` (and `lng`, always true here) are accepted so that an
 * object read from this API can be sent back as it is; the server sets them.
 */
const AuthorizationObject = Type.Object(
  {
    sub: Str,
    cid: ClientId,
    scp: Type.Array(Type.String({ minLength: 1, maxLength: 1000 }), { minItems: 1, maxItems: 500 }),
    act: Type.Optional(Type.Object({ sub: Str }, { additionalProperties: false })),
    aud: Type.Optional(Strings),
    clm: Type.Optional(Strings),
    cll: Type.Optional(Strings),
    uip: Type.Optional(Obj),
    idp: Type.Optional(Obj),
    dat: Type.Optional(Obj),
    irt: Type.Optional(Type.Boolean()),
    rtl: Type.Optional(Seconds),
    rtm: Type.Optional(Seconds),
    rtr: Type.Optional(Type.Boolean()),
    atl: Type.Optional(Type.Integer({ minimum: 0, maximum: 86_400 * 30 })),
    att: Type.Optional(Type.Union([Type.Literal('SELF_CONTAINED'), Type.Literal('IDENTIFIER')])),
    ate: Type.Optional(Type.Boolean()),
    idl: Type.Optional(Type.Integer({ minimum: 0, maximum: 86_400 })),
    iss: Type.Optional(Str),
    lng: Type.Optional(Type.Literal(true)),
    iat: Type.Optional(Type.Integer({ minimum: 0 })),
    uat: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false },
);
type AuthorizationBody = Static<typeof AuthorizationObject>;

const Filter = Type.Object(
  { subject: Type.Optional(Str), client_id: Type.Optional(ClientId) },
  { additionalProperties: false },
);
type FilterQuery = Static<typeof Filter>;
const SubjectsQuery = Type.Object({ client_id: Type.Optional(ClientId) }, { additionalProperties: false });
const ClientsQuery = Type.Object({ subject: Type.Optional(Str) }, { additionalProperties: false });
const QuietQuery = Type.Object(
  { quiet: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')])) },
  { additionalProperties: false },
);
const RevocationForm = Type.Object(
  {
    subject: Type.Optional(Str),
    client_id: Type.Optional(ClientId),
    actor: Type.Optional(Str),
    timestamp: Type.Optional(EpochSeconds),
  },
  { additionalProperties: false },
);
type Revocation = Static<typeof RevocationForm>;
const InspectionForm = Type.Object(
  { access_token: Type.Optional(Token), refresh_token: Type.Optional(Token) },
  { additionalProperties: false },
);
type Inspection = Static<typeof InspectionForm>;

const seconds = (d: Date) => Math.floor(d.getTime() / 1000);
const badRequest = (description: string) => new HttpError(400, 'invalid_request', `Bad request: ${description}`);
const notFound = (description: string) => new HttpError(404, 'not_found', description);
const asStrings = (v: unknown): string[] | undefined =>
  Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;
const asObject = (v: unknown): Record<string, unknown> | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

/** The short-member form of an authorisation; absent optional members are omitted. */
export function authorizationObject(
  authz: Authorization,
  times: { iat?: number; uat?: number } = {},
): Record<string, unknown> {
  return {
    sub: authz.sub,
    cid: authz.cid,
    scp: authz.scp,
    ...(authz.act ? { act: authz.act } : {}),
    ...(authz.aud?.length ? { aud: authz.aud } : {}),
    ...(authz.clm?.length ? { clm: authz.clm } : {}),
    ...(authz.cll?.length ? { cll: authz.cll } : {}),
    ...(authz.uip ? { uip: authz.uip } : {}),
    ...(authz.idp ? { idp: authz.idp } : {}),
    ...(authz.dat ? { dat: authz.dat } : {}),
    irt: authz.refreshToken.issue,
    rtl: authz.refreshToken.lifetime,
    rtm: authz.refreshToken.maxIdle,
    rtr: authz.refreshToken.rotate,
    atl: authz.accessToken.lifetime,
    att: authz.accessToken.encoding,
    ate: authz.accessToken.encrypt,
    ...(authz.idToken ? { idl: authz.idToken.lifetime } : {}),
    lng: authz.longLived,
    iss: authz.iss,
    ...(times.iat !== undefined ? { iat: times.iat } : {}),
    ...(times.uat !== undefined ? { uat: times.uat } : {}),
  };
}

const storedObject = (stored: StoredAuthorization) =>
  authorizationObject(stored.authz, { iat: seconds(stored.createdAt), uat: seconds(stored.updatedAt) });

/** The record a PUT body stands for: given members, tenant defaults for the rest. */
function fromBody(request: TenantRequest, body: AuthorizationBody): Authorization {
  const { config, issuer, aliases } = request.tenant.tenant;
  const iss = body.iss ?? request.issuer;
  if (iss !== issuer && !aliases.some((a) => a.issuer === iss)) throw badRequest('iss is not an issuer of this tenant');
  if (isolatesGrants(request.tenant.tenant, iss))
    throw badRequest('Long-lived authorisations are disabled under a PERSISTED_GRANT_ISOLATION issuer');
  const authz = newAuthorization(config, {
    sub: body.sub,
    cid: body.cid,
    scp: [...new Set(body.scp)],
    iss,
    longLived: true,
    ...(body.act ? { act: { sub: body.act.sub } } : {}),
    ...(body.aud?.length ? { aud: body.aud } : {}),
    ...(body.clm?.length ? { clm: body.clm } : {}),
    ...(body.cll?.length ? { cll: body.cll } : {}),
    ...(body.uip ? { uip: body.uip } : {}),
    ...(body.idp ? { idp: body.idp } : {}),
    ...(body.dat ? { dat: body.dat } : {}),
  });
  authz.accessToken = {
    lifetime: body.atl ?? authz.accessToken.lifetime,
    encoding: body.att ?? authz.accessToken.encoding,
    encrypt: body.ate ?? authz.accessToken.encrypt,
  };
  authz.refreshToken = {
    issue: body.irt ?? false,
    lifetime: body.rtl ?? authz.refreshToken.lifetime,
    maxIdle: body.rtm ?? authz.refreshToken.maxIdle,
    rotate: body.rtr ?? authz.refreshToken.rotate,
  };
  if (body.idl !== undefined) authz.idToken = { lifetime: body.idl };
  return authz;
}

/** The authorisation behind an access token of this tenant (and issuer), or null. */
async function behindAccessToken(
  request: TenantRequest,
  deps: DataPlaneDeps,
  token: string,
): Promise<Record<string, unknown> | null> {
  const context = request.tenant;
  const tid = context.tenant.tid;
  const active = await inspectAccessToken(context, request.issuer, token, deps);
  if (!active) return null;
  if (active.identifier) {
    // An identifier token keeps its whole authorisation; a transient one is shown as it is.
    const record = await deps.oauth.accessTokens.get(tid, active.identifier);
    if (!record) return null;
    if (!record.authz.longLived) return authorizationObject(record.authz, { iat: record.iat });
  }
  const [stored] = await deps.oauth.authorizations.find(tid, { sub: active.sub, cid: active.cid });
  if (stored) return storedObject(stored);
  // A self-contained token of a transient authorisation: what the token carries.
  const { extra } = active;
  const clm = asStrings(extra.clm);
  const cll = asStrings(extra.cll);
  const uip = asObject(extra.uip);
  const dat = asObject(extra.dat);
  const act = asObject(active.act);
  return {
    sub: active.sub,
    cid: active.cid,
    scp: active.scp,
    ...(act && typeof act.sub === 'string' ? { act: { sub: act.sub } } : {}),
    ...(active.aud?.length ? { aud: active.aud } : {}),
    ...(clm?.length ? { clm } : {}),
    ...(cll?.length ? { cll } : {}),
    ...(uip ? { uip } : {}),
    ...(dat ? { dat } : {}),
    lng: false,
    iss: active.iss,
    iat: active.iat,
  };
}

/** The authorisation behind a refresh token (identifier of a persisted one, or JWE of a transient one) that is still usable, or null. */
async function behindRefreshToken(
  request: TenantRequest,
  deps: DataPlaneDeps,
  token: string,
): Promise<Record<string, unknown> | null> {
  const usable = await usableRefreshToken(request.tenant, deps, token);
  if (!usable) return null;
  return usable.kind === 'transient'
    ? authorizationObject(usable.authz, { iat: usable.iat })
    : storedObject(usable.stored);
}

function filterOf(query: FilterQuery): { sub?: string; cid?: string } {
  return {
    ...(query.subject !== undefined ? { sub: query.subject } : {}),
    ...(query.client_id !== undefined ? { cid: query.client_id } : {}),
  };
}

/**
 * The authorisation store API (`/authz-store/rest/v3`, Connect2id §7): list,
 * replace and delete a tenant's long-lived authorisations, list the subjects
 * and clients having them, revoke by subject and / or client (persisted
 * authorisations and, through the revocation journal, every token), and
 * inspect the authorisation behind an access or refresh token.
 */
export const authzStoreApi: Endpoint = {
  name: 'authz-store',
  area: 'management',
  routes: (deps) => {
    const admission = [requireApiToken(deps)];
    const authorizations = deps.oauth.authorizations;
    const tidOf = (request: TenantRequest) => request.tenant.tenant.tid;

    const find = step<object, TenantRequest<unknown, FilterQuery>>('findAuthorizations', async (x) => {
      const filter = filterOf(x.request.query);
      if (filter.sub === undefined && filter.cid === undefined)
        throw badRequest('subject or client_id (or both) must be given');
      return jsonAnswer((await authorizations.find(tidOf(x.request), filter)).map(storedObject));
    });

    const replace = step<object, TenantRequest<AuthorizationBody>>('replaceAuthorization', async (x) => {
      const tid = tidOf(x.request);
      const authz = fromBody(x.request, x.request.body);
      if (!(await deps.clients.get(tid, authz.cid)))
        throw badRequest(`no client ${JSON.stringify(authz.cid)} in this tenant`);
      const id = await authorizations.upsert(tid, authz);
      const stored = await authorizations.get(tid, id);
      if (!stored) throw notFound('The authorisation was deleted meanwhile');
      return jsonAnswer(storedObject(stored));
    });

    const remove = step<object, TenantRequest<unknown, FilterQuery>>('deleteAuthorization', async (x) => {
      const { subject, client_id } = x.request.query;
      if (subject === undefined || client_id === undefined)
        throw badRequest('subject and client_id must both be given');
      const tid = tidOf(x.request);
      const deleted = await authorizations.delete(tid, { sub: subject, cid: client_id });
      if (deleted.length === 0) throw notFound('No authorisation of this subject and client');
      await deps.oauth.journal.revoke(tid, { sub: subject, cid: client_id });
      await deps.events.emit(
        authorizationRevokedEvent(tid, API_ACTOR, { sub: subject, cid: client_id }, 'authz_store_api', {
          authorizations: deleted.length,
        }),
      );
      return emptyAnswer(204);
    });

    const subjects = step<object, TenantRequest<unknown, Static<typeof SubjectsQuery>>>('listSubjects', async (x) => {
      const cid = x.request.query.client_id;
      return jsonAnswer(await authorizations.subjects(tidOf(x.request), cid !== undefined ? { cid } : {}));
    });

    const clients = step<object, TenantRequest<unknown, Static<typeof ClientsQuery>>>('listClients', async (x) => {
      const sub = x.request.query.subject;
      return jsonAnswer(await authorizations.clients(tidOf(x.request), sub !== undefined ? { sub } : {}));
    });

    const revoke = step<object, TenantRequest<Revocation | undefined, Static<typeof QuietQuery>>>(
      'revokeAuthorizations',
      async (x) => {
        const form = x.request.body ?? {};
        if (form.actor !== undefined) throw badRequest('revocation by actor is not supported');
        const target = {
          ...(form.subject !== undefined ? { sub: form.subject } : {}),
          ...(form.client_id !== undefined ? { cid: form.client_id } : {}),
        };
        if (target.sub === undefined && target.cid === undefined)
          throw badRequest('subject or client_id (or both) must be given');
        const tid = tidOf(x.request);
        let deleted: StoredAuthorization[];
        let issuedBefore: Date | undefined;
        if (form.timestamp !== undefined) {
          const at = Number(form.timestamp);
          if (at > epochSeconds(deps.oauth.clock)) throw badRequest('timestamp is in the future');
          // Everything issued at or before that second, as the journal counts.
          deleted = await authorizations.deleteBefore(tid, target, new Date((at + 1) * 1000));
          issuedBefore = new Date(at * 1000);
          await deps.oauth.journal.revoke(tid, target, issuedBefore);
        } else {
          deleted = await authorizations.delete(tid, target);
          await deps.oauth.journal.revoke(tid, target);
        }
        // Every revocation is one, persisted authorisations or not: the journal revoked the tokens either way.
        await deps.events.emit(
          authorizationRevokedEvent(tid, API_ACTOR, target, 'authz_store_api', {
            ...(issuedBefore ? { issuedBefore } : {}),
            authorizations: deleted.length,
          }),
        );
        if (x.request.query.quiet === 'true' || deleted.length === 0) return emptyAnswer(204);
        return jsonAnswer(deleted.map(storedObject));
      },
    );

    const inspect = step<object, TenantRequest<Inspection | undefined>>('inspectToken', async (x) => {
      const { access_token: accessToken, refresh_token: refreshToken } = x.request.body ?? {};
      if ((accessToken === undefined) === (refreshToken === undefined))
        throw badRequest('exactly one of access_token or refresh_token must be given');
      const found =
        accessToken !== undefined
          ? await behindAccessToken(x.request, deps, accessToken)
          : await behindRefreshToken(x.request, deps, refreshToken!);
      if (!found) throw notFound('Invalid, expired or revoked token');
      return jsonAnswer(found);
    });

    const all = `${BASE}/authorizations`;
    return [
      route({
        name: 'authz-store.find',
        method: 'GET',
        path: all,
        schema: { querystring: Filter },
        admission,
        steps: [find],
      }),
      route({
        name: 'authz-store.replace',
        method: 'PUT',
        path: all,
        schema: { body: AuthorizationObject },
        admission,
        steps: [replace],
      }),
      route({
        name: 'authz-store.delete',
        method: 'DELETE',
        path: all,
        schema: { querystring: Filter },
        admission,
        steps: [remove],
      }),
      route({
        name: 'authz-store.subjects',
        method: 'GET',
        path: `${BASE}/subjects`,
        schema: { querystring: SubjectsQuery },
        admission,
        steps: [subjects],
      }),
      route({
        name: 'authz-store.clients',
        method: 'GET',
        path: `${BASE}/clients`,
        schema: { querystring: ClientsQuery },
        admission,
        steps: [clients],
      }),
      route({
        name: 'authz-store.revocation',
        method: 'POST',
        path: `${BASE}/revocation`,
        bodyLimit: 50_000,
        schema: { body: RevocationForm, querystring: QuietQuery },
        admission,
        steps: [revoke],
      }),
      route({
        name: 'authz-store.inspection',
        method: 'POST',
        path: `${BASE}/inspection`,
        bodyLimit: 50_000,
        schema: { body: InspectionForm },
        admission,
        steps: [inspect],
      }),
    ];
  },
};
