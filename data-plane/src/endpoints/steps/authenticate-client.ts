import type { Client } from '@tessera/shared/clients/client';
import { authenticateClient as authenticate } from '../../client-auth/index.ts';
import { type Step, step } from '../../core/step.ts';
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
  return step<ClientState>('authenticateClient', async (x) => {
    const { issuer } = x.request;
    x.state.client = await authenticate({
      request: x.request,
      params: x.state.params!,
      audiences: [issuer, `${issuer}${endpointPath}`],
      deps,
    });
  });
}
