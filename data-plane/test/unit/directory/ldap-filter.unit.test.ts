import { FilterParser } from 'ldapts';
import { describe, expect, it } from 'vitest';
import { equalityFilter, escapeFilterValue, userFilter } from '../../../src/directory/ldap-filter.ts';

// RFC 4515 §3: what a typed name becomes inside the tenant's userFilter.

describe('LDAP filter escaping', () => {
  it('escapes the five characters RFC 4515 reserves, and leaves the rest (UTF-8 included) as typed', () => {
    expect(escapeFilterValue('a*b(c)d\\e\0f')).toBe('a\\2ab\\28c\\29d\\5ce\\00f');
    expect(escapeFilterValue("jöns.o'brien@example.test")).toBe("jöns.o'brien@example.test");
    expect(escapeFilterValue('')).toBe('');
  });

  it('turns an injection attempt into one equality assertion of the literal name', () => {
    const filter = userFilter('(&(objectClass=inetOrgPerson)(uid={username}))', '*)(uid=*');
    expect(filter).toBe('(&(objectClass=inetOrgPerson)(uid=\\2a\\29\\28uid=\\2a))');
    // The parsed filter is an AND of two assertions, the second an equality (no wildcard, no extra OR branch).
    const parsed = FilterParser.parseString(filter) as unknown as { filters: Array<Record<string, unknown>> };
    expect(parsed.filters).toHaveLength(2);
    expect(parsed.filters[1]).toMatchObject({ attribute: 'uid', value: '*)(uid=*' });
    expect(parsed.filters[1]!.constructor.name).toBe('EqualityFilter');
  });

  it('replaces every {username} and never reads $-patterns of the name as replacement syntax', () => {
    expect(userFilter('(|(uid={username})(mail={username}))', 'ann')).toBe('(|(uid=ann)(mail=ann))');
    // With a replacement string, `$'` would paste the rest of the template in (`)(mail=…))`).
    expect(userFilter('(&(uid={username})(ou=staff))', "$'$&$`")).toBe("(&(uid=$'$&$`)(ou=staff))");
  });

  it('builds an equality filter for the subject lookup, escaped the same way', () => {
    expect(equalityFilter('uid', 'ann')).toBe('(uid=ann)');
    expect(equalityFilter('entryUUID', 'x)(|(uid=*')).toBe('(entryUUID=x\\29\\28|\\28uid=\\2a)');
  });
});
