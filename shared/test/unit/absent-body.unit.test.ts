import Fastify from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { installErrorHandling } from '../../src/http/errors.ts';
import { installValidation } from '../../src/http/validation.ts';

/** A bodiless POST to an action route means "no parameters" (issue 12); a body that is there but wrong is still a 400. */
describe('absent bodies', () => {
  const app = Fastify();
  installErrorHandling(app);
  installValidation(app);
  const Options = {
    type: 'object',
    properties: { size: { type: 'integer', default: 2048 } },
    additionalProperties: false,
  };
  const Required = {
    type: 'object',
    properties: { name: { type: 'string' } },
    required: ['name'],
    additionalProperties: false,
  };
  app.post('/rotate', { schema: { body: Options } }, async (request) => ({ body: request.body }));
  app.post('/create', { schema: { body: Required } }, async (request) => ({ body: request.body }));
  // A route's own preValidation still runs, after the absent body became {}.
  app.post(
    '/own-hook',
    {
      schema: { body: { ...Options, additionalProperties: true } },
      preValidation: async (request) => void ((request.body as { seen?: boolean }).seen = true),
    },
    async (request) => ({ body: request.body }),
  );
  app.post('/no-schema', async (request) => ({ absent: request.body === undefined }));
  afterAll(() => app.close());

  const post = (url: string, headers: Record<string, string> = {}, payload?: string) =>
    app.inject({ method: 'POST', url, headers, ...(payload !== undefined ? { payload } : {}) });

  it('validates a POST without a body, or with an empty JSON body, as {} (defaults apply)', async () => {
    for (const headers of [
      {},
      { 'content-type': 'application/json' },
      { 'content-type': 'application/json; charset=utf-8' },
    ] as Record<string, string>[]) {
      const res = await post('/rotate', headers);
      expect(res.statusCode, JSON.stringify(headers)).toBe(200);
      expect(res.json()).toEqual({ body: { size: 2048 } });
    }
    expect((await post('/own-hook')).json()).toEqual({ body: { size: 2048, seen: true } });
    expect((await post('/no-schema', { 'content-type': 'application/json' })).json()).toEqual({ absent: true });
  });

  it('names the missing member where one is required, instead of "body must be object"', async () => {
    const res = await post('/create');
    expect(res.statusCode).toBe(400);
    expect(res.json().error_description).toMatch(/must have required property 'name'/);
    expect(res.json().error_description).not.toMatch(/must be object/);
  });

  it('still refuses a body that is present but not an object', async () => {
    for (const [payload, type] of [
      ['null', 'application/json'],
      ['[]', 'application/json'],
      ['"x"', 'application/json'],
      ['size=1', 'text/plain'],
      [' ', 'application/json'],
    ] as const) {
      const res = await post('/rotate', { 'content-type': type }, payload);
      expect(res.statusCode, payload).toBe(400);
      expect(res.json().error).toBe('invalid_request');
    }
    expect((await post('/rotate', { 'content-type': 'application/json' }, '{"size":"big"}')).statusCode).toBe(400);
  });
});
