import type { Static } from '@sinclair/typebox';
import { type ErrorCode, HttpError } from '@tessera/shared/http/errors';
import { algorithmsFor } from '@tessera/shared/jose/algorithms';
import type { SoftwareStatements } from '@tessera/shared/plugins/slots/registration-interceptor';
import { createLocalJWKSet, decodeJwt, type JSONWebKeySet, type JWTPayload, jwtVerify } from 'jose';
import type { SlotInvoker } from '../ports/slot-invoker.ts';
import type { TenantContext } from '../tenancy/tenant-context.ts';
import { callSlotTarget, type SlotTargetConfig } from './call-slot.ts';
import type { MetadataOperation } from './client-metadata-validator.ts';
import { slotConfigOf } from './slot-config.ts';

type RegistrationBody = Record<string, unknown>;

/** Asymmetric JWS algorithms only: an issuer's statement is verified with its public keys. */
const STATEMENT_ALGS = algorithmsFor('client-assertion', 'signature');
/** JWT claims about the statement itself, not client metadata. */
const STATEMENT_CLAIMS = new Set(['iss', 'exp', 'iat', 'nbf', 'jti', 'aud', 'sub']);
const REFUSALS = new Set([
  'invalid_software_statement',
  'unapproved_software_statement',
  'invalid_client_metadata',
  'invalid_redirect_uri',
]);
/** RFC 6749 §5.2 error_description characters. */
const DESCRIPTION = /^[\x20\x21\x23-\x5B\x5D-\x7E]{1,256}$/;

const refused = (error: ErrorCode, description: string) => new HttpError(400, error, description);

/** jose key sets per configured issuer, made once per tenant config object. */
const keySets = new WeakMap<object, ReturnType<typeof createLocalJWKSet>>();
function keysOf(issuer: { jwks: object }) {
  let set = keySets.get(issuer.jwks);
  if (!set) keySets.set(issuer.jwks, (set = createLocalJWKSet(issuer.jwks as JSONWebKeySet)));
  return set;
}

/**
 * Built-in: RFC 7591 §2.3 software statements. A `software_statement`
 * signed by a trusted issuer (its `iss`, its keys, not expired when it has an
 * `exp`) has its claims take precedence over the request's members; the
 * statement itself is kept (§3.2.1 returns it). `required` refuses a
 * registration without one.
 */
async function softwareStatement(
  config: Static<typeof SoftwareStatements>,
  body: RegistrationBody,
  now: number,
): Promise<RegistrationBody> {
  const statement = body.software_statement;
  if (statement === undefined || statement === null) {
    if (config.required) throw refused('invalid_software_statement', 'The tenant requires a software_statement');
    return body;
  }
  if (typeof statement !== 'string') throw refused('invalid_software_statement', 'software_statement must be a JWT');
  let unverified: JWTPayload;
  try {
    unverified = decodeJwt(statement);
  } catch {
    throw refused('invalid_software_statement', 'software_statement is not a JWT');
  }
  const issuer = config.issuers.find((i) => i.iss === unverified.iss);
  if (!issuer)
    throw refused('unapproved_software_statement', 'The software statement is not from an issuer the tenant trusts');
  let claims: JWTPayload;
  try {
    ({ payload: claims } = await jwtVerify(statement, keysOf(issuer), {
      issuer: issuer.iss,
      algorithms: STATEMENT_ALGS as string[],
      currentDate: new Date(now),
    }));
  } catch {
    throw refused('invalid_software_statement', 'The software statement signature is invalid or it has expired');
  }
  const members: RegistrationBody = {};
  for (const [name, value] of Object.entries(claims)) if (!STATEMENT_CLAIMS.has(name)) members[name] = value;
  return { ...body, ...members, software_statement: statement };
}

async function viaWebhook(
  invoker: SlotInvoker,
  tid: string,
  target: SlotTargetConfig,
  body: RegistrationBody,
  operation: MetadataOperation,
): Promise<RegistrationBody> {
  const answer = await callSlotTarget(invoker, tid, 'registrationInterceptor', target, { request: body, operation });
  const broken = (detail: string) =>
    new HttpError(503, 'temporarily_unavailable', "The tenant's client registration interceptor is unavailable", {
      headers: { 'cache-control': 'no-store', 'retry-after': '5' },
      detail: `registrationInterceptor webhook answered out of contract: ${detail}`,
    });
  if (answer === undefined) throw broken('no answer');
  if (answer.error !== undefined) {
    const description = answer.error_description;
    if (typeof answer.error !== 'string' || !REFUSALS.has(answer.error))
      throw broken(`error must be one of ${[...REFUSALS].join(', ')}`);
    if (description !== undefined && (typeof description !== 'string' || !DESCRIPTION.test(description)))
      throw broken('error_description must be 1-256 printable ASCII characters without " or \\');
    throw refused(
      answer.error as ErrorCode,
      (description as string | undefined) ?? "The tenant's registration policy refuses it",
    );
  }
  if (answer.request === undefined) return body;
  if (typeof answer.request !== 'object' || answer.request === null || Array.isArray(answer.request))
    throw broken('request must be an object');
  return answer.request as RegistrationBody;
}

/**
 * The tenant's client registration interceptor (plugin slot), first at
 * registration and update: the request body the standard metadata checks
 * will see — unchanged, or as the built-in (software statements) or the
 * webhook made it. Fails closed. Without the slot: the body itself,
 * synchronously.
 */
export function interceptRegistration(
  context: TenantContext,
  invoker: SlotInvoker | undefined,
  body: RegistrationBody,
  operation: MetadataOperation,
  now: number,
): RegistrationBody | Promise<RegistrationBody> {
  const config = slotConfigOf(context, 'registrationInterceptor');
  if (!config) return body;
  if (config.type === 'builtin') return softwareStatement(config, body, now);
  if (!invoker) throw new Error('registrationInterceptor: no webhook invoker');
  return viaWebhook(invoker, context.tenant.tid, config, body, operation);
}
