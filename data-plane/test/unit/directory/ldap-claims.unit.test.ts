import { describe, expect, it } from 'vitest';
import { attributeValues, claimsFromEntry } from '../../../src/directory/ldap-claims.ts';

// An ldapts search entry mapped to OpenID Connect claims by a tenant's `claims` mapping.

const entry = {
  dn: 'uid=ann,ou=people,dc=example,dc=test',
  uid: 'ann',
  cn: 'Ann Example',
  givenName: 'Ann',
  mail: ['ann@example.test', 'a.example@example.test'],
  memberOf: ['cn=staff,dc=example,dc=test', 'cn=admins,dc=example,dc=test'],
  departmentNumber: '42',
  emailVerified: 'TRUE',
  phoneVerified: 'maybe',
  postalAddress: '1 Main St$Springfield',
  jpegPhoto: Buffer.from([0xff, 0xd8]),
  description: '',
};

describe('LDAP claims mapping', () => {
  it('finds attributes whatever their case, as text only', () => {
    expect(attributeValues(entry, 'GIVENNAME')).toEqual(['Ann']);
    expect(attributeValues(entry, 'mail')).toHaveLength(2);
    expect(attributeValues(entry, 'jpegPhoto')).toEqual([]);
    expect(attributeValues(entry, 'description')).toEqual([]);
    expect(attributeValues(entry, 'dn')).toEqual([]);
    expect(attributeValues(entry, 'absent')).toEqual([]);
  });

  it('maps claim → attribute: single-valued standard claims take the first value, custom ones keep every value', () => {
    const claims = claimsFromEntry(entry, {
      name: 'cn',
      given_name: 'givenname',
      email: 'mail',
      groups: 'memberOf',
      department: 'departmentNumber',
      email_verified: 'emailVerified',
      address: 'postalAddress',
      picture: 'absent',
    });
    expect(claims).toEqual({
      name: 'Ann Example',
      given_name: 'Ann',
      email: 'ann@example.test',
      groups: ['cn=staff,dc=example,dc=test', 'cn=admins,dc=example,dc=test'],
      department: '42',
      email_verified: true,
      address: { formatted: '1 Main St\nSpringfield' },
    });
  });

  it('leaves out what the claim cannot be: a non-boolean *_verified, a claim the server sets, a bad birthdate', () => {
    const claims = claimsFromEntry(
      { ...entry, birth: '12/31/1999' },
      { phone_number_verified: 'phoneVerified', sub: 'uid', updated_at: 'cn', birthdate: 'birth', nickname: 'uid' },
    );
    expect(claims).toEqual({ nickname: 'ann' });
  });
});
