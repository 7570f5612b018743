import { notFound } from '@tessera/shared/http/errors';
import { textAnswer } from '../core/core-answer.ts';
import type { Endpoint } from '../core/endpoint.ts';
import type { AnyRoute } from '../core/route.ts';
import { route } from '../core/route.ts';
import { step } from '../core/step.ts';
import { TENANT_SELECTING_HEADERS } from '../tenancy/resolve-request.ts';
import { apiDocument, documentedApi } from './api-document.ts';
import { referenceAssetRoute, referencePageStep } from './reference-page.ts';

/** Public like discovery: the same for every caller of a tenant, keyed on the headers that choose the tenant. */
const PUBLIC_DOCUMENT = { 'cache-control': 'public, max-age=300', vary: TENANT_SELECTING_HEADERS };

/**
 * `{issuer}/openapi/{api}.json`: the OpenAPI 3.1 document of each tenant-facing
 * API (client registration and the integration APIs), generated from the
 * endpoint table's routes, and `{issuer}/openapi/{api}.html` its rendered
 * reference (reference-page.ts). `endpoints` is read at the first request, so the
 * table can list this endpoint too.
 */
export function openApiEndpoint(endpoints: () => readonly Endpoint[]): Endpoint {
  return {
    name: 'openapi',
    area: 'discovery',
    routes: (deps) => {
      let apis: Map<string, { endpoint: Endpoint; routes: readonly AnyRoute[] }> | undefined;
      const apisOf = () =>
        (apis ??= new Map(
          endpoints()
            .filter(documentedApi)
            .map((endpoint) => [endpoint.name, { endpoint, routes: endpoint.routes(deps) }]),
        ));
      const serveDocument = step<object>('openApiDocument', (x) => {
        const file = (x.request.params as { document?: string }).document ?? '';
        const api = file.endsWith('.json') ? apisOf().get(file.slice(0, -'.json'.length)) : undefined;
        if (!api) return undefined;
        const { tenant, issuer } = x.request;
        const body = tenant.memo(`openapi ${api.endpoint.name} ${issuer}`, () =>
          apiDocument(api.endpoint, api.routes, issuer),
        );
        return textAnswer('application/json; charset=utf-8', body, 200, { ...PUBLIC_DOCUMENT });
      });
      const servePage = referencePageStep(() => [...apisOf().keys()]);
      const unknown = step<object>('openApiUnknown', (x) => {
        const file = (x.request.params as { document?: string }).document ?? '';
        throw notFound(`No API document "${file}"; the documents: ${[...apisOf().keys()].join(', ')}`);
      });
      return [
        route({
          name: 'openapi',
          method: 'GET',
          path: '/openapi/:document',
          cors: 'open',
          steps: [serveDocument, servePage, unknown],
        }),
        referenceAssetRoute,
      ];
    },
  };
}
