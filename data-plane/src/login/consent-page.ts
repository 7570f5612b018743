import type { TenantConfig } from '@tessera/shared/config/tenant-config';
import type { ConsentMessage } from '../authz/authz-flow.ts';
import { esc, isWebUrl, type Page } from './html.ts';

/** What the standard scopes let a client do, in the words shown to the end-user. */
const SCOPES: Record<string, string> = {
  openid: 'Sign you in with your account',
  profile: 'See your basic profile (name, nickname, picture, locale)',
  email: 'See your email address',
  address: 'See your postal address',
  phone: 'See your phone number',
  offline_access: 'Keep access while you are not using it',
};
const CLAIMS: Record<string, string> = {
  name: 'full name', given_name: 'given name', family_name: 'family name', middle_name: 'middle name', nickname: 'nickname',
  preferred_username: 'preferred username', profile: 'profile page', picture: 'picture', website: 'website', email: 'email address',
  email_verified: 'whether your email address is verified', gender: 'gender', birthdate: 'birthdate', zoneinfo: 'time zone',
  locale: 'locale', phone_number: 'phone number', phone_number_verified: 'whether your phone number is verified', address: 'postal address',
  updated_at: 'when your profile was last updated',
};

const scopeItem = (scope: string) => `<li>${SCOPES[scope] ? `${esc(SCOPES[scope])} <span class="muted">(<code>${esc(scope)}</code>)</span>` : `<code>${esc(scope)}</code>`}</li>`;
const claimItem = (claim: string, essential: boolean) => `${esc(CLAIMS[claim] ?? claim)}${essential ? ' (required)' : ''}`;

/**
 * The consent page of the `consent` step: which client asks, for which
 * scopes and which claims (new ones; those consented before are named as
 * such), with "remember" for a long-lived consent. Allow and Deny are both
 * plain submit buttons of one form. `keepSignedIn` carries the sign-in
 * page's choice to the end of the flow, where the SSO cookie is set.
 */
export function consentPage(config: TenantConfig, message: ConsentMessage, options: { lang: string; csrf: string; action: string; formTargets: string[]; keepSignedIn?: boolean }): Page {
  const clientName = message.client.name ?? message.client.client_id;
  const scopes = [...message.scope.new, ...message.scope.consented];
  const claims = [
    ...message.claims.new.essential.map((c) => claimItem(c, true)),
    ...message.claims.new.voluntary.map((c) => claimItem(c, false)),
    ...message.claims.consented.essential.map((c) => claimItem(c, true)),
    ...message.claims.consented.voluntary.map((c) => claimItem(c, false)),
  ];
  const links = [
    isWebUrl(message.client.policy_uri) ? `<a href="${esc(message.client.policy_uri)}" rel="noopener noreferrer">privacy policy</a>` : '',
    isWebUrl(message.client.tos_uri) ? `<a href="${esc(message.client.tos_uri)}" rel="noopener noreferrer">terms of service</a>` : '',
  ].filter(Boolean);
  return {
    title: `Allow ${clientName}?`,
    lang: options.lang,
    formTargets: options.formTargets,
    body: `<main>
<h1 id="consent-title" tabindex="-1">Allow ${esc(clientName)}?</h1>
<p class="lead">Signed in as <strong>${esc(message.sub_session.sub)}</strong>. <strong>${esc(clientName)}</strong> would like to:</p>
<form method="post" action="${esc(options.action)}" aria-labelledby="consent-title">
<input type="hidden" name="sid" value="${esc(message.sid)}">
<input type="hidden" name="csrf" value="${esc(options.csrf)}">
${options.keepSignedIn ? '<input type="hidden" name="keep" value="yes">' : ''}
<section aria-labelledby="scopes-heading">
<h2 id="scopes-heading" class="muted">Permissions</h2>
<ul class="grants">${scopes.map(scopeItem).join('')}</ul>
</section>
${claims.length ? `<section aria-labelledby="claims-heading"><h2 id="claims-heading" class="muted">Information about you</h2><p class="claims">${claims.join(', ')}</p></section>` : ''}
${links.length ? `<p class="muted">See the client's ${links.join(' and ')}.</p>` : ''}
<label class="check"><input type="checkbox" name="remember" value="yes" checked> Remember this decision</label>
<div class="actions">
<button type="submit" name="decision" value="deny" class="secondary">Deny</button>
<button type="submit" name="decision" value="allow" class="primary" autofocus>Allow</button>
</div>
</form>
</main>`,
  };
}
