import { type Step, step } from '../../core/step.ts';
import type { DataPlaneDeps } from '../../data-plane-deps.ts';
import { requestedResources, resourceServersOf } from '../../oauth/resource-indicators.ts';
import type { ClientState } from './authenticate-client.ts';

interface PushedState extends ClientState {
  pushed?: Record<string, string>;
}

/** RFC 8707 at PAR (RFC 9126 §2.3): a resource that is unknown or not the client's is refused at the push, with invalid_target. */
export const checkPushedResources = (deps: DataPlaneDeps): Step<PushedState> =>
  step<PushedState>('checkPushedResources', async (x) => {
    const named = requestedResources(x.state.pushed!);
    if (named) await resourceServersOf(deps.oauth.resourceServers, x.request.tenant.tenant.tid, x.state.client!, named);
  });
