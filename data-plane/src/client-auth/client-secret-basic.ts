import type { ClientAuthInput, ClientAuthMethod } from './client-auth-method.ts';
import { oauthError } from '../oauth/oauth-error.ts';
import { secretMatches } from './secret-match.ts';

/** RFC 6749 §2.3.1: id and secret are form-urlencoded, then joined with ":" and base64-encoded. */
function credentials(input: ClientAuthInput): { id: string; secret: string } | undefined {
  const header = input.request.headers.authorization;
  if (!header || !/^basic /i.test(header)) return undefined;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  const unescape = (v: string) => {
    try {
      return decodeURIComponent(v.replace(/\+/g, ' '));
    } catch {
      return v;
    }
  };
  return { id: unescape(decoded.slice(0, colon)), secret: unescape(decoded.slice(colon + 1)) };
}

export const clientSecretBasic: ClientAuthMethod = {
  name: 'client_secret_basic',
  claims: (input) => /^basic /i.test(input.request.headers.authorization ?? ''),
  clientId: (input) => credentials(input)?.id,
  async authenticate(input, client) {
    const given = credentials(input);
    if (!given || !secretMatches(client, given.secret)) {
      throw oauthError('invalid_client', 'Client authentication failed', { basicChallenge: input.request.issuer! });
    }
  },
};
