import type { NewEvent } from '../ports/event-sink.ts';
import { ISSUED, type TokenResponse } from './token-response.ts';

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

/**
 * The `token.issued` event of one token response (docs/events.md): which
 * tokens, for whom, with which scope, until when, and the access token's
 * `jti`. Never a token value.
 */
export function tokenIssuedEvent(
  tid: string,
  grantType: string,
  clientId: string,
  response: TokenResponse,
  nowSeconds: number,
): NewEvent {
  const issued = response[ISSUED];
  const tokens = ['access_token'];
  if (response.refresh_token !== undefined) tokens.push('refresh_token');
  if (response.id_token !== undefined) tokens.push('id_token');
  return {
    type: 'token.issued',
    tid,
    actor: `client:${clientId}`,
    data: {
      grant_type: grantType,
      client_id: clientId,
      ...(issued ? { sub: issued.sub } : {}),
      scope: issued ? [...issued.scope] : (response.scope?.split(' ') ?? []),
      issued: tokens,
      access: {
        ...(issued ? { jti: issued.jti, format: issued.format } : {}),
        expires_at: iso(issued?.exp ?? nowSeconds + response.expires_in),
      },
      ...(response.refresh_token !== undefined
        ? {
            refresh: {
              expires_at:
                response.refresh_token_expires_in !== undefined
                  ? iso(nowSeconds + response.refresh_token_expires_in)
                  : null,
            },
          }
        : {}),
    },
  };
}
