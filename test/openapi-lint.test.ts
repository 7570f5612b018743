import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { RATE_LIMITED_ROUTES } from '@tessera/data-plane/core/policies/limit-token-rate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueTid } from './support/env.ts';
import { type InProcessPlanes, startInProcessPlanes } from './support/planes.ts';

const run = promisify(execFile);
const REDOCLY = fileURLToPath(new URL('../node_modules/@redocly/cli/bin/cli.js', import.meta.url));

interface LintReport {
  totals: { errors: number; warnings: number };
  problems: Array<{ ruleId: string; severity: string; message: string; location: Array<{ pointer: string }> }>;
}

/** `redocly lint --extends recommended` on one document: its JSON report (it exits non-zero on errors). */
async function lint(dir: string, name: string, document: unknown): Promise<LintReport> {
  const file = join(dir, `${name}.json`);
  await writeFile(file, JSON.stringify(document, null, 2));
  const args = [REDOCLY, 'lint', '--extends', 'recommended', '--format', 'json', file];
  const { stdout } = await run(process.execPath, args, { maxBuffer: 32 * 1024 * 1024 }).catch(
    (error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }),
  );
  const report = JSON.parse(stdout) as LintReport;
  for (const p of report.problems)
    console.log(`${name}: ${p.severity} ${p.ruleId} at ${p.location[0]?.pointer ?? '?'}: ${p.message}`);
  return report;
}

interface ApiDocument {
  openapi: string;
  servers: unknown;
  paths: Record<string, Record<string, Record<string, unknown>>>;
}

/** Every operation of a document, with its method and path. */
function operations(document: ApiDocument) {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]) => ({ path, method, operation })),
  );
}

/** The tenant-facing APIs of the data plane, each with its document (`Endpoint.name`). */
const DATA_PLANE_APIS = [
  'client-registration',
  'directory',
  'key-store',
  'authz-store',
  'session-store',
  'logout-sessions',
  'authz-sessions',
  'direct-authz',
  'resource-servers',
];

/** The data-plane operations that can answer 409 (a taken username, an existing resource server identifier). */
const CONFLICTING = ['directory.create', 'directory.replace', 'directory.patch', 'resource-servers.create'];

describe('OpenAPI documents: lint-clean and ready for client generators', () => {
  let planes: InProcessPlanes;
  let dir: string;
  let tid: string;
  let issuer: string;

  beforeAll(async () => {
    planes = await startInProcessPlanes();
    dir = await mkdtemp(join(tmpdir(), 'tessera-openapi-'));
    tid = uniqueTid('openapi');
    issuer = `${planes.dataPlaneUrl}/${tid}`;
    await planes.createTenant({ tid, name: tid, issuer });
  });
  afterAll(async () => {
    await planes.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('the control plane document: operationIds, tags, shared error responses, the tenant config as a component', async () => {
    const res = await planes.cp.inject({
      method: 'GET',
      url: '/openapi.json',
      headers: { authorization: `Bearer ${planes.s.operatorKey}` },
    });
    expect(res.statusCode).toBe(200);
    const document = res.json();
    const ops = operations(document);
    expect(ops.length).toBeGreaterThan(30);
    const ids = ops.map(({ operation }) => operation.operationId);
    expect(ids.every((id) => typeof id === 'string' && id !== '')).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ops.every(({ operation }) => Array.isArray(operation.tags) && operation.tags.length === 1)).toBe(true);

    const create = document.paths['/tenants/rest/v1'].post;
    expect(create.requestBody.content['application/json'].schema.properties.config).toEqual({
      $ref: '#/components/schemas/TenantConfig',
    });
    expect(create.responses['409']).toEqual({ $ref: '#/components/responses/Conflict' });
    expect(create.responses['401']).toEqual({ $ref: '#/components/responses/Unauthorized' });
    expect(document.paths['/tenants/rest/v1/{tid}'].get.responses['404']).toEqual({
      $ref: '#/components/responses/NotFound',
    });
    expect(document.components.schemas.TenantConfig.properties).toHaveProperty('tokens');
    expect(document.components.schemas.Error.required).toEqual(['error', 'error_description']);
    // A query parameter with a default is optional to the caller.
    const list = document.paths['/tenants/rest/v1'].get.parameters as Array<{ name: string; required?: boolean }>;
    expect(list.find((p) => p.name === 'limit')?.required).not.toBe(true);

    const report = await lint(dir, 'control-plane', document);
    expect(report.totals.errors).toBe(0);
  });

  it.each(DATA_PLANE_APIS)(
    'the data plane %s document: served at the issuer, one operation per route named for it',
    async (api) => {
      const res = await fetch(`${issuer}/openapi/${api}.json`);
      expect(res.status).toBe(200);
      const document = (await res.json()) as ApiDocument;
      expect(document.openapi).toBe('3.1.0');
      expect(document.servers).toEqual([{ url: issuer }]);
      const ops = operations(document);
      expect(ops.length).toBeGreaterThan(0);
      for (const { method, path, operation } of ops) {
        expect(operation.operationId, `${method} ${path}`).toMatch(new RegExp(`^${api}(\\.|$)`));
        expect(operation.tags).toEqual([api]);
        expect(operation.responses, `${method} ${path}`).toHaveProperty('401', {
          $ref: '#/components/responses/Unauthorized',
        });
      }
      const report = await lint(dir, api, document);
      expect(report.totals.errors).toBe(0);
    },
  );

  it('409 on exactly the operations that can conflict, 429 on exactly the rate-limited ones', async () => {
    const all = [];
    for (const api of DATA_PLANE_APIS) {
      const document = (await (await fetch(`${issuer}/openapi/${api}.json`)).json()) as ApiDocument;
      all.push(...operations(document));
    }
    const id = (op: { operation: Record<string, unknown> }) => op.operation.operationId as string;
    const responses = (op: { operation: Record<string, unknown> }) => op.operation.responses as Record<string, unknown>;
    const conflicting = all.filter((op) => '409' in responses(op)).map(id);
    expect(conflicting.sort()).toEqual([...CONFLICTING].sort());
    const create = all.find((op) => op.method === 'post' && op.path === '/directory/rest/v1/users');
    expect(create && responses(create)['409']).toEqual({ $ref: '#/components/responses/Conflict' });
    const read = all.find((op) => op.method === 'get' && op.path === '/directory/rest/v1/users/{sub}');
    expect(read && responses(read)).not.toHaveProperty('409');
    expect(read && responses(read)).toHaveProperty('404');
    // The plan's rate limit applies to the token endpoint alone (no API here); quotas and caps refuse with 403.
    const limited = all.filter((op) => '429' in responses(op)).map(id);
    expect(limited).toEqual(all.map(id).filter((name) => RATE_LIMITED_ROUTES.has(name)));
  });

  it('answers 404 with the list of documents for an unknown one', async () => {
    const res = await fetch(`${issuer}/openapi/nothing.json`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error_description: string }).error_description).toContain('client-registration');
  });
});
