import type { TenantConfig } from '@tessera/shared/config/tenant-config';
import { esc, type Page } from './html.ts';

/**
 * A non-redirectable error: the client or its redirect URI cannot be
 * trusted (or the sign-in request expired), so the end-user is told here
 * and nothing links or redirects anywhere.
 */
export function errorPage(_config: TenantConfig, error: { error: string; error_description: string }, lang: string): Page {
  return {
    title: 'Sign-in error',
    lang,
    body: `<main>
<h1>Sign-in error</h1>
<div class="alert" role="alert">${esc(error.error_description)}</div>
<p class="muted">Error code: <code>${esc(error.error)}</code>. Return to the application you came from and try again.</p>
</main>`,
  };
}
