import type { TenantConfig } from '@tessera/shared/config/tenant-config';
import { esc, type Page } from './html.ts';
import { messagesFor } from './messages.ts';

/**
 * A non-redirectable error: the client or its redirect URI cannot be
 * trusted (or the sign-in or sign-out request expired), so the end-user is
 * told here and nothing links or redirects anywhere.
 */
export function errorPage(
  _config: TenantConfig,
  error: { error: string; error_description: string },
  lang: string,
  /** The heading (default: the sign-in error's; the logout pages name theirs). */
  heading?: string,
): Page {
  const t = messagesFor(lang);
  const title = heading ?? t.errorTitle;
  return {
    title,
    lang,
    body: `<main>
<h1>${esc(title)}</h1>
<div class="alert" role="alert">${esc(error.error_description)}</div>
<p class="muted">${esc(t.errorCode)}: <code>${esc(error.error)}</code>. ${esc(t.errorAdvice)}</p>
</main>`,
  };
}
