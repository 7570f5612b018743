import type { MasterKey } from '@tessera/shared/crypto/master-key';
import type { Db } from '@tessera/shared/db/database';
import type { OutboundPolicy } from '@tessera/shared/http/outbound-policy';
import type { BusinessMetrics } from '@tessera/shared/observability/business-metrics';
import type { Settings } from '@tessera/shared/settings';
import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import type { ClientKeySets } from './client-auth/client-jwks.ts';
import type { OAuthServices } from './oauth/oauth-services.ts';
import type { ApiTokenHashes } from './ports/api-token-hashes.ts';
import type { BackchannelLogoutQueue } from './ports/backchannel-logout-queue.ts';
import type { ClientLookup } from './ports/client-lookup.ts';
import type { ClientStore } from './ports/client-store.ts';
import type { EventSink } from './ports/event-sink.ts';
import type { KeyBackends } from './ports/key-backends.ts';
import type { SlotInvoker } from './ports/slot-invoker.ts';
import type { TenantSecrets } from './ports/tenant-secrets.ts';
import type { UserDirectory } from './ports/user-directory.ts';
import type { TenantContext } from './tenancy/tenant-context.ts';
import type { TrustedIssuerKeySets } from './trust/trusted-issuer-keys.ts';

/**
 * The services the composition root (server.ts) builds once per data plane
 * and hands to endpoints, steps, grants and client authentication methods.
 * A leaf of the import graph: it names types only.
 */
export interface DataPlaneDeps {
  db: Db;
  redis: Redis;
  settings: Settings;
  metrics: Registry;
  /** Business metrics (tokens, sign-ins, consents, …); absent in in-memory test planes. */
  business?: BusinessMetrics;
  keyStores: KeyBackends;
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
  /** The provider metadata: the union of what every endpoint of this node contributes (endpoints/discovery.ts serves it). */
  providerMetadata(context: TenantContext, issuer: string): Record<string, unknown>;
  /** Where fetches of client-hosted documents may connect (public addresses unless CLIENT_FETCH_PRIVATE=allow). */
  outbound: OutboundPolicy;
  /** Clients' public keys (registered or fetched from jwks_uri, cached per data plane). */
  clientKeySets: ClientKeySets;
  /** Keys of the issuers tenants trust (config trustedIssuers: token exchange, JWT bearer), cached per data plane. */
  trustedIssuerKeys: TrustedIssuerKeySets;
  /** The event outbox (docs/events.md): steps emit what happened; the worker delivers and audits it. */
  events: EventSink;
  /** Back-channel logout notices waiting for delivery (BullMQ, every node; logout/session-ended.ts queues them). */
  backchannelLogout: BackchannelLogoutQueue;
  /** Calls tenants' webhooks for plugin slots (signed, timed out, retried if idempotent, circuit per tenant and slot) and, self-hosted, operators' modules; see plugins/call-slot.ts. */
  webhooks: SlotInvoker;
  /** Tenants' plugin secrets (e.g. an LDAP bind password), cached per node. */
  tenantSecrets: TenantSecrets;
  /** The tenants' API token hashes as the database has them now, for a token newer than the cached tenant. */
  apiTokens: ApiTokenHashes;
}
