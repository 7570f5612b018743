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

/**
 * `token.issued` for tokens the authorisation endpoint hands out (implicit
 * and hybrid response types): `grant_type` is `implicit`, `response_type`
 * says which. With an access token, the token endpoint's shape; an ID token
 * alone has no `access` member.
 */
export function frontChannelTokenIssuedEvent(
  tid: string,
  clientId: string,
  responseType: readonly string[],
  authz: { sub: string; scp: readonly string[] },
  tokens: TokenResponse | undefined,
  idToken: boolean,
  nowSeconds: number,
): NewEvent {
  const response_type = responseType.join(' ');
  if (tokens) {
    const event = tokenIssuedEvent(tid, 'implicit', clientId, tokens, nowSeconds);
    if (idToken) (event.data.issued as string[]).push('id_token');
    event.data.response_type = response_type;
    return event;
  }
  return {
    type: 'token.issued',
    tid,
    actor: `client:${clientId}`,
    data: {
      grant_type: 'implicit',
      response_type,
      client_id: clientId,
      sub: authz.sub,
      scope: [...authz.scp],
      issued: ['id_token'],
    },
  };
}
