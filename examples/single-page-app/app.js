/**
 * A single-page app with openid-client 6 in the browser: a public client
 * (no secret) signs in with the authorization code flow and PKCE, redeems
 * the code at the token endpoint and calls UserInfo with DPoP-bound tokens
 * (RFC 9449), all through CORS: register the page's origin in the client's
 * allowed_cors_origins. main.ts bundles this file for the browser.
 */
import * as oidc from 'openid-client';

const settings = await (await fetch('/config.json')).json();
const issuer = new URL(settings.issuer);
// Plain http only for a development issuer on this machine.
const local = issuer.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(issuer.hostname);
const config = await oidc.discovery(
  issuer,
  settings.clientId,
  undefined,
  oidc.None(),
  local ? { execute: [oidc.allowInsecureRequests] } : undefined,
);
const redirectUri = `${location.origin}/callback`;

const show = (id, value) => {
  document.getElementById(id).textContent = typeof value === 'string' ? value : JSON.stringify(value, null, 2);
};

/** Off to the hosted login, with what the callback must check kept in this tab. */
async function signIn() {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  sessionStorage.setItem('login', JSON.stringify({ verifier, state, nonce }));
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: settings.scope,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  location.assign(url.href);
}

/** Back from the login: the code for DPoP-bound tokens, then UserInfo and a refresh with proofs of the same key. */
async function callback() {
  const login = JSON.parse(sessionStorage.getItem('login') ?? 'null');
  sessionStorage.removeItem('login');
  if (!login) throw new Error('no login under way');
  // A non-extractable key pair: script can sign with it, never read it. An app that keeps its tokens across page
  // loads keeps this CryptoKeyPair in IndexedDB with them.
  const dpop = oidc.getDPoPHandle(config, await oidc.randomDPoPKeyPair());
  const tokens = await oidc.authorizationCodeGrant(
    config,
    new URL(location.href),
    { pkceCodeVerifier: login.verifier, expectedState: login.state, expectedNonce: login.nonce, idTokenExpected: true },
    undefined,
    { DPoP: dpop },
  );
  history.replaceState(null, '', '/');
  const claims = tokens.claims();
  const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub, { DPoP: dpop });
  const result = {
    token_type: tokens.token_type,
    access_token_claims: decodePayload(tokens.access_token),
    id_token_claims: claims,
    userinfo,
  };
  if (tokens.refresh_token) {
    // A public client's refresh token is bound to the key too, and rotates on every use.
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token, undefined, { DPoP: dpop });
    result.refresh = { token_type: refreshed.token_type, rotated: refreshed.refresh_token !== tokens.refresh_token };
  }
  show('result', result);
}

/** A JWT access token's claims, to show them (the API verifies them; the app need not). */
function decodePayload(jwt) {
  const part = jwt.split('.')[1];
  if (!part) return undefined;
  return JSON.parse(atob(part.replace(/-/g, '+').replace(/_/g, '/')));
}

document.getElementById('sign-in').addEventListener('click', () => signIn().catch((e) => show('error', String(e))));
if (location.pathname === '/callback') callback().catch((e) => show('error', String(e)));
