import { randomBytes } from 'node:crypto';
import type { ClientMetadata } from '@tessera/shared/clients/client';
import { ClientStore } from '@tessera/shared/clients/client-store';
import type { TestServices } from './env.ts';

/** Register a client straight in the store (the registration endpoint has tests of its own). */
export async function addClient(
  s: TestServices,
  tid: string,
  metadata: ClientMetadata,
  options: { secret?: string | null; clientId?: string } = {},
): Promise<{ clientId: string; secret: string | null }> {
  const clientId = options.clientId ?? `c-${randomBytes(6).toString('hex')}`;
  const secret = options.secret === undefined ? randomBytes(24).toString('base64url') : options.secret;
  const created = await new ClientStore(s.db, s.masterKey).create(tid, {
    clientId,
    metadata,
    secret,
    secretExpiresAt: null,
    registrationTokenSha256: null,
  });
  if (!created) throw new Error(`client ${clientId} exists`);
  return { clientId, secret };
}
