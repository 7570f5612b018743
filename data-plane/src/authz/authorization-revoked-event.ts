import type { NewEvent } from '../ports/event-sink.ts';

/** Where a revocation came from (docs/events.md, `authorization.revoked`). */
export type RevokedVia =
  | 'revocation_endpoint'
  | 'authz_store_api'
  | 'directory_api'
  | 'code_replay'
  | 'refresh_token_reuse';

/**
 * `authorization.revoked`: the authorisations of a subject and / or client
 * (and, through the revocation journal, their tokens) are gone. Raised after
 * the revocation, before the answer. `issued_before` when only tokens issued
 * up to a time were revoked; `authorizations` when the caller learns how many
 * persisted ones went.
 */
export function authorizationRevokedEvent(
  tid: string,
  actor: string,
  target: { sub?: string | undefined; cid?: string | undefined },
  via: RevokedVia,
  extra: { issuedBefore?: Date; authorizations?: number } = {},
): NewEvent {
  return {
    type: 'authorization.revoked',
    tid,
    actor,
    data: {
      ...(target.cid !== undefined ? { client_id: target.cid } : {}),
      ...(target.sub !== undefined ? { sub: target.sub } : {}),
      via,
      ...(extra.issuedBefore ? { issued_before: extra.issuedBefore.toISOString() } : {}),
      ...(extra.authorizations !== undefined ? { authorizations: extra.authorizations } : {}),
    },
  };
}
