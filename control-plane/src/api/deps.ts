import type { Client } from '@temporalio/client';
import type { MasterKey } from '@tessera/shared/crypto/master-key';
import type { Db } from '@tessera/shared/db/database';
import type { KeyStores } from '@tessera/shared/keys/key-stores';
import type { Settings } from '@tessera/shared/settings';
import type { Redis } from 'ioredis';
import type { BillingAccountPort } from '../billing/billing-account-port.ts';
import type { TemporalSettings } from '../temporal/temporal-settings.ts';

export interface ControlPlaneDeps {
  db: Db;
  redis: Redis;
  settings: Settings;
  keyStores: KeyStores;
  masterKey: MasterKey;
  /** Starts and follows the tenant workflows (a lazy connection: nothing is dialled until used). */
  temporal: Client;
  temporalSettings: TemporalSettings;
  /** Stripe customers and subscriptions; made from settings (createStripe) when absent. */
  billing?: BillingAccountPort;
}
