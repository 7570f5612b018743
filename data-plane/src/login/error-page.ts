import type { TenantConfig } from '@tessera/shared/config/tenant-config';
import { esc, type Page } from './html.ts';
import { messagesFor } from './messages.ts';

/**
 * A non-redirectable error: the client or its redirect URI cannot be
 * trusted (or the sign-in request expired), so the end-user is told here
 * and nothing links or redirects anywhere.
 */
export function errorPage(
  _config: TenantConfig,
  error: { error: string; error_description: string },
  lang: string,
): Page {
  const t = messagesFor(lang);
  return {
    title: t.errorTitle,
    lang,
    body: `<main>
<h1>${esc(t.errorTitle)}</h1>
<div class="alert" role="alert">${esc(error.error_description)}</div>
<p class="muted">${esc(t.errorCode)}: <code>${esc(error.error)}</code>. ${esc(t.errorAdvice)}</p>
</main>`,
  };
}
