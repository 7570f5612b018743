import type { Client, ClientMetadata } from '@tessera/shared/clients/client';
import type { TenantContext } from '../../../src/tenancy/tenant-context.ts';
import type { MemoryPlane } from './memory-plane.ts';

/** A tenant whose keys are all quick to make (no RSA): the config for tests that do not look at RSA signatures. */
export const EC_KEYS = {
  keys: {
    signingAlgorithms: ['ES256', 'EdDSA'],
    idTokenSigningAlgorithm: 'ES256',
    accessTokenSigningAlgorithm: 'ES256',
    encryptionAlgorithms: [],
  },
} as const;

export interface ClientSpec {
  clientId?: string;
  /** null: a client without a secret (public, private_key_jwt). */
  secret?: string | null;
  secretExpiresAt?: Date | null;
  metadata?: ClientMetadata;
}

/**
 * Register a client in the plane's client store, as registration would, and
 * read it back through the client lookup the request path uses.
 */
export async function registerClient(
  plane: MemoryPlane,
  tenant: TenantContext,
  spec: ClientSpec = {},
): Promise<Client> {
  const { tid } = tenant.tenant;
  const clientId = spec.clientId ?? 'app';
  const created = await plane.ports.clientStore.create(tid, {
    clientId,
    secret: spec.secret === undefined ? 's3cret-s3cret-s3cret' : spec.secret,
    secretExpiresAt: spec.secretExpiresAt ?? null,
    registrationTokenSha256: null,
    metadata: {
      grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
      redirect_uris: ['https://app.example/cb'],
      ...spec.metadata,
    },
  });
  if (!created) throw new Error(`client ${clientId} exists`);
  const client = await plane.deps.clients.get(tid, clientId);
  if (!client) throw new Error(`client ${clientId} not found after registration`);
  return client;
}
