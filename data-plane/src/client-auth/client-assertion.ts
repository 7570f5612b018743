import { createHash } from 'node:crypto';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, type JSONWebKeySet, type JWTPayload } from 'jose';
import type { Client } from '@tessera/shared/clients/client';
import { HttpError } from '@tessera/shared/http/errors';
import { oauthError } from '../oauth/oauth-error.ts';
import type { ClientAuthInput } from './client-auth-method.ts';
import { ClientJwksError, clientJwks } from './client-jwks.ts';
import { validSecrets } from './secret-match.ts';

export const JWT_BEARER_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
export const HMAC_ALGS = ['HS256', 'HS384', 'HS512'] as const;
export const ASYMMETRIC_ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;

/** Assertions may not be valid for longer than this (they are single-use credentials). */
const MAX_ASSERTION_LIFETIME = 3600;
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
export async function clientKeys(client: Client) {
  let jwks: JSONWebKeySet;
  try {
    jwks = await clientJwks(client);
  } catch (err) {
    throw fail(err instanceof ClientJwksError ? err.message : 'The client keys could not be read');
  }
  let set = localSets.get(jwks);
  if (!set) localSets.set(jwks, (set = createLocalJWKSet(jwks)));
  return set;
}

/**
 * RFC 7523 §3 client assertions, for client_secret_jwt (HMAC with the
 * client secret) and private_key_jwt: iss and sub are the client id, the
 * audience names this issuer or the endpoint called, it expires soon, and a
 * `jti` is accepted once (Redis).
 */
export async function verifyClientAssertion(input: ClientAuthInput, client: Client, kind: 'secret' | 'key'): Promise<void> {
  const { client_assertion: assertion, client_assertion_type: type } = input.params;
  if (type !== JWT_BEARER_ASSERTION) throw oauthError('invalid_request', `client_assertion_type must be ${JWT_BEARER_ASSERTION}`);
  if (!assertion) throw oauthError('invalid_request', 'Missing client_assertion');
  if (input.params.client_id !== undefined && input.params.client_id !== client.clientId) throw fail('client_id does not match the assertion');

  let header;
  try {
    header = decodeProtectedHeader(assertion);
  } catch {
    throw fail('The client assertion is not a JWT');
  }
  const algs: readonly string[] = kind === 'secret' ? HMAC_ALGS : ASYMMETRIC_ALGS;
  if (typeof header.alg !== 'string' || !algs.includes(header.alg)) throw fail(`The client assertion must be signed with one of ${algs.join(', ')}`);
  const registeredAlg = client.metadata.token_endpoint_auth_signing_alg;
  if (registeredAlg && registeredAlg !== header.alg) throw fail(`The client registered ${registeredAlg} for its assertions`);

  let payload: JWTPayload | undefined;
  const options = { issuer: client.clientId, subject: client.clientId, audience: input.audiences, clockTolerance: CLOCK_SKEW, requiredClaims: ['exp'] };
  if (kind === 'secret') {
    for (const secret of validSecrets(client)) {
      try {
        payload = (await jwtVerify(assertion, new TextEncoder().encode(secret), { ...options, algorithms: [header.alg] })).payload;
        break;
      } catch {
        // try the other valid secret (rollover)
      }
    }
  } else {
    try {
      payload = (await jwtVerify(assertion, await clientKeys(client), { ...options, algorithms: [header.alg] })).payload;
    } catch (err) {
      if (err instanceof HttpError) throw err; // the client's keys could not be had: say so
    }
  }
  if (!payload) throw fail('The client assertion is invalid, expired, or not for this server');
  const now = Math.floor(Date.now() / 1000);
  if (payload.exp! - now > MAX_ASSERTION_LIFETIME) throw fail(`The client assertion must expire within ${MAX_ASSERTION_LIFETIME} s`);

  if (typeof payload.jti === 'string') {
    const key = `jti:${client.tid}:${client.clientId}:${createHash('sha256').update(payload.jti).digest('base64url')}`;
    const fresh = await input.deps.redis.set(key, '1', 'EX', Math.max(1, payload.exp! - now + CLOCK_SKEW), 'NX');
    if (fresh !== 'OK') throw fail('The client assertion was already used');
  }
}
