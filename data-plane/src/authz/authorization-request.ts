import type { Client } from '@tessera/shared/clients/client';
import type { ClaimsRequest } from './claims-request.ts';
import type { ResponseMode } from './response-mode-names.ts';

/** A validated OAuth 2.0 / OpenID Connect authorisation request (the parts the flow uses). */
export interface AuthorizationRequest {
  clientId: string;
  /** The redirect URI the response goes to (registered, matched exactly). */
  redirectUri: string;
  /** Whether the request named it (then the token request must repeat it). */
  redirectUriGiven: boolean;
  /** The response type words, in the canonical order code, id_token, token. */
  responseType: string[];
  responseMode: ResponseMode;
  scope: string[];
  /** RFC 8707: the resource servers' identifiers the tokens are for (the authorisation's `aud`). */
  resources?: string[];
  state?: string;
  nonce?: string;
  codeChallenge?: string;
  codeChallengeMethod?: 'S256' | 'plain';
  /** RFC 9449 §10: the DPoP key (JWK thumbprint) the code is bound to. */
  dpopJkt?: string;
  prompt: string[];
  maxAge?: number;
  idTokenHint?: string;
  /** The subject of a valid `id_token_hint`. */
  hintSub?: string;
  loginHint?: string;
  acrValues?: string[];
  claims?: ClaimsRequest;
  uiLocales?: string[];
  claimsLocales?: string[];
  display: string;
  /** Every parameter of the (resolved) request, single-valued. */
  params: Record<string, string>;
}

/** Where an error can be sent once the client and its redirect URI are trusted. */
export interface RedirectTarget {
  clientId: string;
  redirectUri: string;
  responseMode: ResponseMode;
  state?: string;
}

export type ParsedRequest =
  | { ok: true; request: AuthorizationRequest; client: Client }
  /** Not redirectable: client or redirect URI cannot be trusted (shown by the login page). */
  | { ok: false; error: string; description: string; target?: undefined }
  /** Redirected to the client with the error. */
  | { ok: false; error: string; description: string; target: RedirectTarget; client: Client };
