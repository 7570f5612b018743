/**
 * What a token response does not say but its `token.issued` event does:
 * the access token's id, subject, scope and expiry. Kept under a symbol, so
 * neither JSON.stringify nor the route's serialiser ever sends it; spreads
 * (`{...response, id_token}`) carry it along.
 */
export const ISSUED = Symbol('issued');

export interface IssuedAccessToken {
  jti: string;
  sub: string;
  scope: readonly string[];
  /** Unix seconds. */
  exp: number;
  format: 'jwt' | 'identifier';
}

/** The RFC 6749 §5.1 token response (plus `sub_sid` for the direct authorisation API). */
export interface TokenResponse {
  access_token: string;
  /** DPoP for a token bound to a DPoP key (RFC 9449 §5). */
  token_type: 'Bearer' | 'DPoP' | 'N_A';
  expires_in: number;
  /** RFC 8693 §2.2.1: what a token exchange issued. */
  issued_token_type?: string;
  refresh_token?: string;
  refresh_token_expires_in?: number;
  scope?: string;
  id_token?: string;
  sub_sid?: string;
  [ISSUED]?: IssuedAccessToken;
}
