import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import type { Db } from '@tessera/shared/db/database';
import type { KeyStores } from '@tessera/shared/keys/key-stores';
import type { MasterKey } from '@tessera/shared/crypto/master-key';
import type { OutboundPolicy } from '@tessera/shared/http/outbound-policy';
import type { ClientLookup } from '../ports/client-lookup.ts';
import type { ClientStore } from '../ports/client-store.ts';
import type { OAuthServices } from '../oauth/oauth-services.ts';
import type { Settings } from '@tessera/shared/settings';
import type { TenantContext } from '../tenancy/tenant-context.ts';
import type { UserDirectory } from '../ports/user-directory.ts';

export interface DataPlaneDeps {
  db: Db;
  redis: Redis;
  settings: Settings;
  metrics: Registry;
  keyStores: KeyStores;
  masterKey: MasterKey;
  /** Clients in Postgres (writes) and their per-node cache (reads on hot paths). */
  clientStore: ClientStore;
  clients: ClientLookup;
  oauth: OAuthServices;
  /** The built-in user directory (default password authenticator and claims source). */
  directory: UserDirectory;
  /** Record that a tenant changed and make every node (this one first) reload it. */
  announce(tid: string): Promise<void>;
  /** Make every node drop its cached copy of one client. */
  announceClient(tid: string, clientId: string): Promise<void>;
  endpoints: readonly Endpoint[];
  /** Where fetches of client-hosted documents may connect (public addresses unless CLIENT_FETCH_PRIVATE=allow). */
  outbound: OutboundPolicy;
}

/**
 * One endpoint of the data plane: its routes (at issuer-relative paths) and
 * the provider metadata it makes true. Discovery advertises the union of
 * what the registered endpoints contribute, so nothing unimplemented is
 * ever advertised.
 */
export interface Endpoint {
  name: string;
  register(app: FastifyInstance, deps: DataPlaneDeps): void;
  metadata?(context: TenantContext, issuer: string, deps: DataPlaneDeps): Record<string, unknown>;
}
