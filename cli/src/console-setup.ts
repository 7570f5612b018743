/**
 * The admin console's setup (docs/console.md "Setting up"): the operator
 * tenant, the console's OpenID Connect client there, the resource server its
 * access tokens are for, the control plane's console settings and the first
 * owner. Everything goes over HTTP with the operator key (the control plane)
 * and a temporary integration API token of the operator tenant (its data
 * plane), like the rest of the CLI. Idempotent: a second run changes nothing.
 * Used by `tessera console setup`, `npm start` and the tests.
 */

export interface ConsoleSetupOptions {
  controlPlaneUrl: string; // e.g. http://127.0.0.1:8081
  operatorKey: string; // the operator API key (bearer)
  issuer: string; // the operator tenant's issuer, e.g. https://id.example.com/operators (must be under the platform's issuer bases)
  tid?: string; // default 'operators'
  consoleUrl: string; // where the control plane serves the console (no trailing slash)
  audience?: string; // default `${consoleUrl}/console` — the resource server identifier for control-plane access tokens
  owner?: { username: string; password: string; name?: string }; // first owner: a user in the operator tenant's directory, made a console member with role owner
  onProgress?: (line: string) => void;
}

export interface ConsoleSetupResult {
  tid: string;
  issuer: string;
  clientId: string;
  audience: string;
  ownerSub?: string;
  created: { tenant: boolean; client: boolean; owner: boolean };
}

/** A step that failed: its name, and the HTTP status and the server's words when there was an answer. */
export class ConsoleSetupError extends Error {
  constructor(
    readonly step: string,
    message: string,
    /** The HTTP status of the refusal; undefined when the server could not be reached or nothing was refused. */
    readonly status?: number,
    /** The server's `error` code, when it gave one. */
    readonly code?: string,
  ) {
    super(`console setup, ${step}: ${message}`);
  }
}

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

const CLIENT_NAME = 'Tessera admin console';
const RESOURCE_SERVER_NAME = 'Tessera control plane';
const TENANT_NAME = 'Tessera operators';
/** How long a tenant may take to become active, and the data plane to serve it with a new token. */
const PROVISION_TIMEOUT_MS = 180_000;
const PROPAGATION_TIMEOUT_MS = 30_000;

const enc = encodeURIComponent;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const trimSlash = (url: string) => url.replace(/\/+$/, '');
const sameList = (a: unknown, b: readonly string[]) =>
  Array.isArray(a) && a.length === b.length && a.every((v, i) => v === b[i]);

async function request(step: string, method: string, url: string, token: string, body?: unknown): Promise<Answer> {
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      redirect: 'error',
      signal: AbortSignal.timeout(60_000),
    });
  } catch (e) {
    const cause = (e as { cause?: { message?: string } }).cause?.message ?? (e as Error).message;
    throw new ConsoleSetupError(step, `cannot reach ${new URL(url).origin}: ${cause}`);
  }
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : {};
  } catch {
    parsed = { error_description: text.slice(0, 200) };
  }
  const obj = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  return { status: res.status, body: obj };
}

/** The refusal of `step` as an error: `{status} {error}: {error_description}`. */
function refused(step: string, res: Answer): ConsoleSetupError {
  const error = typeof res.body.error === 'string' ? res.body.error : undefined;
  const description = typeof res.body.error_description === 'string' ? res.body.error_description : '';
  const problems = Array.isArray(res.body.errors)
    ? (res.body.errors as { path?: string; message?: string }[]).map((p) => `${p.path}: ${p.message}`).join('; ')
    : '';
  const words = [description, problems].filter(Boolean).join(' — ');
  return new ConsoleSetupError(
    step,
    `HTTP ${res.status}${error ? ` ${error}` : ''}${words ? `: ${words}` : ''}`,
    res.status,
    error,
  );
}

const accept = (step: string, res: Answer, ...ok: number[]): Answer => {
  if (!ok.includes(res.status)) throw refused(step, res);
  return res;
};

/** The console client's metadata (RFC 7591): code + PKCE at the operator tenant, a confidential client. */
const clientMetadata = (consoleUrl: string) => ({
  client_name: CLIENT_NAME,
  redirect_uris: [`${consoleUrl}/console/callback`],
  post_logout_redirect_uris: [`${consoleUrl}/console/signed-out`],
  grant_types: ['authorization_code'],
  response_types: ['code'],
  token_endpoint_auth_method: 'client_secret_basic',
  scope: 'openid profile email',
});

export async function setUpConsole(o: ConsoleSetupOptions): Promise<ConsoleSetupResult> {
  const cp = trimSlash(o.controlPlaneUrl);
  const issuer = trimSlash(o.issuer);
  const consoleUrl = trimSlash(o.consoleUrl);
  const tid = o.tid ?? 'operators';
  const audience = o.audience ?? `${consoleUrl}/console`;
  const progress = o.onProgress ?? (() => {});
  const op = (step: string, method: string, path: string, body?: unknown) =>
    request(step, method, cp + path, o.operatorKey, body);
  const tenantPath = `/tenants/rest/v1/${enc(tid)}`;
  const created = { tenant: false, client: false, owner: false };
  if (o.owner && o.owner.password.length < 8)
    throw new ConsoleSetupError('owner', "the owner's password must have at least 8 characters");

  // ---- the operator tenant
  let step = 'operator tenant';
  let tenant = await op(step, 'GET', tenantPath);
  if (tenant.status === 404) {
    progress(`creating the operator tenant ${tid} at ${issuer}…`);
    const made = accept(
      step,
      await op(step, 'POST', '/tenants/rest/v1?wait=true', { tid, name: TENANT_NAME, issuer }),
      201,
      202,
    );
    created.tenant = true;
    tenant = made;
  } else {
    accept(step, tenant, 200);
    if (trimSlash(String(tenant.body.issuer)) !== issuer)
      throw new ConsoleSetupError(
        step,
        `the tenant "${tid}" exists with the issuer ${String(tenant.body.issuer)}, not ${issuer}: give --issuer ${String(tenant.body.issuer)} or another --tid`,
      );
  }
  const started = Date.now();
  while (tenant.status === 404 || tenant.body.status === 'provisioning') {
    if (Date.now() - started > PROVISION_TIMEOUT_MS)
      throw new ConsoleSetupError(
        step,
        `the tenant "${tid}" is still provisioning after ${PROVISION_TIMEOUT_MS / 1000}s`,
      );
    await sleep(1000);
    tenant = await op(step, 'GET', tenantPath);
    if (tenant.status !== 404) accept(step, tenant, 200);
  }
  if (tenant.body.status !== 'active')
    throw new ConsoleSetupError(
      step,
      `the tenant "${tid}" is ${String(tenant.body.status)}${tenant.body.status_reason ? ` (${String(tenant.body.status_reason)})` : ''}, not active`,
    );
  progress(`operator tenant ${tid} is active (${issuer})`);

  // ---- a temporary integration API token: the registration master token and the directory's credential
  step = 'temporary API token';
  if (created.tenant) {
    // The creation's token came to this function alone and is not kept: revoke it, leaving no live credential.
    const tokens = accept(step, await op(step, 'GET', `${tenantPath}/api-tokens`), 200).body.api_tokens as {
      id: string;
      label: string;
      revoked_at: string | null;
    }[];
    for (const t of tokens.filter((t) => t.label === 'initial' && !t.revoked_at))
      accept(step, await op(step, 'DELETE', `${tenantPath}/api-tokens/${enc(t.id)}`), 200, 204);
  }
  const minted = accept(step, await op(step, 'POST', `${tenantPath}/api-tokens`, { label: 'console-setup' }), 201).body;
  const apiToken = String(minted.api_token);
  try {
    const dp = (step: string, method: string, path: string, body?: unknown) =>
      request(step, method, issuer + path, apiToken, body);

    // The data plane learns of a new tenant and token through the change channel: wait until it takes the token.
    step = 'data plane';
    for (const until = Date.now() + PROPAGATION_TIMEOUT_MS; ; ) {
      const res = await dp(step, 'GET', '/clients');
      if (res.status === 200) break;
      const waiting =
        res.status === 401 || res.status === 404 || res.status === 503 || res.body.error === 'invalid_tenant';
      if (!waiting || Date.now() > until) throw refused(`${step} (${issuer}/clients)`, res);
      await sleep(250);
    }

    // ---- the console client
    step = 'console client';
    const metadata = clientMetadata(consoleUrl);
    const settingsRes = await op('console settings', 'GET', '/console/rest/v1/settings');
    if (settingsRes.status !== 404) accept('console settings', settingsRes, 200);
    const settings = settingsRes.status === 200 ? settingsRes.body : undefined;
    let client: { id: string; secret: string | undefined } | undefined;
    if (settings && trimSlash(String(settings.issuer)) === issuer) {
      const id = String(settings.client_id);
      const found = await dp(step, 'GET', `/clients/${enc(id)}`);
      if (found.status !== 404) accept(step, found, 200);
      if (found.status === 200) {
        const secret = typeof found.body.client_secret === 'string' ? found.body.client_secret : undefined;
        const same =
          sameList(found.body.redirect_uris, metadata.redirect_uris) &&
          sameList(found.body.post_logout_redirect_uris, metadata.post_logout_redirect_uris);
        if (same) {
          progress(`keeping the console client ${id}`);
          client = { id, secret };
        } else {
          // RFC 7592 §2.2: the update replaces the metadata; the client id and secret stay.
          progress(`updating the console client ${id}'s redirect URIs`);
          const updated = accept(
            step,
            await dp(step, 'PUT', `/clients/${enc(id)}`, { ...metadata, client_id: id }),
            200,
          );
          const s = updated.body.client_secret;
          client = { id, secret: typeof s === 'string' ? s : undefined };
        }
      }
    }
    const settingsCurrent =
      client !== undefined &&
      settings !== undefined &&
      settings.client_id === client.id &&
      settings.audience === audience &&
      trimSlash(String(settings.console_url)) === consoleUrl;
    // A kept client whose secret the tenant keeps only hashed cannot be written to the settings again: a new one then.
    if (!client || (!settingsCurrent && client.secret === undefined)) {
      progress('registering the console client…');
      const registered = accept(step, await dp(step, 'POST', '/clients', metadata), 201).body;
      client = { id: String(registered.client_id), secret: String(registered.client_secret) };
      created.client = true;
    }
    progress(`console client ${client.id}`);

    // ---- the resource server: the control plane's audience, RFC 9068 JWT access tokens, for the console client only
    step = 'resource server';
    const rsPath = `${tenantPath}/resource-servers`;
    const servers = accept(step, await op(step, 'GET', rsPath), 200).body.resource_servers as {
      id: string;
      identifier: string;
      name: string;
      scopes: string[];
      access_token: Record<string, unknown>;
      allowed_clients: '*' | string[];
    }[];
    const wanted = { format: 'jwt', profile: 'oauth-1.0' };
    const existing = servers.find((s) => s.identifier === audience);
    if (!existing) {
      progress(`registering the resource server ${audience}…`);
      accept(
        step,
        await op(step, 'POST', rsPath, {
          identifier: audience,
          name: RESOURCE_SERVER_NAME,
          access_token: wanted,
          allowed_clients: [client.id],
        }),
        201,
      );
    } else if (
      existing.name !== RESOURCE_SERVER_NAME ||
      existing.access_token.format !== wanted.format ||
      existing.access_token.profile !== wanted.profile ||
      !sameList(existing.allowed_clients, [client.id])
    ) {
      progress(`updating the resource server ${audience}…`);
      accept(
        step,
        await op(step, 'PUT', `${rsPath}/${enc(existing.id)}`, {
          name: RESOURCE_SERVER_NAME,
          scopes: existing.scopes,
          access_token: { ...existing.access_token, ...wanted },
          allowed_clients: [client.id],
        }),
        200,
      );
    }
    progress(`resource server ${audience}`);

    // ---- the control plane's console settings
    step = 'console settings';
    if (!settingsCurrent || created.client) {
      progress('saving the console settings…');
      accept(
        step,
        await op(step, 'PUT', '/console/rest/v1/settings', {
          issuer,
          client_id: client.id,
          client_secret: client.secret,
          audience,
          console_url: consoleUrl,
        }),
        204,
      );
    }

    // ---- the first owner
    let ownerSub: string | undefined;
    if (o.owner) {
      step = 'owner';
      const { username, password } = o.owner;
      const users = '/directory/rest/v1/users';
      const made = await dp(step, 'POST', users, { username, password, claims: { name: o.owner.name ?? username } });
      if (made.status === 201) {
        ownerSub = String(made.body.sub);
        created.owner = true;
        progress(`created the user ${username} (${ownerSub}) in the operator tenant`);
      } else if (made.status === 409) {
        // Already there: its password is left as it is.
        const found = accept(step, await dp(step, 'GET', `${users}?username=${enc(username)}`), 200).body.users as {
          sub: string;
        }[];
        if (!found[0]) throw refused(step, made);
        ownerSub = found[0].sub;
      } else {
        throw refused(step, made);
      }
      const members = accept(step, await op(step, 'GET', '/console/rest/v1/members'), 200).body.members as {
        sub: string;
        role: string;
      }[];
      if (members.find((m) => m.sub === ownerSub)?.role !== 'owner') {
        accept(
          step,
          await op(step, 'PUT', `/console/rest/v1/members/${enc(ownerSub)}`, { role: 'owner', label: username }),
          200,
        );
        created.owner = true;
      }
      progress(`${username} (${ownerSub}) is a console owner`);
    }

    return { tid, issuer, clientId: client.id, audience, ...(ownerSub ? { ownerSub } : {}), created };
  } finally {
    // Minted for this run and revoked after it, like the CLI's other temporary tokens.
    const res = await op('temporary API token', 'DELETE', `${tenantPath}/api-tokens/${enc(String(minted.id))}`).catch(
      () => undefined,
    );
    if (res && res.status >= 300) progress(`could not revoke the temporary API token ${String(minted.id)}`);
  }
}
