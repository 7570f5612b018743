import { checkCreateTenant } from '@tessera/control-plane/tenants/tenant-input';
import { createTenant } from '@tessera/control-plane/tenants/tenant-writer';
import { ClientStore } from '@tessera/shared/clients/client-store';
import type { MasterKey } from '@tessera/shared/crypto/master-key';
import type { Db } from '@tessera/shared/db/database';
import type { KeyStores } from '@tessera/shared/keys/key-stores';
import type { BenchClient } from './bench-client.ts';

/**
 * A tenant on the `bench` plan (bench/support/bench-plan.ts) with `config`,
 * checked and created as the control plane does, and the bench client
 * registered in it (client_credentials, client_secret_basic).
 */
export async function createBenchTenant(
  db: Db,
  keyStores: KeyStores,
  masterKey: MasterKey,
  tenant: { tid: string; name: string; issuer: string; config: Record<string, unknown> },
  client: BenchClient,
): Promise<void> {
  const checked = checkCreateTenant({ ...tenant, plan: 'bench' }, keyStores.defaultBackend);
  if (!checked.ok) throw new Error(`tenant ${tenant.tid}: ${JSON.stringify(checked.errors)}`);
  await createTenant(db, keyStores, masterKey, checked.value);
  const created = await new ClientStore(db, masterKey).create(tenant.tid, {
    clientId: client.id,
    metadata: {
      grant_types: ['client_credentials'],
      token_endpoint_auth_method: 'client_secret_basic',
      response_types: [],
      redirect_uris: [],
    },
    secret: client.secret,
    secretExpiresAt: null,
    registrationTokenSha256: null,
  });
  if (!created) throw new Error(`client ${client.id} exists in ${tenant.tid}`);
}
