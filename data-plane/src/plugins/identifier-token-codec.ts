import type { TenantContext } from '../tenancy/tenant-context.ts';
import { slotConfigOf } from './slot-config.ts';

/** The length of a bare identifier (shared/src/tokens/identifiers.ts: 32 bytes, base64url). */
const IDENTIFIER_LENGTH = 43;

/**
 * The identifier access token as handed out: the tenant's prefix (built-in
 * `identifierTokenCodec`, e.g. `at_`) before the identifier; the bare
 * identifier when the slot is not configured. Stores key the bare identifier.
 */
export function identifierAccessToken(context: TenantContext, identifier: string): string {
  const config = slotConfigOf(context, 'identifierTokenCodec');
  return config ? config.prefix + identifier : identifier;
}

/**
 * The bare identifier of an identifier access token: the prefix stripped
 * when the token carries it. A bare identifier is taken too, so tokens
 * issued before the prefix was set stay valid until they expire; the length
 * tells a prefixed token from a bare one that happens to start alike.
 */
export function identifierOf(context: TenantContext, token: string): string {
  const config = slotConfigOf(context, 'identifierTokenCodec');
  if (!config) return token;
  const { prefix } = config;
  return token.length === IDENTIFIER_LENGTH + prefix.length && token.startsWith(prefix)
    ? token.slice(prefix.length)
    : token;
}
