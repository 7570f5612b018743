/** RFC 8693 §3 token type identifiers. */
export const TOKEN_TYPES = {
  accessToken: 'urn:ietf:params:oauth:token-type:access_token',
  refreshToken: 'urn:ietf:params:oauth:token-type:refresh_token',
  idToken: 'urn:ietf:params:oauth:token-type:id_token',
  jwt: 'urn:ietf:params:oauth:token-type:jwt',
} as const;

export type TokenType = (typeof TOKEN_TYPES)[keyof typeof TOKEN_TYPES];

const PRESENTABLE: ReadonlySet<string> = new Set(Object.values(TOKEN_TYPES));

/** A type a subject or actor token may have here. */
export const isPresentableType = (value: string): value is TokenType => PRESENTABLE.has(value);

/** What may be asked for: an access token (the default), or the same as a plain JWT (token_type N_A). */
export const ISSUABLE_TYPES: ReadonlySet<string> = new Set([TOKEN_TYPES.accessToken, TOKEN_TYPES.jwt]);
