import { allowedFor } from '../../jose/algorithms.ts';
import { fail, has, type MetadataCheck, TOKEN_ENDPOINT_AUTH_METHODS } from './metadata-check.ts';
import { string } from './values.ts';

/** `web` (default) or `native`; first, as the redirect URI policy depends on it. */
export const checkApplicationType: MetadataCheck = (s) => {
  const type = has(s, 'application_type') ? string(s.body.application_type, 'application_type') : 'web';
  if (type !== 'web' && type !== 'native') fail('application_type must be "web" or "native"');
  s.applicationType = type;
  s.metadata.application_type = type;
};

/** Known, and one the server accepts (RFC 7591 default: client_secret_basic). */
export const checkTokenEndpointAuthMethod: MetadataCheck = (s) => {
  const method = has(s, 'token_endpoint_auth_method')
    ? string(s.body.token_endpoint_auth_method, 'token_endpoint_auth_method')
    : 'client_secret_basic';
  if (!(TOKEN_ENDPOINT_AUTH_METHODS as readonly string[]).includes(method))
    fail(`token_endpoint_auth_method "${method}" is unknown`);
  if (!s.options.supportedAuthMethods.includes(method)) fail(`token_endpoint_auth_method "${method}" is not supported`);
  s.authMethod = method;
  s.metadata.token_endpoint_auth_method = method;
};

/** The assertion algorithm (JOSE registry, client-assertion): asymmetric for private_key_jwt, HMAC for client_secret_jwt. */
export const checkTokenEndpointAuthSigningAlg: MetadataCheck = (s) => {
  if (!has(s, 'token_endpoint_auth_signing_alg')) return;
  const alg = string(s.body.token_endpoint_auth_signing_alg, 'token_endpoint_auth_signing_alg');
  const method = s.authMethod;
  if (method === 'private_key_jwt' && !allowedFor(alg, 'client-assertion', 'signature'))
    fail(`token_endpoint_auth_signing_alg "${alg}" is not an asymmetric JWS algorithm for private_key_jwt`);
  else if (method === 'client_secret_jwt' && !allowedFor(alg, 'client-assertion', 'hmac'))
    fail(`token_endpoint_auth_signing_alg "${alg}" is not an HMAC algorithm for client_secret_jwt`);
  else if (method !== 'private_key_jwt' && method !== 'client_secret_jwt')
    fail('token_endpoint_auth_signing_alg is only for client_secret_jwt and private_key_jwt');
  s.metadata.token_endpoint_auth_signing_alg = alg;
};
