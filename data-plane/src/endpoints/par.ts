import { decodeRequestObject, REQUEST_OBJECT_ENCRYPTION_ALGS, REQUEST_OBJECT_ENCRYPTION_ENCS, REQUEST_OBJECT_SIGNING_ALGS } from '../authz/request-object.ts';
import { clientRequest } from '../oauth/client-request.ts';
import { oauthError } from '../oauth/oauth-error.ts';
import type { DataPlaneDeps, Endpoint } from './endpoint.ts';

/** Connect2id: PAR bodies over 50,000 characters are refused. */
const BODY_LIMIT = 50_000;
/** Client authentication parameters: they authenticate the push and are not part of the authorisation request. */
const AUTH_PARAMS = ['client_secret', 'client_assertion', 'client_assertion_type'];

/**
 * RFC 9126 pushed authorisation requests at `/par`: the client
 * authenticates as at the token endpoint, pushes the parameters (or a
 * `request` object, then only its parameters count, §3) and gets a
 * single-use `request_uri` for the authorisation endpoint.
 */
export const parEndpoint: Endpoint = {
  name: 'par',
  register(app, deps: DataPlaneDeps) {
    const store = deps.oauth.pushedRequests;
    app.post('/par', { bodyLimit: BODY_LIMIT }, async (request, reply) => {
      const { params, client } = await clientRequest(request, deps, '/par');
      const context = request.tenant!;
      if (params.request_uri !== undefined) throw oauthError('invalid_request', 'request_uri is not allowed in a pushed authorisation request');
      if (params.client_id !== undefined && params.client_id !== client.clientId) throw oauthError('invalid_request', 'client_id does not match the authenticated client');
      let pushed: Record<string, string>;
      if (params.request !== undefined) {
        pushed = await decodeRequestObject({ tenant: context, issuer: request.issuer!, client, jwt: params.request, deps });
      } else {
        pushed = { ...params, client_id: client.clientId };
        for (const name of AUTH_PARAMS) delete pushed[name];
      }
      if (!pushed.response_type) throw oauthError('invalid_request', 'Missing response_type');
      const redirectUris = client.metadata.redirect_uris ?? [];
      if (pushed.redirect_uri !== undefined && !redirectUris.includes(pushed.redirect_uri)) throw oauthError('invalid_request', 'The redirect_uri is not registered for the client');
      const created = await store.put(context.tenant.tid, client.clientId, pushed, context.tenant.config.tokens.parLifetime);
      return reply.code(201).headers({ 'cache-control': 'no-store', pragma: 'no-cache' }).send(created);
    });
  },
  metadata: (context, issuer) => ({
    pushed_authorization_request_endpoint: `${issuer}/par`,
    require_pushed_authorization_requests: context.tenant.config.requests.requirePushed,
    request_object_signing_alg_values_supported: [...REQUEST_OBJECT_SIGNING_ALGS, ...(context.tenant.config.requests.allowUnsignedRequestObjects ? ['none'] : [])],
    request_object_encryption_alg_values_supported: REQUEST_OBJECT_ENCRYPTION_ALGS.filter((a) => (context.tenant.config.keys.encryptionAlgorithms as readonly string[]).includes(a)),
    request_object_encryption_enc_values_supported: REQUEST_OBJECT_ENCRYPTION_ENCS,
  }),
};
