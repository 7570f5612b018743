import { describe, expect, it } from 'vitest';
import { render } from '../../src/output.ts';

describe('output', () => {
  it('prints a list as aligned columns, the union of the members', () => {
    const text = render(
      [
        { tid: 'acme', status: 'active' },
        { tid: 'globex-corp', status: 'suspended', plan: 'free' },
      ],
      'table',
    );
    expect(text.split('\n')).toEqual([
      'TID          STATUS     PLAN',
      'acme         active',
      'globex-corp  suspended  free',
    ]);
  });

  it('prints one object as member/value lines, nested values as JSON', () => {
    expect(render({ tid: 'acme', attrs: { crm: 'A-17' }, status_reason: null }, 'table').split('\n')).toEqual([
      'tid            acme',
      'attrs          {"crm":"A-17"}',
      'status_reason',
    ]);
  });

  it('prints JSON as the API gave it', () => {
    expect(JSON.parse(render({ a: [1, 2] }, 'json'))).toEqual({ a: [1, 2] });
    expect(render([], 'table')).toBe('(none)');
  });
});
