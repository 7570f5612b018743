import type { MasterKey } from '@tessera/shared/crypto/master-key';
import type { Db } from '@tessera/shared/db/database';
import type { KeyStores } from '@tessera/shared/keys/key-stores';
import type { Redis } from 'ioredis';
import type { BillingAccountPort } from '../billing/billing-account-port.ts';

/** What activities work with: the real services of the worker process. */
export interface ActivityDeps {
  db: Db;
  redis: Redis;
  redisPrefix: string;
  keyStores: KeyStores;
  masterKey: MasterKey;
  /** A data-plane node's base URL, for the provisioning smoke check. */
  smokeCheckUrl: string;
  /** Stripe customers and subscriptions (billing/stripe-billing-accounts.ts). */
  billing: BillingAccountPort | null;
  /** Whether tenant configs may name plugin modules (`TESSERA_PLUGIN_MODULES=allow`); absent = off. */
  pluginModules?: boolean;
}
