import { type Static, Type } from '@sinclair/typebox';
import { SIGNING_ALGORITHMS, type SigningAlgorithm } from '../jose/algorithms.ts';
import type { AccessTokenProfile } from '../tokens/access-token-jwt.ts';
import { RESOURCE_INDICATOR_MAX } from './resource-indicator.ts';

/** How a resource server's access tokens are made; a member left out is the tenant's setting. */
export interface ResourceTokenSettings {
  format?: 'jwt' | 'identifier';
  /** JWT claims profile: `oauth-1.0` is RFC 9068 (`typ: at+jwt`, `client_id`, `scope`). */
  profile?: AccessTokenProfile;
  alg?: SigningAlgorithm;
  /** Seconds. */
  lifetime?: number;
}

/**
 * A tenant's resource server (API): the identifier is what clients send as
 * `resource` (RFC 8707) or `audience` and what its tokens carry as `aud`.
 */
export interface ResourceServer {
  /** The management APIs' handle (`rs_…`). */
  id: string;
  identifier: string;
  name: string;
  /** Scope values that exist only for this API: granted only with it as a resource. */
  scopes: string[];
  accessToken: ResourceTokenSettings;
  /** Client ids that may ask for it; null: every client of the tenant. */
  allowedClients: string[] | null;
  createdAt: Date;
  updatedAt: Date;
}

/** What a resource server is made of, as the stores take it. */
export type ResourceServerFields = Pick<
  ResourceServer,
  'identifier' | 'name' | 'scopes' | 'accessToken' | 'allowedClients'
>;

/** RFC 6749 §3.3 scope token. */
const ScopeValue = Type.String({ pattern: '^[\\x21\\x23-\\x5B\\x5D-\\x7E]+$', maxLength: 256 });
const ClientId = Type.String({ minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7E]+$' });

const AccessTokenBody = Type.Object(
  {
    format: Type.Optional(Type.Union([Type.Literal('jwt'), Type.Literal('identifier')])),
    profile: Type.Optional(Type.Union([Type.Literal('c2id-1.1'), Type.Literal('c2id-1.0'), Type.Literal('oauth-1.0')])),
    alg: Type.Optional(Type.Union(SIGNING_ALGORITHMS.map((a) => Type.Literal(a)))),
    lifetime: Type.Optional(Type.Integer({ minimum: 1, maximum: 86_400 * 30, description: 'seconds' })),
  },
  { additionalProperties: false, description: "members left out follow the tenant's token settings" },
);

const fields = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  scopes: Type.Optional(Type.Array(ScopeValue, { uniqueItems: true, maxItems: 200 })),
  access_token: Type.Optional(AccessTokenBody),
  allowed_clients: Type.Optional(
    Type.Union([Type.Literal('*'), Type.Array(ClientId, { uniqueItems: true, maxItems: 1000 })], {
      description: '"*" (default): every client of the tenant; else the client ids that may ask for it',
    }),
  ),
};

/** The management APIs' handle of a resource server in a path (`rs_…`, resource-server-store.ts). */
export const ResourceServerId = Type.String({ minLength: 1, maxLength: 40, pattern: '^rs_[A-Za-z0-9_-]+$' });

/** A new resource server (POST). */
export const ResourceServerBody = Type.Object(
  {
    identifier: Type.String({
      minLength: 1,
      maxLength: RESOURCE_INDICATOR_MAX,
      description: "absolute URI without a fragment: the `resource` / `audience` value and the tokens' `aud`",
    }),
    ...fields,
  },
  { additionalProperties: false },
);
export type ResourceServerBody = Static<typeof ResourceServerBody>;

/** A replacement (PUT): everything but the identifier, which never changes. */
export const ResourceServerUpdateBody = Type.Object(fields, { additionalProperties: false });
export type ResourceServerUpdateBody = Static<typeof ResourceServerUpdateBody>;

/** The JSON both management APIs answer with. */
export const ResourceServerView = Type.Object({
  id: Type.String(),
  identifier: Type.String(),
  name: Type.String(),
  scopes: Type.Array(Type.String()),
  access_token: Type.Object({
    format: Type.Optional(Type.String()),
    profile: Type.Optional(Type.String()),
    alg: Type.Optional(Type.String()),
    lifetime: Type.Optional(Type.Integer()),
  }),
  allowed_clients: Type.Union([Type.Literal('*'), Type.Array(Type.String())]),
  created_at: Type.Integer({ description: 'seconds since the epoch' }),
  updated_at: Type.Integer({ description: 'seconds since the epoch' }),
});
export type ResourceServerView = Static<typeof ResourceServerView>;

const seconds = (d: Date) => Math.floor(d.getTime() / 1000);

export function resourceServerView(rs: ResourceServer): ResourceServerView {
  return {
    id: rs.id,
    identifier: rs.identifier,
    name: rs.name,
    scopes: rs.scopes,
    access_token: rs.accessToken,
    allowed_clients: rs.allowedClients ?? '*',
    created_at: seconds(rs.createdAt),
    updated_at: seconds(rs.updatedAt),
  };
}

/** Whether a client may ask for tokens to this resource server. */
export const clientMayUse = (rs: ResourceServer, clientId: string): boolean =>
  rs.allowedClients === null || rs.allowedClients.includes(clientId);
