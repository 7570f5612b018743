import type { ClientMetadata } from '../client.ts';

/**
 * The shapes shared by the client metadata checks (RFC 7591 §2, RFC 7592
 * §2.2, OpenID Connect Dynamic Client Registration §2, Connect2id's
 * extensions): each check is a small named function over one state, run in
 * order from the table in index.ts; the first problem ends the run.
 */

export const TOKEN_ENDPOINT_AUTH_METHODS = [
  'client_secret_basic',
  'client_secret_post',
  'client_secret_jwt',
  'private_key_jwt',
  'none',
] as const;

/** Authentication methods for which the server issues (and keeps) a client secret. */
export const SECRET_AUTH_METHODS: ReadonlySet<string> = new Set([
  'client_secret_basic',
  'client_secret_post',
  'client_secret_jwt',
]);

/** Members only the server sets (RFC 7591 §3.2.1, RFC 7592 §3). */
export const SERVER_MANAGED_MEMBERS = [
  'client_id',
  'client_secret',
  'client_id_issued_at',
  'client_secret_expires_at',
  'registration_access_token',
  'registration_client_uri',
] as const;

export type ClientMetadataError = 'invalid_client_metadata' | 'invalid_redirect_uri';

export interface ClientMetadataOptions {
  /** The request carries the master token: `preferred_client_id` and `data` are allowed. */
  privileged: boolean;
  /** Grant types the tenant enables. */
  supportedGrantTypes: readonly string[];
  /** Token endpoint authentication methods the server accepts. */
  supportedAuthMethods: readonly string[];
  /** Response types the tenant enables (compared as sets of words); any combination of code/token/id_token when absent. */
  supportedResponseTypes?: readonly string[];
  /** ID token signing algorithms the tenant has keys for; any known one when absent. HS* do not need keys (and `none` is refused). */
  idTokenSigningAlgs?: readonly string[];
  /**
   * `register` (RFC 7591, default): server-managed members are refused.
   * `update` (RFC 7592 PUT): `client_id` is required and `client_secret` allowed
   * (both returned for the caller to compare); `registration_access_token`,
   * `registration_client_uri`, `client_id_issued_at` and
   * `client_secret_expires_at` are ignored, as RFC 7592 §2.2 requires.
   */
  mode?: 'register' | 'update';
  /** Update mode: the client's current sector_identifier_uri, which it may keep without the master token. */
  currentSectorIdentifierUri?: string;
}

export interface CheckedMetadata {
  /** The metadata to store, with RFC 7591 defaults filled in. */
  metadata: ClientMetadata;
  /** Connect2id `preferred_client_id` (registration with the master token only). */
  preferredClientId?: string;
  /** Connect2id `refresh_client_secret: true` (meaningful on update). */
  refreshClientSecret: boolean;
  /** Update mode: the `client_id` and `client_secret` the request carried. */
  clientId?: string;
  clientSecret?: string;
}

export type ClientMetadataResult =
  | ({ ok: true } & CheckedMetadata)
  | { ok: false; error: ClientMetadataError; description: string };

/** A problem with the metadata: the RFC 7591 error code and what is wrong. */
export class InvalidMetadata extends Error {
  readonly error: ClientMetadataError;

  constructor(error: ClientMetadataError, description: string) {
    super(description);
    this.error = error;
  }
}

/** Refuse the metadata (the checks throw, so a value helper deep inside can refuse too). */
export const fail = (description: string, error: ClientMetadataError = 'invalid_client_metadata'): never => {
  throw new InvalidMetadata(error, description);
};

/** What the checks read and build, in the order the table runs them. */
export interface MetadataState {
  /** The request's members; JSON null members are left out ("not set"). */
  readonly body: Readonly<Record<string, unknown>>;
  readonly options: ClientMetadataOptions;
  readonly update: boolean;
  readonly result: CheckedMetadata;
  /** The metadata being built (result.metadata). */
  readonly metadata: ClientMetadata;
  /** Established by the checks that come first and read by later ones. */
  applicationType: string;
  authMethod: string;
  grantTypes: string[];
}

export type MetadataCheck = (s: MetadataState) => void;

/** Whether the request has `name` (a JSON null counts as absent). */
export const has = (s: MetadataState, name: string): boolean => Object.hasOwn(s.body, name);

/** Whether the client has a secret to sign or encrypt with (HMAC, AES key wrap, dir). */
export const hasSecret = (s: MetadataState): boolean => SECRET_AUTH_METHODS.has(s.authMethod);
