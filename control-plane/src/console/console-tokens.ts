import { HttpError } from '@tessera/shared/http/errors';
import { SIGNING_ALGORITHMS } from '@tessera/shared/jose/algorithms';
import { createRemoteJWKSet, decodeProtectedHeader, errors, type JWTPayload, jwtVerify } from 'jose';
import type { ConsoleMember, ConsoleMemberStore } from './console-members.ts';
import type { ConsoleSettings } from './console-settings.ts';

/** RFC 9068 §2.1: the `typ` of a JWT access token, which is how a console token is told from an admin JWT. */
const ACCESS_TOKEN_TYP = 'at+jwt';
/** The algorithms a tenant holds keys for (all asymmetric): never HS*, whose key the control plane does not hold. */
const ALGORITHMS = [...SIGNING_ALGORITHMS];

export const isAccessTokenJwt = (token: string): boolean => {
  try {
    return decodeProtectedHeader(token).typ?.toLowerCase() === ACCESS_TOKEN_TYP;
  } catch {
    return false;
  }
};

type Jwks = ReturnType<typeof createRemoteJWKSet>;

const invalid = (description: string) =>
  new HttpError(401, 'invalid_token', description, { headers: { 'www-authenticate': 'Bearer error="invalid_token"' } });

/**
 * The control plane as a resource server of the operator tenant: a console
 * access token is an RFC 9068 JWT, signed with the operator tenant's keys
 * (its published JWKS, fetched and refreshed on unknown `kid`s by jose),
 * from its issuer, for the console's audience, obtained by the console
 * client. Who the subject is allowed to be is decided here, from
 * `console_members`, not by anything in the token.
 */
export class ConsoleTokens {
  private jwks: { issuer: string; set: Jwks } | undefined;

  constructor(
    private readonly settings: () => Promise<ConsoleSettings | undefined>,
    private readonly members: ConsoleMemberStore,
    private readonly fetchJson: (url: string) => Promise<Record<string, unknown>> = defaultFetchJson,
  ) {}

  /** The member a valid console token speaks for (401 for a bad token, 403 for a subject who is no member). */
  async verify(token: string): Promise<{ payload: JWTPayload; member: ConsoleMember }> {
    const settings = await this.settings();
    if (!settings) throw invalid('The bearer token is not valid (no console is configured)');
    const jwks = await this.jwksOf(settings.issuer);
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, jwks, {
        issuer: settings.issuer,
        audience: settings.audience,
        typ: ACCESS_TOKEN_TYP,
        algorithms: ALGORITHMS,
        requiredClaims: ['exp', 'sub', 'client_id'],
        clockTolerance: 5,
      }));
    } catch (err) {
      if (err instanceof errors.JWKSTimeout)
        throw new HttpError(503, 'temporarily_unavailable', "The operator tenant's keys could not be fetched");
      if (err instanceof errors.JWTExpired) throw invalid('The console token has expired');
      throw invalid('The bearer token is not valid');
    }
    if (payload.client_id !== settings.clientId) throw invalid('The bearer token was not issued to the console');
    const member = await this.members.get(String(payload.sub));
    if (!member)
      throw new HttpError(403, 'forbidden', `The signed-in user "${payload.sub}" is not a member of the console`);
    return { payload, member };
  }

  private async jwksOf(issuer: string): Promise<Jwks> {
    if (this.jwks?.issuer === issuer) return this.jwks.set;
    const discovery = await this.fetchJson(`${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`).catch(
      () => {
        throw new HttpError(503, 'temporarily_unavailable', "The operator tenant's discovery document is unreachable");
      },
    );
    const uri = discovery.jwks_uri;
    if (typeof uri !== 'string' || discovery.issuer !== issuer)
      throw new HttpError(503, 'temporarily_unavailable', "The operator tenant's discovery document is not usable");
    this.jwks = { issuer, set: createRemoteJWKSet(new URL(uri), { timeoutDuration: 5000, cooldownDuration: 30_000 }) };
    return this.jwks.set;
  }
}

async function defaultFetchJson(url: string): Promise<Record<string, unknown>> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000), redirect: 'error' });
  if (!res.ok) throw new Error(`${url}: ${res.status}`);
  return (await res.json()) as Record<string, unknown>;
}
