import { Type } from '@sinclair/typebox';
import { API_REFERENCE_HEADERS, apiReferenceAsset, apiReferenceHtml } from '@tessera/shared/http/api-reference';
import { notFound } from '@tessera/shared/http/errors';
import type { FastifyInstance } from 'fastify';

/**
 * `GET /reference`: the control plane API rendered (Swagger UI) from
 * `GET /openapi.json`, with its scripts and styles at `/reference/assets/*`,
 * served from the package files under a strict CSP. Public like the document
 * it renders: an API description is no secret (every call it describes still
 * needs the operator's credential), and a browser page cannot send a bearer token.
 */
export function registerApiReference(app: FastifyInstance): void {
  app.get('/reference', { schema: { hide: true }, config: { public: true } }, async (_request, reply) =>
    reply
      .headers({ ...API_REFERENCE_HEADERS, 'cache-control': 'no-cache' })
      .type('text/html; charset=utf-8')
      .send(
        apiReferenceHtml({
          title: 'Tessera control plane API',
          documentUrl: '/openapi.json',
          assetBase: '/reference/assets',
        }),
      ),
  );
  app.get(
    '/reference/assets/:file',
    {
      schema: { hide: true, params: Type.Object({ file: Type.String() }) },
      config: { public: true },
    },
    async (request, reply) => {
      const { file } = request.params as { file: string };
      const asset = apiReferenceAsset(file);
      if (!asset) throw notFound(`No reference asset "${file}"`);
      return reply
        .headers({ ...API_REFERENCE_HEADERS, 'cache-control': 'public, max-age=86400' })
        .type(asset.contentType)
        .send(asset.text);
    },
  );
}
