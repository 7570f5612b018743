import type { Authorization } from '@tessera/shared/authz/authorization';
import type { CoreAnswer } from '../../../src/core/core-answer.ts';
import { userinfoEndpoint } from '../../../src/endpoints/userinfo.ts';
import type { TenantContext } from '../../../src/tenancy/tenant-context.ts';
import { coreRequest, runRoute } from './core-request.ts';
import type { MemoryPlane } from './memory-plane.ts';

/** UserInfo's answer for an access token issued for `authz`, through the route's pipeline. */
export async function userinfoAnswer(
  plane: MemoryPlane,
  tenant: TenantContext,
  authz: Authorization,
): Promise<CoreAnswer> {
  const { access_token } = await plane.deps.oauth.issuer.issue(tenant, authz);
  const route = userinfoEndpoint.routes(plane.deps)[0]!;
  const { answer } = await runRoute(
    route,
    coreRequest(tenant, { method: 'GET', path: '/userinfo', headers: { authorization: `Bearer ${access_token}` } }),
  );
  return answer;
}
