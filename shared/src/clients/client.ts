/** RFC 7591 client metadata as stored (plus Connect2id's `data`); never the secret. */
export interface ClientMetadata {
  redirect_uris?: string[];
  token_endpoint_auth_method?: string;
  token_endpoint_auth_signing_alg?: string;
  grant_types?: string[];
  response_types?: string[];
  client_name?: string;
  client_uri?: string;
  logo_uri?: string;
  scope?: string;
  contacts?: string[];
  tos_uri?: string;
  policy_uri?: string;
  jwks_uri?: string;
  jwks?: { keys: Array<Record<string, unknown>> };
  software_id?: string;
  software_version?: string;
  data?: Record<string, unknown>;
  [member: string]: unknown;
}

/** A registered client of one tenant, with its secrets opened. */
export interface Client {
  tid: string;
  clientId: string;
  metadata: ClientMetadata;
  /** The current secret, or null for clients that authenticate without one. */
  secret: string | null;
  secretExpiresAt: Date | null;
  /** The secret before the last change, accepted until `previousSecretValidUntil` (30 min rollover). */
  previousSecret: string | null;
  previousSecretValidUntil: Date | null;
  /**
   * The tenant's client secret codec keeps new secrets `hashed` (scrypt):
   * then the secret is null and only its hash is known (checked by
   * data-plane/src/plugins/client-secret-codec.ts). Absent: no hash.
   */
  secretHash?: string | null;
  previousSecretHash?: string | null;
  registrationTokenSha256: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** The authentication method a client registered, with RFC 7591's default. */
export const authMethodOf = (client: Pick<Client, 'metadata'>): string =>
  client.metadata.token_endpoint_auth_method ?? 'client_secret_basic';

/** The grant types a client registered, with RFC 7591's default. */
export const grantTypesOf = (client: Pick<Client, 'metadata'>): string[] =>
  client.metadata.grant_types ?? ['authorization_code'];
