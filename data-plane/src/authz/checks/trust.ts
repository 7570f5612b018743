import type { IncomingRequest, TrustedRequest } from './authz-check.ts';
import { responseModeOf } from './response-mode.ts';
import { responseTypeOf } from './response-type.ts';
import { echoableState } from './state.ts';

/**
 * The boundary: once the client and its redirect URI are established, errors
 * go back to that URI, in the response mode asked for (or the default one,
 * when what was asked is unusable), with the state when it can be echoed.
 */
export function trust(s: IncomingRequest): TrustedRequest {
  const client = s.client!;
  const redirectUri = s.redirectUri!;
  const type = responseTypeOf(s.params.response_type);
  const { asked, mode } = responseModeOf(type.known ? type.canonical : ['code'], s.params.response_mode);
  const state = echoableState(s.params.state);
  return {
    context: s.context,
    issuer: s.issuer,
    deps: s.deps,
    client,
    params: s.params,
    repeated: s.repeated,
    source: s.source,
    redirectUri,
    redirectUriGiven: s.redirectUriGiven,
    responseWords: type.words,
    responseType: type.canonical,
    knownResponseType: type.known,
    askedMode: asked,
    responseMode: mode,
    target: { clientId: client.clientId, redirectUri, responseMode: mode, ...(state !== undefined ? { state } : {}) },
    established: { scope: [], prompt: [], display: 'page' },
  };
}
