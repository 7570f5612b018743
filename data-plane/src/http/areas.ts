import { HttpError } from '@tessera/shared/http/errors';
import { jsonDepth, MAX_JSON_DEPTH } from '@tessera/shared/http/json-body';
import type { FastifyInstance } from 'fastify';
import type { AreaName } from '../core/endpoint.ts';
import { withPreflights } from '../core/preflight-routes.ts';
import type { AnyRoute } from '../core/route.ts';
import { MAX_REGISTRATION_BODY_CHARS } from '../endpoints/registration.ts';
import type { Area } from './fastify-adapter.ts';

/**
 * Client registration (RFC 7591/7592) takes JSON only, limited in characters
 * rather than bytes (Connect2id's `op.reg.httpMaxRequestSize`) and, like
 * every JSON body of the node, in depth (shared/src/http/json-body.ts).
 */
function registrationBodies(scope: FastifyInstance): void {
  const json = scope.getDefaultJsonParser('error', 'error');
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if ((body as string).length > MAX_REGISTRATION_BODY_CHARS) {
      done(
        new HttpError(
          400,
          'invalid_request',
          `Bad request: the body is longer than ${MAX_REGISTRATION_BODY_CHARS} characters`,
        ),
        undefined,
      );
      return;
    }
    if (jsonDepth(body as string) > MAX_JSON_DEPTH) {
      done(
        new HttpError(
          400,
          'invalid_request',
          `Bad request: the JSON body is nested deeper than ${MAX_JSON_DEPTH} levels`,
        ),
        undefined,
      );
      return;
    }
    json(request, body as string, done);
  });
}

/** What each area's plugin sets up besides its routes; the others take the node's parsers (JSON, forms). */
const SETUP: Partial<Record<AreaName, (scope: FastifyInstance) => void>> = {
  'client-registration': registrationBodies,
};

/** The areas, in the order they are registered, each with the routes of its endpoints. */
export const AREA_ORDER: readonly AreaName[] = [
  'discovery',
  'front-channel',
  'back-channel',
  'client-registration',
  'management',
  'monitoring',
];

export function areasOf(routes: ReadonlyMap<AreaName, readonly AnyRoute[]>): Area[] {
  return AREA_ORDER.map((name) => ({
    name,
    routes: withPreflights(routes.get(name) ?? []),
    ...(SETUP[name] ? { setup: SETUP[name] } : {}),
  }));
}
