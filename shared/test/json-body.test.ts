import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { installErrorHandling } from '../src/http/errors.ts';
import { jsonDepth, MAX_JSON_DEPTH } from '../src/http/json-body.ts';
import { installValidation } from '../src/http/validation.ts';

const nested = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

/** A JSON body nested past the stack (the fuzz test found one: 500 on POST /config/check) is a 400 before validation. */
describe('JSON bodies', () => {
  const app = Fastify();
  installErrorHandling(app);
  installValidation(app);
  // A recursive schema: validating it walks the whole body.
  const Node = { type: 'object', properties: { a: { anyOf: [{ $ref: '#' }, { type: 'number' }] } } };
  app.post('/echo', { schema: { body: Node } }, async (request) => ({ ok: true, body: request.body }));

  it('counts nesting outside strings only', () => {
    expect(jsonDepth('{"a":[1,{"b":"[[[{{{"}]}')).toBe(3);
    expect(jsonDepth('"\\"[[["')).toBe(0);
    expect(jsonDepth(nested(MAX_JSON_DEPTH))).toBe(MAX_JSON_DEPTH);
  });

  it('refuses a body nested deeper than the limit with 400 invalid_request, and parses one at the limit as before', async () => {
    for (const depth of [MAX_JSON_DEPTH + 1, 100_000]) {
      const res = await app.inject({
        method: 'POST',
        url: '/echo',
        headers: { 'content-type': 'application/json' },
        payload: nested(depth),
      });
      expect(res.statusCode, String(depth)).toBe(400);
      expect(res.json()).toMatchObject({
        error: 'invalid_request',
        error_description: expect.stringContaining('nested deeper'),
      });
    }
    const ok = await app.inject({
      method: 'POST',
      url: '/echo',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      payload: nested(MAX_JSON_DEPTH),
    });
    expect(ok.statusCode).toBe(200);
    // fastify's own rules still hold: prototype poisoning and bad JSON are 400s (an empty body is an absent one: absent-body.test.ts).
    for (const payload of ['{"__proto__":{"x":1}}', '{"a":', ' ']) {
      const res = await app.inject({
        method: 'POST',
        url: '/echo',
        headers: { 'content-type': 'application/json' },
        payload,
      });
      expect(res.statusCode, payload).toBe(400);
    }
  });
});
