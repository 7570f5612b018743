import { createHash } from 'node:crypto';
import { htmlAnswer } from '../core/core-answer.ts';
import type { Endpoint } from '../core/endpoint.ts';
import { route } from '../core/route.ts';
import { step } from '../core/step.ts';
import { TENANT_SELECTING_HEADERS } from '../tenancy/resolve-request.ts';
import { browserStateCookie } from './browser-state.ts';
import { pageErrors } from './page-errors.ts';

/**
 * The OP iframe's script (Session Management 1.0 §3.2). The RP frame posts
 * `client_id + " " + session_state`; the answer, to the sender's origin, is
 * `unchanged` when the same hash of client id, that origin, the browser
 * state (cookie) and the salt gives the session_state, `changed` when it
 * does not (or there is no browser state: signed out), `error` for a
 * malformed message. Only the embedding page may ask (§3.2: the caller must
 * have its parent's origin), so another frame learns nothing.
 */
const script = (cookie: string) => `(function () {
  var NAME = ${JSON.stringify(cookie)};
  function browserState() {
    var parts = document.cookie.split(';');
    for (var i = 0; i < parts.length; i++) {
      var part = parts[i].trim();
      var eq = part.indexOf('=');
      if (eq > 0 && part.slice(0, eq) === NAME) return part.slice(eq + 1);
    }
    return '';
  }
  function base64url(buffer) {
    var bytes = new Uint8Array(buffer);
    var text = '';
    for (var i = 0; i < bytes.length; i++) text += String.fromCharCode(bytes[i]);
    return btoa(text).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');
  }
  window.addEventListener('message', function (event) {
    if (event.source !== window.parent || event.origin === 'null') return;
    function answer(value) { event.source.postMessage(value, event.origin); }
    var m = typeof event.data === 'string' && /^(.+) ([A-Za-z0-9_-]{43})\\.([A-Za-z0-9_-]+)$/.exec(event.data);
    if (!m || !window.crypto || !window.crypto.subtle) return answer('error');
    var state = browserState();
    if (!state) return answer('changed');
    var input = new TextEncoder().encode(m[1] + ' ' + event.origin + ' ' + state + ' ' + m[3]);
    window.crypto.subtle.digest('SHA-256', input).then(
      function (hash) { answer(base64url(hash) === m[2] ? 'unchanged' : 'changed'); },
      function () { answer('error'); }
    );
  });
})();`;

/**
 * The page: the script under a hash-source CSP (the same for every request
 * of an issuer, so it may be cached). Unlike the other hosted pages it has
 * no `frame-ancestors` and no X-Frame-Options: every RP embeds it. It shows
 * nothing and answers only with what the caller can already compute.
 */
const checkSessionPage = step('checkSessionPage', (x) => {
  const js = script(browserStateCookie(x.request.issuer));
  const hash = createHash('sha256').update(js).digest('base64');
  const html = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="referrer" content="no-referrer"><title>Check session</title></head>
<body><script>${js}</script></body>
</html>`;
  return htmlAnswer(html, 200, {
    'cache-control': 'public, max-age=300',
    vary: TENANT_SELECTING_HEADERS,
    'content-security-policy': `default-src 'none'; script-src 'sha256-${hash}'; form-action 'none'; base-uri 'none'`,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  });
});

/**
 * `/check-session`, the OP iframe of OpenID Connect Session Management 1.0:
 * an RP embeds it and polls it with the `session_state` of its last
 * authentication response (authz/session-state.ts) to learn whether the
 * end-user's session at the OP changed (browser-state.ts).
 */
export const checkSessionEndpoint: Endpoint = {
  name: 'check-session',
  area: 'front-channel',
  routes: () => [
    route({
      name: 'check-session',
      method: 'GET',
      path: '/check-session',
      errors: pageErrors,
      steps: [checkSessionPage],
    }),
  ],
  metadata: (_context, issuer) => ({ check_session_iframe: `${issuer}/check-session` }),
};
