import type { TenantConfig } from '@tessera/shared/config/tenant-config';
import type { DeviceResponseMessage } from '../authz/device-decision.ts';
import { deviceMessagesFor } from './device-messages.ts';
import { esc, type Page } from './html.ts';

/**
 * The "enter the code" page of the device flow (RFC 8628 §3.3): one field,
 * prefilled from `verification_uri_complete`, read as typed (case, dashes
 * and spaces do not matter). A wrong code says only that it is wrong.
 */
export function deviceCodePage(
  config: TenantConfig,
  options: { lang: string; csrf: string; action: string; userCode?: string; error?: string },
): Page {
  const t = deviceMessagesFor(options.lang);
  const described = options.error ? ' aria-describedby="code-error" aria-invalid="true"' : '';
  return {
    title: `${config.login.title} – ${t.title}`,
    lang: options.lang,
    body: `<main>
<h1>${esc(t.title)}</h1>
<p class="lead">${esc(t.enterCode)}</p>
${options.error ? `<div class="alert" role="alert" id="code-error">${esc(options.error)}</div>` : ''}
<form method="post" action="${esc(options.action)}" novalidate>
<input type="hidden" name="csrf" value="${esc(options.csrf)}">
<label for="user_code">${esc(t.code)}</label>
<input type="text" id="user_code" name="user_code" value="${esc(options.userCode ?? '')}" autocomplete="one-time-code" autocapitalize="characters" spellcheck="false" required maxlength="40" autofocus${described}>
<div class="actions"><button type="submit" class="primary">${esc(t.submit)}</button></div>
</form>
</main>`,
  };
}

/** The end of the end-user's part: approved, denied, or too late; either way the device is where to go next. */
export function deviceDonePage(message: DeviceResponseMessage, lang: string): Page {
  const t = deviceMessagesFor(lang);
  const error = message.parameters.error;
  const [title, text] =
    error === undefined
      ? [t.approvedTitle, t.approvedText]
      : error === 'access_denied'
        ? [t.deniedTitle, t.deniedText]
        : [t.endedTitle, t.endedText];
  return {
    title,
    lang,
    body: `<main>
<h1>${esc(title)}</h1>
<p class="lead">${esc(text)}</p>
</main>`,
  };
}
