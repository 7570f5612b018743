import type { Client } from '@tessera/shared/clients/client';
import { authenticateClientNow as authenticate } from '../../client-auth/index.ts';
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
 */
export function authenticateClient(deps: DataPlaneDeps, endpointPath: string): Step<ClientState> {
  return step<ClientState>('authenticateClient', (x) => {
    const { issuer } = x.request;
    const client = authenticate({
      request: x.request,
      params: x.state.params!,
      audiences: [issuer, `${issuer}${endpointPath}`],
      deps,
    });
    if (!isPending(client)) {
      x.state.client = client;
      return undefined;
    }
    return client.then((c) => {
      x.state.client = c;
      return undefined;
    });
  });
}
