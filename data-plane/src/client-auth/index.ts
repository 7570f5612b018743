import type { Client } from '@tessera/shared/clients/client';
import { authMethodOf } from '@tessera/shared/clients/client';
import { oauthError } from '../oauth/oauth-error.ts';
import type { ClientAuthInput, ClientAuthMethod } from './client-auth-method.ts';
import { clientSecretBasic } from './client-secret-basic.ts';
import { clientSecretJwt } from './client-secret-jwt.ts';
import { clientSecretPost } from './client-secret-post.ts';
import { none } from './none.ts';
import { privateKeyJwt } from './private-key-jwt.ts';

/** Every client authentication method, one line each (keyed by token_endpoint_auth_method). */
export const CLIENT_AUTH_METHODS: Readonly<Record<string, ClientAuthMethod>> = {
  client_secret_basic: clientSecretBasic,
  client_secret_post: clientSecretPost,
  client_secret_jwt: clientSecretJwt,
  private_key_jwt: privateKeyJwt,
  none,
};

/** Which kind of credential the request carries (assertions serve both JWT methods). */
const CREDENTIAL_METHODS = [clientSecretBasic, clientSecretPost, clientSecretJwt];
function presented(input: ClientAuthInput): ClientAuthMethod[] {
  const kinds: ClientAuthMethod[] = [];
  for (const method of CREDENTIAL_METHODS) if (method.claims(input)) kinds.push(method);
  return kinds.length > 0 ? kinds : none.claims(input) ? [none] : [];
}

/** How the request authenticated, in the words of the registration (an assertion serves both JWT methods). */
const PRESENTED: Readonly<Record<string, string>> = {
  client_secret_basic: 'client_secret_basic (the secret in an HTTP Basic Authorization header)',
  client_secret_post: 'client_secret_post (client_secret in the form body)',
  client_secret_jwt: 'a client assertion (client_secret_jwt or private_key_jwt)',
  private_key_jwt: 'a client assertion (client_secret_jwt or private_key_jwt)',
  none: 'none (client_id alone, no secret)',
};

/**
 * The method the request used is not the one the client registered: said
 * plainly (the usual cause is a library's default, e.g. openid-client's
 * client_secret_post against a client_secret_basic registration). It is
 * told before any credential is checked, so it says nothing of whether the
 * secret or assertion would have been right.
 */
const methodMismatch = (registered: string, used: ClientAuthMethod, basicChallenge: string | undefined) =>
  invalidClient(
    `Client authentication failed: the client is registered for token_endpoint_auth_method ${registered}, but the request used ${PRESENTED[used.name] ?? used.name}`,
    basicChallenge,
  );

/** RFC 6749 §5.2: a 401, with the Basic challenge only where the client used Basic. */
function invalidClient(description: string, basicChallenge: string | undefined) {
  return oauthError('invalid_client', description, basicChallenge ? { basicChallenge } : {});
}

/**
 * Authenticate the client of an OAuth request with the one method it used,
 * which must be the method it registered. More than one method in a request
 * is an invalid_request (RFC 6749 §2.3); anything else that fails is
 * invalid_client.
 */
export async function authenticateClient(input: ClientAuthInput): Promise<Client> {
  return authenticateClientNow(input);
}

/**
 * `authenticateClient` without an await where none is needed: a cached
 * client with a secret is authenticated synchronously (the token endpoint's
 * common case); it throws or returns a promise otherwise.
 */
export function authenticateClientNow(input: ClientAuthInput): Client | Promise<Client> {
  const used = presented(input);
  if (used.length > 1)
    throw oauthError('invalid_request', 'The request uses more than one client authentication method');
  const method = used[0];
  // No credentials at all: the challenge names the scheme a client can use (RFC 6749 §5.2).
  if (!method)
    throw oauthError('invalid_client', 'Client authentication is required', { basicChallenge: input.request.issuer! });
  const clientId = method.clientId(input);
  const basicChallenge = method === clientSecretBasic ? input.request.issuer! : undefined;
  if (!clientId) throw invalidClient('The request names no client', basicChallenge);
  const tid = input.request.tenant!.tenant.tid;
  const cached = input.deps.clients.peek(tid, clientId);
  if (cached) return verify(input, method, cached, basicChallenge);
  return input.deps.clients.get(tid, clientId).then((client) => verify(input, method, client, basicChallenge));
}

/** The registered method checks the credentials of a client that exists. */
function verify(
  input: ClientAuthInput,
  method: ClientAuthMethod,
  client: Client | undefined | null,
  basicChallenge: string | undefined,
): Client | Promise<Client> {
  if (!client) throw invalidClient('Client authentication failed', basicChallenge);
  const registered = authMethodOf(client);
  // An assertion is checked by the JWT method the client registered.
  const effective = method === clientSecretJwt && registered === 'private_key_jwt' ? privateKeyJwt : method;
  if (effective.name !== registered) throw methodMismatch(registered, method, basicChallenge);
  const checked = effective.authenticate(input, client);
  return checked === undefined ? client : checked.then(() => client);
}
