import { type SchemaOptions, type Static, type TLiteral, type TUnion, Type } from '@sinclair/typebox';
import { EVENT_TYPES } from '../events/event-types.ts';
import { ACCESS_TOKEN_CONTENT_ENCRYPTIONS, ENCRYPTION_ALGORITHMS, SIGNING_ALGORITHMS } from '../jose/algorithms.ts';
import { SLOTS } from '../plugins/slots/index.ts';

/**
 * Tenant configuration, version 1. Every member has a default, so `{}` is a
 * complete config; unknown members are rejected so a typo never silently
 * falls back to a default.
 */

// The algorithm choices come from the one JOSE algorithm registry.
export { SIGNING_ALGORITHMS, type SigningAlgorithm } from '../jose/algorithms.ts';

export const GRANT_TYPES = [
  'authorization_code',
  'implicit',
  'refresh_token',
  'password',
  'client_credentials',
  'urn:ietf:params:oauth:grant-type:jwt-bearer',
  'urn:ietf:params:oauth:grant-type:saml2-bearer',
  'urn:ietf:params:oauth:grant-type:token-exchange',
  'urn:ietf:params:oauth:grant-type:device_code',
  'urn:openid:params:grant-type:ciba',
] as const;

export const RESPONSE_TYPES = [
  'code',
  'id_token',
  'token',
  'id_token token',
  'code id_token',
  'code token',
  'code id_token token',
] as const;

/** A string that must be one of `values`; typed as their union. */
const oneOf = <T extends string>(values: readonly T[], options: SchemaOptions = {}) =>
  Type.Union(
    values.map((v) => Type.Literal(v)),
    options,
  ) as TUnion<TLiteral<T>[]>;

const seconds = (def: number, min: number, max: number, description: string) =>
  Type.Integer({ default: def, minimum: min, maximum: max, description });

const Tokens = Type.Object(
  {
    accessTokenLifetime: seconds(600, 1, 86_400 * 30, 'access token lifetime in seconds'),
    idTokenLifetime: seconds(300, 1, 86_400, 'ID token lifetime in seconds'),
    refreshTokenLifetime: seconds(0, 0, 86_400 * 3650, 'refresh token lifetime in seconds; 0 = no expiry'),
    refreshTokenMaxIdle: seconds(0, 0, 86_400 * 3650, 'refresh token maximum idle time in seconds; 0 = none'),
    refreshTokenRotation: Type.Boolean({ default: false }),
    refreshTokenReuseGracePeriod: seconds(5, 0, 300, 'seconds a rotated refresh token stays usable'),
    authorizationCodeLifetime: seconds(300, 10, 600, 'authorization code lifetime in seconds'),
    parLifetime: seconds(60, 10, 600, 'pushed authorisation request lifetime in seconds'),
    deviceCodeLifetime: seconds(600, 60, 1800, 'device flow: how long the device code and user code live, in seconds'),
    devicePollInterval: seconds(5, 1, 60, 'device flow: seconds the device waits between polls of the token endpoint'),
    accessTokenFormat: Type.Union([Type.Literal('jwt'), Type.Literal('identifier')], { default: 'jwt' }),
    accessTokenEncryptionMethod: oneOf(ACCESS_TOKEN_CONTENT_ENCRYPTIONS, {
      default: 'A128GCM',
      description: 'content encryption of JWT access tokens that are encrypted (dir, tenant key)',
    }),
    accessTokenProfile: Type.Union([Type.Literal('c2id-1.1'), Type.Literal('c2id-1.0'), Type.Literal('oauth-1.0')], {
      default: 'c2id-1.1',
    }),
  },
  { additionalProperties: false, default: {} },
);

const Grants = Type.Object(
  {
    grantTypes: Type.Array(oneOf(GRANT_TYPES), {
      default: ['authorization_code', 'refresh_token', 'client_credentials'],
      uniqueItems: true,
    }),
    responseTypes: Type.Array(oneOf(RESPONSE_TYPES), { default: ['code'], uniqueItems: true }),
  },
  { additionalProperties: false, default: {} },
);

const Keys = Type.Object(
  {
    backend: Type.Union([Type.Literal('software'), Type.Literal('pkcs11')], {
      default: 'software',
      description: 'where the private keys live',
    }),
    signingAlgorithms: Type.Array(oneOf(SIGNING_ALGORITHMS), {
      default: ['RS256', 'ES256', 'EdDSA'],
      minItems: 1,
      uniqueItems: true,
    }),
    idTokenSigningAlgorithm: oneOf(SIGNING_ALGORITHMS, { default: 'RS256' }),
    // ID tokens stay RS256, the one algorithm OpenID Connect requires; access tokens go to resource servers
    // we configure, so the default is ES256: a fraction of RS256's signing cost, in an HSM slot too.
    accessTokenSigningAlgorithm: oneOf(SIGNING_ALGORITHMS, { default: 'ES256' }),
    encryptionAlgorithms: Type.Array(oneOf(ENCRYPTION_ALGORITHMS), {
      default: ['RSA-OAEP-256'],
      uniqueItems: true,
      description: 'keys clients encrypt request objects to',
    }),
    rsaKeySize: Type.Union([Type.Literal(2048), Type.Literal(3072), Type.Literal(4096)], { default: 2048 }),
    rotationIntervalDays: Type.Integer({ default: 90, minimum: 1, maximum: 3650 }),
    prePublicationSeconds: Type.Integer({
      default: 300,
      minimum: 0,
      maximum: 86_400 * 30,
      description: 'how long a rotated key is published before it signs (longer than any JWK set cache)',
    }),
  },
  { additionalProperties: false, default: {} },
);

/** Authorisation requests by reference or by value: PAR (RFC 9126) and request objects (RFC 9101). */
const Requests = Type.Object(
  {
    requirePushed: Type.Boolean({
      default: false,
      description: 'every authorisation request must be pushed to /par first',
    }),
    allowUnsignedRequestObjects: Type.Boolean({
      default: false,
      description: 'accept request objects with alg "none" (a client may still require signed ones)',
    }),
  },
  { additionalProperties: false, default: {} },
);

const Login = Type.Object(
  {
    title: Type.String({ default: 'Sign in', minLength: 1, maxLength: 120 }),
    logoUrl: Type.Optional(Type.String({ minLength: 1, maxLength: 2048, description: 'https URL of the logo' })),
    primaryColor: Type.String({ default: '#1f4b99', pattern: '^#[0-9a-fA-F]{6}$' }),
    locales: Type.Array(Type.String({ pattern: '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$' }), {
      default: ['en'],
      minItems: 1,
      uniqueItems: true,
    }),
    allowRememberMe: Type.Boolean({ default: true }),
  },
  { additionalProperties: false, default: {} },
);

/** The front channel: authorisation requests, authorisation sessions and subject (SSO) sessions. */
const Authorization = Type.Object(
  {
    requirePkce: Type.Boolean({
      default: false,
      description: 'PKCE for confidential clients too (public clients always need it)',
    }),
    allowPlainPkce: Type.Boolean({ default: false, description: 'accept code_challenge_method=plain besides S256' }),
    alwaysPromptForConsent: Type.Boolean({
      default: false,
      description: 'ask for consent even when a remembered consent covers the request',
    }),
    sessionLifetime: seconds(900, 60, 3600, 'authorisation session (login page) lifetime in seconds'),
    subjectSessionMaxLife: seconds(8 * 3600, 60, 86_400 * 365, 'subject (SSO) session maximum life in seconds'),
    subjectSessionAuthLife: seconds(
      8 * 3600,
      60,
      86_400 * 365,
      'seconds after authentication a subject session may skip the login page',
    ),
    subjectSessionMaxIdle: seconds(3600, 60, 86_400 * 365, 'seconds a subject session may stay unused'),
  },
  { additionalProperties: false, default: {} },
);

/** RFC 6749 §3.3 scope token. */
const ScopeValue = Type.String({ pattern: '^[\\x21\\x23-\\x5B\\x5D-\\x7E]+$', maxLength: 256 });

/** Which scope values clients may be granted (data-plane/src/grants/scope.ts applies them). */
const Scopes = Type.Object(
  {
    supported: Type.Array(ScopeValue, {
      default: [],
      uniqueItems: true,
      maxItems: 1000,
      description:
        "the tenant's scope values: when not empty, no other value is registered or granted (list openid too if used)",
    }),
    defaultClientScope: Type.Array(ScopeValue, {
      default: ['openid', 'profile', 'email', 'address', 'phone', 'offline_access'],
      uniqueItems: true,
      maxItems: 100,
      description:
        'what a client that registered no scope may request; reserved scopes (introspection) never come from here',
    }),
  },
  { additionalProperties: false, default: {} },
);

/** Who may introspect which token (RFC 7662 §2.1). */
const Introspection = Type.Object(
  {
    resourceServers: Type.Array(Type.String({ minLength: 1, maxLength: 128 }), {
      default: [],
      uniqueItems: true,
      maxItems: 1000,
      description:
        'client ids that may introspect every token of the tenant; other clients only their own and those naming them in aud',
    }),
  },
  { additionalProperties: false, default: {} },
);

/** DPoP (RFC 9449): how proofs are judged at the token, PAR and UserInfo endpoints. */
const Dpop = Type.Object(
  {
    requireNonce: Type.Boolean({
      default: false,
      description: 'every DPoP proof must carry a nonce from the server (DPoP-Nonce, use_dpop_nonce)',
    }),
    proofMaxAge: seconds(60, 5, 600, "seconds a proof's iat may be from now, either way"),
    nonceLifetime: seconds(300, 30, 3600, 'seconds a server nonce is current; the previous one is accepted too'),
  },
  { additionalProperties: false, default: {} },
);

/**
 * Plugin slots (shared/src/plugins/slots/): each optional, a built-in or a
 * webhook; an unknown slot name is refused like any unknown member.
 */
const Plugins = Type.Object(Object.fromEntries(SLOTS.map((slot) => [slot.name, Type.Optional(slot.schema)])), {
  additionalProperties: false,
  default: {},
});

/** Where the tenant's events (shared/src/events/event-types.ts) are delivered, besides the event-listener slots. */
const Events = Type.Object(
  {
    endpoints: Type.Array(
      Type.Object(
        {
          url: Type.String({ minLength: 1, maxLength: 2048, description: 'https URL events are POSTed to' }),
          types: Type.Array(oneOf(EVENT_TYPES), { minItems: 1, uniqueItems: true }),
        },
        { additionalProperties: false },
      ),
      { default: [], maxItems: 10 },
    ),
  },
  { additionalProperties: false, default: {} },
);

/** Where a trusted issuer's JWTs are accepted: token exchange subject/actor tokens, RFC 7523 assertions. */
export const TRUSTED_ISSUER_USES = ['token-exchange', 'jwt-bearer'] as const;
export type TrustedIssuerUse = (typeof TRUSTED_ISSUER_USES)[number];

/** RFC 8693 §3 token type identifiers the token exchange grant accepts as subject and actor tokens. */
export const EXCHANGE_TOKEN_TYPES = [
  'urn:ietf:params:oauth:token-type:access_token',
  'urn:ietf:params:oauth:token-type:refresh_token',
  'urn:ietf:params:oauth:token-type:id_token',
  'urn:ietf:params:oauth:token-type:jwt',
] as const;

/**
 * Another issuer whose signed JWTs the tenant accepts (data-plane/src/trust/):
 * its keys by URL (https; http only for a loopback host) or inline, the
 * algorithms it signs with, and for which uses.
 */
const TrustedIssuer = Type.Object(
  {
    issuer: Type.String({ minLength: 1, maxLength: 2048, description: 'the iss value of its JWTs, compared exactly' }),
    jwksUri: Type.Optional(Type.String({ minLength: 1, maxLength: 2048, description: 'https URL of its JWK set' })),
    jwks: Type.Optional(
      Type.Object(
        { keys: Type.Array(Type.Record(Type.String(), Type.Unknown()), { minItems: 1, maxItems: 20 }) },
        { additionalProperties: false, description: 'its public keys inline, instead of jwksUri' },
      ),
    ),
    algorithms: Type.Array(oneOf(SIGNING_ALGORITHMS), {
      default: ['RS256', 'ES256'],
      minItems: 1,
      uniqueItems: true,
      description: 'signing algorithms accepted from it',
    }),
    uses: Type.Array(oneOf(TRUSTED_ISSUER_USES), { minItems: 1, uniqueItems: true }),
    subjects: Type.Union([Type.Literal('as-is'), Type.Literal('directory')], {
      default: 'as-is',
      description:
        "as-is: its sub becomes the token's subject; directory: the sub must be a user of the tenant's directory",
    }),
  },
  { additionalProperties: false },
);

/** RFC 8693 token exchange: who may exchange what for which audiences (default deny). */
const TokenExchange = Type.Object(
  {
    policies: Type.Array(
      Type.Object(
        {
          clients: Type.Array(Type.String({ minLength: 1, maxLength: 128 }), {
            minItems: 1,
            uniqueItems: true,
            maxItems: 1000,
            description: 'client ids allowed; "*" for any client of the tenant',
          }),
          subjectTokenTypes: Type.Array(oneOf(EXCHANGE_TOKEN_TYPES), { minItems: 1, uniqueItems: true }),
          audiences: Type.Array(Type.String({ minLength: 1, maxLength: 2048 }), {
            default: [],
            uniqueItems: true,
            maxItems: 1000,
            description: 'audience / resource values they may ask for; "*" for any; none: no audience may be asked',
          }),
        },
        { additionalProperties: false },
      ),
      { default: [], maxItems: 100 },
    ),
  },
  { additionalProperties: false, default: {} },
);

/** RFC 7523 §2.1 JWT bearer assertions. */
const JwtBearer = Type.Object(
  {
    maxAssertionLifetime: seconds(300, 10, 3600, 'how far ahead an assertion may expire, in seconds'),
  },
  { additionalProperties: false, default: {} },
);

/** APIs (resource servers, docs/oauth.md "APIs and audiences"): what a request naming none is for. */
const Resources = Type.Object(
  {
    default: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 255,
        description:
          'identifier of the resource server a token request naming no resource (or audience) is for, when the client may use it',
      }),
    ),
  },
  { additionalProperties: false, default: {} },
);

export const TenantConfigSchema = Type.Object(
  {
    version: Type.Literal(1, { default: 1 }),
    tokens: Tokens,
    grants: Grants,
    requests: Requests,
    keys: Keys,
    login: Login,
    authorization: Authorization,
    scopes: Scopes,
    introspection: Introspection,
    resources: Resources,
    dpop: Dpop,
    trustedIssuers: Type.Array(TrustedIssuer, { default: [], maxItems: 20 }),
    tokenExchange: TokenExchange,
    jwtBearer: JwtBearer,
    plugins: Plugins,
    events: Events,
  },
  { additionalProperties: false, default: {}, $id: 'TenantConfigV1' },
);

export type TenantConfig = Static<typeof TenantConfigSchema>;
