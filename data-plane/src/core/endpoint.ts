import type { DataPlaneDeps } from '../data-plane-deps.ts';
import type { TenantContext } from '../tenancy/tenant-context.ts';
import type { AnyRoute } from './route.ts';

/** The fastify plugin that serves an endpoint's routes (http/areas.ts). */
export type AreaName =
  | 'front-channel'
  | 'back-channel'
  | 'client-registration'
  | 'discovery'
  | 'management'
  | 'monitoring';

/**
 * One endpoint of the data plane: its routes (at issuer-relative paths),
 * each a declared list of named steps run by the pipeline
 * (core/pipeline.ts), and the provider metadata it makes true. Discovery
 * advertises the union of what the endpoints contribute, so nothing
 * unimplemented is ever advertised. The table is endpoints/index.ts.
 */
export interface Endpoint {
  name: string;
  area: AreaName;
  routes(deps: DataPlaneDeps): readonly AnyRoute[];
  metadata?(context: TenantContext, issuer: string, deps: DataPlaneDeps): Record<string, unknown>;
}
