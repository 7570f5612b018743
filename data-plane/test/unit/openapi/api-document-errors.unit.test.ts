import { describe, expect, it } from 'vitest';
import type { Endpoint } from '../../../src/core/endpoint.ts';
import { RATE_LIMITED_ROUTES } from '../../../src/core/policies/limit-token-rate.ts';
import { type AnyRoute, route } from '../../../src/core/route.ts';
import { apiDocument } from '../../../src/openapi/api-document.ts';

const endpoint: Endpoint = { name: 'things', area: 'management', routes: () => [] };

function responsesOf(routes: readonly AnyRoute[], path: string, method: string): Record<string, unknown> {
  const document = apiDocument(endpoint, routes, 'https://op.example/t') as {
    paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
  };
  return document.paths[path]?.[method]?.responses ?? {};
}

describe('API documents: the error responses of each operation', () => {
  it('declares 409 only on a route that lists it', () => {
    const routes = [
      route({ name: 'things.create', method: 'POST', path: '/things', errorStatuses: [409], steps: [] }),
      route({ name: 'things.list', method: 'GET', path: '/things', steps: [] }),
    ];
    expect(responsesOf(routes, '/things', 'post')['409']).toEqual({ $ref: '#/components/responses/Conflict' });
    expect(responsesOf(routes, '/things', 'get')).not.toHaveProperty('409');
    for (const status of ['400', '401', '403', '404'])
      expect(responsesOf(routes, '/things', 'get')).toHaveProperty(status);
  });

  it('declares 429 on the routes the plan rate limit applies to, by route name', () => {
    const [limited] = [...RATE_LIMITED_ROUTES];
    expect(limited).toBeDefined();
    const routes = [
      route({ name: limited as string, method: 'POST', path: '/limited', steps: [] }),
      route({ name: 'things.list', method: 'GET', path: '/things', steps: [] }),
    ];
    expect(responsesOf(routes, '/limited', 'post')['429']).toEqual({
      $ref: '#/components/responses/TooManyRequests',
    });
    expect(responsesOf(routes, '/things', 'get')).not.toHaveProperty('429');
  });
});
