import { ClientStore } from '@tessera/shared/clients/client-store';
import type { MasterKey } from '@tessera/shared/crypto/master-key';
import type { Db } from '@tessera/shared/db/database';
import type { KeyStores } from '@tessera/shared/keys/key-stores';
import { PostgresResourceServerStore } from '@tessera/shared/resources/resource-server-store';
import type { Redis } from 'ioredis';
import { redisGuessingBrake } from '../brakes/password-brake.ts';
import { redisUserCodeBrake } from '../brakes/user-code-brake.ts';
import { PostgresUserDirectory } from '../directory/user-directory.ts';
import type { Clock } from '../ports/clock.ts';
import type { Ports } from '../ports/ports.ts';
import { RedisAccessTokenStore } from './access-token-store.ts';
import { RedisAuthorizationCodeStore } from './authorization-code-store.ts';
import { PostgresAuthorizationStore } from './authorization-store.ts';
import { RedisAuthzSessionStore } from './authz-session-store.ts';
import { ClientCache } from './client-cache.ts';
import { RedisDeviceRequestStore } from './device-request-store.ts';
import { RedisLogoutSessionStore } from './logout-session-store.ts';
import { RedisPushedRequestStore } from './pushed-request-store.ts';
import { PostgresRefreshTokenStore } from './refresh-token-store.ts';
import { RedisReplayCache } from './replay-cache.ts';
import { ResourceServerCache } from './resource-server-cache.ts';
import { PostgresRevocationJournal } from './revocation-journal.ts';
import { RedisSubjectSessionStore } from './subject-session-store.ts';

export interface StoreServices {
  db: Db;
  /** Commands, with the data plane's key prefix. */
  redis: Redis;
  masterKey: MasterKey;
  keyStores: KeyStores;
  clock: Clock;
}

/** The ports of a data plane on its real services (the in-memory twin is ports/memory/memory-ports.ts). */
export function storePorts({ db, redis, masterKey, keyStores, clock }: StoreServices): Ports {
  const clientStore = new ClientStore(db, masterKey, clock);
  const resourceServerStore = new PostgresResourceServerStore(db, clock);
  return {
    clock,
    accessTokens: new RedisAccessTokenStore(redis, clock),
    refreshTokens: new PostgresRefreshTokenStore(db, clock),
    authorizations: new PostgresAuthorizationStore(db, clock),
    codes: new RedisAuthorizationCodeStore(redis, clock),
    sessions: new RedisSubjectSessionStore(redis, clock),
    authzSessions: new RedisAuthzSessionStore(redis),
    logoutSessions: new RedisLogoutSessionStore(redis),
    pushedRequests: new RedisPushedRequestStore(redis, clock),
    deviceRequests: new RedisDeviceRequestStore(redis, clock),
    replay: new RedisReplayCache(redis, clock),
    journal: new PostgresRevocationJournal(db, redis, clock),
    clientStore,
    clients: new ClientCache(clientStore),
    users: new PostgresUserDirectory(db, clock),
    guessingBrake: redisGuessingBrake(redis),
    resourceServerStore,
    resourceServers: new ResourceServerCache(resourceServerStore),
    userCodeBrake: redisUserCodeBrake(redis),
    keyStores,
  };
}
