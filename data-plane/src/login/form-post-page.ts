import { cspSource, esc, type Page } from './html.ts';
import { messagesFor } from './messages.ts';

/**
 * OAuth 2.0 Form Post Response Mode (§2): the response parameters as
 * hidden fields of a form posted to the client's (verified) redirect URI
 * by a nonce'd script, with a button for browsers without scripting.
 */
export function formPostPage(uri: string, form: Record<string, string>, lang: string): Page {
  const t = messagesFor(lang);
  const fields = Object.entries(form)
    .map(([name, value]) => `<input type="hidden" name="${esc(name)}" value="${esc(value)}">`)
    .join('\n');
  return {
    title: t.continuing,
    lang,
    formTargets: [cspSource(uri)].filter((x): x is string => x !== undefined),
    body: `<main>
<h1>${esc(t.continuing)}</h1>
<form method="post" action="${esc(uri)}">
${fields}
<noscript><div class="actions"><button type="submit" class="primary">${esc(t.continue)}</button></div></noscript>
</form>
</main>`,
    script: 'document.forms[0].submit();',
  };
}
