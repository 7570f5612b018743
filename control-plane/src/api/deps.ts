import type { Redis } from 'ioredis';
import type { Db } from '@tessera/shared/db/database';
import type { KeyStore } from '@tessera/shared/keys/key-store';
import type { Settings } from '@tessera/shared/settings';

export interface ControlPlaneDeps {
  db: Db;
  redis: Redis;
  settings: Settings;
  keyStore: KeyStore;
}
