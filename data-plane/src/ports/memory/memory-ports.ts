import { type KeyPairSource, MemoryKeyStore } from '@tessera/shared/keys/memory-key-store';
import { memoryUserCodeBrake } from '../../brakes/user-code-brake.ts';
import { ClientCache } from '../../stores/client-cache.ts';
import { ResourceServerCache } from '../../stores/resource-server-cache.ts';
import { type Clock, ManualClock } from '../clock.ts';
import type { Ports } from '../ports.ts';
import { MemoryAccessTokenStore } from './memory-access-token-store.ts';
import { MemoryAuthorizationCodeStore } from './memory-authorization-code-store.ts';
import { MemoryAuthorizationStore } from './memory-authorization-store.ts';
import { MemoryAuthzSessionStore } from './memory-authz-session-store.ts';
import { MemoryClientStore } from './memory-client-store.ts';
import { MemoryDeviceRequestStore } from './memory-device-request-store.ts';
import { MemoryGrantTables } from './memory-grant-tables.ts';
import { memoryGuessingBrake } from './memory-guessing-brake.ts';
import { MemoryLogoutSessionStore } from './memory-logout-session-store.ts';
import { MemoryPushedRequestStore } from './memory-pushed-request-store.ts';
import { MemoryRefreshTokenStore } from './memory-refresh-token-store.ts';
import { MemoryReplayCache } from './memory-replay-cache.ts';
import { MemoryResourceServerStore } from './memory-resource-server-store.ts';
import { MemoryRevocationJournal } from './memory-revocation-journal.ts';
import { MemorySubjectSessionStore } from './memory-subject-session-store.ts';
import { MemoryUserDirectory } from './memory-user-directory.ts';

/** The in-memory ports, with their concrete types where tests need more (the key store's `keys`, the client store). */
export interface MemoryPorts<C extends Clock = ManualClock> extends Ports {
  clock: C;
  clientStore: MemoryClientStore;
  users: MemoryUserDirectory;
  /** The one key store behind `keyStores` (every backend name routes to it). */
  keyStore: MemoryKeyStore;
}

/**
 * Every port in process memory, all on one clock: no PostgreSQL, Redis or
 * HSM. Each call makes a fresh, empty set (nothing is shared between two).
 */
export function memoryPorts(): MemoryPorts;
export function memoryPorts<C extends Clock>(clock: C, options?: { keyPairs?: KeyPairSource }): MemoryPorts<C>;
export function memoryPorts(
  clock: Clock = new ManualClock(),
  options: { keyPairs?: KeyPairSource } = {},
): MemoryPorts<Clock> {
  const grants = new MemoryGrantTables();
  const clientStore = new MemoryClientStore(clock);
  const keyStore = new MemoryKeyStore(clock, options.keyPairs);
  const resourceServerStore = new MemoryResourceServerStore(clock);
  return {
    clock,
    accessTokens: new MemoryAccessTokenStore(clock),
    refreshTokens: new MemoryRefreshTokenStore(grants, clock),
    authorizations: new MemoryAuthorizationStore(grants, clock),
    codes: new MemoryAuthorizationCodeStore(clock),
    sessions: new MemorySubjectSessionStore(clock),
    authzSessions: new MemoryAuthzSessionStore(clock),
    logoutSessions: new MemoryLogoutSessionStore(clock),
    pushedRequests: new MemoryPushedRequestStore(clock),
    deviceRequests: new MemoryDeviceRequestStore(clock),
    replay: new MemoryReplayCache(clock),
    journal: new MemoryRevocationJournal(clock),
    clientStore,
    clients: new ClientCache(clientStore),
    users: new MemoryUserDirectory(clock),
    guessingBrake: memoryGuessingBrake(),
    resourceServerStore,
    resourceServers: new ResourceServerCache(resourceServerStore),
    userCodeBrake: memoryUserCodeBrake(),
    keyStore,
    keyStores: { for: () => keyStore, forgetTenant: () => undefined },
  };
}
