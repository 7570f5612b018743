import { authMethodOf, type Client } from '@tessera/shared/clients/client';
import { listensTo } from '@tessera/shared/events/event-destinations';
import { authenticateClientNow as authenticate } from '../../client-auth/index.ts';
import type { Exchange } from '../../core/exchange.ts';
import { isPending, type Step, step } from '../../core/step.ts';
import type { DataPlaneDeps } from '../../data-plane-deps.ts';
import type { FormState } from './form-body.ts';

export interface ClientState extends FormState {
  /** The client that authenticated with the one method it registered. */
  client?: Client;
}

/**
 * Client authentication (RFC 6749 §2.3, OpenID Connect Core §9) with the
 * method the client registered (client-auth/, one file per method). An
 * assertion may name the issuer or the URL of the endpoint called
 * (`endpointPath`) as its audience. Needs `formBody` first.
 *
 * `client.authenticated` and `client.authentication_failed` (docs/events.md)
 * are raised only when the tenant listens to them (an endpoint or the
 * client authentication interceptor slot): they would otherwise cost every
 * token request a second XADD for nobody.
 */
export function authenticateClient(deps: DataPlaneDeps, endpointPath: string): Step<ClientState> {
  const succeeded = (x: Exchange<ClientState>, client: Client) =>
    deps.events
      .emit({
        type: 'client.authenticated',
        tid: x.request.tenant.tenant.tid,
        actor: `client:${client.clientId}`,
        data: {
          client_id: client.clientId,
          method: authMethodOf(client),
          endpoint: endpointPath,
        },
      })
      .then(() => undefined);
  // The refusal stands whether or not its event could be written.
  const failed = (x: Exchange<ClientState>, err: unknown): Promise<undefined> => {
    const claimed = x.state.params?.client_id;
    return deps.events
      .emit({
        type: 'client.authentication_failed',
        tid: x.request.tenant.tenant.tid,
        ...(claimed ? { actor: `client:${claimed}` } : {}),
        data: {
          ...(claimed ? { client_id: claimed } : {}),
          endpoint: endpointPath,
          reason: err instanceof Error ? err.message : 'refused',
        },
      })
      .then(
        () => Promise.reject(err),
        () => Promise.reject(err),
      );
  };
  return step<ClientState>('authenticateClient', (x) => {
    const { issuer } = x.request;
    const config = x.request.tenant.tenant.config;
    const announceFailure = listensTo(config, 'client.authentication_failed');
    let client: Client | Promise<Client>;
    try {
      client = authenticate({
        request: x.request,
        params: x.state.params!,
        audiences: [issuer, `${issuer}${endpointPath}`],
        deps,
      });
    } catch (err) {
      if (announceFailure) return failed(x, err);
      throw err;
    }
    if (!isPending(client)) {
      x.state.client = client;
      return listensTo(config, 'client.authenticated') ? succeeded(x, client) : undefined;
    }
    return client.then(
      (c) => {
        x.state.client = c;
        return listensTo(config, 'client.authenticated') ? succeeded(x, c) : undefined;
      },
      (err: unknown) => (announceFailure ? failed(x, err) : Promise.reject(err)),
    );
  });
}
