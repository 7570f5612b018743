import { randomBytes } from 'node:crypto';
import type { TenantConfig } from '@tessera/shared/config/tenant-config';
import { escapeHtml } from '@tessera/shared/text/html-escape';
import { type CoreAnswer, htmlAnswer } from '../core/core-answer.ts';

/** Escape text for HTML element content and double-quoted attribute values. */
export const esc = escapeHtml;

/** A template literal whose interpolations are already-escaped HTML (use `esc` on every untrusted value). */
export interface Page {
  title: string;
  /** BCP 47 language of the page. */
  lang: string;
  body: string;
  /** Origins forms on this page may be submitted (and redirected) to besides the server itself. */
  formTargets?: string[];
  /** Origins this page may frame (front-channel logout); none unless listed. */
  frameTargets?: string[];
  /** An inline script (run with the page's nonce). */
  script?: string;
}

/**
 * How a redirect URI is named in a CSP source list: its origin for http(s),
 * its scheme for a native app's private-use URI (whose origin is "null").
 */
export function cspSource(uri: string): string | undefined {
  try {
    const url = new URL(uri);
    return url.protocol === 'http:' || url.protocol === 'https:'
      ? url.origin
      : /^[a-z][a-z0-9+.-]*:$/.test(url.protocol)
        ? url.protocol
        : undefined;
  } catch {
    return undefined;
  }
}

/** Only http(s) URLs become links (a client stored without the registration checks must not get a script URL in). */
export const isWebUrl = (uri: string | undefined): uri is string => cspSource(uri ?? '')?.startsWith('http') === true;

const STYLE = (color: string) => `
:root { color-scheme: light; --brand: ${color}; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: #f3f4f6; color: #111827; }
main { max-width: 26rem; margin: 4rem auto; padding: 2rem; background: #fff; border-radius: .75rem; box-shadow: 0 1px 3px rgba(0,0,0,.12); }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
p.lead { margin: 0 0 1.5rem; color: #4b5563; }
label { display: block; font-weight: 600; margin: 1rem 0 .25rem; }
input[type=text], input[type=password] { width: 100%; padding: .6rem .75rem; font: inherit; border: 1px solid #9ca3af; border-radius: .375rem; }
input:focus, button:focus { outline: 3px solid var(--brand); outline-offset: 2px; }
.check { display: flex; gap: .5rem; align-items: center; margin: 1rem 0; font-weight: 400; }
.check input { width: 1.1rem; height: 1.1rem; }
.actions { display: flex; gap: .75rem; margin-top: 1.5rem; }
button { flex: 1; padding: .7rem 1rem; font: inherit; font-weight: 600; border-radius: .375rem; border: 1px solid var(--brand); cursor: pointer; }
button.primary { background: var(--brand); color: #fff; }
button.secondary { background: #fff; color: var(--brand); }
.alert { padding: .75rem 1rem; border-radius: .375rem; background: #fef2f2; color: #991b1b; border: 1px solid #fecaca; margin-bottom: 1rem; }
ul.grants { padding-left: 1.25rem; }
ul.grants li { margin: .35rem 0; }
h2 { font-size: 1rem; margin: 1rem 0 .25rem; }
p.claims { margin: 0; }
.muted { color: #6b7280; font-size: .875rem; }
code { font-size: .875rem; }
`;

/**
 * A hosted page as an answer: no external assets (inline CSS and script
 * under a per-response nonce), never cached, never framed, no referrer.
 */
export function pageAnswer(config: TenantConfig, page: Page, status = 200): CoreAnswer {
  const nonce = randomBytes(16).toString('base64');
  const formAction = ["'self'", ...(page.formTargets ?? [])].join(' ');
  const frameSrc = page.frameTargets?.length ? `; frame-src ${page.frameTargets.join(' ')}` : '';
  const csp = `default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'; img-src 'self'; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'${frameSrc}`;
  const html = `<!doctype html>
<html lang="${esc(page.lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${esc(page.title)}</title>
<style nonce="${nonce}">${STYLE(config.login.primaryColor)}</style>
</head>
<body>
${page.body}
${page.script ? `<script nonce="${nonce}">${page.script}</script>` : ''}
</body>
</html>`;
  return htmlAnswer(html, status, {
    'cache-control': 'no-store',
    pragma: 'no-cache',
    'content-security-policy': csp,
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  });
}
