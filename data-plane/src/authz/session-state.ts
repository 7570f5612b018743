import { createHash, randomBytes } from 'node:crypto';

/**
 * The `session_state` of a successful authentication response (OpenID
 * Connect Session Management 1.0 §3): `hash(client_id, origin, browser
 * state, salt) "." salt`, SHA-256 in base64url over the four joined by
 * spaces, the origin being the redirect URI's. The check-session iframe
 * (login/check-session.ts) computes the same in the browser. A redirect URI
 * without an origin (a native app's private-use scheme) gets none: no page
 * of it can embed the iframe.
 */
export function sessionState(
  clientId: string,
  redirectUri: string,
  browserState: string,
  salt: string = randomBytes(16).toString('base64url'),
): string | undefined {
  let origin: string;
  try {
    origin = new URL(redirectUri).origin;
  } catch {
    return undefined;
  }
  if (origin === 'null') return undefined;
  const hash = createHash('sha256').update(`${clientId} ${origin} ${browserState} ${salt}`).digest('base64url');
  return `${hash}.${salt}`;
}
