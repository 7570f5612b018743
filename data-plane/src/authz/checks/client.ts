import { type Check, type IncomingRequest, refuse } from './authz-check.ts';

/** The longest client_id looked up. */
const MAX_CLIENT_ID = 255;

/** The client named by `client_id` exists in this tenant. */
export const checkClient: Check<IncomingRequest> = async (s) => {
  const clientId = s.params.client_id;
  if (!clientId) return refuse('invalid_request', 'Missing client_id');
  if (clientId.length > MAX_CLIENT_ID) return refuse('invalid_request', 'Invalid client_id');
  const client = await s.deps.clients.get(s.context.tenant.tid, clientId);
  if (!client) return refuse('invalid_client', 'Unknown client');
  s.client = client;
  return undefined;
};
