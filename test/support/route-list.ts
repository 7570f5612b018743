import type { FastifyInstance } from 'fastify';

export interface ListedRoute {
  method: string;
  /** The route's URL pattern (`/clients/:client_id`, `*`). */
  url: string;
}

/**
 * Every route of a ready fastify instance, read from `printRoutes()`, so a
 * route added later is listed without anyone updating a test. The tree
 * prints each node's path relative to its parent, four columns per level.
 */
export function listRoutes(app: FastifyInstance): ListedRoute[] {
  const routes: ListedRoute[] = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^([│ ]*)[├└]── (.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!match) continue;
    const depth = match[1]!.length / 4;
    stack.length = depth;
    stack.push(match[2]!);
    if (!match[3]) continue;
    const url = stack.join('');
    for (const method of match[3].split(', ')) routes.push({ method, url });
  }
  return routes;
}
