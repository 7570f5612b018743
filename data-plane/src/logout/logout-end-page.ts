import { cspSource, esc, type Page } from '../login/html.ts';
import { messagesFor } from '../login/messages.ts';
import type { EndMessage } from './logout-flow.ts';

/** How long the page waits for the relying parties' iframes before it moves on anyway (milliseconds). */
const FRAME_WAIT_MS = 5000;

/**
 * The end of a logout in the browser (Front-Channel Logout 1.0 §4): one
 * hidden iframe per relying party to notify, the CSP allowing exactly their
 * origins, then on to the `post_logout_redirect_uri` once every frame has
 * loaded (the window's load event waits for them) or after a few seconds,
 * with a link for browsers without scripting. Without a redirect it is the
 * "you are signed out" page (of the one client, when the end-user chose so).
 */
export function logoutEndPage(message: EndMessage, lang: string, options: { clientOnly: boolean }): Page {
  const t = messagesFor(lang);
  const frames = message.frontchannel_logout_uris;
  const next = message.post_logout_redirect_uri;
  const iframes = frames.map((uri) => `<iframe src="${esc(uri)}" hidden title=""></iframe>`).join('\n');
  const frameTargets = [...new Set(frames.map(cspSource).filter((s): s is string => s !== undefined))];
  const text = options.clientOnly && !message.sub_session_closed ? t.signedOutOfApp : t.signedOutText;
  return {
    title: next ? t.signingOut : t.signedOutTitle,
    lang,
    frameTargets,
    body: next
      ? `<main data-next="${esc(next)}">
<h1>${esc(t.signingOut)}</h1>
<p><a href="${esc(next)}">${esc(t.continue)}</a></p>
${iframes}
</main>`
      : `<main>
<h1>${esc(t.signedOutTitle)}</h1>
<p class="lead">${esc(text)}</p>
${iframes}
</main>`,
    ...(next
      ? {
          script: `(function(){var next=document.querySelector('main').getAttribute('data-next'),gone=false;function go(){if(!gone){gone=true;location.replace(next);}}window.addEventListener('load',go);setTimeout(go,${FRAME_WAIT_MS});})();`,
        }
      : {}),
  };
}
