/**
 * Every JOSE algorithm Tessera knows (RFC 7518, RFC 8037), with what it
 * needs and where it may be used. Every list of algorithms — the tenant
 * config schema, client metadata checks, client assertions, request objects,
 * JARM, ID tokens, UserInfo, discovery's *_values_supported — is derived from
 * this table, so adding or withdrawing an algorithm is one line here.
 *
 * `none` is not here: it is no algorithm but the absence of one, accepted for
 * request objects only, where the tenant allows it (authz/request-object.ts).
 */

export type JoseKind =
  /** A JWS signature with an asymmetric key. */
  | 'signature'
  /** A JWS MAC with a client secret (RFC 7518 §3.2). */
  | 'hmac'
  /** A JWE `alg`: how the content encryption key is agreed or carried. */
  | 'key-management'
  /** A JWE `enc`. */
  | 'content-encryption';

export type JoseKeyType = 'RSA' | 'EC' | 'OKP' | 'oct';
export type JoseCurve = 'P-256' | 'P-384' | 'P-521' | 'Ed25519';
export type JoseDigest = 'sha1' | 'sha256' | 'sha384' | 'sha512';
/** Key store backends that can hold a tenant key for an algorithm (shared/src/keys). */
export type KeyBackend = 'software' | 'pkcs11';

/** Where an algorithm may be used. */
export type JoseUse =
  /** RFC 7523 client assertions (private_key_jwt, client_secret_jwt). */
  | 'client-assertion'
  /** RFC 9101 request objects, signed by the client. */
  | 'request-object'
  /** Request objects encrypted by the client to one of the tenant's keys (alg and enc). */
  | 'request-object-encryption'
  /** JWTs the tenant signs for one client (key or client secret). */
  | 'jarm'
  | 'id-token'
  | 'userinfo'
  /** JWTs encrypted to one client: ID tokens, UserInfo and JARM responses (alg and enc). */
  | 'client-encryption'
  /** JWTs signed with the tenant's own key for everyone. */
  | 'access-token'
  | 'introspection'
  /** Encrypted JWT access tokens (dir, with a tenant secret). */
  | 'access-token-encryption'
  /** RFC 9449 DPoP proofs, signed by the client with the key in their header. */
  | 'dpop';

export interface JoseAlgorithm {
  kind: JoseKind;
  /** Key types a key for it may have (ECDH-ES works with EC and OKP keys). */
  keyTypes: readonly JoseKeyType[];
  crv?: JoseCurve;
  /**
   * The digest of the signature or MAC (for AES-CBC-HMAC content encryption,
   * its HMAC), the OAEP hash; null for EdDSA, which hashes internally, and
   * where nothing is hashed.
   */
  digest: JoseDigest | null;
  /** RSASSA-PSS rather than PKCS#1 v1.5. */
  pss?: boolean;
  /** Bytes of the symmetric key (content encryption, AES key wrap). */
  keyBytes?: number;
  /** The key is the client secret, or derived from it (OpenID Connect Core §10.1, §10.2). */
  clientSecret?: boolean;
  /** The key store backends that can hold a tenant key for it; none when the tenant never holds one. */
  backends: readonly KeyBackend[];
  uses: readonly JoseUse[];
}

const BOTH = ['software', 'pkcs11'] as const;
const SIGNED_FOR_CLIENTS: readonly JoseUse[] = ['client-assertion', 'request-object', 'jarm', 'id-token', 'userinfo'];
/** Asymmetric signatures: made by the tenant for everyone, and by clients for their DPoP proofs. */
const TENANT_SIGNED: readonly JoseUse[] = [...SIGNED_FOR_CLIENTS, 'access-token', 'introspection', 'dpop'];
const CONTENT: readonly JoseUse[] = ['request-object-encryption', 'client-encryption', 'access-token-encryption'];

const rsa = (digest: JoseDigest, pss = false) =>
  ({
    kind: 'signature',
    keyTypes: ['RSA'],
    digest,
    ...(pss ? { pss } : {}),
    backends: BOTH,
    uses: TENANT_SIGNED,
  }) as const;
const ec = (crv: JoseCurve, digest: JoseDigest) =>
  ({ kind: 'signature', keyTypes: ['EC'], crv, digest, backends: BOTH, uses: TENANT_SIGNED }) as const;
const hmac = (digest: JoseDigest) =>
  ({ kind: 'hmac', keyTypes: ['oct'], digest, clientSecret: true, backends: [], uses: SIGNED_FOR_CLIENTS }) as const;
const toClient = (keyTypes: readonly JoseKeyType[], digest: JoseDigest | null = null) =>
  ({ kind: 'key-management', keyTypes, digest, backends: [], uses: ['client-encryption'] }) as const;
const keyWrap = (keyBytes: number) =>
  ({
    kind: 'key-management',
    keyTypes: ['oct'],
    digest: null,
    keyBytes,
    clientSecret: true,
    backends: [],
    uses: ['client-encryption'],
  }) as const;
const content = (keyBytes: number, digest: JoseDigest | null = null) =>
  ({ kind: 'content-encryption', keyTypes: ['oct'], digest, keyBytes, backends: [], uses: CONTENT }) as const;

/** The registry, in the order lists are published. */
export const JOSE_ALGORITHMS = {
  RS256: rsa('sha256'),
  RS384: rsa('sha384'),
  RS512: rsa('sha512'),
  PS256: rsa('sha256', true),
  PS384: rsa('sha384', true),
  PS512: rsa('sha512', true),
  ES256: ec('P-256', 'sha256'),
  ES384: ec('P-384', 'sha384'),
  ES512: ec('P-521', 'sha512'),
  EdDSA: { kind: 'signature', keyTypes: ['OKP'], crv: 'Ed25519', digest: null, backends: BOTH, uses: TENANT_SIGNED },
  HS256: hmac('sha256'),
  HS384: hmac('sha384'),
  HS512: hmac('sha512'),
  // The tenant's own encryption keys (request objects) are RSA-OAEP; clients may have more.
  'RSA-OAEP': {
    kind: 'key-management',
    keyTypes: ['RSA'],
    digest: 'sha1',
    backends: BOTH,
    uses: ['request-object-encryption', 'client-encryption'],
  },
  'RSA-OAEP-256': {
    kind: 'key-management',
    keyTypes: ['RSA'],
    digest: 'sha256',
    backends: BOTH,
    uses: ['request-object-encryption', 'client-encryption'],
  },
  'RSA-OAEP-384': toClient(['RSA'], 'sha384'),
  'RSA-OAEP-512': toClient(['RSA'], 'sha512'),
  'ECDH-ES': toClient(['EC', 'OKP']),
  'ECDH-ES+A128KW': toClient(['EC', 'OKP']),
  'ECDH-ES+A192KW': toClient(['EC', 'OKP']),
  'ECDH-ES+A256KW': toClient(['EC', 'OKP']),
  A128KW: keyWrap(16),
  A192KW: keyWrap(24),
  A256KW: keyWrap(32),
  // The content key itself: the client secret's hash, or the tenant's access-token secret.
  dir: {
    kind: 'key-management',
    keyTypes: ['oct'],
    digest: null,
    clientSecret: true,
    backends: [],
    uses: ['client-encryption', 'access-token-encryption'],
  },
  A128GCM: content(16),
  A192GCM: content(24),
  A256GCM: content(32),
  'A128CBC-HS256': content(32, 'sha256'),
  'A192CBC-HS384': content(48, 'sha384'),
  'A256CBC-HS512': content(64, 'sha512'),
} as const satisfies Record<string, JoseAlgorithm>;

type Registry = typeof JOSE_ALGORITHMS;
export type JoseAlgorithmName = keyof Registry;
type NamesWhere<P> = { [K in JoseAlgorithmName]: Registry[K] extends P ? K : never }[JoseAlgorithmName];
type HeldByTenant = { backends: readonly [KeyBackend, ...KeyBackend[]] };

/** Signature algorithms a tenant can hold keys for (config keys.signingAlgorithms). */
export type SigningAlgorithm = NamesWhere<{ kind: 'signature' } & HeldByTenant>;
/** Key management algorithms a tenant can hold keys for (config keys.encryptionAlgorithms). */
export type EncryptionAlgorithm = NamesWhere<{ kind: 'key-management' } & HeldByTenant>;
/** Every algorithm a tenant key can be made for. */
export type KeyAlgorithm = SigningAlgorithm | EncryptionAlgorithm;
export type ContentEncryption = NamesWhere<{ kind: 'content-encryption' }>;
export type HmacAlgorithm = NamesWhere<{ kind: 'hmac' }>;

const ALL = Object.keys(JOSE_ALGORITHMS) as JoseAlgorithmName[];

/** The entry for `name`, or undefined for an algorithm not in the registry. */
export function joseAlgorithm(name: string): JoseAlgorithm | undefined {
  return Object.hasOwn(JOSE_ALGORITHMS, name) ? (JOSE_ALGORITHMS as Record<string, JoseAlgorithm>)[name] : undefined;
}

/** Names of the algorithms that pass `test`, in registry order. */
export function algorithmNames(test: (algorithm: JoseAlgorithm, name: string) => boolean): string[] {
  return ALL.filter((name) => test(JOSE_ALGORITHMS[name], name));
}

/** Algorithms allowed for `use`, optionally of one kind, in registry order. */
export const algorithmsFor = (use: JoseUse, kind?: JoseKind): string[] =>
  algorithmNames((a) => a.uses.includes(use) && (kind === undefined || a.kind === kind));

/** Whether `name` is allowed for `use` (and of `kind`, when given). */
export const allowedFor = (name: string, use: JoseUse, kind?: JoseKind): boolean => {
  const algorithm = joseAlgorithm(name);
  return algorithm?.uses.includes(use) === true && (kind === undefined || algorithm.kind === kind);
};

const heldByTenant = (kind: JoseKind) => algorithmNames((a) => a.kind === kind && a.backends.length > 0);

/** The tenant config's choices (shared/src/config/tenant-config.ts). */
export const SIGNING_ALGORITHMS = heldByTenant('signature') as SigningAlgorithm[];
export const ENCRYPTION_ALGORITHMS = heldByTenant('key-management') as EncryptionAlgorithm[];
export const ACCESS_TOKEN_CONTENT_ENCRYPTIONS = algorithmsFor(
  'access-token-encryption',
  'content-encryption',
) as ContentEncryption[];
/** The JWS MAC algorithms (a client secret is the key). */
export const HMAC_ALGORITHMS = algorithmNames((a) => a.kind === 'hmac') as HmacAlgorithm[];
/** The asymmetric JWS algorithms, whoever holds the key. */
export const ASYMMETRIC_SIGNING_ALGORITHMS = algorithmNames((a) => a.kind === 'signature');

/**
 * The signing algorithms a tenant offers for JWTs it makes for one client
 * (ID tokens, UserInfo, JARM): those of its keys the use allows, in the
 * tenant's order, then the HMAC ones the use allows (signed with the client
 * secret, so no tenant key is needed).
 */
export function tenantSigningAlgorithms(tenantAlgorithms: readonly string[], use: JoseUse): string[] {
  return [...tenantAlgorithms.filter((name) => allowedFor(name, use, 'signature')), ...algorithmsFor(use, 'hmac')];
}
