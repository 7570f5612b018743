import { randomUUID } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { requireOperatorKey } from '../auth/admin-auth.ts';
import { ErrorBody, Tid } from './schemas.ts';

const Body = Type.Object(
  {
    tid: Type.Optional(Type.String({ ...Tid, pattern: '^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$', description: 'scope the token to this tenant' })),
    expires_in: Type.Integer({ minimum: 60, maximum: 86_400, default: 3600, description: 'lifetime in seconds' }),
  },
  { additionalProperties: false },
);

/**
 * `POST /admin-tokens/rest/v1`: an admin JWT (HS256, key derived from the
 * master key) for tools that should not hold the operator key itself;
 * optionally scoped to one tenant. Only the operator key may mint one — an
 * admin JWT cannot mint a broader (or longer-lived) token for itself.
 */
export function registerAdminTokenRoutes(root: FastifyInstance): void {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  app.post(
    '/admin-tokens/rest/v1',
    {
      schema: {
        summary: 'Issue an admin JWT, optionally scoped to one tenant',
        body: Body,
        response: {
          201: Type.Object({
            access_token: Type.String(),
            token_type: Type.Literal('Bearer'),
            expires_in: Type.Integer(),
            tid: Type.Union([Type.String(), Type.Null()]),
          }),
          400: ErrorBody,
          403: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      requireOperatorKey(request);
      const { tid, expires_in: expiresIn } = request.body;
      const token = app.jwt.sign({ sub: 'operator', jti: randomUUID(), ...(tid ? { tid } : {}) }, { expiresIn: expiresIn * 1000 });
      return reply.code(201).header('cache-control', 'no-store').send({ access_token: token, token_type: 'Bearer' as const, expires_in: expiresIn, tid: tid ?? null });
    },
  );
}
