import type { Client } from '@tessera/shared/clients/client';
import { oauthError } from '../oauth/oauth-error.ts';

/** RFC 6749 §3.3: space-delimited scope tokens of %x21 / %x23-5B / %x5D-7E. */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

export function parseScope(raw: string | undefined): string[] | undefined {
  if (raw === undefined) return undefined;
  const values = raw.split(' ').filter((v) => v.length > 0);
  if (values.some((v) => !SCOPE_TOKEN.test(v))) throw oauthError('invalid_scope', 'The scope contains invalid characters');
  return [...new Set(values)];
}

/**
 * The scope a client gets: what it asked for, which must be within what it
 * registered (when it registered a scope); what it registered when it asked
 * for nothing.
 */
export function grantedScope(client: Client, requested: string[] | undefined): string[] {
  const registered = client.metadata.scope?.split(' ').filter((v) => v.length > 0);
  if (requested === undefined) return registered ?? [];
  if (registered) {
    const outside = requested.filter((v) => !registered.includes(v));
    if (outside.length > 0) throw oauthError('invalid_scope', `The client may not request: ${outside.join(' ')}`);
  }
  return requested;
}
