import { createHash, randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';

export interface FleetTarget {
  /** The tenant's issuer, under the load balancer. */
  issuer: string;
  /** A confidential client_credentials client (client_secret_basic). */
  machine: { clientId: string; secret: string };
  /** A confidential code-flow client (client_secret_basic) and its redirect URI. */
  web: { clientId: string; secret: string; redirectUri: string };
  user: { username: string; password: string };
}

/** One request of the load: when it ran, how it ended, which node served it. */
export interface Sample {
  kind: string;
  started: number;
  ended: number;
  ok: boolean;
  status: number;
  node: string | null;
  /** The code flow it belongs to. */
  flow: number | null;
  detail: string;
}

export interface FlowResult {
  id: number;
  ok: boolean;
  /** The step that broke it and why. */
  failure: string | null;
  /** Nodes that served its requests (from HAProxy's X-Tessera-Node). */
  nodes: Set<string>;
  samples: Sample[];
}

interface Answer {
  status: number;
  body: string;
  location: string | null;
  cookies: string[];
}

class Failed extends Error {}

/** Keep-alive connections, pooled per local address (Node's agent keys its pool on it). */
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

/** One HTTP exchange from `localAddress` (a loopback address of the simulated browser). */
function exchange(
  url: string,
  options: { method: string; headers: Record<string, string>; body?: string; localAddress?: string },
): Promise<Answer & { node: string | null }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: options.method,
        headers: options.headers,
        agent,
        ...(options.localAddress ? { localAddress: options.localAddress } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const header = (name: string) => {
            const v = res.headers[name];
            return typeof v === 'string' ? v : null;
          };
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
            location: header('location'),
            cookies: res.headers['set-cookie'] ?? [],
            node: header('x-tessera-node'),
          });
        });
      },
    );
    req.setTimeout(15_000, () => req.destroy(new Error('no answer within 15 s')));
    req.on('error', reject);
    req.end(options.body);
  });
}

const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
const FORM = 'application/x-www-form-urlencoded';
const field = (html: string, name: string) => html.match(new RegExp(`name="${name}" value="([^"]*)"`))?.[1];

/**
 * A mixed load on a fleet for as long as it runs: loops of client
 * credentials tokens each introspected, loops of discovery and JWK set
 * fetches, and loops of complete code flows with PKCE through the hosted
 * login (sign-in page, password, consent, code at the token endpoint), with
 * cookies carried as a browser would. Every request is kept as a sample; the
 * requests in flight at any moment are known, so a test can tell a failure
 * caused by a node it killed from any other.
 */
export class FleetLoad {
  readonly samples: Sample[] = [];
  readonly flows: FlowResult[] = [];
  readonly #inFlight = new Set<{ started: number; flow: number | null }>();
  #running = false;
  #loops: Promise<void>[] = [];
  #nextFlow = 0;
  #busyWaiters: Array<{ n: number; resolve: () => void }> = [];

  constructor(readonly target: FleetTarget) {}

  /**
   * Start the loops. Each loop runs one unit of work (a token and its
   * introspection, discovery and the JWK set, or a whole code flow) at most
   * every `paceMs`: a steady load that leaves the machine room to restart
   * what the test kills, not a saturating one.
   */
  start(loops: { tokens: number; discovery: number; flows: number; paceMs: number }): void {
    this.#running = true;
    const loop = async (body: () => Promise<void>) => {
      while (this.#running) {
        const next = performance.now() + loops.paceMs;
        await body();
        const rest = next - performance.now();
        if (rest > 0 && this.#running) await new Promise((resolve) => setTimeout(resolve, rest));
      }
    };
    for (let i = 0; i < loops.tokens; i++) this.#loops.push(loop(() => this.#tokenAndIntrospection()));
    for (let i = 0; i < loops.discovery; i++) this.#loops.push(loop(() => this.#discovery()));
    for (let i = 0; i < loops.flows; i++) this.#loops.push(loop(() => this.#codeFlow()));
  }

  /** Stop starting work; resolves when every loop has finished what it was doing. */
  async stop(): Promise<void> {
    this.#running = false;
    await Promise.all(this.#loops);
  }

  /** Resolves once `n` requests are in flight at the same time (a moment to kill a node under load). */
  untilInFlight(n: number): Promise<void> {
    return new Promise((resolve) => this.#busyWaiters.push({ n, resolve }));
  }

  /** What is in flight right now: the count, and the code flows with a request among them. */
  inFlightNow(): { at: number; requests: number; flows: Set<number> } {
    const flows = new Set<number>();
    for (const r of this.#inFlight) if (r.flow !== null) flows.add(r.flow);
    return { at: performance.now(), requests: this.#inFlight.size, flows };
  }

  async #send(
    kind: string,
    url: string,
    init: { form?: Record<string, string>; headers?: Record<string, string>; from?: string },
    expected: number[],
    flow: number | null,
  ): Promise<Answer> {
    const entry = { started: performance.now(), flow };
    this.#inFlight.add(entry);
    const ready = this.#busyWaiters.filter((w) => this.#inFlight.size >= w.n);
    this.#busyWaiters = this.#busyWaiters.filter((w) => !ready.includes(w));
    // After this turn, when the request has been written to its connection.
    for (const w of ready) setImmediate(w.resolve);
    let answer: Answer | null = null;
    let node: string | null = null;
    let detail = '';
    try {
      const res = await exchange(url, {
        method: init.form ? 'POST' : 'GET',
        headers: { ...(init.form ? { 'content-type': FORM } : {}), ...init.headers },
        ...(init.form ? { body: new URLSearchParams(init.form).toString() } : {}),
        ...(init.from ? { localAddress: init.from } : {}),
      });
      node = res.node;
      answer = res;
      if (!expected.includes(res.status)) detail = `${res.status} ${res.body.slice(0, 200)}`;
    } catch (err) {
      detail = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    } finally {
      this.#inFlight.delete(entry);
    }
    const sample: Sample = {
      kind,
      started: entry.started,
      ended: performance.now(),
      ok: answer !== null && detail === '',
      status: answer?.status ?? 0,
      node,
      flow,
      detail,
    };
    this.samples.push(sample);
    if (!sample.ok || !answer) throw new Failed(`${kind}: ${detail}`);
    return answer;
  }

  async #tokenAndIntrospection(): Promise<void> {
    const { issuer, machine } = this.target;
    const auth = { authorization: basic(machine.clientId, machine.secret) };
    try {
      const token = await this.#send(
        'client_credentials',
        `${issuer}/token`,
        { form: { grant_type: 'client_credentials' }, headers: auth },
        [200],
        null,
      );
      const accessToken = (JSON.parse(token.body) as { access_token: string }).access_token;
      const seen = await this.#send(
        'introspection',
        `${issuer}/token/introspect`,
        { form: { token: accessToken }, headers: auth },
        [200],
        null,
      );
      if ((JSON.parse(seen.body) as { active?: boolean }).active !== true) {
        const last = this.samples.at(-1)!;
        last.ok = false;
        last.detail = `inactive: ${seen.body.slice(0, 200)}`;
      }
    } catch (err) {
      if (!(err instanceof Failed)) throw err;
    }
  }

  async #discovery(): Promise<void> {
    const { issuer } = this.target;
    try {
      await this.#send('discovery', `${issuer}/.well-known/openid-configuration`, {}, [200], null);
      await this.#send('jwks', `${issuer}/jwks.json`, {}, [200], null);
    } catch (err) {
      if (!(err instanceof Failed)) throw err;
    }
  }

  async #codeFlow(): Promise<void> {
    const { issuer, web, user } = this.target;
    const id = this.#nextFlow++;
    const flow: FlowResult = { id, ok: false, failure: null, nodes: new Set(), samples: [] };
    this.flows.push(flow);
    const before = this.samples.length;
    const jar = new Map<string, string>();
    const keep = (a: Answer) => {
      for (const line of a.cookies) {
        const pair = line.split(';')[0]!;
        const eq = pair.indexOf('=');
        jar.set(pair.slice(0, eq), pair.slice(eq + 1));
      }
      return a;
    };
    const cookie = () => ({
      cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
    });
    // Each browser signs in from an address of its own (HAProxy passes it on in X-Forwarded-For), as real
    // users do: the password brake counts sign-ins per source address, and one address for all would meet it.
    const from = `127.77.${Math.floor(id / 250) % 250}.${(id % 250) + 1}`;
    const verifier = randomBytes(32).toString('base64url');
    const state = randomBytes(8).toString('hex');
    try {
      const query = new URLSearchParams({
        response_type: 'code',
        client_id: web.clientId,
        redirect_uri: web.redirectUri,
        scope: 'openid',
        state,
        nonce: randomBytes(8).toString('hex'),
        code_challenge: createHash('sha256').update(verifier).digest('base64url'),
        code_challenge_method: 'S256',
      });
      const page = keep(await this.#send('login page', `${issuer}/login?${query}`, { from }, [200], id));
      const signedIn = keep(
        await this.#send(
          'sign-in',
          `${issuer}/login/authenticate`,
          {
            form: {
              sid: field(page.body, 'sid') ?? '',
              csrf: field(page.body, 'csrf') ?? '',
              username: user.username,
              password: user.password,
            },
            headers: cookie(),
            from,
          },
          [200, 303],
          id,
        ),
      );
      // Consent is asked once per user and client; later flows may go straight back to the client.
      const back =
        signedIn.status === 303
          ? signedIn
          : keep(
              await this.#send(
                'consent',
                `${issuer}/login/consent`,
                {
                  form: {
                    sid: field(signedIn.body, 'sid') ?? '',
                    csrf: field(signedIn.body, 'csrf') ?? '',
                    decision: 'allow',
                  },
                  headers: cookie(),
                  from,
                },
                [303],
                id,
              ),
            );
      const redirect = new URL(back.location ?? 'about:blank');
      if (!back.location?.startsWith(`${web.redirectUri}?`) || redirect.searchParams.get('state') !== state)
        throw new Failed(`redirect: ${back.location}`);
      const code = redirect.searchParams.get('code');
      if (!code) throw new Failed(`no code: ${back.location}`);
      const tokens = await this.#send(
        'code exchange',
        `${issuer}/token`,
        {
          form: { grant_type: 'authorization_code', code, redirect_uri: web.redirectUri, code_verifier: verifier },
          headers: { authorization: basic(web.clientId, web.secret) },
          from,
        },
        [200],
        id,
      );
      const body = JSON.parse(tokens.body) as { access_token?: string; id_token?: string };
      if (!body.access_token || !body.id_token) throw new Failed(`tokens: ${tokens.body.slice(0, 200)}`);
      flow.ok = true;
    } catch (err) {
      if (!(err instanceof Failed)) throw err;
      flow.failure = err.message;
    } finally {
      flow.samples = this.samples.slice(before).filter((s) => s.flow === id);
      for (const s of flow.samples) if (s.node) flow.nodes.add(s.node);
    }
  }
}

/** The p-th percentile (0–100) of `values`, nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
