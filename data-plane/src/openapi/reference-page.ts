import { API_REFERENCE_HEADERS, apiReferenceAsset, apiReferenceHtml } from '@tessera/shared/http/api-reference';
import { notFound } from '@tessera/shared/http/errors';
import { htmlAnswer, textAnswer } from '../core/core-answer.ts';
import { route } from '../core/route.ts';
import { type Step, step } from '../core/step.ts';
import { TENANT_SELECTING_HEADERS } from '../tenancy/resolve-request.ts';

/** Public like the documents: the same for every caller of a tenant. */
const PUBLIC_PAGE = { 'cache-control': 'public, max-age=300', vary: TENANT_SELECTING_HEADERS };

/**
 * `{issuer}/openapi/{api}.html`: one API document rendered (Swagger UI, the
 * shared page of shared/http/api-reference.ts), with links to the tenant's
 * other API documents. Every URL in the page is relative (`{api}.json`,
 * `assets/…`), so it works under a path or a host issuer alike. Hands on
 * (answers nothing) for any other file name.
 */
export function referencePageStep(apiNames: () => readonly string[]): Step {
  return step('apiReferencePage', (x) => {
    const file = (x.request.params as { document?: string }).document ?? '';
    const name = file.endsWith('.html') ? file.slice(0, -'.html'.length) : undefined;
    const names = apiNames();
    if (name === undefined || !names.includes(name)) return undefined;
    const html = apiReferenceHtml({
      title: `Tessera ${name} API`,
      documentUrl: `${name}.json`,
      assetBase: 'assets',
      nav: names.map((other) => ({ label: other, href: `${other}.html`, current: other === name })),
    });
    return htmlAnswer(html, 200, { ...API_REFERENCE_HEADERS, ...PUBLIC_PAGE });
  });
}

/** `{issuer}/openapi/assets/{file}`: the page's scripts and styles, from the package files (no CDN). */
export const referenceAssetRoute = route({
  name: 'openapi.asset',
  method: 'GET',
  path: '/openapi/assets/:file',
  steps: [
    step('apiReferenceAsset', (x) => {
      const file = (x.request.params as { file?: string }).file ?? '';
      const asset = apiReferenceAsset(file);
      if (!asset) throw notFound(`No reference asset "${file}"`);
      return textAnswer(asset.contentType, asset.text, 200, {
        ...API_REFERENCE_HEADERS,
        'cache-control': 'public, max-age=86400',
        vary: TENANT_SELECTING_HEADERS,
      });
    }),
  ],
});
