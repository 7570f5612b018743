import { createHash, randomBytes } from 'node:crypto';
import type { Authorization } from '@tessera/shared/authz/authorization';
import type { Client } from '@tessera/shared/clients/client';
import { tokenHash } from '@tessera/shared/tokens/identifiers';
import type { AuthorizationRequest } from '../../../src/authz/authorization-request.ts';
import { issueAuthorization } from '../../../src/authz/authz-issue.ts';
import { parseAuthorizationRequest } from '../../../src/authz/authz-request.ts';
import { newAuthorization } from '../../../src/grants/new-authorization.ts';
import type { SubjectSession } from '../../../src/ports/subject-session-store.ts';
import type { TenantContext } from '../../../src/tenancy/tenant-context.ts';
import type { MemoryPlane } from './memory-plane.ts';

/** A PKCE pair (RFC 7636 §4.1, §4.2), computed here rather than by the code under test. */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier, 'ascii').digest('base64url') };
}

export interface IssuedCode {
  code: string;
  request: AuthorizationRequest;
  authz: Authorization;
  /** The subject session's id and what it recorded. */
  sid: string;
  session: SubjectSession;
}

/**
 * An authorisation code as the front channel makes it: the request checked
 * by the authorisation request rules, a subject session for `sub`, the
 * consented authorisation (long-lived, with a refresh token, unless
 * `authz` says otherwise), then the code issued into the redirect.
 */
export async function issueCode(
  plane: MemoryPlane,
  tenant: TenantContext,
  client: Client,
  query: Record<string, string>,
  options: { sub?: string; authz?: Partial<Authorization>; session?: Partial<SubjectSession> } = {},
): Promise<IssuedCode> {
  const { tid } = tenant.tenant;
  const issuer = tenant.tenant.issuer;
  const parsed = await parseAuthorizationRequest(
    tenant,
    issuer,
    plane.deps,
    new URLSearchParams({ client_id: client.clientId, response_type: 'code', ...query }).toString(),
  );
  if (!parsed.ok) throw new Error(`authorisation request refused: ${parsed.error} ${parsed.description}`);
  const now = Math.floor(plane.clock.now() / 1000);
  const session: SubjectSession = {
    sub: options.sub ?? 'alice',
    authTime: now - 30,
    creationTime: now - 30,
    maxLife: 3600,
    acr: '1',
    amr: ['pwd'],
    ...options.session,
  };
  const sid = await plane.ports.sessions.create(tid, tenant.secrets['identifier-hmac'], session);
  const authz = newAuthorization(tenant.tenant.config, {
    sub: session.sub,
    cid: client.clientId,
    scp: parsed.request.scope,
    iss: issuer,
    longLived: true,
    sid: tokenHash(sid),
    ...options.authz,
  });
  if (!options.authz?.refreshToken) authz.refreshToken = { ...authz.refreshToken, issue: true };
  const message = await issueAuthorization(tenant, issuer, plane.deps, client, parsed.request, { sid, session }, authz);
  const code = new URL(message.parameters.uri).searchParams.get('code');
  if (!code) throw new Error(`no code in ${message.parameters.uri}`);
  return { code, request: parsed.request, authz, sid, session };
}
