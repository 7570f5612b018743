import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestServices, type TestServices } from '../../test/support/env.ts';
import { describeError } from '../src/http/errors.ts';
import { isPrintableIdentifier } from '../src/text/printable-identifier.ts';

/** Finding 10: input PostgreSQL refuses is the client's mistake (400), whatever route it came through. */
describe('input the database cannot take', () => {
  let s: TestServices;
  beforeAll(() => {
    s = openTestServices();
  });
  afterAll(async () => {
    await s.close();
  });

  const refusal = async (query: Parameters<typeof sql>[0], ...values: unknown[]) => {
    try {
      await sql(query, ...values).execute(s.db);
    } catch (err) {
      return err;
    }
    throw new Error('the query was accepted');
  };

  it('maps PostgreSQL data exceptions (a NUL in text or JSON, a malformed or out-of-range number) to 400 invalid_request without details', async () => {
    const errors = [
      await refusal`select ${'a\u0000b'}::text`, // 22021
      await refusal`select ${'{"a":"\\u0000"}'}::jsonb`, // 22P05
      await refusal`select ${'not a number'}::int`, // 22P02
      await refusal`select ${'99999999999'}::int`, // 22003
    ];
    for (const err of errors) {
      const answer = describeError(err);
      expect(answer.statusCode, String(err)).toBe(400);
      expect(answer.body.error).toBe('invalid_request');
      expect(answer.body.error_description).not.toMatch(/0x00|jsonb|integer/);
      expect(answer.log).toBeUndefined();
    }
    // Everything else from the database stays a 500 (a bug or an outage), logged.
    const missing = describeError(await refusal`select * from no_such_table`);
    expect(missing.statusCode).toBe(500);
    expect(missing.log).toBe('error');
  });

  it('tells printable identifiers from ones with C0 controls, DEL or lone surrogates', () => {
    for (const ok of ['alice', 'c-1f2e', 'Zoë 😀', 'a b', '\u0085'])
      expect(isPrintableIdentifier(ok), JSON.stringify(ok)).toBe(true);
    for (const bad of ['\u0000', 'a\u0000b', '\t', 'x\n', '\u001f', '\u007f', 'a\ud800', '\udfff'])
      expect(isPrintableIdentifier(bad), JSON.stringify(bad)).toBe(false);
  });
});
