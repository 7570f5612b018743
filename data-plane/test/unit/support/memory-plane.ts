import { randomBytes } from 'node:crypto';
import { UNLIMITED } from '@tessera/shared/billing/plan';
import type { TenantConfig } from '@tessera/shared/config/tenant-config';
import { parseTenantConfig } from '@tessera/shared/config/validate-tenant-config';
import { outboundPolicy } from '@tessera/shared/http/outbound-policy';
import { freshKeyPair, type KeyPair, type KeyPairSource } from '@tessera/shared/keys/memory-key-store';
import { SECRET_PURPOSES, type SecretPurpose } from '@tessera/shared/keys/tenant-secrets';
import type { Tenant } from '@tessera/shared/tenancy/tenant';
import { ClientKeySets } from '../../../src/client-auth/client-jwks.ts';
import type { DataPlaneDeps } from '../../../src/data-plane-deps.ts';
import { oauthServices, type PasswordAuthenticator } from '../../../src/oauth/oauth-services.ts';
import { ModuleRunner } from '../../../src/plugins/module-runner.ts';
import { ManualClock } from '../../../src/ports/clock.ts';
import { MemoryApiTokenHashes } from '../../../src/ports/memory/memory-api-token-hashes.ts';
import { MemoryBackchannelLogoutQueue } from '../../../src/ports/memory/memory-backchannel-logout-queue.ts';
import { MemoryEventSink } from '../../../src/ports/memory/memory-event-sink.ts';
import { type MemoryPorts, memoryPorts } from '../../../src/ports/memory/memory-ports.ts';
import { MemoryTenantSecrets } from '../../../src/ports/memory/memory-tenant-secrets.ts';
import { ScriptedWebhookInvoker } from '../../../src/ports/memory/memory-webhook-invoker.ts';
import { TenantContext } from '../../../src/tenancy/tenant-context.ts';
import { TrustedIssuerKeySets } from '../../../src/trust/trusted-issuer-keys.ts';

/** A stand-in for a service unit tests do not have: any use says which one. */
function unavailable<T extends object>(name: string): T {
  return new Proxy({} as T, {
    get(_target, member) {
      if (member === 'then') return undefined; // not a promise
      throw new Error(`unit tests have no ${name} (read ${String(member)}); use a port, or the integration suite`);
    },
  });
}

/**
 * Key pairs made once per test file and handed to every tenant (the n-th
 * key of an algorithm is the same pair everywhere): an RSA key takes most of
 * a second to make, and each tenant needs one for its ID tokens.
 */
const pairs = new Map<string, Promise<KeyPair>>();
const sharedKeyPairs: KeyPairSource = (spec, index) => {
  const name = `${spec.alg}:${spec.rsaKeySize}:${index}`;
  let pair = pairs.get(name);
  if (!pair) pairs.set(name, (pair = freshKeyPair(spec, index)));
  return pair;
};

export interface MemoryPlane {
  clock: ManualClock;
  ports: MemoryPorts;
  /** What grants, client authentication and flows are given: ports in memory, no database, Redis, HSM or metrics. */
  deps: DataPlaneDeps;
  /** The events steps emitted, in order. */
  events: MemoryEventSink;
  /** The back-channel logout notices queued, in order (none is delivered). */
  logoutQueue: MemoryBackchannelLogoutQueue;
  /** Tenants' webhooks: script a slot's answers with `webhooks.on(slot, call => ...)`; calls are recorded. */
  webhooks: ScriptedWebhookInvoker;
  /** Tenants' plugin secrets: `tenantSecrets.set(tid, name, value)`. */
  tenantSecrets: MemoryTenantSecrets;
  /** API tokens minted after a tenant's context was loaded: `apiTokens.add(tid, sha256)`. */
  apiTokens: MemoryApiTokenHashes;
  /** A tenant with this config (defaults applied), its keys made in the in-memory key store. */
  tenant(config?: Record<string, unknown>, tid?: string): Promise<TenantContext>;
}

/**
 * A data plane's dependencies in process memory, on one ManualClock. The
 * composition root builds the same shape from Redis and PostgreSQL
 * (stores/store-ports.ts); here every port is its in-memory twin.
 */
export function memoryPlane(
  options: {
    clock?: ManualClock;
    passwordAuthenticator?: PasswordAuthenticator;
    /** Run module targets (TESSERA_PLUGIN_MODULES=allow); default off, as in the SaaS. */
    pluginModules?: boolean;
  } = {},
): MemoryPlane {
  const clock = options.clock ?? new ManualClock(Date.UTC(2030, 0, 1));
  const ports = memoryPorts(clock, { keyPairs: sharedKeyPairs });
  const events = new MemoryEventSink(clock);
  const logoutQueue = new MemoryBackchannelLogoutQueue();
  const webhooks = new ScriptedWebhookInvoker(new ModuleRunner({ allowed: options.pluginModules === true }));
  const tenantSecrets = new MemoryTenantSecrets();
  const apiTokens = new MemoryApiTokenHashes();
  const deps: DataPlaneDeps = {
    db: unavailable('PostgreSQL'),
    redis: unavailable('Redis'),
    settings: unavailable('settings'),
    metrics: unavailable('metrics registry'),
    masterKey: unavailable('master key'),
    keyStores: ports.keyStores,
    clientStore: ports.clientStore,
    clients: ports.clients,
    directory: ports.users,
    oauth: oauthServices(ports, options.passwordAuthenticator ?? ports.users, webhooks),
    announce: async () => undefined,
    announceClient: async (tid, clientId) => ports.clients.evict(tid, clientId),
    providerMetadata: (_context, issuer) => ({ issuer }),
    outbound: outboundPolicy({ allowPrivate: false }),
    clientKeySets: new ClientKeySets(outboundPolicy({ allowPrivate: false }), clock),
    trustedIssuerKeys: new TrustedIssuerKeySets(outboundPolicy({ allowPrivate: false }), clock),
    events,
    backchannelLogout: logoutQueue,
    webhooks,
    tenantSecrets,
    apiTokens,
  };
  return {
    clock,
    ports,
    deps,
    events,
    logoutQueue,
    webhooks,
    tenantSecrets,
    apiTokens,
    async tenant(input = {}, tid = `t-${randomBytes(4).toString('hex')}`) {
      const config: TenantConfig = parseTenantConfig(input);
      const specs = [...config.keys.signingAlgorithms, ...config.keys.encryptionAlgorithms].map((alg) => ({
        alg,
        rsaKeySize: config.keys.rsaKeySize,
      }));
      await ports.keyStore.generate(tid, specs);
      const now = new Date(clock.now());
      const tenant: Tenant = {
        tid,
        name: tid,
        issuer: `https://op.example/${tid}`,
        status: 'active',
        statusReason: null,
        plan: 'free',
        limits: UNLIMITED,
        attrs: {},
        configVersion: 1,
        config,
        aliases: [],
        createdAt: now,
        updatedAt: now,
      };
      const secrets = Object.fromEntries(SECRET_PURPOSES.map((purpose) => [purpose, randomBytes(32)])) as Record<
        SecretPurpose,
        Buffer
      >;
      return new TenantContext(tenant, ports.keyStore.keys(tid), [], secrets);
    },
  };
}
