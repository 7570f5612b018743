/**
 * What per-tenant plugins cost on the token endpoint (issue 14: a built-in codec and token-issue events
 * within 10 % of plugins off): two tenants on ONE Tessera node, the same in all but plugins, take the load
 * in turns.
 *
 *   npm run bench:plugins              (BENCH_SECONDS=5, BENCH_ROUNDS=8: about 2½ minutes)
 *
 * This machine's CPU speed may drift by up to 2× over minutes (a VM), so two separate runs of
 * bench:token cannot be compared; here each round runs `plugins off` and then `plugins on` seconds
 * apart on the same process, and the verdict is on the median of the per-round ratios.
 *
 * Both tenants: software EdDSA keys and JWT access tokens, client_credentials with client_secret_basic,
 * plan `bench` (bench/support/bench-plan.ts), addressed with the `Tenant-ID` header.
 *   - plugins off: no plugins, no event endpoints.
 *   - plugins on:  the built-in JWT claims codec (cid/scp renamed to client_id and a space-separated
 *     scope), the built-in custom token response (an extra `tenant_tier` member), an event endpoint for
 *     token.issued and a token-issue events webhook.
 * `token.issued` is written to the event outbox (one XADD to the Redis stream) for EVERY token response
 * whatever the tenant's config, since the audit log records them all: that cost is in both rows, and the
 * difference is what the endpoint and the slot add. No worker runs here, so nothing is delivered; the
 * stream's length is printed afterwards as a check (one entry per token response).
 *
 * Before timing, one response of each tenant is checked: 200, a JWT that verifies with jose against the
 * tenant's JWK set, `cid` and an `scp` array without plugins; `client_id`, a `scope` string, no cid/scp
 * and the extra member with them. Then BENCH_ROUNDS rounds of off, on (on, off in even rounds; each run: 3 s warm-up, 10 s
 * before the first round, then BENCH_SECONDS with 10 connections). The figure is the server process's
 * CPU time per request (/proc), which other load on the machine distorts less than req/s.
 *
 * The node runs pinned to CPU 0 (taskset, where present), this script and autocannon on CPU 1. The bench
 * uses a database, a Redis prefix and a master key of its own and removes them afterwards.
 *
 * Environment:
 *   BENCH_SECONDS    seconds per run (default 5)
 *   BENCH_ROUNDS     rounds of off, on / on, off (default 8)
 *   BENCH_TOKEN_RESPONSE  off: `plugins on` without the custom token response (only the codec and the events)
 *   BENCH_CPU_PROF   when set, the node writes a V8 CPU profile into .cache/prof
 *   TESSERA_QUOTAS   passed to the data plane (as all of the environment is)
 */
import { decodeEvents, EVENT_STREAM } from '@tessera/shared/events/event-stream';
import { KeyStores } from '@tessera/shared/keys/key-stores';
import { Redis } from 'ioredis';
import { freePort } from '../infra/dev/services.ts';
import { type Figure, type LoadTarget, measure, median } from './support/autocannon-load.ts';
import { BenchClient, CLIENT_CREDENTIALS, verifyJwt } from './support/bench-client.ts';
import { hasTaskset, pinSelf, positiveEnv } from './support/bench-env.ts';
import { createBenchPlan } from './support/bench-plan.ts';
import { BenchScope } from './support/bench-scope.ts';
import { createBenchTenant } from './support/bench-tenant.ts';
import { PinnedChildren } from './support/pinned-children.ts';
import { startTesseraNode } from './support/tessera-node.ts';

// Re-run this script pinned to CPU 1 so the load generator never shares the server's core.
pinSelf('1');

const SECONDS = positiveEnv('BENCH_SECONDS', 5);
const ROUNDS = positiveEnv('BENCH_ROUNDS', 8);
const WARMUP_SECONDS = 3;
/** The first round warms up longer: the node's code paths are still being optimised by V8. */
const FIRST_WARMUP_SECONDS = 10;
const CONNECTIONS = 10;
/** Issue 14: plugins on at most 10 % above plugins off (CPU per request). */
const TARGET = 1.1;
const log = (message: string) => process.stderr.write(`[bench:plugins] ${message}\n`);

const KEYS = {
  keys: {
    backend: 'software',
    accessTokenSigningAlgorithm: 'EdDSA',
    idTokenSigningAlgorithm: 'EdDSA',
    signingAlgorithms: ['EdDSA'],
  },
  tokens: { accessTokenFormat: 'jwt' },
  grants: { grantTypes: ['client_credentials'], responseTypes: [] },
};
const TIER = 'gold';
/** BENCH_TOKEN_RESPONSE=off: only what issue 14's acceptance names (the built-in codec and token-issue events). */
const WITH_RESPONSE = process.env.BENCH_TOKEN_RESPONSE !== 'off';
/** Never called: no worker runs, and the slot's events go through the outbox like the endpoint's. */
const PLUGINS = {
  plugins: {
    jwtClaimsCodec: { type: 'builtin', rename: { cid: 'client_id', scp: 'scope' }, scopeFormat: 'string' },
    ...(WITH_RESPONSE ? { customTokenResponse: { type: 'builtin', members: { tenant_tier: TIER } } } : {}),
    tokenIssueEvents: { type: 'webhook', url: 'https://events.example.com/issued' },
  },
  events: { endpoints: [{ url: 'https://events.example.com/hook', types: ['token.issued'] }] },
};
interface Side {
  name: 'plugins off' | 'plugins on';
  tid: string;
  config: Record<string, unknown>;
  /** What one token response must show (claims of the verified access token, and the response's members). */
  check: (claims: Record<string, unknown>, response: Record<string, unknown>) => string | undefined;
}
const OFF: Side = {
  name: 'plugins off',
  tid: 'bench-plugins-off',
  config: KEYS,
  check: (claims, response) =>
    typeof claims.cid !== 'string' || !Array.isArray(claims.scp)
      ? 'expected cid and an scp array'
      : 'client_id' in claims || 'scope' in claims || 'tenant_tier' in response
        ? 'expected no plugin output'
        : undefined,
};
const ON: Side = {
  name: 'plugins on',
  tid: 'bench-plugins-on',
  config: { ...KEYS, ...PLUGINS },
  check: (claims, response) =>
    'cid' in claims || 'scp' in claims
      ? 'cid/scp were not renamed'
      : typeof claims.client_id !== 'string' || typeof claims.scope !== 'string'
        ? 'expected client_id and a scope string'
        : WITH_RESPONSE && response.tenant_tier !== TIER
          ? `expected the member tenant_tier: ${TIER}`
          : undefined,
};
const SIDES = [OFF, ON];

const scope = new BenchScope('plugins');
const client = new BenchClient();
const children = new PinnedChildren();
const issuerOf = (port: number, side: Side) => `http://127.0.0.1:${port}/${side.tid}`;

/** One token of the side, verified and its plugin output checked, before anything is timed. */
async function checkSide(url: string, port: number, side: Side): Promise<void> {
  const headers = { 'tenant-id': side.tid };
  const response = await client.token(url, headers);
  const { payload } = await verifyJwt(
    side.name,
    response.access_token,
    `${url}/jwks.json`,
    headers,
    'EdDSA',
    issuerOf(port, side),
  );
  const problem = side.check(payload, response);
  if (problem)
    throw new Error(
      `${side.name}: ${problem}; claims ${JSON.stringify(payload)}, response members ${Object.keys(response).join(', ')}`,
    );
}

/**
 * The token.issued events in the node's outbox stream (under the bench's Redis prefix), by tenant. A stream
 * entry may hold several events (a node writes one event-loop turn's events as one entry), so they are counted.
 */
async function tokenIssuedByTenant(): Promise<Map<string, number>> {
  const redis = new Redis(scope.settings.redisUrl, { keyPrefix: scope.redisPrefix, maxRetriesPerRequest: 1 });
  const counts = new Map<string, number>();
  try {
    let from = '-';
    for (;;) {
      const page = await redis.xrange(EVENT_STREAM, from, '+', 'COUNT', 1000);
      for (const [, fields] of page)
        for (const event of decodeEvents(fields).events)
          if (event.type === 'token.issued') counts.set(event.tid, (counts.get(event.tid) ?? 0) + 1);
      if (page.length < 1000) return counts;
      from = `(${page.at(-1)![0]}`;
    }
  } finally {
    redis.disconnect();
  }
}

const rounds: Array<{ off: Figure; on: Figure }> = [];
let issued: Map<string, number> | undefined;
const started = Date.now();
try {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const db = await scope.createDatabase();
  await createBenchPlan(db);
  const keyStores = new KeyStores(db, scope.masterKey);
  try {
    for (const side of SIDES)
      await createBenchTenant(
        db,
        keyStores,
        scope.masterKey,
        { tid: side.tid, name: side.name, issuer: issuerOf(port, side), config: side.config },
        client,
      );
  } finally {
    keyStores.close();
  }
  log(`Tessera data plane on ${url}, quotas ${process.env.TESSERA_QUOTAS === 'off' ? 'off' : 'on'} (TESSERA_QUOTAS)`);
  // Software keys only: the node opens no PKCS#11 module, so the developer's SoftHSM tokens stay untouched.
  const node = await startTesseraNode(children, scope, port, { PKCS11_MODULE: '' });
  for (const side of SIDES) await checkSide(url, port, side);
  const target = (side: Side): LoadTarget => ({
    url,
    path: '/token',
    headers: client.headers({ 'tenant-id': side.tid }),
    body: CLIENT_CREDENTIALS,
  });
  const length = (round: number) => ({
    warmup: round === 1 ? FIRST_WARMUP_SECONDS : WARMUP_SECONDS,
    seconds: SECONDS,
    connections: CONNECTIONS,
  });
  for (let round = 1; round <= ROUNDS; round++) {
    const of = ` (round ${round}/${ROUNDS})`;
    // Odd rounds run off first, even rounds on first, so a drift of the CPU's speed within a round cancels out.
    let off: Figure;
    let on: Figure;
    if (round % 2 === 1) {
      off = await measure(`${OFF.name}${of}`, target(OFF), node.pid, length(round), log);
      on = await measure(`${ON.name}${of}`, target(ON), node.pid, length(round), log);
    } else {
      on = await measure(`${ON.name}${of}`, target(ON), node.pid, length(round), log);
      off = await measure(`${OFF.name}${of}`, target(OFF), node.pid, length(round), log);
    }
    rounds.push({ off, on });
  }
  issued = await tokenIssuedByTenant();
} finally {
  await children.stopAll();
  await scope.remove(log);
}

const x = (n: number) => `${n.toFixed(3)}×`;
const cpu = (f: Figure) => f.cpuUs;
const offCpu = rounds.map((r) => cpu(r.off)).filter((v): v is number => v !== undefined);
const onCpu = rounds.map((r) => cpu(r.on)).filter((v): v is number => v !== undefined);
const perRound = rounds.flatMap((r) => (r.off.cpuUs && r.on.cpuUs ? [r.on.cpuUs / r.off.cpuUs] : []));
if (perRound.length === 0) throw new Error('no CPU figures: /proc/<pid>/stat could not be read');
const ratio = median(perRound);
const sum = (pick: (f: Figure) => number) => rounds.reduce((n, r) => n + pick(r.off) + pick(r.on), 0);
const timed2xx = (side: 'off' | 'on') => rounds.reduce((n, r) => n + r[side].requests - r[side].non2xx, 0);

console.log(
  `\nToken endpoint, plugins on vs off on one node (JWT EdDSA, client_credentials + client_secret_basic), ${SECONDS} s per run after ${WARMUP_SECONDS} s warm-up (${FIRST_WARMUP_SECONDS} s in the first round), ${ROUNDS} rounds of off then on (on then off in even rounds), ${CONNECTIONS} connections, loopback` +
    `${hasTaskset ? ', server on CPU 0, load on CPU 1' : ' (not pinned: no taskset)'}, Node ${process.version}`,
);
console.log('| round | off µs CPU/req | on µs CPU/req | on/off | off req/s | on req/s |');
console.log('| ---: | ---: | ---: | ---: | ---: | ---: |');
rounds.forEach((r, i) => {
  const ratioOf = r.off.cpuUs && r.on.cpuUs ? x(r.on.cpuUs / r.off.cpuUs) : '?';
  console.log(
    `| ${i + 1} | ${r.off.cpuUs?.toFixed(0) ?? '?'} | ${r.on.cpuUs?.toFixed(0) ?? '?'} | ${ratioOf} | ${r.off.rps.toFixed(0)} | ${r.on.rps.toFixed(0)} |`,
  );
});
console.log('');
console.log(
  '| plugins off µs CPU/req (median) | plugins on µs CPU/req (median) | ratio of the medians | median per-round ratio | target |',
);
console.log('| ---: | ---: | ---: | ---: | --- |');
console.log(
  `| ${median(offCpu).toFixed(0)} | ${median(onCpu).toFixed(0)} | ${x(median(onCpu) / median(offCpu))} | ${x(ratio)} | ≤ ${TARGET.toFixed(2)}× ${ratio <= TARGET ? 'met' : 'MISSED'} |`,
);
console.log(`\nnon-2xx ${sum((f) => f.non2xx)}, errors ${sum((f) => f.errors)}, timeouts ${sum((f) => f.timeouts)}`);
// One token.issued per token response, in both rows: at least the timed 2xx responses (warm-ups and checks add more).
for (const [side, key] of [
  [OFF, 'off'],
  [ON, 'on'],
] as const) {
  const events = issued?.get(side.tid);
  const verdict = events === undefined ? '?' : events >= timed2xx(key) ? 'ok' : 'TOO FEW';
  console.log(
    `${side.name}: ${events ?? '?'} token.issued events in the outbox stream for ${timed2xx(key)} timed 2xx responses, plus warm-ups and the check (${verdict})`,
  );
}
console.log(`(total ${((Date.now() - started) / 1000).toFixed(0)} s)`);
