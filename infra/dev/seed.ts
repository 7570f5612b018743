import { createDb } from '@tessera/shared/db/database';
import { sha256Hex } from '@tessera/shared/http/api-token';
import { issueApiToken } from '@tessera/control-plane/tenants/tenant-writer';

export interface DemoSeed {
  tid: string;
  issuer: string;
  apiToken: string;
}

/**
 * Make sure the demo tenant exists (created through the control plane API,
 * as a user would) and that we hold a working integration API token for it.
 */
export async function seedDemoTenant(options: {
  controlPlaneUrl: string;
  operatorKey: string;
  databaseUrl: string;
  issuer: string;
  knownApiToken?: string;
}): Promise<DemoSeed> {
  const headers = { authorization: `Bearer ${options.operatorKey}`, 'content-type': 'application/json' };
  const found = await fetch(`${options.controlPlaneUrl}/tenants/rest/v1/demo`, { headers });
  if (found.status === 404) {
    const created = await fetch(`${options.controlPlaneUrl}/tenants/rest/v1`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ tid: 'demo', name: 'Demo tenant', issuer: options.issuer }),
    });
    if (created.status !== 201) throw new Error(`creating the demo tenant failed: ${created.status} ${await created.text()}`);
    const body = (await created.json()) as { api_token: string };
    return { tid: 'demo', issuer: options.issuer, apiToken: body.api_token };
  }
  if (!found.ok) throw new Error(`reading the demo tenant failed: ${found.status} ${await found.text()}`);
  const tenant = (await found.json()) as { issuer: string };
  // The token is shown once; reuse the one in dev.json if it is still on file, else mint another.
  const db = createDb(options.databaseUrl, { max: 1 });
  try {
    if (options.knownApiToken) {
      const row = await db
        .selectFrom('tenant_api_tokens')
        .select('id')
        .where('tid', '=', 'demo')
        .where('token_sha256', '=', sha256Hex(options.knownApiToken))
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      if (row) return { tid: 'demo', issuer: tenant.issuer, apiToken: options.knownApiToken };
    }
    const { token } = await issueApiToken(db, 'demo', 'dev');
    return { tid: 'demo', issuer: tenant.issuer, apiToken: token };
  } finally {
    await db.destroy();
  }
}
