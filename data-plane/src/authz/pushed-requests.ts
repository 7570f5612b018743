import type { Client } from '@tessera/shared/clients/client';
import type { TenantContext } from '../tenancy/tenant-context.ts';

// The store of pushed requests is a port (ports/pushed-request-store.ts), held in OAuthServices.
export { PAR_URN_PREFIX } from '../ports/pushed-request-store.ts';

/** Whether a client's authorisation requests must come through PAR (tenant-wide or per client, RFC 9126 §5, §6). */
export const parRequired = (context: TenantContext, client: Client): boolean =>
  context.tenant.config.requests.requirePushed || client.metadata.require_pushed_authorization_requests === true;
