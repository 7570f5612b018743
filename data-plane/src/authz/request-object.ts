import type { Client } from '@tessera/shared/clients/client';
import { fetchLimited } from '@tessera/shared/http/fetch-limited';
import type { OutboundPolicy } from '@tessera/shared/http/outbound-policy';
import { algorithmsFor, allowedFor } from '@tessera/shared/jose/algorithms';
import { decryptCompactJwe } from '@tessera/shared/keys/jwe';
import { decodeProtectedHeader, type JWTPayload, jwtVerify } from 'jose';
import { clientKeys } from '../client-auth/client-assertion.ts';
import type { ClientKeySets } from '../client-auth/client-jwks.ts';
import { validSecrets } from '../client-auth/secret-match.ts';
import type { DataPlaneDeps } from '../data-plane-deps.ts';
import { oauthError } from '../oauth/oauth-error.ts';
import { clockDate } from '../ports/clock.ts';
import type { TenantContext } from '../tenancy/tenant-context.ts';

/** RFC 9101 request objects: signing algorithms a client may use (HS* with its secret), and `none` where policy allows. */
export const REQUEST_OBJECT_SIGNING_ALGS = algorithmsFor('request-object');
/** Encrypted to the tenant: the algorithms of its encryption keys (discovery lists those it has), any content encryption. */
export const REQUEST_OBJECT_ENCRYPTION_ALGS = algorithmsFor('request-object-encryption', 'key-management');
export const REQUEST_OBJECT_ENCRYPTION_ENCS = algorithmsFor('request-object-encryption', 'content-encryption');

/** Connect2id's limits: request objects by reference up to 50 kB, JWT headers up to 10,000 characters. */
const MAX_REQUEST_OBJECT_CHARS = 50_000;
const MAX_HEADER_CHARS = 10_000;
const CLOCK_SKEW = 30;
const FETCH_TIMEOUT_MS = 5000;
/** JWT claims that describe the object itself, not the authorisation request. */
const JWT_CLAIMS = new Set(['iss', 'aud', 'exp', 'nbf', 'iat', 'jti']);

const invalid = (description: string) => oauthError('invalid_request_object', description);

/** Signed-or-not by policy: `none` needs the tenant to allow it and the client not to insist on signing. */
function unsignedAllowed(context: TenantContext, client: Client): boolean {
  const registered = client.metadata.request_object_signing_alg;
  return (
    context.tenant.config.requests.allowUnsignedRequestObjects &&
    client.metadata.require_signed_request_object !== true &&
    (registered === undefined || registered === 'none')
  );
}

function headerOf(jwt: string): Record<string, unknown> {
  if (jwt.indexOf('.') > MAX_HEADER_CHARS)
    throw invalid(`The request object header is longer than ${MAX_HEADER_CHARS} characters`);
  try {
    return decodeProtectedHeader(jwt) as Record<string, unknown>;
  } catch {
    throw invalid('The request object is not a JWT');
  }
}

/** A JWE to the tenant's encryption key, opened through the key store (inside the HSM for PKCS#11 tenants). */
async function decrypt(context: TenantContext, client: Client, jwe: string, deps: DataPlaneDeps): Promise<string> {
  const header = headerOf(jwe);
  const wantAlg = client.metadata.request_object_encryption_alg;
  const wantEnc = client.metadata.request_object_encryption_enc;
  if (wantAlg !== undefined && header.alg !== wantAlg)
    throw invalid(`The client registered ${String(wantAlg)} for encrypted request objects`);
  if (wantEnc !== undefined && header.enc !== wantEnc)
    throw invalid(`The client registered ${String(wantEnc)} for encrypted request objects`);
  const key = context.keys.find((k) => k.kid === header.kid && k.use === 'enc');
  if (!key) throw invalid('The request object is not encrypted to a key of this server');
  try {
    const { plaintext } = await decryptCompactJwe(deps.keyStores.for(key.backend), context.tenant.tid, jwe);
    return plaintext.toString('utf8');
  } catch {
    throw invalid('The request object could not be decrypted');
  }
}

/** Verify a JWS request object (or accept an unsigned one where allowed) and return its claims. */
async function verify(
  context: TenantContext,
  client: Client,
  jws: string,
  keySets: ClientKeySets,
  now: Date,
): Promise<JWTPayload> {
  const header = headerOf(jws);
  const alg = header.alg;
  if (typeof alg !== 'string') throw invalid('The request object header has no alg');
  const registered = client.metadata.request_object_signing_alg;
  if (alg === 'none') {
    if (!unsignedAllowed(context, client)) throw invalid('Unsigned request objects are not accepted: sign it');
    const parts = jws.split('.');
    if (parts.length !== 3 || parts[2] !== '') throw invalid('An unsigned request object must have an empty signature');
    try {
      return JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as JWTPayload;
    } catch {
      throw invalid('The request object claims are not JSON');
    }
  }
  if (registered !== undefined && registered !== alg)
    throw invalid(`The client registered ${String(registered)} for request objects`);
  const options = { algorithms: [alg], clockTolerance: CLOCK_SKEW, currentDate: now };
  if (allowedFor(alg, 'request-object', 'hmac')) {
    for (const secret of validSecrets(client, now)) {
      try {
        return (await jwtVerify(jws, new TextEncoder().encode(secret), options)).payload;
      } catch (err) {
        if ((err as { code?: string }).code !== 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED')
          throw invalid(`The request object is invalid: ${(err as Error).message}`);
      }
    }
    throw invalid('The request object signature is invalid');
  }
  if (!allowedFor(alg, 'request-object', 'signature'))
    throw invalid(`The request object algorithm ${alg} is not supported`);
  let keys: Awaited<ReturnType<typeof clientKeys>>;
  try {
    keys = await clientKeys(client, keySets);
  } catch {
    throw invalid('The client has no usable keys to verify the request object');
  }
  try {
    return (await jwtVerify(jws, keys, options)).payload;
  } catch (err) {
    throw invalid(`The request object is invalid: ${(err as Error).message}`);
  }
}

/** RFC 9101 §4, §6.3: who made it, for whom, when, and that it does not nest another reference. */
function checkClaims(payload: JWTPayload, issuer: string, client: Client, signed: boolean, at: Date): void {
  const now = Math.floor(at.getTime() / 1000);
  if (signed || payload.iss !== undefined) {
    if (payload.iss !== client.clientId) throw invalid('The request object iss must be the client_id');
  }
  if (signed || payload.aud !== undefined) {
    const aud = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    if (!aud.includes(issuer)) throw invalid('The request object aud must be the issuer');
  }
  if (payload.exp !== undefined && (typeof payload.exp !== 'number' || payload.exp + CLOCK_SKEW < now))
    throw invalid('The request object has expired');
  if (payload.nbf !== undefined && (typeof payload.nbf !== 'number' || payload.nbf - CLOCK_SKEW > now))
    throw invalid('The request object is not valid yet');
  if (payload.client_id !== undefined && payload.client_id !== client.clientId)
    throw invalid('The client_id in the request object does not match the request');
  // A client assertion (sub = client_id) must not be replayable as a request object (Connect2id).
  if (payload.sub !== undefined && payload.sub === client.clientId)
    throw invalid('The request object sub must not be the client_id');
  if (payload.request !== undefined || payload.request_uri !== undefined)
    throw invalid('A request object must not contain request or request_uri');
}

/** Request parameters are strings: numbers as decimal, booleans as words, objects (claims) as JSON. */
function asParams(payload: JWTPayload, client: Client): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(payload)) {
    if (JWT_CLAIMS.has(name) || value === null || value === undefined) continue;
    // RFC 8707 §2.1 in a request object: several resources as an array, joined as the query's are.
    if (name === 'resource' && Array.isArray(value) && value.every((v) => typeof v === 'string')) {
      params.resource = value.join(' ');
      continue;
    }
    params[name] =
      typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
  params.client_id = client.clientId;
  return params;
}

/**
 * Decode an RFC 9101 request object of `client` for this tenant and
 * issuer: optionally encrypted to the tenant's key (nested: sign, then
 * encrypt), signed with the client's key (jwks / jwks_uri) or, for HS*,
 * its secret, or unsigned (`alg: none`) only where tenant and client policy
 * allow. Returns the authorisation request parameters it carries, as
 * strings; every failure is an `invalid_request_object`.
 */
export async function decodeRequestObject(args: {
  tenant: TenantContext;
  issuer: string;
  client: Client;
  jwt: string;
  deps: DataPlaneDeps;
}): Promise<Record<string, string>> {
  const { tenant, issuer, client, deps } = args;
  let jwt = args.jwt.trim();
  if (jwt.length > MAX_REQUEST_OBJECT_CHARS * 2) throw invalid('The request object is too large');
  const parts = jwt.split('.').length;
  if (parts === 5) {
    jwt = await decrypt(tenant, client, jwt, deps);
    if (jwt.split('.').length !== 3)
      throw invalid('An encrypted request object must contain a signed (or unsigned) JWT');
  } else if (parts !== 3) {
    throw invalid('The request object is not a JWT');
  } else if (client.metadata.request_object_encryption_alg !== undefined) {
    throw invalid('The client registered encrypted request objects');
  }
  // Time by the data plane's clock: expiry, not-before and which client secrets are valid.
  const now = clockDate(deps.oauth.clock);
  const payload = await verify(tenant, client, jwt, deps.clientKeySets, now);
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
    throw invalid('The request object claims must be a JSON object');
  checkClaims(payload, issuer, client, headerOf(jwt).alg !== 'none', now);
  return asParams(payload, client);
}

/**
 * Whether `requestUri` may be fetched for `client`: it registered
 * `request_uris` (OpenID Connect Registration §2) and the URI, without its
 * fragment, is one of them or lies under one that ends in `/`.
 */
export function requestUriRegistered(client: Client, requestUri: string): boolean {
  const registered = client.metadata.request_uris;
  if (!Array.isArray(registered)) return false;
  const bare = (u: string) => u.split('#')[0]!;
  const wanted = bare(requestUri);
  return registered.some(
    (r) => typeof r === 'string' && (bare(r) === wanted || (bare(r).endsWith('/') && wanted.startsWith(bare(r)))),
  );
}

/**
 * The request object a client hosts at an https `request_uri` (RFC 9101
 * §5.2.3): registered by the client, fetched once with a deadline, at most
 * 50 kB, no redirects. The caller decodes it with decodeRequestObject.
 */
export async function fetchRequestObject(client: Client, requestUri: string, policy: OutboundPolicy): Promise<string> {
  if (!requestUri.startsWith('https://'))
    throw oauthError('invalid_request_uri', 'request_uri must be an https URL or a pushed request URN');
  if (!requestUriRegistered(client, requestUri))
    throw oauthError('invalid_request_uri', 'The request_uri is not registered for the client');
  try {
    const { body } = await fetchLimited(requestUri.split('#')[0]!, {
      timeoutMs: FETCH_TIMEOUT_MS,
      maxBytes: MAX_REQUEST_OBJECT_CHARS,
      accept: 'application/oauth-authz-req+jwt, application/jwt',
      policy,
    });
    return body.trim();
  } catch (err) {
    throw oauthError(
      'invalid_request_uri',
      `The request_uri could not be retrieved (${err instanceof Error ? err.message : 'error'})`,
    );
  }
}
