import { withParams } from '../authz/response-mode.ts';
import type { DataPlaneDeps } from '../data-plane-deps.ts';
import { isWebUrl } from '../login/html.ts';
import type { TenantContext } from '../tenancy/tenant-context.ts';

/**
 * The front-channel logout URIs of the clients being logged out
 * (OpenID Connect Front-Channel Logout 1.0 §2, §3): each client's
 * registered `frontchannel_logout_uri`, with `iss` and `sid` (the SHA-256 of
 * the subject session id, as its ID tokens carry it) when it registered
 * `frontchannel_logout_session_required`. The end page loads each in a
 * hidden iframe. Only http(s) URIs are used, whatever a stored client says.
 */
export async function frontChannelLogoutUris(
  deps: DataPlaneDeps,
  context: TenantContext,
  issuer: string,
  clientIds: readonly string[],
  sidHash: string,
): Promise<string[]> {
  const clients = await Promise.all(clientIds.map((id) => deps.clients.get(context.tenant.tid, id)));
  const uris: string[] = [];
  for (const client of clients) {
    const uri = client?.metadata.frontchannel_logout_uri;
    if (typeof uri !== 'string' || !isWebUrl(uri)) continue;
    uris.push(
      client!.metadata.frontchannel_logout_session_required === true
        ? withParams(uri, { iss: issuer, sid: sidHash }, 'query')
        : uri,
    );
  }
  return uris;
}
