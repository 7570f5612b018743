import { randomBytes } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { Type } from '@sinclair/typebox';
import { type Client, type ClientMetadata, grantTypesOf } from '@tessera/shared/clients/client';
import {
  type ClientMetadataOptions,
  issuesSecret,
  SERVER_MANAGED_MEMBERS,
  TOKEN_ENDPOINT_AUTH_METHODS,
  validateClientMetadata,
} from '@tessera/shared/clients/client-metadata';
import { bearerToken, digestsEqual, mintApiToken, sha256Hex } from '@tessera/shared/http/api-token';
import { HttpError } from '@tessera/shared/http/errors';
import { emptyAnswer, jsonAnswer } from '../core/core-answer.ts';
import type { TenantRequest } from '../core/core-request.ts';
import type { Endpoint } from '../core/endpoint.ts';
import { route } from '../core/route.ts';
import { type Step, step } from '../core/step.ts';
import type { DataPlaneDeps } from '../data-plane-deps.ts';
import { verifyPassword } from '../directory/password-hash.ts';
import { scopeRegistrationProblem } from '../grants/scope.ts';
import { admitApiToken, isApiToken } from '../integration/api-token-auth.ts';
import { checkSectorIdentifier } from '../oauth/sector-identifier.ts';
import { type MetadataOperation, tenantMetadataCheck } from '../plugins/client-metadata-validator.ts';
import { encodeSecret, hasSecret, refuseSecretUse } from '../plugins/client-secret-codec.ts';
import { interceptRegistration } from '../plugins/registration-interceptor.ts';
import type { TenantContext } from '../tenancy/tenant-context.ts';

/** Connect2id's `op.reg.httpMaxRequestSize`: registration and update bodies up to 250,000 characters. */
export const MAX_REGISTRATION_BODY_CHARS = 250_000;

const ClientParams = Type.Object({ client_id: Type.String({ minLength: 1, maxLength: 128 }) });
/** Any JSON object: the metadata validator does the real checks and reports them with RFC 7591 codes. */
const MetadataBody = Type.Record(Type.String(), Type.Unknown());

const seconds = (d: Date) => Math.floor(d.getTime() / 1000);
const newClientId = () => randomBytes(16).toString('base64url');
const newClientSecret = () => randomBytes(32).toString('base64url');
const sameSecret = (a: string, b: string) => digestsEqual(sha256Hex(a), sha256Hex(b));
/** Whether `given` is the client's current secret, sealed or kept hashed. */
const currentSecretIs = async (client: Client, given: string): Promise<boolean> =>
  client.secret !== null
    ? sameSecret(given, client.secret)
    : Boolean(client.secretHash) && (await verifyPassword(given, client.secretHash!));

/** Who a request to `/clients/{client_id}` was authorised as, and the client it found. */
interface Access {
  privileged: boolean;
  client: Client;
}

interface RegistrationState {
  access?: Access;
  /** The request body as the tenant's registration interceptor made it (the body itself without one). */
  body?: Record<string, unknown>;
  /** The metadata that passed the validator and the tenant's policies. */
  checked?: Extract<ReturnType<typeof validateClientMetadata>, { ok: true }>;
}

type MetadataRequest = TenantRequest<Record<string, unknown>, unknown, { client_id: string }>;
type RegistrationStep = Step<RegistrationState, MetadataRequest>;
const registrationStep = (name: string, run: RegistrationStep['run']): RegistrationStep =>
  step<RegistrationState, MetadataRequest>(name, run);

function unauthorized(presented: boolean, description: string): HttpError {
  return new HttpError(401, 'invalid_token', description, {
    headers: { 'www-authenticate': presented ? 'Bearer error="invalid_token"' : 'Bearer' },
  });
}

function optionsFor(context: TenantContext, privileged: boolean, mode: 'register' | 'update'): ClientMetadataOptions {
  const { config } = context.tenant;
  return {
    privileged,
    mode,
    supportedGrantTypes: config.grants.grantTypes,
    supportedResponseTypes: config.grants.responseTypes,
    supportedAuthMethods: TOKEN_ENDPOINT_AUTH_METHODS,
    idTokenSigningAlgs: config.keys.signingAlgorithms,
  };
}

/** The tenant's scope policy for registrations (grants/scope.ts): `current` on update, `selfUpdate` without the master token. */
function refuseScope(context: TenantContext, metadata: ClientMetadata, current?: Client, selfUpdate = false): void {
  const problem = scopeRegistrationProblem(context.tenant.config, metadata.scope, current, selfUpdate);
  if (problem) throw new HttpError(400, 'invalid_client_metadata', problem);
}

const registrationClientUri = (issuer: string, clientId: string) => `${issuer}/clients/${encodeURIComponent(clientId)}`;

/** Metadata without any server-managed member (defence in depth: the validator never stores one). */
function storedMetadata(metadata: ClientMetadata): Record<string, unknown> {
  const out: Record<string, unknown> = { ...metadata };
  for (const name of SERVER_MANAGED_MEMBERS) delete out[name];
  return out;
}

/** The RFC 7591 §3.2.1 / RFC 7592 §3 client information response. */
function clientInformation(
  client: Client,
  issuer: string,
  options: { withSecret: boolean; registrationToken?: string; newSecret?: string | null },
): Record<string, unknown> {
  // A secret kept hashed is shown once, when it is made (`newSecret`); a sealed one whenever asked.
  const secret = options.newSecret ?? client.secret;
  return {
    client_id: client.clientId,
    client_id_issued_at: seconds(client.createdAt),
    ...(options.withSecret && secret
      ? {
          client_secret: secret,
          client_secret_expires_at: client.secretExpiresAt ? seconds(client.secretExpiresAt) : 0,
        }
      : {}),
    ...storedMetadata(client.metadata),
    registration_client_uri: registrationClientUri(issuer, client.clientId),
    ...(options.registrationToken ? { registration_access_token: options.registrationToken } : {}),
  };
}

const notMaster = () => unauthorized(true, 'The bearer token is not a registration master token of this tenant');

/** The master token: one of the tenant's integration API tokens (only their SHA-256 is known). */
const requireMasterToken = (deps: DataPlaneDeps): RegistrationStep =>
  registrationStep('requireMasterToken', (x) => {
    const token = bearerToken(x.request.headers.authorization);
    if (!token)
      throw unauthorized(
        false,
        'Client registration requires bearer authentication with the registration master token',
      );
    return admitApiToken(deps, x.request.tenant, token, notMaster);
  });

/** The registration access token of the client named in the path, or the master token; loads the client. */
const authoriseForClient = (deps: DataPlaneDeps): RegistrationStep =>
  registrationStep('authoriseForClient', async (x) => {
    const token = bearerToken(x.request.headers.authorization);
    if (!token) throw unauthorized(false, 'Bearer authentication with a registration access token is required');
    const { tid } = x.request.tenant.tenant;
    const clientId = x.request.params.client_id;
    const client = await deps.clientStore.get(tid, clientId);
    // The client's own token first: the master-token check may read the database for a token it does not know.
    const own = !!client?.registrationTokenSha256 && digestsEqual(sha256Hex(token), client.registrationTokenSha256);
    const privileged = !own && (await isApiToken(deps, x.request.tenant, token));
    if (privileged) {
      if (!client) throw new HttpError(404, 'not_found', `No client "${clientId}" is registered`);
    } else if (!own || !client) {
      // RFC 7592 §2: an unknown client and a wrong token look the same to a token holder.
      throw unauthorized(true, 'The registration access token is not valid for this client');
    }
    x.state.access = { privileged, client };
  });

const gone = (access: Access) =>
  access.privileged
    ? new HttpError(404, 'not_found', `No client "${access.client.clientId}" is registered`)
    : unauthorized(true, 'The registration access token is not valid for this client');

/** The tenant's client registration interceptor (plugin slot): the body the checks see. No await without it. */
const interceptRequest = (deps: DataPlaneDeps, operation: MetadataOperation): RegistrationStep =>
  registrationStep('registrationInterceptor', (x) => {
    const now = deps.oauth.clock.now();
    const body = interceptRegistration(x.request.tenant, deps.webhooks, x.request.body, operation, now);
    if (!(body instanceof Promise)) return void (x.state.body = body);
    return body.then((intercepted) => void (x.state.body = intercepted));
  });

/** RFC 7591 §2: the metadata validator (shared/src/clients/client-metadata.ts), the tenant's scope policy, the sector identifier. */
const checkNewMetadata = (deps: DataPlaneDeps): RegistrationStep =>
  registrationStep('checkNewMetadata', async (x) => {
    const context = x.request.tenant;
    const checked = validateClientMetadata(x.state.body ?? x.request.body, optionsFor(context, true, 'register'));
    if (!checked.ok) throw new HttpError(400, checked.error, checked.description);
    refuseScope(context, checked.metadata);
    await checkSectorIdentifier(checked.metadata, deps.outbound);
    x.state.checked = checked;
  });

/**
 * After the standard checks: the tenant's client metadata validator (plugin
 * slot; metadata it shapes passes the standard checks and policies again),
 * then what the tenant's secret codec cannot serve. No await without a webhook.
 */
const checkTenantMetadata = (deps: DataPlaneDeps, operation: MetadataOperation): RegistrationStep =>
  registrationStep('clientMetadataValidator', (x) => {
    const context = x.request.tenant;
    const checked = x.state.checked!;
    const access = x.state.access;
    const current = access?.client.metadata.sector_identifier_uri;
    const revalidate = (metadata: Record<string, unknown>) =>
      validateClientMetadata(operation === 'update' ? { ...metadata, client_id: checked.clientId } : metadata, {
        ...optionsFor(context, access?.privileged ?? true, operation === 'update' ? 'update' : 'register'),
        ...(typeof current === 'string' ? { currentSectorIdentifierUri: current } : {}),
      });
    const shaped = tenantMetadataCheck(context, deps.webhooks, checked.metadata, operation, revalidate);
    if (shaped === undefined) return void refuseSecretUse(context, checked.metadata);
    return shaped.then(async (metadata): Promise<undefined> => {
      if (metadata) {
        refuseScope(context, metadata, access?.client, access ? !access.privileged : false);
        await checkSectorIdentifier(metadata, deps.outbound);
        x.state.checked = { ...checked, metadata };
      }
      refuseSecretUse(context, x.state.checked!.metadata);
      return undefined;
    });
  });

/** Store the client (the preferred client_id, or 128 random bits), announce it, answer 201 with its secret and registration access token, shown once. */
const createClient = (deps: DataPlaneDeps): RegistrationStep =>
  registrationStep('createClient', async (x) => {
    const { tid, limits } = x.request.tenant.tenant;
    // The plan's client quota (as this node last read the tenant): 403 quota_exceeded at it, nothing created.
    const limit = limits.quotas.clients;
    const checked = x.state.checked!;
    const secret = issuesSecret(checked.metadata) ? newClientSecret() : null;
    // The tenant's client secret codec: sealed by the store, or only its hash kept.
    const input = {
      metadata: checked.metadata,
      ...(await encodeSecret(x.request.tenant, secret)),
      secretExpiresAt: null,
    };
    const registrationToken = mintApiToken();
    const registrationTokenSha256 = sha256Hex(registrationToken);
    let clientId: string;
    if (checked.preferredClientId !== undefined) {
      clientId = checked.preferredClientId;
      if (!(await deps.clientStore.create(tid, { ...input, clientId, registrationTokenSha256 }, limit))) {
        throw new HttpError(400, 'invalid_client_metadata', `The client_id "${clientId}" is already registered`);
      }
    } else {
      // 128 random bits: a collision is not expected, but never overwrite one.
      for (let attempt = 1; ; attempt++) {
        clientId = newClientId();
        if (await deps.clientStore.create(tid, { ...input, clientId, registrationTokenSha256 }, limit)) break;
        if (attempt === 3) throw new Error('could not allocate a unique client_id');
      }
    }
    await deps.announceClient(tid, clientId);
    const client = await deps.clientStore.get(tid, clientId);
    if (!client) throw new Error(`client ${clientId} vanished right after its registration`);
    // After the commit, before the answer (docs/events.md): the client exists when its event does.
    await deps.events.emit({
      type: 'client.registered',
      tid,
      actor: `client:${clientId}`,
      data: { client_id: clientId, grant_types: grantTypesOf(client) },
    });
    return jsonAnswer(
      clientInformation(client, x.request.issuer, { withSecret: true, registrationToken, newSecret: secret }),
      201,
    );
  });

/** Every client of the tenant, without secrets. */
const listClients = (deps: DataPlaneDeps): RegistrationStep =>
  registrationStep('listClients', async (x) => {
    const { tid } = x.request.tenant.tenant;
    const rows = await deps.db
      .selectFrom('clients')
      .select(['client_id', 'metadata', 'created_at'])
      .where('tid', '=', tid)
      .orderBy('client_id')
      .execute();
    const { issuer } = x.request;
    return jsonAnswer(
      rows.map((row) => ({
        client_id: row.client_id,
        client_id_issued_at: seconds(row.created_at),
        ...storedMetadata(row.metadata as ClientMetadata),
        registration_client_uri: registrationClientUri(issuer, row.client_id),
      })),
    );
  });

const readClient = registrationStep('readClient', (x) =>
  jsonAnswer(clientInformation(x.state.access!.client, x.request.issuer, { withSecret: true })),
);

/** RFC 7592 §2.2: the update replaces the metadata; `data` belongs to the master token's holder; the secret must match when sent. */
const checkUpdate = (deps: DataPlaneDeps): RegistrationStep =>
  registrationStep('checkUpdate', async (x) => {
    const { privileged, client } = x.state.access!;
    const context = x.request.tenant;
    let body: Record<string, unknown> = x.state.body ?? x.request.body;
    // `data` belongs to whoever holds the master token: a client may echo it unchanged, never change or drop it.
    if (!privileged) {
      if (body.data !== undefined && body.data !== null && !isDeepStrictEqual(body.data, client.metadata.data)) {
        throw new HttpError(400, 'invalid_client_metadata', 'data requires the registration master token');
      }
      const { data: _data, ...rest } = body;
      body = rest;
    }
    const current = client.metadata.sector_identifier_uri;
    const checked = validateClientMetadata(body, {
      ...optionsFor(context, privileged, 'update'),
      ...(typeof current === 'string' ? { currentSectorIdentifierUri: current } : {}),
    });
    if (!checked.ok) throw new HttpError(400, checked.error, checked.description);
    refuseScope(context, checked.metadata, client, !privileged);
    await checkSectorIdentifier(checked.metadata, deps.outbound);
    if (checked.clientId !== client.clientId) {
      throw new HttpError(
        400,
        'invalid_client_metadata',
        'client_id must be the client_id of the registration being updated',
      );
    }
    if (checked.clientSecret !== undefined && !(await currentSecretIs(client, checked.clientSecret))) {
      throw new HttpError(400, 'invalid_client_metadata', 'client_secret does not match the current client secret');
    }
    x.state.checked = checked;
  });

/** Store the update, rotate the registration access token (and the secret on `refresh_client_secret`), announce it. */
const updateClient = (deps: DataPlaneDeps): RegistrationStep =>
  registrationStep('updateClient', async (x) => {
    const access = x.state.access!;
    const { privileged, client } = access;
    const { tid } = x.request.tenant.tenant;
    const checked = x.state.checked!;
    const metadata: ClientMetadata = { ...checked.metadata };
    if (!privileged && client.metadata.data !== undefined) metadata.data = client.metadata.data;
    // A secret when the method needs one and there is none yet, or on request; none when the method needs none.
    let newSecret: string | null | undefined;
    if (issuesSecret(metadata)) {
      if (!hasSecret(client) || checked.refreshClientSecret) newSecret = newClientSecret();
    } else if (hasSecret(client)) {
      newSecret = null;
    }
    // The tenant's client secret codec: sealed by the store, or only its hash kept.
    const encoded = newSecret !== undefined ? await encodeSecret(x.request.tenant, newSecret) : undefined;
    const registrationToken = mintApiToken();
    const updated = await deps.clientStore.update(tid, client.clientId, {
      metadata,
      ...(encoded
        ? {
            newSecret: encoded.secret,
            ...(encoded.secretHash ? { newSecretHash: encoded.secretHash } : {}),
            secretExpiresAt: null,
          }
        : {}),
      registrationTokenSha256: sha256Hex(registrationToken),
    });
    if (!updated) throw gone(access);
    await deps.announceClient(tid, client.clientId);
    await deps.events.emit({
      type: 'client.changed',
      tid,
      actor: `client:${client.clientId}`,
      data: { client_id: client.clientId, secret_changed: newSecret !== undefined },
    });
    const fresh = await deps.clientStore.get(tid, client.clientId);
    if (!fresh) throw gone(access);
    return jsonAnswer(
      clientInformation(fresh, x.request.issuer, { withSecret: true, registrationToken, newSecret: newSecret ?? null }),
    );
  });

const deleteClient = (deps: DataPlaneDeps): RegistrationStep =>
  registrationStep('deleteClient', async (x) => {
    const access = x.state.access!;
    const { tid } = x.request.tenant.tenant;
    if (!(await deps.clientStore.delete(tid, access.client.clientId))) throw gone(access);
    await deps.announceClient(tid, access.client.clientId);
    await deps.events.emit({
      type: 'client.deleted',
      tid,
      actor: `client:${access.client.clientId}`,
      data: { client_id: access.client.clientId },
    });
    return emptyAnswer(204);
  });

/** Bytes: enough for the character limit in any UTF-8 (at most 3 bytes per UTF-16 unit); characters are checked by the area's parser (http/areas.ts). */
const BODY_LIMIT = MAX_REGISTRATION_BODY_CHARS * 3;

/**
 * Dynamic client registration (RFC 7591) and management (RFC 7592) at
 * `[issuer]/clients`, Connect2id style (connect2id-apis.md §10):
 *
 * - `POST /clients` with the master token (a tenant integration API token;
 *   there is no open registration) → 201 with the client information,
 *   including the client secret and a registration access token shown once;
 * - `GET`, `PUT`, `DELETE /clients/{client_id}` with that client's
 *   registration access token (unknown client → 401) or the master token
 *   (unknown client → 404); PUT replaces the metadata, rotates the
 *   registration access token and, on `refresh_client_secret`, the secret
 *   (the previous one stays valid 30 minutes);
 * - `GET /clients` with the master token → every client of the tenant,
 *   without secrets.
 *
 * Every change is announced so that all nodes drop their cached copy. JSON
 * bodies only (the client-registration area, http/areas.ts).
 */
export const registrationEndpoint: Endpoint = {
  name: 'client-registration',
  area: 'client-registration',
  routes: (deps) => {
    const forClient = authoriseForClient(deps);
    const masterToken = requireMasterToken(deps);
    const params = { params: ClientParams };
    return [
      route({
        name: 'client-registration.register',
        method: 'POST',
        path: '/clients',
        bodyLimit: BODY_LIMIT,
        schema: { body: MetadataBody },
        admission: [masterToken],
        steps: [
          interceptRequest(deps, 'create'),
          checkNewMetadata(deps),
          checkTenantMetadata(deps, 'create'),
          createClient(deps),
        ],
      }),
      route({
        name: 'client-registration.list',
        method: 'GET',
        path: '/clients',
        admission: [masterToken],
        steps: [listClients(deps)],
      }),
      route({
        name: 'client-registration.read',
        method: 'GET',
        path: '/clients/:client_id',
        schema: params,
        admission: [forClient],
        steps: [readClient],
      }),
      route({
        name: 'client-registration.update',
        method: 'PUT',
        path: '/clients/:client_id',
        bodyLimit: BODY_LIMIT,
        schema: { ...params, body: MetadataBody },
        admission: [forClient],
        steps: [
          interceptRequest(deps, 'update'),
          checkUpdate(deps),
          checkTenantMetadata(deps, 'update'),
          updateClient(deps),
        ],
      }),
      route({
        name: 'client-registration.delete',
        method: 'DELETE',
        path: '/clients/:client_id',
        schema: params,
        admission: [forClient],
        steps: [deleteClient(deps)],
      }),
    ];
  },
  metadata: (_context, issuer) => ({ registration_endpoint: `${issuer}/clients` }),
};
