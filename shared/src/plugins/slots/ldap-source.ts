import { Type } from '@sinclair/typebox';

/** An attribute or claim name: letters, digits, `_`, `-`, `.`, `:` (no filter or DN syntax). */
const Name = Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_.:-]{0,127}$' });

/**
 * An LDAP directory (through ldapts) as claims source and password
 * authenticator (docs/plugins/ldap.md): users are found under `baseDn` with
 * `userFilter`, where `{username}` is replaced by the name typed, escaped
 * (RFC 4515); the password is checked by binding as the entry found. The
 * subject is the entry's `subjectAttribute`, and the claims source finds the
 * entry by it. `claims` maps claim names to attribute names. The service
 * account's password is a tenant secret named by `bindPasswordSecret`, never
 * part of the config. `timeoutMs` bounds one whole call (connect, binds,
 * search). Cross-member rules: plugin-checks.ts `ldapRules`.
 */
export const LdapSource = Type.Object(
  {
    type: Type.Literal('ldap'),
    url: Type.String({ minLength: 1, maxLength: 2048, description: 'ldaps:// (ldap:// only for loopback hosts)' }),
    bindDn: Type.Optional(
      Type.String({ minLength: 1, maxLength: 1024, description: 'the service account that searches' }),
    ),
    bindPasswordSecret: Type.Optional(
      // A tenant secret's name (shared/src/plugins/tenant-secret-store.ts SECRET_NAME_PATTERN).
      Type.String({ pattern: '^[a-z][a-z0-9-]{0,62}$', description: 'name of the tenant secret with its password' }),
    ),
    baseDn: Type.String({ minLength: 1, maxLength: 1024 }),
    userFilter: Type.String({ default: '(uid={username})', minLength: 3, maxLength: 512 }),
    subjectAttribute: Type.String({ default: 'uid', pattern: '^[A-Za-z][A-Za-z0-9_.:-]{0,127}$' }),
    claims: Type.Record(Name, Name, { default: {}, description: 'OpenID claim name → LDAP attribute name' }),
    timeoutMs: Type.Integer({ default: 2000, minimum: 50, maximum: 10_000 }),
  },
  { additionalProperties: false },
);
