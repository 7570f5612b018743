import type { AccessTokenStore } from '../stores/access-token-store.ts';
import type { AuthorizationStore } from '../stores/authorization-store.ts';
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
  passwordAuthenticator: PasswordAuthenticator | undefined;
}
