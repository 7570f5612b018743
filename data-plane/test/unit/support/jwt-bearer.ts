import { SignJWT } from 'jose';
import { jwtBearerGrant } from '../../../src/grants/jwt-bearer.ts';
import { EC_KEYS, registerClient } from './clients.ts';
import { grantRequest } from './grant-request.ts';
import { memoryPlane } from './memory-plane.ts';
import { trustedIssuer } from './trusted-issuer.ts';

export const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
/** The issuer of the assertions, trusted for the JWT bearer grant, key id hr1. */
export const HR = 'https://hr.example';

export interface JwtBearerOptions {
  /** More of the trusted issuer's entry (uses, algorithms, subjects). */
  trusted?: Record<string, unknown>;
  /** More tenant config. */
  config?: Record<string, unknown>;
  /** The assertions' default claims over the good ones (undefined drops one). */
  claims?: Record<string, unknown>;
}

/**
 * RFC 7523 on the in-memory ports: a tenant that trusts HR's assertions, its
 * client `batch` (scope read write) and what a test does with them.
 */
export async function jwtBearerPlane(options: JwtBearerOptions = {}) {
  const plane = memoryPlane();
  const hr = await trustedIssuer(HR, 'hr1', ['jwt-bearer'], options.trusted);
  const tenant = await plane.tenant({
    ...EC_KEYS,
    grants: { grantTypes: ['authorization_code', JWT_BEARER] },
    trustedIssuers: [hr.entry],
    ...options.config,
  });
  const client = await registerClient(plane, tenant, {
    clientId: 'batch',
    metadata: { grant_types: [JWT_BEARER], scope: 'read write' },
  });
  const now = () => Math.floor(plane.clock.now() / 1000);
  let n = 0;
  /** An assertion of HR; `claims` override the defaults (undefined drops one). */
  const assertion = (claims: Record<string, unknown> = {}, signer = hr.privateKey, header = { kid: 'hr1' }) => {
    const all: Record<string, unknown> = {
      iss: HR,
      sub: 'alice',
      aud: tenant.tenant.issuer,
      iat: now(),
      exp: now() + 120,
      jti: `a-${++n}`,
      ...options.claims,
      ...claims,
    };
    for (const [name, value] of Object.entries(all)) if (value === undefined) delete all[name];
    return new SignJWT(all).setProtectedHeader({ alg: 'ES256', ...header }).sign(signer);
  };
  const grant = async (params: Record<string, string>) =>
    jwtBearerGrant.handle(grantRequest(plane, tenant, client, { grant_type: JWT_BEARER, ...params }));
  /** The error object a refused grant answers with; undefined when it issued. */
  const refusal = (params: Record<string, string>) =>
    grant(params).then(
      () => undefined,
      (e: { code?: string; message?: string }) => ({ error: e.code, error_description: e.message }),
    );
  return { plane, tenant, client, assertion, grant, refusal, now };
}
