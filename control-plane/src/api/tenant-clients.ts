import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { SERVER_MANAGED_MEMBERS } from '@tessera/shared/clients/checks/metadata-check';
import { authMethodOf, grantTypesOf } from '@tessera/shared/clients/client';
import { ClientStore, type ClientSummary, MAX_CLIENT_PAGE } from '@tessera/shared/clients/client-store';
import { PRINTABLE_IDENTIFIER_PATTERN } from '@tessera/shared/text/printable-identifier';
import type { FastifyInstance } from 'fastify';
import type { ControlPlaneDeps } from './deps.ts';
import { requireTenant } from './require-tenant.ts';
import { ErrorBody, TidParams } from './schemas.ts';

const Strings = Type.Array(Type.String());
const ClientView = Type.Object({
  client_id: Type.String(),
  client_name: Type.Optional(Type.String()),
  grant_types: Type.Array(Type.String(), { description: 'as registered; RFC 7591’s default authorization_code' }),
  response_types: Type.Array(Type.String(), { description: 'as registered; RFC 7591’s default code' }),
  redirect_uris: Strings,
  token_endpoint_auth_method: Type.String({ description: 'as registered; RFC 7591’s default client_secret_basic' }),
  scope: Type.Optional(Type.String()),
  has_secret: Type.Boolean({ description: 'whether the client has a secret (never shown)' }),
  client_secret_expires_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
    description: 'null: the secret does not expire, or there is none',
  }),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
  metadata: Type.Record(Type.String(), Type.Unknown(), {
    description: 'every registered RFC 7591 metadata member (the server-managed ones left out)',
  }),
});
const ClientsQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: MAX_CLIENT_PAGE, default: 100 }),
    after: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 255,
        pattern: PRINTABLE_IDENTIFIER_PATTERN,
        description: "the previous page's next_cursor: clients whose id sorts after it",
      }),
    ),
  },
  { additionalProperties: false },
);
const ClientsPage = Type.Object({
  clients: Type.Array(ClientView),
  next_cursor: Type.Optional(Type.String({ description: 'absent on the last page' })),
});

const SERVER_MANAGED = new Set<string>(SERVER_MANAGED_MEMBERS);

function clientView(client: ClientSummary) {
  const m = client.metadata;
  // Stored metadata never holds a secret; what only the server sets is left out anyway, should a row ever carry it.
  const metadata = Object.fromEntries(Object.entries(m).filter(([name]) => !SERVER_MANAGED.has(name)));
  return {
    client_id: client.clientId,
    ...(typeof m.client_name === 'string' ? { client_name: m.client_name } : {}),
    grant_types: grantTypesOf(client),
    response_types: Array.isArray(m.response_types) ? m.response_types : ['code'],
    redirect_uris: m.redirect_uris ?? [],
    token_endpoint_auth_method: authMethodOf(client),
    ...(typeof m.scope === 'string' ? { scope: m.scope } : {}),
    has_secret: client.hasSecret,
    client_secret_expires_at: client.secretExpiresAt?.toISOString() ?? null,
    created_at: client.createdAt.toISOString(),
    updated_at: client.updatedAt.toISOString(),
    metadata,
  };
}

/**
 * `GET /tenants/rest/v1/{tid}/clients`: a tenant's registered clients, by
 * client id, a page at a time (`ClientStore.page`): metadata and times,
 * never a secret, its hash or the registration token hash. Every role
 * within its tenant: the console's viewers read it, where the data plane's
 * registration API needs an API token, which could change clients.
 */
export function registerTenantClientRoutes(root: FastifyInstance, deps: ControlPlaneDeps): void {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const { db } = deps;
  const store = new ClientStore(db, deps.masterKey);
  app.get(
    '/tenants/rest/v1/:tid/clients',
    {
      schema: {
        summary: "A tenant's clients, by client id, a page at a time",
        description:
          'Registered metadata and times; never the client secret, its hash or the registration access token. Pass next_cursor as after for the next page.',
        params: TidParams,
        querystring: ClientsQuery,
        response: { 200: ClientsPage, 400: ErrorBody, 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) => {
      const { tid } = request.params;
      const { limit, after } = request.query;
      await requireTenant(db, tid);
      const page = await store.page(tid, { limit, ...(after !== undefined ? { after } : {}) });
      return { clients: page.clients.map(clientView), ...(page.next ? { next_cursor: page.next } : {}) };
    },
  );
}
