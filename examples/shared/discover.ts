import * as oidc from 'openid-client';
import { env } from './env.ts';

/**
 * openid-client's configuration for the tenant at TESSERA_ISSUER as the
 * client CLIENT_ID, authenticating with `auth`. Plain http only for a
 * development issuer on this machine.
 */
export async function discover(auth: oidc.ClientAuth): Promise<oidc.Configuration> {
  const issuer = new URL(env('TESSERA_ISSUER'));
  const local = issuer.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(issuer.hostname);
  return oidc.discovery(
    issuer,
    env('CLIENT_ID'),
    undefined,
    auth,
    local ? { execute: [oidc.allowInsecureRequests] } : undefined,
  );
}
