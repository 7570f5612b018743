/**
 * The response modes by name (a leaf: types and constants only, so the
 * request and session types can name a mode without importing how responses
 * are built, response-mode.ts).
 */
export const PLAIN_MODES = ['query', 'fragment', 'form_post'] as const;
export const JARM_MODES = ['query.jwt', 'fragment.jwt', 'form_post.jwt'] as const;
export type ResponseMode = (typeof PLAIN_MODES)[number] | (typeof JARM_MODES)[number];

/** Response modes that work (`jwt` is JARM's shorthand, resolved by the parser to query.jwt or fragment.jwt). */
export const SUPPORTED_RESPONSE_MODES: readonly string[] = [...PLAIN_MODES, ...JARM_MODES];
export const ADVERTISED_RESPONSE_MODES: readonly string[] = [...SUPPORTED_RESPONSE_MODES, 'jwt'];
