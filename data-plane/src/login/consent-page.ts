import type { ConsentMessage } from '../authz/authz-flow.ts';
import { esc, isWebUrl, type Page } from './html.ts';
import { type Messages, messagesFor } from './messages.ts';

const scopeItem = (t: Messages, scope: string) =>
  `<li>${t.scopes[scope] ? `${esc(t.scopes[scope])} <span class="muted">(<code>${esc(scope)}</code>)</span>` : `<code>${esc(scope)}</code>`}</li>`;
const claimItem = (t: Messages, claim: string, essential: boolean) =>
  `${esc(t.claims[claim] ?? claim)}${essential ? ` (${esc(t.required)})` : ''}`;

/**
 * The consent page of the `consent` step: which client asks, for which
 * scopes and which claims (new ones; those consented before are named as
 * such), with "remember" for a long-lived consent. Allow and Deny are both
 * plain submit buttons of one form. `keepSignedIn` carries the sign-in
 * page's choice to the end of the flow, where the SSO cookie is set.
 */
export function consentPage(
  message: ConsentMessage,
  options: { lang: string; csrf: string; action: string; formTargets: string[]; keepSignedIn?: boolean },
): Page {
  const t = messagesFor(options.lang);
  const clientName = message.client.name ?? message.client.client_id;
  const scopes = [...message.scope.new, ...message.scope.consented];
  const claims = [
    ...message.claims.new.essential.map((c) => claimItem(t, c, true)),
    ...message.claims.new.voluntary.map((c) => claimItem(t, c, false)),
    ...message.claims.consented.essential.map((c) => claimItem(t, c, true)),
    ...message.claims.consented.voluntary.map((c) => claimItem(t, c, false)),
  ];
  const links = [
    isWebUrl(message.client.policy_uri)
      ? `<a href="${esc(message.client.policy_uri)}" rel="noopener noreferrer">${esc(t.privacyPolicy)}</a>`
      : '',
    isWebUrl(message.client.tos_uri)
      ? `<a href="${esc(message.client.tos_uri)}" rel="noopener noreferrer">${esc(t.terms)}</a>`
      : '',
  ].filter(Boolean);
  return {
    title: t.allowTitle(clientName),
    lang: options.lang,
    formTargets: options.formTargets,
    body: `<main>
<h1 id="consent-title" tabindex="-1">${esc(t.allowTitle(clientName))}</h1>
<p class="lead">${esc(t.signedInAs)} <strong>${esc(message.sub_session.sub)}</strong>. <strong>${esc(clientName)}</strong> ${esc(t.wouldLike)}</p>
<form method="post" action="${esc(options.action)}" aria-labelledby="consent-title">
<input type="hidden" name="sid" value="${esc(message.sid)}">
<input type="hidden" name="csrf" value="${esc(options.csrf)}">
${options.keepSignedIn ? '<input type="hidden" name="keep" value="yes">' : ''}
<section aria-labelledby="scopes-heading">
<h2 id="scopes-heading" class="muted">${esc(t.permissions)}</h2>
<ul class="grants">${scopes.map((x) => scopeItem(t, x)).join('')}</ul>
</section>
${claims.length ? `<section aria-labelledby="claims-heading"><h2 id="claims-heading" class="muted">${esc(t.aboutYou)}</h2><p class="claims">${claims.join(', ')}</p></section>` : ''}
${links.length ? `<p class="muted">${esc(t.seeThe)} ${links.join(` ${esc(t.and)} `)}.</p>` : ''}
<label class="check"><input type="checkbox" name="remember" value="yes" checked> ${esc(t.remember)}</label>
<div class="actions">
<button type="submit" name="decision" value="deny" class="secondary">${esc(t.deny)}</button>
<button type="submit" name="decision" value="allow" class="primary" autofocus>${esc(t.allow)}</button>
</div>
</form>
</main>`,
  };
}
