import { discoveryEndpoint } from './discovery.ts';
import type { Endpoint } from './endpoint.ts';
import { jwksEndpoint } from './jwks.ts';
import { keyStoreApi } from '../integration/key-store-api.ts';

/** Every tenant endpoint and integration API of the data plane, in registration order. One line each. */
export const ENDPOINTS: readonly Endpoint[] = [discoveryEndpoint, jwksEndpoint, keyStoreApi];
