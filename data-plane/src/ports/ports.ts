import type { AccessTokenStore } from './access-token-store.ts';
import type { AuthorizationCodeStore } from './authorization-code-store.ts';
import type { AuthorizationStore } from './authorization-store.ts';
import type { AuthzSessionStore } from './authz-session-store.ts';
import type { ClientLookup } from './client-lookup.ts';
import type { ClientStore } from './client-store.ts';
import type { Clock } from './clock.ts';
import type { DeviceRequestStore } from './device-request-store.ts';
import type { GuessingBrake } from './guessing-brake.ts';
import type { KeyBackends } from './key-backends.ts';
import type { LogoutSessionStore } from './logout-session-store.ts';
import type { PushedRequestStore } from './pushed-request-store.ts';
import type { RefreshTokenStore } from './refresh-token-store.ts';
import type { ReplayCache } from './replay-cache.ts';
import type { ResourceServerLookup, ResourceServerStore } from './resource-servers.ts';
import type { RevocationJournal } from './revocation-journal.ts';
import type { SubjectSessionStore } from './subject-session-store.ts';
import type { UserCodeBrake } from './user-code-brake.ts';
import type { UserDirectory } from './user-directory.ts';

/**
 * Every port of a data plane, one implementation each: Redis / PostgreSQL
 * (stores/store-ports.ts) or in memory (ports/memory/memory-ports.ts).
 * Each store's contract is written on its interface.
 */
export interface Ports {
  clock: Clock;
  accessTokens: AccessTokenStore;
  refreshTokens: RefreshTokenStore;
  authorizations: AuthorizationStore;
  codes: AuthorizationCodeStore;
  /** Subject (SSO) sessions. */
  sessions: SubjectSessionStore;
  /** Login-page flows. */
  authzSessions: AuthzSessionStore;
  /** Logout flows awaiting the end-user's decision. */
  logoutSessions: LogoutSessionStore;
  pushedRequests: PushedRequestStore;
  /** Device authorisation requests (RFC 8628). */
  deviceRequests: DeviceRequestStore;
  replay: ReplayCache;
  journal: RevocationJournal;
  /** Clients: writes and authoritative reads. */
  clientStore: ClientStore;
  /** Clients as the request path reads them (cached over `clientStore`). */
  clients: ClientLookup;
  users: UserDirectory;
  guessingBrake: GuessingBrake;
  /** Resource servers (APIs): writes and authoritative reads. */
  resourceServerStore: ResourceServerStore;
  /** Resource servers as the request path reads them (cached over `resourceServerStore`). */
  resourceServers: ResourceServerLookup;
  userCodeBrake: UserCodeBrake;
  keyStores: KeyBackends;
}
