/** The RFC 6749 §5.1 token response (plus `sub_sid` for the direct authorisation API). */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token?: string;
  refresh_token_expires_in?: number;
  scope?: string;
  id_token?: string;
  sub_sid?: string;
}
