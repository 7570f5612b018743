import { Type } from '@sinclair/typebox';

/** An attribute or claim name: letters, digits, `_`, `-`, `.`, `:` (no filter or DN syntax). */
const Name = Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_.:-]{0,127}$' });

/**
 * An LDAP directory (through ldapts) as claims source and password
 * authenticator: users are found under `baseDn` with `userFilter`, where
 * `{username}` is replaced by the escaped name typed; the password is checked
 * by binding as the user found. The service account's password is a tenant
 * secret named by `bindPasswordSecret`, never part of the config.
 */
export const LdapSource = Type.Object(
  {
    type: Type.Literal('ldap'),
    url: Type.String({ minLength: 1, maxLength: 2048, description: 'ldaps:// (ldap:// only for loopback hosts)' }),
    bindDn: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
    bindPasswordSecret: Type.Optional(
      Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,62}$', description: 'name of the tenant secret' }),
    ),
    baseDn: Type.String({ minLength: 1, maxLength: 1024 }),
    userFilter: Type.String({ default: '(uid={username})', minLength: 3, maxLength: 512 }),
    subjectAttribute: Type.String({ default: 'uid', pattern: '^[A-Za-z][A-Za-z0-9_.:-]{0,127}$' }),
    claims: Type.Record(Name, Name, { default: {}, description: 'OpenID claim name → LDAP attribute name' }),
    timeoutMs: Type.Integer({ default: 2000, minimum: 50, maximum: 10_000 }),
  },
  { additionalProperties: false },
);
