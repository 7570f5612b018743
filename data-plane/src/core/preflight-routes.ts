import { emptyAnswer } from './core-answer.ts';
import type { AnyRoute, Route } from './route.ts';
import { step } from './step.ts';

/** The preflight's own answer is empty; the cors policy (core/policies/cors.ts) decides its Access-Control headers. */
const preflight = step<object>('preflight', () => emptyAnswer(204));

/**
 * The routes browsers may call cross-origin, each followed by an OPTIONS
 * route at its path for the CORS preflight (Fetch Standard §3.2.2): a core
 * route like any other, so preflights pass the same policies (metrics,
 * tenant resolution) and an `OPTIONS /demo/token` is never a 404.
 */
export function withPreflights(routes: readonly AnyRoute[]): AnyRoute[] {
  const paths = new Set<string>();
  const added: AnyRoute[] = [];
  for (const route of routes) {
    if (route.cors === undefined || paths.has(route.path)) continue;
    paths.add(route.path);
    const options: Route = {
      name: `${route.name}.preflight`,
      method: 'OPTIONS',
      path: route.path,
      tenant: route.tenant,
      cors: route.cors,
      errors: route.errors,
      steps: [preflight],
    };
    added.push(options);
  }
  return [...routes, ...added];
}
