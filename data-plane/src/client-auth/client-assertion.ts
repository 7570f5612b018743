import type { Client } from '@tessera/shared/clients/client';
import { HttpError } from '@tessera/shared/http/errors';
import { algorithmsFor } from '@tessera/shared/jose/algorithms';
import {
  type CryptoKey,
  createLocalJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  type JSONWebKeySet,
  type JWTPayload,
  jwtVerify,
  type KeyObject,
} from 'jose';
import { oauthError } from '../oauth/oauth-error.ts';
import type { ClientAuthInput } from './client-auth-method.ts';
import { ClientJwksError, type ClientKeySets } from './client-jwks.ts';
import { validSecrets } from './secret-match.ts';

export const JWT_BEARER_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** Assertion algorithms (JOSE registry): HMAC with the client secret for client_secret_jwt, asymmetric for private_key_jwt. */
export const HMAC_ALGS: readonly string[] = algorithmsFor('client-assertion', 'hmac');
export const ASYMMETRIC_ALGS: readonly string[] = algorithmsFor('client-assertion', 'signature');

/**
 * The longest an assertion may be valid, counted from now and from its `iat`:
 * it is a single-use credential made just before the request (client
 * libraries give it a minute or a few), and a short life bounds both how long
 * a leaked one is worth anything and how long its `jti` must be remembered.
 */
const MAX_ASSERTION_LIFETIME = 300;
const CLOCK_SKEW = 30;

const fail = (description: string) => oauthError('invalid_client', description);

export function assertionClaims(input: ClientAuthInput): boolean {
  return input.params.client_assertion !== undefined || input.params.client_assertion_type !== undefined;
}

/** The client id an assertion names (its `sub`), read without verifying it. */
export function assertionClientId(input: ClientAuthInput): string | undefined {
  try {
    const claims = decodeJwt(input.params.client_assertion ?? '');
    return typeof claims.sub === 'string' ? claims.sub : undefined;
  } catch {
    return undefined;
  }
}

const localSets = new WeakMap<JSONWebKeySet, ReturnType<typeof createLocalJWKSet>>();

/** A client's public keys as a jose key resolver (see client-jwks.ts). */
export async function clientKeys(client: Client, keySets: ClientKeySets) {
  let jwks: JSONWebKeySet;
  try {
    jwks = await keySets.get(client);
  } catch (err) {
    throw fail(err instanceof ClientJwksError ? err.message : 'The client keys could not be read');
  }
  let set = localSets.get(jwks);
  if (!set) localSets.set(jwks, (set = createLocalJWKSet(jwks)));
  return set;
}

/** What verified an assertion: for private_key_jwt, the client's public key (the certificate verifier reads it). */
export interface VerifiedAssertion {
  key?: CryptoKey | KeyObject | Uint8Array | undefined;
}

/**
 * RFC 7523 §3 client assertions, for client_secret_jwt (HMAC with the
 * client secret) and private_key_jwt: iss and sub are the client id, the
 * audience names this issuer or the endpoint called, it has an `exp` at most
 * MAX_ASSERTION_LIFETIME ahead, and a `jti`, accepted once (replay cache, until the
 * assertion expires): without one an assertion could be replayed for as
 * long as it lives.
 */
export async function verifyClientAssertion(
  input: ClientAuthInput,
  client: Client,
  kind: 'secret' | 'key',
): Promise<VerifiedAssertion> {
  const { client_assertion: assertion, client_assertion_type: type } = input.params;
  if (type !== JWT_BEARER_ASSERTION)
    throw oauthError('invalid_request', `client_assertion_type must be ${JWT_BEARER_ASSERTION}`);
  if (!assertion) throw oauthError('invalid_request', 'Missing client_assertion');
  if (input.params.client_id !== undefined && input.params.client_id !== client.clientId)
    throw fail('client_id does not match the assertion');

  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(assertion);
  } catch {
    throw fail('The client assertion is not a JWT');
  }
  const algs = kind === 'secret' ? HMAC_ALGS : ASYMMETRIC_ALGS;
  if (typeof header.alg !== 'string' || !algs.includes(header.alg))
    throw fail(`The client assertion must be signed with one of ${algs.join(', ')}`);
  const registeredAlg = client.metadata.token_endpoint_auth_signing_alg;
  if (registeredAlg && registeredAlg !== header.alg)
    throw fail(`The client registered ${registeredAlg} for its assertions`);

  let payload: JWTPayload | undefined;
  let key: VerifiedAssertion['key'];
  // exp and jti are checked below, after the signature, with errors that say which is missing.
  const now = input.deps.oauth.clock.now();
  const options = {
    issuer: client.clientId,
    subject: client.clientId,
    audience: input.audiences,
    clockTolerance: CLOCK_SKEW,
    currentDate: new Date(now),
  };
  if (kind === 'secret') {
    for (const secret of validSecrets(client, new Date(now))) {
      try {
        payload = (
          await jwtVerify(assertion, new TextEncoder().encode(secret), { ...options, algorithms: [header.alg] })
        ).payload;
        break;
      } catch {
        // try the other valid secret (rollover)
      }
    }
  } else {
    try {
      ({ payload, key } = await jwtVerify(assertion, await clientKeys(client, input.deps.clientKeySets), {
        ...options,
        algorithms: [header.alg],
      }));
    } catch (err) {
      if (err instanceof HttpError) throw err; // the client's keys could not be had: say so
    }
  }
  if (!payload) throw fail('The client assertion is invalid, expired, or not for this server');
  const exp = checkLifetime(payload, Math.floor(now / 1000));
  await acceptOnce(input, client, payload, exp);
  return { key };
}

/** The assertion's `exp`, once it is there and not too far ahead (of now, and of `iat` when given). */
function checkLifetime(payload: JWTPayload, now: number): number {
  const { exp, iat } = payload;
  if (typeof exp !== 'number') throw fail('The client assertion must have an exp claim');
  // The skew lets a client whose clock runs a little ahead use the whole lifetime.
  if (exp - now > MAX_ASSERTION_LIFETIME + CLOCK_SKEW)
    throw fail(`The client assertion must expire within ${MAX_ASSERTION_LIFETIME} s`);
  if (typeof iat === 'number' && exp - iat > MAX_ASSERTION_LIFETIME)
    throw fail(`The client assertion must expire within ${MAX_ASSERTION_LIFETIME} s of its iat`);
  return exp;
}

/** A `jti` is required and accepted once per client until the assertion expires. */
async function acceptOnce(input: ClientAuthInput, client: Client, payload: JWTPayload, exp: number): Promise<void> {
  if (typeof payload.jti !== 'string' || payload.jti === '')
    throw fail('The client assertion must have a jti claim (it is accepted once)');
  // Per client: two clients may pick the same jti. Remembered while the assertion (with the skew) could still pass.
  const use = await input.deps.oauth.replay.use(
    client.tid,
    'client-assertion',
    `${client.clientId}\u0000${payload.jti}`,
    exp + CLOCK_SKEW,
  );
  if (!use.first) throw fail('The client assertion was already used');
}
