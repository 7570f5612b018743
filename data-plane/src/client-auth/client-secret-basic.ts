import { oauthError } from '../oauth/oauth-error.ts';
import { clientSecretMatches } from '../plugins/client-secret-codec.ts';
import type { ClientAuthInput, ClientAuthMethod } from './client-auth-method.ts';

/** Decoded once per request: the method asks for the id, then for the secret. */
const decoded = new WeakMap<ClientAuthInput, { id: string; secret: string } | undefined>();
function credentials(input: ClientAuthInput): { id: string; secret: string } | undefined {
  if (decoded.has(input)) return decoded.get(input);
  const result = decode(input.request.headers.authorization);
  decoded.set(input, result);
  return result;
}

/** RFC 6749 §2.3.1: id and secret are form-urlencoded, then joined with ":" and base64-encoded. */
function decode(header: string | undefined): { id: string; secret: string } | undefined {
  if (!header || !/^basic /i.test(header)) return undefined;
  const text = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 0) return undefined;
  return { id: formUnescape(text.slice(0, colon)), secret: formUnescape(text.slice(colon + 1)) };
}

/** Form-urlencoding undone; most ids and secrets have nothing to undo. */
function formUnescape(v: string): string {
  if (!v.includes('%') && !v.includes('+')) return v;
  try {
    return decodeURIComponent(v.replace(/\+/g, ' '));
  } catch {
    return v;
  }
}

export const clientSecretBasic: ClientAuthMethod = {
  name: 'client_secret_basic',
  claims: (input) => /^basic /i.test(input.request.headers.authorization ?? ''),
  clientId: (input) => credentials(input)?.id,
  authenticate(input, client) {
    const given = credentials(input);
    // RFC 6749 §2.3.1 allows a body client_id beside Basic only as a repeat of the same id (as PAR and assertions check).
    if (given && input.params.client_id !== undefined && input.params.client_id !== given.id) {
      throw oauthError('invalid_request', 'The client_id in the body is not the client of the Authorization header');
    }
    const fail = () =>
      oauthError('invalid_client', 'Client authentication failed', { basicChallenge: input.request.issuer! });
    if (!given) throw fail();
    // Synchronous unless the client's secret is kept hashed (plugins/client-secret-codec.ts).
    const match = clientSecretMatches(client, given.secret, new Date(input.deps.oauth.clock.now()));
    if (match === true) return;
    if (match === false) throw fail();
    return match.then((ok) => {
      if (!ok) throw fail();
    });
  },
};
