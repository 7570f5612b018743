import type { PasswordAuthenticator } from '../ports/password-authenticator.ts';
import type { Ports } from '../ports/ports.ts';
import type { SlotInvoker } from '../ports/slot-invoker.ts';
import { TokenIssuer } from '../tokens/token-issuer.ts';

export type { PasswordAuthenticator } from '../ports/password-authenticator.ts';

/** The ports the OAuth and OpenID Connect code uses (each contract is on its interface in ports/). */
type OAuthPorts = Pick<
  Ports,
  | 'clock'
  | 'accessTokens'
  | 'refreshTokens'
  | 'authorizations'
  | 'journal'
  | 'sessions'
  | 'authzSessions'
  | 'logoutSessions'
  | 'codes'
  | 'pushedRequests'
  | 'deviceRequests'
  | 'replay'
  | 'guessingBrake'
  | 'resourceServerStore'
  | 'resourceServers'
  | 'userCodeBrake'
>;

/** The stores and services the OAuth endpoints, grants and flows share. */
export interface OAuthServices extends OAuthPorts {
  issuer: TokenIssuer;
  /** The password grant's and sign-in page's credential check; undefined: no password grant. */
  passwordAuthenticator: PasswordAuthenticator | undefined;
}

/** The OAuth services over a set of ports (real or in memory); the password check defaults to the user directory. */
export function oauthServices(
  ports: Ports,
  passwordAuthenticator: PasswordAuthenticator | undefined = ports.users,
  /** For tenants whose token-side plugin slots are webhooks (the JWT claims codec, called by the issuer). */
  webhooks?: SlotInvoker,
): OAuthServices {
  const {
    clock,
    accessTokens,
    refreshTokens,
    authorizations,
    journal,
    sessions,
    authzSessions,
    logoutSessions,
    codes,
    pushedRequests,
    deviceRequests,
    replay,
    guessingBrake,
    userCodeBrake,
    resourceServerStore,
    resourceServers,
  } = ports;
  return {
    clock,
    accessTokens,
    refreshTokens,
    authorizations,
    journal,
    sessions,
    authzSessions,
    logoutSessions,
    codes,
    pushedRequests,
    deviceRequests,
    replay,
    guessingBrake,
    userCodeBrake,
    resourceServerStore,
    resourceServers,
    issuer: new TokenIssuer({ keyStores: ports.keyStores, accessTokens, authorizations, clock, webhooks }),
    passwordAuthenticator,
  };
}
