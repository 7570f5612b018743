import { Type } from '@sinclair/typebox';
import {
  decodeRequestObject,
  REQUEST_OBJECT_ENCRYPTION_ALGS,
  REQUEST_OBJECT_ENCRYPTION_ENCS,
  REQUEST_OBJECT_SIGNING_ALGS,
} from '../authz/request-object.ts';
import { jsonAnswer } from '../core/core-answer.ts';
import type { Endpoint } from '../core/endpoint.ts';
import { route } from '../core/route.ts';
import { type Step, step } from '../core/step.ts';
import type { DataPlaneDeps } from '../data-plane-deps.ts';
import { type DpopState, dpopProof } from '../dpop/dpop-step.ts';
import { oauthError } from '../oauth/oauth-error.ts';
import { validatePushedRequest } from '../plugins/par-validator.ts';
import type { PushedRequestStore } from '../ports/pushed-request-store.ts';
import { authenticateClient, type ClientState } from './steps/authenticate-client.ts';
import { formBody } from './steps/form-body.ts';
import { checkPushedResources } from './steps/pushed-resources.ts';

/** Connect2id: PAR bodies over 50,000 characters are refused. */
const BODY_LIMIT = 50_000;
/** RFC 9126 §2.2. */
const PushedRequestBody = Type.Object(
  { request_uri: Type.String(), expires_in: Type.Integer() },
  { additionalProperties: true },
);
/** Client authentication parameters: they authenticate the push and are not part of the authorisation request. */
const AUTH_PARAMS = ['client_secret', 'client_assertion', 'client_assertion_type'];

interface ParState extends ClientState, DpopState {
  /** The authorisation request's parameters, as the authorisation endpoint will read them. */
  pushed?: Record<string, string>;
}

/** The parameters pushed: the form (without client authentication), or only those of a `request` object (§3). */
const pushedParameters = (deps: DataPlaneDeps): Step<ParState> =>
  step<ParState>('pushedParameters', async (x) => {
    const params = x.state.params!;
    const client = x.state.client!;
    if (params.request_uri !== undefined)
      throw oauthError('invalid_request', 'request_uri is not allowed in a pushed authorisation request');
    if (params.client_id !== undefined && params.client_id !== client.clientId)
      throw oauthError('invalid_request', 'client_id does not match the authenticated client');
    if (params.request !== undefined) {
      x.state.pushed = await decodeRequestObject({
        tenant: x.request.tenant,
        issuer: x.request.issuer,
        client,
        jwt: params.request,
        deps,
      });
      return;
    }
    const pushed: Record<string, string> = { ...params, client_id: client.clientId };
    for (const name of AUTH_PARAMS) delete pushed[name];
    x.state.pushed = pushed;
  });

/**
 * RFC 9449 §10.1: a push made with a DPoP proof binds the code to the proof's
 * key, as `dpop_jkt` would; both given, they must name the same key.
 */
const bindPushedKey = step<ParState>('bindPushedKey', (x) => {
  const { dpop, pushed } = x.state;
  if (!dpop) return;
  if (pushed!.dpop_jkt !== undefined && pushed!.dpop_jkt !== dpop.jkt)
    throw oauthError('invalid_dpop_proof', 'dpop_jkt does not match the key of the DPoP proof');
  pushed!.dpop_jkt = dpop.jkt;
});

/** What can be checked before the authorisation endpoint sees it: a response type, a registered redirect URI. */
const checkPushedRequest = step<ParState>('checkPushedRequest', (x) => {
  const pushed = x.state.pushed!;
  if (!pushed.response_type) throw oauthError('invalid_request', 'Missing response_type');
  const redirectUris = x.state.client!.metadata.redirect_uris ?? [];
  if (pushed.redirect_uri !== undefined && !redirectUris.includes(pushed.redirect_uri))
    throw oauthError('invalid_request', 'The redirect_uri is not registered for the client');
});

/** A single-use `request_uri` for the pushed parameters (201, §2.2). */
const storePushedRequest = (store: PushedRequestStore): Step<ParState> =>
  step<ParState>('storePushedRequest', async (x) => {
    const { tenant } = x.request;
    const created = await store.put(
      tenant.tenant.tid,
      x.state.client!.clientId,
      x.state.pushed!,
      tenant.tenant.config.tokens.parLifetime,
    );
    return jsonAnswer(created, 201);
  });

/**
 * RFC 9126 pushed authorisation requests at `/par`: the client
 * authenticates as at the token endpoint, pushes the parameters and gets a
 * single-use `request_uri` for the authorisation endpoint. Steps: formBody →
 * authenticateClient → dpopProof → pushedParameters → bindPushedKey → checkPushedRequest →
 * validatePushedRequest (the tenant's PAR validator) → storePushedRequest.
 */
export const parEndpoint: Endpoint = {
  name: 'par',
  area: 'back-channel',
  routes: (deps) => [
    route<ParState>({
      name: 'par',
      method: 'POST',
      path: '/par',
      bodyLimit: BODY_LIMIT,
      schema: { response: { 201: PushedRequestBody } },
      steps: [
        formBody,
        authenticateClient(deps, '/par'),
        dpopProof(deps, 'par'),
        pushedParameters(deps),
        bindPushedKey,
        checkPushedRequest,
        checkPushedResources(deps),
        validatePushedRequest<ParState>(deps.webhooks),
        storePushedRequest(deps.oauth.pushedRequests),
      ],
    }),
  ],
  metadata: (context, issuer) => ({
    pushed_authorization_request_endpoint: `${issuer}/par`,
    require_pushed_authorization_requests: context.tenant.config.requests.requirePushed,
    request_object_signing_alg_values_supported: [
      ...REQUEST_OBJECT_SIGNING_ALGS,
      ...(context.tenant.config.requests.allowUnsignedRequestObjects ? ['none'] : []),
    ],
    request_object_encryption_alg_values_supported: REQUEST_OBJECT_ENCRYPTION_ALGS.filter((a) =>
      (context.tenant.config.keys.encryptionAlgorithms as readonly string[]).includes(a),
    ),
    request_object_encryption_enc_values_supported: REQUEST_OBJECT_ENCRYPTION_ENCS,
  }),
};
