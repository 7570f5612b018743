import type { TenantConfig } from '@tessera/shared/config/tenant-config';
import type { AuthMessage } from '../authz/authz-flow.ts';
import { esc, type Page } from './html.ts';
import { messagesFor } from './messages.ts';

/**
 * The sign-in page of the `auth` step: username and password checked
 * against the tenant's user directory. Labels on every field, the first
 * empty field focused, the error (if any) announced and tied to the fields.
 */
export function loginPage(
  config: TenantConfig,
  message: AuthMessage,
  options: { lang: string; csrf: string; action: string; error?: string; username?: string; formTargets: string[] },
): Page {
  const t = messagesFor(options.lang);
  const clientName = message.client.name ?? message.client.client_id;
  const username = options.username ?? message.login_hint ?? '';
  const described = options.error ? ' aria-describedby="login-error" aria-invalid="true"' : '';
  return {
    title: `${config.login.title} – ${clientName}`,
    lang: options.lang,
    formTargets: options.formTargets,
    body: `<main>
<h1>${esc(config.login.title)}</h1>
<p class="lead">${esc(t.continueTo)} <strong>${esc(clientName)}</strong></p>
${options.error ? `<div class="alert" role="alert" id="login-error">${esc(options.error)}</div>` : ''}
<form method="post" action="${esc(options.action)}" novalidate>
<input type="hidden" name="sid" value="${esc(message.sid)}">
<input type="hidden" name="csrf" value="${esc(options.csrf)}">
<label for="username">${esc(t.username)}</label>
<input type="text" id="username" name="username" autocomplete="username" autocapitalize="none" spellcheck="false" required value="${esc(username)}"${username ? '' : ' autofocus'}${described}>
<label for="password">${esc(t.password)}</label>
<input type="password" id="password" name="password" autocomplete="current-password" required${username ? ' autofocus' : ''}${described}>
${config.login.allowRememberMe ? `<label class="check"><input type="checkbox" name="remember" value="yes"> ${esc(t.keepSignedIn)}</label>` : ''}
<div class="actions"><button type="submit" class="primary">${esc(t.signIn)}</button></div>
</form>
</main>`,
  };
}
