import { validateTenantConfig } from '@tessera/shared/config/validate-tenant-config';
import { HttpError } from '@tessera/shared/http/errors';
import type { FastifyInstance } from 'fastify';
import { ErrorBody, JsonObject } from './schemas.ts';

/**
 * `POST /config/check`: the one validator as an API. 204, or 400 listing
 * every problem with its path. `pluginModules`: this deployment's
 * `TESSERA_PLUGIN_MODULES` (module targets refused unless allowed).
 */
export function registerConfigCheck(app: FastifyInstance, options: { pluginModules: boolean }): void {
  app.post(
    '/config/check',
    {
      config: { readOnly: true },
      schema: {
        summary: 'Validate a tenant configuration',
        body: JsonObject,
        response: { 204: { type: 'null', description: 'the configuration is valid' }, 400: ErrorBody },
      },
    },
    async (request, reply) => {
      const result = validateTenantConfig(request.body, { pluginModules: options.pluginModules });
      if (!result.ok) {
        const count = result.errors.length;
        throw new HttpError(
          400,
          'invalid_configuration',
          `The configuration has ${count} problem${count === 1 ? '' : 's'}`,
          {
            extra: { errors: result.errors },
          },
        );
      }
      return reply.code(204).send();
    },
  );
}
