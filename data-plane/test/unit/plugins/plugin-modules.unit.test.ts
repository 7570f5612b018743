import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Authorization } from '@tessera/shared/authz/authorization';
import { HttpError } from '@tessera/shared/http/errors';
import { describe, expect, it } from 'vitest';
import { newAuthorization } from '../../../src/grants/new-authorization.ts';
import { callSlotTarget } from '../../../src/plugins/call-slot.ts';
import { ModuleRunner } from '../../../src/plugins/module-runner.ts';
import { ScriptedWebhookInvoker } from '../../../src/ports/memory/memory-webhook-invoker.ts';
import { EC_KEYS, registerClient } from '../support/clients.ts';
import { answerBody } from '../support/core-request.ts';
import { memoryPlane } from '../support/memory-plane.ts';
import { userinfoAnswer } from '../support/userinfo-answer.ts';

// Module targets (self-hosted only): a slot calls an operator's module with the webhook's JSON contract, under the
// slot's timeout and failure rule; a data plane with modules off treats such a slot as a failed call.

const fixture = (name: string) => fileURLToPath(new URL(`fixtures/${name}`, import.meta.url));
const module = (name: string, timeoutMs?: number) => ({
  type: 'module' as const,
  module: fixture(name),
  ...(timeoutMs ? { timeoutMs } : {}),
});

async function setup(pluginModules: boolean, claimsSource: Record<string, unknown>) {
  const plane = memoryPlane({ pluginModules });
  const tenant = await plane.tenant({ ...EC_KEYS, plugins: { claimsSource } });
  await registerClient(plane, tenant, { clientId: 'app' });
  const authz: Authorization = newAuthorization(tenant.tenant.config, {
    sub: 'alice',
    cid: 'app',
    scp: ['openid', 'email'],
    iss: tenant.tenant.issuer,
  });
  return { plane, tenant, authz };
}

/** The private detail of a fail-closed call (logged, never sent). */
async function closedDetail(invoker: ScriptedWebhookInvoker, target: ReturnType<typeof module>): Promise<string> {
  const error = await callSlotTarget(invoker, 't1', 'claimsSource', target, { sub: 'alice', claims: [] }).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(HttpError);
  expect(error).toMatchObject({ statusCode: 503, code: 'temporarily_unavailable' });
  return (error as HttpError).detail!;
}

describe('plugin modules', () => {
  it('a claims source module answers UserInfo claims with the webhook contract (slot, tenant, payload); no webhook is called', async () => {
    const { plane, tenant, authz } = await setup(true, module('claims-module.ts'));
    const answer = await userinfoAnswer(plane, tenant, authz);
    expect(answer.status).toBe(200);
    expect(answerBody(answer)).toEqual({ sub: 'alice', email: `alice@${tenant.tenant.tid}.module.example` });
    expect(plane.webhooks.calls).toHaveLength(0);
    expect(plane.webhooks.moduleCalls).toMatchObject([
      {
        tid: tenant.tenant.tid,
        slot: 'claimsSource',
        module: fixture('claims-module.ts'),
        timeoutMs: 2000,
        payload: { sub: 'alice', claims: ['email', 'email_verified'], client_id: 'app' },
      },
    ]);
  });

  it('a module is imported once per path (its state survives between calls); a file: URL names the same file', async () => {
    const runner = new ModuleRunner({ allowed: true });
    const call = (target: string) =>
      runner.run({
        tid: 't1',
        slot: 'claimsSource',
        module: target,
        timeoutMs: 1000,
        payload: { sub: 'a', claims: [] },
      });
    const first = await call(fixture('claims-module.ts'));
    const second = await call(fixture('claims-module.ts'));
    expect(first).toMatchObject({ ok: true, body: { claims: { email: 'a@t1.module.example' } } });
    const count = (r: typeof first) => (r.ok ? (r.body.claims as { calls: number }).calls : -1);
    expect(count(second)).toBe(count(first) + 1);
    // Node's own module cache holds one instance per URL: the file: URL form shares the counter.
    const third = await call(pathToFileURL(fixture('claims-module.ts')).href);
    expect(count(third)).toBe(count(second) + 1);
  });

  it('the payload never overrides slot or tenant, and crosses as JSON', async () => {
    const runner = new ModuleRunner({ allowed: true });
    const result = await runner.run({
      tid: 't1',
      slot: 'claimsSource',
      module: fixture('claims-module.ts'),
      timeoutMs: 1000,
      payload: { sub: 'a', claims: ['name'], slot: 'passwordGrant', tenant: 'other' },
    });
    expect(result).toMatchObject({
      ok: true,
      body: { claims: { email: 'a@t1.module.example', name: 'Module claimsSource' } },
    });
  });

  it('a module that throws, answers a non-object, times out or does not load is a failed call: the claims source fails closed', async () => {
    const invoker = new ScriptedWebhookInvoker(new ModuleRunner({ allowed: true }));
    expect(await closedDetail(invoker, module('throwing-module.mjs'))).toMatch(/^claimsSource module threw: .*Error$/);
    expect(await closedDetail(invoker, module('array-module.mjs'))).toBe(
      'claimsSource module invalid_answer: answered JSON that is not an object',
    );
    expect(await closedDetail(invoker, module('slow-module.mjs', 50))).toBe(
      'claimsSource module timeout: no answer within 50 ms',
    );
    expect(await closedDetail(invoker, module('no-call-module.mjs'))).toMatch(
      /has no default export with call\(payload\)$/,
    );
    expect(await closedDetail(invoker, module('missing-module.mjs'))).toMatch(
      /could not be loaded: ERR_MODULE_NOT_FOUND$/,
    );
    // The message the module threw is not repeated: it may carry what the payload held (a password, for one).
    expect(await closedDetail(invoker, module('throwing-module.mjs'))).not.toContain('tenant logic broke');
  });

  it('a load error is logged once, not on every call', async () => {
    const logged: string[] = [];
    const runner = new ModuleRunner({ allowed: true, onLoadError: (m) => logged.push(m) });
    const call = () =>
      runner.run({
        tid: 't1',
        slot: 'claimsSource',
        module: fixture('missing-module.mjs'),
        timeoutMs: 500,
        payload: {},
      });
    expect(await call()).toMatchObject({ ok: false, failure: 'load' });
    expect(await call()).toMatchObject({ ok: false, failure: 'load' });
    expect(logged).toEqual([fixture('missing-module.mjs')]);
  });

  it('through UserInfo: a throwing module is a 503 temporarily_unavailable, never the directory', async () => {
    const { plane, tenant, authz } = await setup(true, module('throwing-module.mjs'));
    const answer = await userinfoAnswer(plane, tenant, authz);
    expect(answer.status).toBe(503);
    expect(answerBody(answer)).toEqual({
      error: 'temporarily_unavailable',
      error_description: "The tenant's claims source is unavailable",
    });
  });

  it('a fail-open slot whose module throws goes on as if not configured', async () => {
    const invoker = new ScriptedWebhookInvoker(new ModuleRunner({ allowed: true }));
    const answer = await callSlotTarget(invoker, 't1', 'customTokenResponse', module('throwing-module.mjs'), {});
    expect(answer).toBeUndefined();
    const members = await callSlotTarget(invoker, 't1', 'customTokenResponse', module('claims-module.ts'), {
      sub: 's',
      claims: [],
    });
    expect(members).toMatchObject({ claims: { email: 's@t1.module.example' } });
  });

  it('a data plane with modules off (the default) refuses at call time: the slot fails closed, the file is never imported', async () => {
    const { plane, tenant, authz } = await setup(false, module('claims-module.ts'));
    const answer = await userinfoAnswer(plane, tenant, authz);
    expect(answer.status).toBe(503);
    expect(answerBody(answer)).toMatchObject({ error: 'temporarily_unavailable' });
    const logged: string[] = [];
    const off = new ScriptedWebhookInvoker(new ModuleRunner({ allowed: false, onLoadError: (m) => logged.push(m) }));
    expect(await closedDetail(off, module('missing-module.mjs'))).toBe(
      'claimsSource module off: plugin modules are off (TESSERA_PLUGIN_MODULES)',
    );
    expect(logged).toEqual([]);
  });
});
