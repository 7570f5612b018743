import { Filter } from 'ldapts';

/**
 * RFC 4515 §3: a value typed by someone (a username, a subject) as an
 * assertion value inside a filter. `*`, `(`, `)`, `\` and NUL become `\2a`,
 * `\28`, `\29`, `\5c`, `\00`, so `*)(uid=*` matches that literal name and
 * nothing else — never string-concatenate raw input into a filter.
 */
export const escapeFilterValue = (value: string): string => Filter.escape(value);

/**
 * The tenant's `userFilter` with every `{username}` replaced by the escaped
 * name. A replacer function, not a string: in a replacement string `$'` or
 * `$&` would paste parts of the template back in (another injection).
 */
export function userFilter(template: string, username: string): string {
  const escaped = escapeFilterValue(username);
  return template.replaceAll('{username}', () => escaped);
}

/** `(attribute=value)`, the value escaped; the attribute is a name the config check allowed. */
export const equalityFilter = (attribute: string, value: string): string =>
  `(${attribute}=${escapeFilterValue(value)})`;
