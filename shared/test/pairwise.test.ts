import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { localSubjectOf, pairwiseSubject, sectorIdentifierOf, subjectForClient } from '../src/tokens/pairwise.ts';

describe('pairwise subjects', () => {
  const key = randomBytes(32);

  it('are deterministic per sector, differ between sectors and tenants, and reverse', () => {
    const a = pairwiseSubject(key, 'client.example.com', 'alice');
    expect(pairwiseSubject(key, 'client.example.com', 'alice')).toBe(a);
    expect(pairwiseSubject(key, 'other.example.com', 'alice')).not.toBe(a);
    expect(pairwiseSubject(randomBytes(32), 'client.example.com', 'alice')).not.toBe(a);
    expect(localSubjectOf(key, 'client.example.com', a)).toBe('alice');
    expect(localSubjectOf(key, 'other.example.com', a)).toBeNull();
    expect(localSubjectOf(randomBytes(32), 'client.example.com', a)).toBeNull();
  });

  it('have one length for any local subject, use only URL-safe characters, and refuse tampering', () => {
    const subs = ['a', 'alice', 'ü'.repeat(60), 'x'.repeat(127)];
    const ids = subs.map((s) => pairwiseSubject(key, 'sector', s));
    expect(new Set(ids.map((i) => i.length))).toEqual(new Set([192]));
    for (const [i, id] of ids.entries()) {
      expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(localSubjectOf(key, 'sector', id)).toBe(subs[i]);
    }
    const flipped = ids[1]!.slice(0, 100) + (ids[1]![100] === 'A' ? 'B' : 'A') + ids[1]!.slice(101);
    expect(localSubjectOf(key, 'sector', flipped)).toBeNull();
    expect(localSubjectOf(key, 'sector', 'not-a-pairwise-id')).toBeNull();
    expect(() => pairwiseSubject(key, 'sector', 'x'.repeat(128))).toThrow();
  });

  it('take the sector from the sector_identifier_uri host, a provider URN, or the redirect host', () => {
    expect(
      sectorIdentifierOf({
        sector_identifier_uri: 'https://sector.example.com/ids.json',
        redirect_uris: ['https://a.example.com/cb'],
      }),
    ).toBe('sector.example.com');
    expect(sectorIdentifierOf({ sector_identifier_uri: 'urn:c2id:sector_id:group-1' })).toBe(
      'urn:c2id:sector_id:group-1',
    );
    expect(sectorIdentifierOf({ redirect_uris: ['https://a.example.com:8443/cb'] })).toBe('a.example.com:8443');
    expect(subjectForClient(key, { redirect_uris: ['https://a.example.com/cb'] }, 'alice')).toBe('alice');
    expect(
      subjectForClient(key, { subject_type: 'pairwise', redirect_uris: ['https://a.example.com/cb'] }, 'alice'),
    ).toBe(pairwiseSubject(key, 'a.example.com', 'alice'));
  });
});
