import type { FastifyReply, FastifyRequest } from 'fastify';
import type { TenantContext } from '../tenancy/tenant-context.ts';
import { TENANT_SELECTING_HEADERS } from '../tenancy/resolve-request.ts';
import type { DataPlaneDeps, Endpoint } from './endpoint.ts';

/** Composes the provider metadata from every registered endpoint's contribution. */
function buildMetadata(deps: DataPlaneDeps, context: TenantContext, issuer: string): Record<string, unknown> {
  const metadata: Record<string, unknown> = { issuer };
  for (const endpoint of deps.endpoints) Object.assign(metadata, endpoint.metadata?.(context, issuer, deps));
  return metadata;
}

/**
 * OpenID Connect Discovery and RFC 8414 metadata. Both documents are the
 * same set of facts; they are memoised per tenant and issuer, so serving one
 * is a map look-up and a write.
 */
export const discoveryEndpoint: Endpoint = {
  name: 'discovery',
  register(app, deps) {
    const serve = async (request: FastifyRequest, reply: FastifyReply) => {
      const context = request.tenant!;
      const issuer = request.issuer!;
      const body = context.memo(`metadata ${issuer}`, () => buildMetadata(deps, context, issuer));
      return reply
        .type('application/json; charset=utf-8')
        .header('cache-control', 'public, max-age=60')
        // Public (the common, path-chosen case caches well) but keyed on every header that can choose the tenant.
        .header('vary', TENANT_SELECTING_HEADERS)
        .header('access-control-allow-origin', '*')
        .send(body);
    };
    app.get('/.well-known/openid-configuration', serve);
    app.get('/.well-known/oauth-authorization-server', serve);
  },
  metadata: () => ({
    // Members both specs require. No response type, grant or scope is
    // implemented yet; the endpoints that implement them add their values.
    response_types_supported: [],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [],
  }),
};
