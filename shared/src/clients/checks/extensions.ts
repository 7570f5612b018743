import { fail, type MetadataCheck } from './metadata-check.ts';
import { dangerousScheme, webUri } from './uris.ts';
import { string } from './values.ts';

/** Human-readable members that may carry a BCP 47 language tag (`client_name#fr`, RFC 7591 §2.2). */
const LOCALISABLE = /^(client_name|client_uri|logo_uri|tos_uri|policy_uri)#([A-Za-z0-9]+(?:-[A-Za-z0-9]+)*)$/;

/** Unknown members are kept, but a URI-named one (`*_uri`, `*_uris`) may not carry a script scheme either. */
function checkExtensionMember(name: string, value: unknown): void {
  if (!/_uris?$/.test(name)) return;
  for (const v of Array.isArray(value) ? value : [value]) {
    if (typeof v !== 'string') continue;
    const scheme = dangerousScheme(v);
    if (scheme) fail(`${name} must not use the ${scheme}: scheme`);
  }
}

/**
 * Every member no other check handles (`handled`): a language-tagged variant
 * is checked like its base member; anything else is an extension, kept as sent.
 */
export const checkOtherMembers = (handled: ReadonlySet<string>): MetadataCheck => {
  const checkOther: MetadataCheck = (s) => {
    for (const [name, value] of Object.entries(s.body)) {
      if (handled.has(name)) continue;
      const localised = LOCALISABLE.exec(name);
      if (localised) {
        s.metadata[name] =
          localised[1] === 'client_name'
            ? string(value, name)
            : webUri(value, name, { httpsOnly: false, noFragment: false });
        continue;
      }
      checkExtensionMember(name, value);
      s.metadata[name] = value;
    }
  };
  return checkOther;
};
