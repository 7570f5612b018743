import { HttpError } from '@tessera/shared/http/errors';
import { describe, expect, it } from 'vitest';
import { type CoreAnswer, emptyAnswer, jsonAnswer } from '../../../src/core/core-answer.ts';
import type { CoreRequest } from '../../../src/core/core-request.ts';
import { NOT_FOUND_ROUTE } from '../../../src/core/not-found-route.ts';
import { Pipeline, type PipelineLog } from '../../../src/core/pipeline.ts';
import { noStore } from '../../../src/core/policies/no-store.ts';
import type { Policy } from '../../../src/core/policy.ts';
import { route } from '../../../src/core/route.ts';
import { step } from '../../../src/core/step.ts';
import { when } from '../../../src/core/when.ts';
import { pageErrors } from '../../../src/login/page-errors.ts';

/** The pipeline's own rules (core/pipeline.ts), with routes and policies made here: order, admission, refusals, errors, headers. */

const tenant = { tenant: { tid: 't1', config: { login: { locales: ['en'], primaryColor: '#123456' } } } } as never;
const request = (overrides: Partial<CoreRequest> = {}): CoreRequest => ({
  id: 'r1',
  method: 'POST',
  path: '/x',
  url: '/x',
  headers: {},
  query: {},
  body: {},
  params: {},
  ip: '192.0.2.1',
  receivedAt: performance.now(),
  tenant,
  issuer: 'https://as.example/t1',
  ...overrides,
});

function recorder() {
  const trail: string[] = [];
  const logged: Array<{ level: string; details: Record<string, unknown> }> = [];
  const line = (level: string) => (details: object) =>
    void logged.push({ level, details: details as Record<string, unknown> });
  const log: PipelineLog = { info: line('info'), warn: line('warn'), error: line('error') };
  const policy = (name: string, extra: Partial<Policy> = {}): Policy => ({
    name,
    before: () => void trail.push(`${name}.before`),
    after: (_x, answer) => {
      trail.push(`${name}.after:${answer.status}`);
      answer.headers[`x-${name}`] = '1';
    },
    ...extra,
  });
  return { trail, logged, log, policy };
}

interface State {
  seen?: string[];
}
const mark = (name: string, trail: string[]) =>
  step<State>(name, (x) => {
    trail.push(name);
    (x.state.seen ??= []).push(name);
  });

describe('the pipeline', () => {
  it('runs policies before (in order), admission, the steps, then policies after (in reverse), once each', async () => {
    const { trail, log, policy } = recorder();
    const r = route<State>({
      name: 'r',
      method: 'POST',
      path: '/x',
      admission: [mark('admit', trail)],
      steps: [mark('one', trail), step<State>('answer', async (x) => jsonAnswer({ seen: x.state.seen }))],
    });
    const answer = await new Pipeline([policy('a'), policy('b')], log).run(r, request());
    expect(trail).toEqual(['a.before', 'b.before', 'admit', 'one', 'b.after:200', 'a.after:200']);
    expect(answer).toMatchObject({
      kind: 'json',
      status: 200,
      body: { seen: ['admit', 'one'] },
      headers: { 'x-a': '1', 'x-b': '1' },
    });
  });

  it('admits on the headers first and serves later without admitting again; an admission answer ends the exchange', async () => {
    const { trail, log, policy } = recorder();
    const refuse = step<State>('refuse', () => {
      throw new HttpError(401, 'invalid_token', 'no');
    });
    const open = route<State>({
      name: 'open',
      method: 'GET',
      path: '/o',
      admission: [mark('admit', trail)],
      steps: [step<State>('done', () => emptyAnswer(204))],
    });
    const closed = route<State>({
      name: 'closed',
      method: 'GET',
      path: '/c',
      admission: [refuse],
      steps: [mark('never', trail)],
    });
    const pipeline = new Pipeline([policy('p')], log);

    const x = pipeline.exchange(open, request());
    expect(await pipeline.admit(x)).toBeUndefined();
    expect((await pipeline.serve(x)).status).toBe(204);
    expect(trail).toEqual(['p.before', 'admit', 'p.after:204']);

    trail.length = 0;
    const y = pipeline.exchange(closed, request());
    const early = await pipeline.admit(y);
    expect(early).toMatchObject({ status: 401, body: { error: 'invalid_token' } });
    expect(trail).toEqual(['p.before', 'p.after:401']);
  });

  it('answers what the transport refused through the same policies, before or after admission', async () => {
    const { trail, log, policy } = recorder();
    const r = route<State>({ name: 'r', method: 'POST', path: '/x', steps: [mark('never', trail)] });
    const pipeline = new Pipeline([policy('p')], log);
    const fresh = await pipeline.refuse(
      pipeline.exchange(r, request()),
      new HttpError(400, 'invalid_request', 'Bad request: body is not JSON'),
    );
    expect(fresh).toMatchObject({
      status: 400,
      headers: { 'x-p': '1' },
      body: { error: 'invalid_request', error_description: 'Bad request: body is not JSON' },
    });
    expect(trail).toEqual(['p.before', 'p.after:400']);

    trail.length = 0;
    const x = pipeline.exchange(r, request());
    await pipeline.admit(x);
    await pipeline.refuse(x, new HttpError(400, 'invalid_request', 'late'));
    expect(trail).toEqual(['p.before', 'p.after:400']);
  });

  it('lets a policy answer before any step runs (a quota, say), and the answer still passes every after', async () => {
    const { trail, log, policy } = recorder();
    const quota = policy('quota', { before: () => jsonAnswer({ error: 'slow_down' }, 429, { 'retry-after': '1' }) });
    const r = route<State>({ name: 'r', method: 'POST', path: '/x', steps: [mark('never', trail)] });
    const answer = await new Pipeline([policy('first'), quota, policy('last')], log).run(r, request());
    expect(answer).toMatchObject({
      status: 429,
      headers: { 'retry-after': '1', 'x-first': '1', 'x-quota': '1', 'x-last': '1' },
    });
    expect(trail).toEqual(['first.before', 'last.after:429', 'quota.after:429', 'first.after:429']);
  });

  it('renders errors in one place: expected refusals unlogged, failures a bare 500 logged with route and step', async () => {
    const { log, logged } = recorder();
    const boom = route<State>({
      name: 'boom',
      method: 'POST',
      path: '/x',
      steps: [
        step<State>('explode', () => {
          throw new Error('secret internal detail');
        }),
      ],
    });
    const answer = await new Pipeline([], log).run(boom, request());
    expect(answer).toMatchObject({
      kind: 'json',
      status: 500,
      body: { error: 'server_error', error_description: 'Internal server error' },
    });
    expect(JSON.stringify(answer)).not.toContain('secret internal detail');
    expect(logged).toHaveLength(1);
    expect(logged[0]!.details).toMatchObject({ route: 'boom', step: 'explode', reqId: 'r1', status: 500 });

    const silent = route<State>({
      name: 's',
      method: 'POST',
      path: '/x',
      steps: [
        step<State>('refuse', () => {
          throw new HttpError(400, 'invalid_grant', 'expired');
        }),
      ],
    });
    expect((await new Pipeline([], log).run(silent, request())).status).toBe(400);
    expect(logged).toHaveLength(1);
  });

  it('fails a route whose steps never answer, instead of hanging', async () => {
    const { log } = recorder();
    const r = route<State>({
      name: 'mute',
      method: 'GET',
      path: '/x',
      steps: [step<State>('nothing', () => undefined)],
    });
    expect((await new Pipeline([], log).run(r, request())).status).toBe(500);
  });

  it("renders by the route's error style: HTML pages on the login UI, JSON without a tenant", async () => {
    const { log } = recorder();
    const r = route<State>({
      name: 'page',
      method: 'POST',
      path: '/login/x',
      errors: pageErrors,
      steps: [
        step<State>('refuse', () => {
          throw new HttpError(403, 'invalid_request', 'forged <form>');
        }),
      ],
    });
    const page = await new Pipeline([], log).run(r, request());
    expect(page.kind).toBe('html');
    expect(page.status).toBe(403);
    expect(page.kind === 'html' && page.html).toContain('forged &lt;form&gt;');
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    const bare = await new Pipeline([], log).run(r, request({ tenant: undefined }));
    expect(bare).toMatchObject({ kind: 'json', status: 403, body: { error: 'invalid_request' } });
  });

  it("puts step headers on the answer (the answer's own win; Set-Cookie lines add up) and keeps answers uncached unless they say so", async () => {
    const { log } = recorder();
    const r = route<State>({
      name: 'h',
      method: 'GET',
      path: '/x',
      steps: [
        step<State>('cookies', (x) => {
          x.header('set-cookie', 'a=1');
          x.header('set-cookie', 'b=2');
          x.header('x-shared', 'step');
        }),
        step<State>('answer', () => jsonAnswer({}, 200, { 'x-shared': 'answer', 'set-cookie': 'c=3' })),
      ],
    });
    const answer = await new Pipeline([noStore], log).run(r, request());
    expect(answer.headers).toMatchObject({
      'set-cookie': ['a=1', 'b=2', 'c=3'],
      'x-shared': 'answer',
      'cache-control': 'no-store',
      pragma: 'no-cache',
    });
    const cached = route<State>({
      name: 'c',
      method: 'GET',
      path: '/x',
      steps: [step<State>('public', () => jsonAnswer({}, 200, { 'cache-control': 'public, max-age=60' }))],
    });
    expect((await new Pipeline([noStore], log).run(cached, request())).headers).toEqual({
      'cache-control': 'public, max-age=60',
    });
  });

  it('runs a step under `when` only where it applies, and answers unmatched paths 404 through the policies', async () => {
    const { trail, log, policy } = recorder();
    const r = route<State>({
      name: 'w',
      method: 'POST',
      path: '/x',
      steps: [
        when((x) => x.request.headers.authorization === undefined, mark('byClient', trail)),
        step<State>('done', () => emptyAnswer(200)),
      ],
    });
    const pipeline = new Pipeline([policy('p')], log);
    await pipeline.run(r, request({ headers: { authorization: 'Bearer x' } }));
    await pipeline.run(r, request());
    expect(trail.filter((t) => t === 'byClient')).toHaveLength(1);
    const missing: CoreAnswer = await pipeline.run(NOT_FOUND_ROUTE, request({ method: 'GET', path: '/nowhere' }));
    expect(missing).toMatchObject({
      status: 404,
      headers: { 'x-p': '1' },
      body: { error: 'not_found', error_description: 'No resource at GET /nowhere' },
    });
  });
});
