import { Command, CommanderError, Option } from 'commander';
import { apiError, type Client, client } from './client.ts';
import type { CommandContext } from './command-context.ts';
import { adminTokenCommands } from './commands/admin-tokens.ts';
import { clientCommands } from './commands/clients.ts';
import { dataPlaneCall } from './commands/data-plane.ts';
import { userCommands } from './commands/users.ts';
import { ConsoleSetupError, setUpConsole } from './console-setup.ts';
import { CliError, EXIT, exitCodeForStatus } from './exit-codes.ts';
import { type OutputFormat, render } from './output.ts';
import { resolveProfile } from './profile.ts';
import { readJsonFile } from './read-json-file.ts';

/** Where the CLI writes, and the environment it reads (tests pass their own). */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  env: NodeJS.ProcessEnv;
  /** Whether stderr is a terminal (progress redraws one line) or not (one line per change). */
  tty: boolean;
  /** Poll interval of waits and watches, ms. */
  pollMs?: number;
  /** The whole of standard input (a password given with `--…-stdin`, never in argv). */
  stdin?: () => Promise<string>;
}

const TENANTS = '/tenants/rest/v1';
const enc = encodeURIComponent;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export function buildProgram(io: Io): Command {
  const poll = io.pollMs ?? 1000;
  const program = new Command('tessera')
    .description('Manage Tessera tenants through the control plane API')
    .version('0.1.0')
    .option('--profile <name>', 'profile of the config file to use (default: "default")')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['table', 'json']).default('table'))
    .showHelpAfterError()
    .configureOutput({
      writeOut: (s) => io.out(s.replace(/\n$/, '')),
      writeErr: (s) => io.err(s.replace(/\n$/, '')),
      // A fixed width: the help reads the same everywhere, and docs/cli.md is generated from it.
      getOutHelpWidth: () => 100,
      getErrHelpWidth: () => 100,
    })
    .exitOverride();

  const opts = () => program.opts<{ profile?: string; output: OutputFormat }>();
  const api = (): Client => client(resolveProfile(io.env, opts().profile));
  const print = (v: unknown) => io.out(render(v, opts().output));
  const progress = (line: string) => io.err(io.tty ? `\r\x1b[2K${line}` : line);

  const cmd = (parent: Command, name: string, description: string) =>
    parent.command(name).description(description).exitOverride().configureOutput(program.configureOutput());

  // ---- tenants
  const tenants = cmd(program, 'tenants', 'create, read, change, suspend and delete tenants');
  cmd(tenants, 'create', 'create a tenant from a JSON file (the POST /tenants/rest/v1 body) and wait until active')
    .requiredOption('--config <file>', 'the tenant: {tid, name, issuer, plan?, config?, aliases?, attrs?}')
    .option('--no-wait', 'return at once with the provisioning tenant')
    .option('--timeout <seconds>', 'give up waiting after this long', '120')
    .action(async (o: { config: string; wait: boolean; timeout: string }) => {
      const c = api();
      const body = readJsonFile(o.config);
      const created = await c.call<Record<string, unknown> & { tid: string; api_token: string }>('POST', TENANTS, body);
      if (!o.wait) return print(created);
      const started = Date.now();
      let tenant: Record<string, unknown> = created;
      while (tenant.status === 'provisioning') {
        const secs = Math.round((Date.now() - started) / 1000);
        progress(`provisioning ${created.tid}… ${secs}s`);
        if (secs > Number(o.timeout)) {
          if (io.tty) io.err('');
          throw new CliError(`${created.tid} is still provisioning after ${o.timeout}s`, EXIT.server);
        }
        await sleep(poll);
        const res = await c.raw('GET', `${TENANTS}/${enc(created.tid)}`);
        if (res.status === 404) continue; // the workflow has not written the row yet
        if (res.status >= 300) throw apiError(res);
        tenant = res.body as Record<string, unknown>;
      }
      if (io.tty) io.err('');
      if (tenant.status !== 'active') {
        throw new CliError(
          `${created.tid} ended ${String(tenant.status)}: ${String(tenant.status_reason)}`,
          EXIT.refused,
        );
      }
      progress(`${created.tid} is active (${Math.round((Date.now() - started) / 1000)}s)`);
      if (io.tty) io.err('');
      print({ ...tenant, api_token: created.api_token });
    });
  cmd(tenants, 'list', 'list tenants (every page)')
    .option('--limit <n>', 'page size', '200')
    .action(async (o: { limit: string }) => {
      const c = api();
      const all: Record<string, unknown>[] = [];
      let cursor: string | null = null;
      do {
        const q: string = `?limit=${enc(o.limit)}${cursor ? `&cursor=${enc(cursor)}` : ''}`;
        const page: { tenants: Record<string, unknown>[]; next_cursor: string | null } = await c.call(
          'GET',
          TENANTS + q,
        );
        all.push(...page.tenants);
        cursor = page.next_cursor;
      } while (cursor);
      print(
        opts().output === 'json'
          ? all
          : all.map((t) => ({ tid: t.tid, name: t.name, status: t.status, plan: t.plan, issuer: t.issuer })),
      );
    });
  cmd(tenants, 'get', 'show one tenant')
    .argument('<tid>')
    .action(async (tid: string) => print(await api().call('GET', `${TENANTS}/${enc(tid)}`)));
  cmd(tenants, 'patch', 'change a tenant: name, plan, attrs or the whole config')
    .argument('<tid>')
    .option('--name <name>')
    .option('--plan <plan>')
    .option('--attrs <file>', 'JSON file: the new attrs')
    .option('--config <file>', 'JSON file: the new configuration (replaces the whole of it)')
    .action(async (tid: string, o: { name?: string; plan?: string; attrs?: string; config?: string }) => {
      const body: Record<string, unknown> = {};
      if (o.name !== undefined) body.name = o.name;
      if (o.plan !== undefined) body.plan = o.plan;
      if (o.attrs !== undefined) body.attrs = readJsonFile(o.attrs);
      if (o.config !== undefined) body.config = readJsonFile(o.config);
      if (Object.keys(body).length === 0)
        throw new CliError('nothing to change: give --name, --plan, --attrs or --config', EXIT.usage);
      print(await api().call('PATCH', `${TENANTS}/${enc(tid)}`, body));
    });
  for (const verb of ['suspend', 'resume'] as const) {
    cmd(tenants, verb, `${verb} a tenant`)
      .argument('<tid>')
      .action(async (tid: string) => print(await api().call('POST', `${TENANTS}/${enc(tid)}/${verb}`)));
  }
  cmd(tenants, 'delete', 'delete a tenant and everything it holds')
    .argument('<tid>')
    .option('--no-wait', 'return once deprovisioning has started')
    .action(async (tid: string, o: { wait: boolean }) => {
      await api().call('DELETE', `${TENANTS}/${enc(tid)}${o.wait ? '?wait=true' : ''}`);
      print({ tid, status: o.wait ? 'deleted' : 'deprovisioning' });
    });

  // ---- config
  const config = cmd(program, 'config', 'tenant configurations');
  cmd(config, 'check', 'validate a tenant configuration file; prints every problem with its path')
    .argument('<file>')
    .action(async (file: string) => {
      const body = readJsonFile(file);
      const res = await api().raw('POST', '/config/check', body);
      if (res.status === 204) return io.out(`${file}: valid`);
      throw apiError(res);
    });

  // ---- keys (the data plane's key store API, with a short-lived integration API token)
  const keys = cmd(program, 'keys', "a tenant's signing keys (the data plane's key store API)");
  const withApiToken = async <T>(
    tid: string,
    given: string | undefined,
    f: (issuer: string, token: string) => Promise<T>,
  ) => {
    const c = api();
    const tenant = await c.call<{ issuer: string }>('GET', `${TENANTS}/${enc(tid)}`);
    // commander's .env() reads process.env; io.env is the environment the CLI is given (the same one when run).
    const token = given || io.env.TESSERA_API_TOKEN;
    if (token) return f(tenant.issuer, token);
    // Minted for this one call and revoked after it, so the CLI leaves no live credential behind.
    const minted = await c.call<{ id: string; api_token: string }>('POST', `${TENANTS}/${enc(tid)}/api-tokens`, {
      label: 'tessera-cli',
    });
    try {
      return await f(tenant.issuer, minted.api_token);
    } finally {
      await c.call('DELETE', `${TENANTS}/${enc(tid)}/api-tokens/${enc(minted.id)}`);
    }
  };
  const keyStore = (issuer: string, token: string, method: string, path: string) =>
    dataPlaneCall(issuer, token, method, `/key-store/rest/v1/op${path}`);
  const apiTokenOption = () =>
    new Option('--api-token <token>', 'an integration API token of the tenant (default: a temporary one)').env(
      'TESSERA_API_TOKEN',
    );
  const keyRows = (body: unknown) => {
    const list = (body as { keys?: Record<string, unknown>[] }).keys ?? (body as Record<string, unknown>[]);
    return opts().output === 'json'
      ? body
      : (Array.isArray(list) ? list : []).map((k) => ({
          kid: k.kid,
          alg: k.alg,
          status: k.status,
          nbf: k.nbf,
          exp: k.exp,
        }));
  };
  cmd(keys, 'list', 'the published keys')
    .argument('<tid>')
    .addOption(apiTokenOption())
    .action(async (tid: string, o: { apiToken?: string }) =>
      print(keyRows(await withApiToken(tid, o.apiToken, (iss, t) => keyStore(iss, t, 'GET', '')))),
    );
  cmd(keys, 'rotate', 'new pending keys for the configured algorithms')
    .argument('<tid>')
    .addOption(apiTokenOption())
    .action(async (tid: string, o: { apiToken?: string }) =>
      print(
        keyRows(
          await withApiToken(tid, o.apiToken, async (iss, t) => {
            await keyStore(iss, t, 'POST', '/rotate');
            return keyStore(iss, t, 'GET', '');
          }),
        ),
      ),
    );

  // ---- usage
  cmd(program, 'usage', "a tenant's metered usage")
    .argument('<tid>')
    .option('--from <date>', 'first day, YYYY-MM-DD (default: the first of this month, UTC)')
    .option('--to <date>', 'last day, YYYY-MM-DD (default: today, UTC)')
    .action(async (tid: string, o: { from?: string; to?: string }) => {
      const today = new Date().toISOString().slice(0, 10);
      const q = new URLSearchParams({ from: o.from ?? `${today.slice(0, 8)}01`, to: o.to ?? today });
      const body = await api().call<{ totals?: Record<string, unknown> }>('GET', `${TENANTS}/${enc(tid)}/usage?${q}`);
      print(opts().output === 'json' ? body : (body.totals ?? body));
    });

  // ---- aliases
  const aliases = cmd(program, 'aliases', "a tenant's issuer aliases");
  cmd(aliases, 'list', 'list the aliases')
    .argument('<tid>')
    .action(async (tid: string) => {
      const body = await api().call<{ aliases: unknown[] }>('GET', `${TENANTS}/${enc(tid)}/aliases`);
      print(opts().output === 'json' ? body : body.aliases);
    });
  cmd(aliases, 'add', 'add an alias')
    .argument('<tid>')
    .argument('<issuer>')
    .addOption(new Option('--mode <mode>').choices(['MIGRATION', 'PERSISTED_GRANT_ISOLATION']).makeOptionMandatory())
    .action(async (tid: string, issuer: string, o: { mode: string }) =>
      print(await api().call('POST', `${TENANTS}/${enc(tid)}/aliases`, { issuer, mode: o.mode })),
    );
  cmd(aliases, 'remove', 'remove an alias')
    .argument('<tid>')
    .argument('<issuer>')
    .action(async (tid: string, issuer: string) => {
      await api().call('DELETE', `${TENANTS}/${enc(tid)}/aliases?issuer=${enc(issuer)}`);
      print({ tid, removed: issuer });
    });

  // ---- issuer migrations
  const migrations = cmd(program, 'migrations', 'move a tenant to a new issuer URL');
  const migrationPath = (tid: string, id: string) => `${TENANTS}/${enc(tid)}/issuer-migrations/${enc(id)}`;
  const FINAL = new Set(['completed', 'cancelled', 'failed']);
  const watch = async (tid: string, id: string) => {
    const c = api();
    let last = '';
    for (;;) {
      const m = await c.call<Record<string, unknown>>('GET', migrationPath(tid, id));
      const line = `${String(m.state)}  old issuer requests: ${m.old_issuer_requests ?? 0} (recent ${m.old_issuer_recent_requests ?? 0})${m.window_ends_at ? `  window ends ${String(m.window_ends_at)}` : ''}`;
      if (line !== last || io.tty) progress(line);
      last = line;
      if (FINAL.has(String(m.state))) {
        if (io.tty) io.err('');
        print(m);
        if (m.state === 'failed') throw new CliError(`migration failed: ${String(m.reason)}`, EXIT.refused);
        return;
      }
      await sleep(poll);
    }
  };
  cmd(migrations, 'start', 'start an issuer migration')
    .argument('<tid>')
    .requiredOption('--new-issuer <url>')
    .requiredOption('--window-seconds <n>', 'how long both URLs are served')
    .option('--watch', 'then follow it to its end')
    .action(async (tid: string, o: { newIssuer: string; windowSeconds: string; watch?: boolean }) => {
      const m = await api().call<{ id: string }>('POST', `${TENANTS}/${enc(tid)}/issuer-migrations`, {
        new_issuer: o.newIssuer,
        window_seconds: Number(o.windowSeconds),
      });
      if (o.watch) return watch(tid, m.id);
      print(m);
    });
  cmd(migrations, 'watch', 'show the progress live until the migration ends')
    .argument('<tid>')
    .argument('<id>')
    .action(watch);
  for (const verb of ['complete', 'cancel'] as const) {
    cmd(migrations, verb, verb === 'complete' ? 'end the window now' : 'undo the migration')
      .argument('<tid>')
      .argument('<id>')
      .action(async (tid: string, id: string) => print(await api().call('POST', `${migrationPath(tid, id)}/${verb}`)));
  }

  // ---- integration API tokens
  const apiTokens = cmd(program, 'api-tokens', "a tenant's integration API tokens");
  cmd(apiTokens, 'list', 'list them (never the tokens)')
    .argument('<tid>')
    .action(async (tid: string) => {
      const body = await api().call<{ api_tokens: unknown[] }>('GET', `${TENANTS}/${enc(tid)}/api-tokens`);
      print(opts().output === 'json' ? body : body.api_tokens);
    });
  cmd(apiTokens, 'create', 'mint one (shown this once)')
    .argument('<tid>')
    .option('--label <label>')
    .action(async (tid: string, o: { label?: string }) =>
      print(await api().call('POST', `${TENANTS}/${enc(tid)}/api-tokens`, o.label ? { label: o.label } : {})),
    );
  cmd(apiTokens, 'revoke', 'revoke one')
    .argument('<tid>')
    .argument('<id>')
    .action(async (tid: string, id: string) => {
      await api().call('DELETE', `${TENANTS}/${enc(tid)}/api-tokens/${enc(id)}`);
      print({ id, revoked: true });
    });

  // ---- admin tokens, clients, users (commands/*.ts)
  const context: CommandContext = {
    api,
    format: () => opts().output,
    print,
    note: (line) => io.err(line),
    cmd,
    withApiToken,
    apiTokenOption,
    stdin: () => (io.stdin ?? readStdin)(),
    env: io.env,
  };
  adminTokenCommands(program, context);
  clientCommands(program, context);
  userCommands(program, context);

  // ---- audit
  cmd(program, 'audit', "a tenant's audit log, newest first")
    .argument('<tid>')
    .option('--from <time>', 'ISO 8601')
    .option('--to <time>', 'ISO 8601')
    .option('--action <action>', 'an action or a family (tenant.*)')
    .option('--actor <actor>')
    .option('--limit <n>')
    .option('--cursor <cursor>')
    .action(async (tid: string, o: Record<string, string | undefined>) => {
      const q = new URLSearchParams();
      for (const k of ['from', 'to', 'action', 'actor', 'limit', 'cursor']) if (o[k]) q.set(k, o[k]);
      const body = await api().call<{ records: unknown[] }>(
        'GET',
        `${TENANTS}/${enc(tid)}/audit${q.size ? `?${q}` : ''}`,
      );
      print(opts().output === 'json' ? body : body.records);
    });

  // ---- the admin console (docs/console.md)
  const consoleCmd = cmd(program, 'console', 'the admin console: its setup and its members');
  cmd(
    consoleCmd,
    'setup',
    'create the operator tenant, register the console client and its resource server, save the console settings and make the first owner (idempotent)',
  )
    .requiredOption('--issuer <url>', "the operator tenant's issuer, under one of the platform's issuer bases")
    .requiredOption('--console-url <url>', 'where the control plane serves the console (its own URL)')
    .option('--tid <tid>', 'the operator tenant', 'operators')
    .option('--audience <uri>', "the control plane's resource identifier (default: {console-url}/console)")
    .option('--owner-username <name>', "the first owner: a user of the operator tenant's directory")
    .option('--owner-name <name>', "the owner's display name (default: the username)")
    .option(
      '--owner-password-stdin',
      "read the owner's password from standard input (else TESSERA_CONSOLE_OWNER_PASSWORD)",
    )
    .action(
      async (o: {
        issuer: string;
        consoleUrl: string;
        tid: string;
        audience?: string;
        ownerUsername?: string;
        ownerName?: string;
        ownerPasswordStdin?: boolean;
      }) => {
        const profile = resolveProfile(io.env, opts().profile);
        let owner: { username: string; password: string; name?: string } | undefined;
        if (o.ownerUsername) {
          // Never from argv: a command line is visible to every user of the machine (ps) and kept in shell history.
          const password = o.ownerPasswordStdin
            ? (await (io.stdin ?? readStdin)()).replace(/\r?\n$/, '')
            : io.env.TESSERA_CONSOLE_OWNER_PASSWORD;
          if (!password)
            throw new CliError(
              "--owner-username needs the owner's password: --owner-password-stdin or TESSERA_CONSOLE_OWNER_PASSWORD",
              EXIT.usage,
            );
          owner = { username: o.ownerUsername, password, ...(o.ownerName ? { name: o.ownerName } : {}) };
        } else if (o.ownerPasswordStdin) {
          throw new CliError('--owner-password-stdin needs --owner-username', EXIT.usage);
        }
        let result: Awaited<ReturnType<typeof setUpConsole>>;
        try {
          result = await setUpConsole({
            controlPlaneUrl: profile.url,
            operatorKey: profile.token,
            issuer: o.issuer,
            tid: o.tid,
            consoleUrl: o.consoleUrl.replace(/\/+$/, ''),
            ...(o.audience ? { audience: o.audience } : {}),
            ...(owner ? { owner } : {}),
            onProgress: progress,
          });
        } catch (e) {
          if (!(e instanceof ConsoleSetupError)) throw e;
          const code =
            e.status !== undefined
              ? exitCodeForStatus(e.status, e.code)
              : e.message.includes('cannot reach')
                ? EXIT.server
                : EXIT.refused;
          throw new CliError(e.message, code);
        }
        if (io.tty) io.err('');
        print({
          tid: result.tid,
          issuer: result.issuer,
          client_id: result.clientId,
          audience: result.audience,
          console_url: `${o.consoleUrl.replace(/\/+$/, '')}/console`,
          ...(result.ownerSub ? { owner_sub: result.ownerSub } : {}),
          created: result.created,
        });
      },
    );
  const members = cmd(consoleCmd, 'members', 'who may use the console, and as what');
  const MEMBERS = '/console/rest/v1/members';
  cmd(members, 'list', 'list the members').action(async () => {
    const body = await api().call<{ members: unknown[] }>('GET', MEMBERS);
    print(opts().output === 'json' ? body : body.members);
  });
  cmd(members, 'set', "make an operator tenant's user a member, or change its role")
    .argument('<sub>', "the user's subject at the operator tenant")
    .addOption(
      new Option('--role <role>', 'owner, admin, viewer or tenant-admin')
        .choices(['owner', 'admin', 'viewer', 'tenant-admin'])
        .makeOptionMandatory(),
    )
    .option('--tid <tid>', "a tenant-admin's tenant")
    .option('--label <label>', 'a note on who it is')
    .action(async (sub: string, o: { role: string; tid?: string; label?: string }) =>
      print(
        await api().call('PUT', `${MEMBERS}/${enc(sub)}`, {
          role: o.role,
          ...(o.tid ? { tid: o.tid } : {}),
          ...(o.label ? { label: o.label } : {}),
        }),
      ),
    );
  cmd(members, 'remove', 'remove a member (its next call is refused)')
    .argument('<sub>')
    .action(async (sub: string) => {
      await api().call('DELETE', `${MEMBERS}/${enc(sub)}`);
      print({ sub, removed: true });
    });

  return program;
}

/** Run one command line; the exit code is the result (never throws). */
export async function run(argv: string[], io: Io): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT.ok;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end here too, successfully; every other parse failure is a usage error.
      return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (e instanceof CliError) {
      io.err(`error: ${e.message}`);
      for (const d of e.details) io.err(`  ${d}`);
      return e.exitCode;
    }
    io.err(`error: ${(e as Error).stack ?? String(e)}`);
    return EXIT.server;
  }
}
