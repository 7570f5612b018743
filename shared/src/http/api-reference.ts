import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { escapeHtml } from '../text/html-escape.ts';

/**
 * The rendered API reference both planes serve: Swagger UI from the
 * swagger-ui-dist package files, read from node_modules and served by our
 * own server (no CDN, no web fonts), under a strict Content-Security-Policy.
 * The page is static HTML naming same-origin assets; the document URL travels
 * in a data attribute, so no inline script is needed.
 */

/**
 * Why each source: scripts, styles, fonts and fetches only from this origin
 * (`connect-src 'self'`: the OpenAPI document and "try it out" calls, whose
 * servers are this origin). `img-src data:`: swagger-ui.css draws its icons as
 * data: SVG/PNG URLs. No 'unsafe-inline' and no 'unsafe-eval': Swagger UI sets
 * styles through the DOM (not blocked by CSP) and does not evaluate strings
 * (test/api-reference-browser.test.ts fails on any CSP violation).
 */
export const API_REFERENCE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers of the page and of every asset. */
export const API_REFERENCE_HEADERS = {
  'content-security-policy': API_REFERENCE_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
} as const;

/** Our own start-up script: Swagger UI on the document the page names. */
const INIT_SCRIPT = `'use strict';
(() => {
  const root = document.getElementById('swagger-ui');
  window.SwaggerUIBundle({
    url: root.dataset.openapiUrl,
    domNode: root,
    deepLinking: true,
    // null: no validator badge (it would load an image from validator.swagger.io).
    validatorUrl: null,
  });
})();
`;

/** Our own stylesheet: the navigation between a tenant's API documents. */
const PAGE_STYLE = `nav.api-reference-nav { font-family: sans-serif; padding: 12px 20px; border-bottom: 1px solid #ddd; }
nav.api-reference-nav a { margin-right: 16px; color: #3b4151; }
nav.api-reference-nav a[aria-current='page'] { font-weight: bold; text-decoration: none; }
`;

const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';

/** The assets a reference page loads, by file name: from the swagger-ui-dist package, or ours. */
const ASSETS: Record<string, { contentType: string; load: () => string }> = {
  'swagger-ui-bundle.js': { contentType: JS, load: () => packageFile('swagger-ui-bundle.js') },
  'swagger-ui.css': { contentType: CSS, load: () => packageFile('swagger-ui.css') },
  'reference.js': { contentType: JS, load: () => INIT_SCRIPT },
  'reference.css': { contentType: CSS, load: () => PAGE_STYLE },
};

export const API_REFERENCE_ASSET_NAMES: readonly string[] = Object.keys(ASSETS);

let packageDir: string | undefined;
/** Resolved from this module, so the production bundle (dist/) finds the same node_modules. */
function packageFile(name: string): string {
  packageDir ??= dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  return readFileSync(join(packageDir, name), 'utf8');
}

const loaded = new Map<string, string>();

/** An asset by file name (read once, then kept: ~2 MB in all), or undefined for any other name. */
export function apiReferenceAsset(name: string): { contentType: string; text: string } | undefined {
  const asset = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
  if (!asset) return undefined;
  let text = loaded.get(name);
  if (text === undefined) {
    text = asset.load();
    loaded.set(name, text);
  }
  return { contentType: asset.contentType, text };
}

export interface ApiReferencePage {
  title: string;
  /** The OpenAPI document, same-origin (absolute path or relative to the page). */
  documentUrl: string;
  /** Where the assets are, same-origin, without a trailing slash. */
  assetBase: string;
  /** Links to the other documents of the same place (a tenant's APIs); the current one is marked. */
  nav?: ReadonlyArray<{ label: string; href: string; current: boolean }>;
}

/** The HTML of a reference page: only same-origin assets, no inline script or style. */
export function apiReferenceHtml(page: ApiReferencePage): string {
  const asset = (name: string) => escapeHtml(`${page.assetBase}/${name}`);
  const nav = page.nav?.length
    ? `<nav class="api-reference-nav" aria-label="API documents">${page.nav
        .map(
          (link) =>
            `<a href="${escapeHtml(link.href)}"${link.current ? ' aria-current="page"' : ''}>${escapeHtml(link.label)}</a>`,
        )
        .join('')}</nav>`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(page.title)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${asset('swagger-ui.css')}">
<link rel="stylesheet" href="${asset('reference.css')}">
</head>
<body>
${nav}
<main id="swagger-ui" data-openapi-url="${escapeHtml(page.documentUrl)}"></main>
<script src="${asset('swagger-ui-bundle.js')}"></script>
<script src="${asset('reference.js')}"></script>
</body>
</html>
`;
}
