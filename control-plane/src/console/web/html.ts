import { escapeHtml } from '@tessera/shared/text/html-escape';

/**
 * A tagged template whose every interpolation is HTML-escaped unless it is
 * already `Html`: pages are type-checked TypeScript and ship inside the
 * esbuild bundle with no template files to copy, which a template engine's
 * file loader would need; the escaping is the one thing it would add.
 */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

function render(value: unknown): string {
  if (value instanceof Html) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === undefined || value === null || value === false) return '';
  return escapeHtml(value);
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1]!;
  return new Html(out);
}

/** Trusted markup (never a value from a request or the database). */
export const trusted = (markup: string): Html => new Html(markup);
