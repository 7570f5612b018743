/**
 * The password grant's and sign-in page's credential check for a tenant:
 * the built-in user directory by default, or a handler given to the data
 * plane. Null for wrong credentials, taking as long as for right ones.
 */
export interface PasswordAuthenticator {
  authenticate(tid: string, username: string, password: string): Promise<{ sub: string } | null>;
}
