/** The registered claims an ID token always has (OpenID Connect Core §2), plus what the caller adds. */
export interface IdTokenInput {
  iss: string;
  sub: string;
  aud: string;
  lifetime: number;
  authTime?: number;
  sid?: string;
  nonce?: string;
  acr?: string;
  amr?: string[];
  /** Hashes of the access token, code and state issued alongside (Core §3.3.2.11, FAPI s_hash). */
  atHash?: string;
  cHash?: string;
  sHash?: string;
  act?: { sub: string };
  /** Preset and released claims; registered claims above win over them. */
  claims?: Record<string, unknown>;
}

/** The ID token's claim set (signed, encrypted and made pairwise per client by data-plane/src/tokens/id-token-issuer.ts). */
export function idTokenClaims(input: IdTokenInput, now = Math.floor(Date.now() / 1000)): Record<string, unknown> {
  return {
    ...input.claims,
    iss: input.iss,
    sub: input.sub,
    aud: input.aud,
    iat: now,
    exp: now + input.lifetime,
    ...(input.authTime !== undefined ? { auth_time: input.authTime } : {}),
    ...(input.nonce !== undefined ? { nonce: input.nonce } : {}),
    ...(input.acr ? { acr: input.acr } : {}),
    ...(input.amr?.length ? { amr: input.amr } : {}),
    ...(input.sid ? { sid: input.sid } : {}),
    ...(input.atHash ? { at_hash: input.atHash } : {}),
    ...(input.cHash ? { c_hash: input.cHash } : {}),
    ...(input.sHash ? { s_hash: input.sHash } : {}),
    ...(input.act ? { act: input.act } : {}),
  };
}
