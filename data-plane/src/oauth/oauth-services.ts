import type { AccessTokenStore } from '../stores/access-token-store.ts';
import type { AuthorizationCodeStore } from '../stores/authorization-code-store.ts';
import type { AuthorizationStore } from '../stores/authorization-store.ts';
import type { AuthzSessionStore } from '../stores/authz-session-store.ts';
import type { RefreshTokenStore } from '../stores/refresh-token-store.ts';
import type { RevocationJournal } from '../stores/revocation-journal.ts';
import type { SubjectSessionStore } from '../stores/subject-session-store.ts';
import type { TokenIssuer } from '../tokens/token-issuer.ts';

/**
 * The password grant's handler slot: checks a resource owner's credentials
 * for a tenant. The built-in user directory arrives with the login issue; a
 * tenant plugin or that directory will implement this.
 */
export interface PasswordAuthenticator {
  authenticate(tid: string, username: string, password: string): Promise<{ sub: string } | null>;
}

/** The stores and services the OAuth endpoints share. */
export interface OAuthServices {
  issuer: TokenIssuer;
  accessTokens: AccessTokenStore;
  refreshTokens: RefreshTokenStore;
  authorizations: AuthorizationStore;
  journal: RevocationJournal;
  sessions: SubjectSessionStore;
  /** Login-page flows (authorisation sessions) and the codes they issue. */
  authzSessions: AuthzSessionStore;
  codes: AuthorizationCodeStore;
  passwordAuthenticator: PasswordAuthenticator | undefined;
}
