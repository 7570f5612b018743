import type { TenantConfig } from '@tessera/shared/config/tenant-config';
import { esc, type Page } from '../login/html.ts';
import { messagesFor } from '../login/messages.ts';
import type { ConfirmMessage } from './logout-flow.ts';

/**
 * The logout prompt: "Sign out of all applications?" The end-user confirms
 * (the form carries the CSRF token of this logout session and browser) and
 * chooses IdP-wide logout, or, when a client asked, logout of that client
 * only. `formTargets`: where the answer may redirect (Chromium applies
 * form-action to the redirect after a form post).
 */
export function logoutConfirmPage(
  config: TenantConfig,
  message: ConfirmMessage,
  options: { lang: string; csrf: string; action: string; formTargets: string[] },
): Page {
  const t = messagesFor(options.lang);
  const clientName = message.client ? (message.client.name ?? message.client.client_id) : undefined;
  return {
    title: `${config.login.title} – ${t.signOutTitle}`,
    lang: options.lang,
    formTargets: options.formTargets,
    body: `<main>
<p class="muted">${esc(config.login.title)}</p>
<h1 id="logout-title" tabindex="-1">${esc(t.signOutQuestion)}</h1>
<p class="lead">${clientName ? `${esc(t.signOutAsked(clientName))} ` : ''}${esc(t.signedInAs)} <strong>${esc(message.sub_session.sub)}</strong>.</p>
<form method="post" action="${esc(options.action)}" aria-labelledby="logout-title">
<input type="hidden" name="sid" value="${esc(message.sid)}">
<input type="hidden" name="csrf" value="${esc(options.csrf)}">
<div class="actions">
<button type="submit" name="decision" value="all" class="primary" autofocus>${esc(t.signOutAll)}</button>
${clientName ? `<button type="submit" name="decision" value="client" class="secondary">${esc(t.signOutOnly(clientName))}</button>` : ''}
</div>
</form>
</main>`,
  };
}
