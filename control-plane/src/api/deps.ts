import type { Redis } from 'ioredis';
import type { Db } from '@tessera/shared/db/database';
import type { MasterKey } from '@tessera/shared/crypto/master-key';
import type { KeyStores } from '@tessera/shared/keys/key-stores';
import type { Settings } from '@tessera/shared/settings';

export interface ControlPlaneDeps {
  db: Db;
  redis: Redis;
  settings: Settings;
  keyStores: KeyStores;
  masterKey: MasterKey;
}
