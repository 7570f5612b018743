import { discoveryEndpoint } from './discovery.ts';
import type { Endpoint } from './endpoint.ts';
import { jwksEndpoint } from './jwks.ts';

/** Every tenant endpoint of the data plane, in registration order. One line each. */
export const ENDPOINTS: readonly Endpoint[] = [discoveryEndpoint, jwksEndpoint];
