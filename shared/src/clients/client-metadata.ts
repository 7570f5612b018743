import { CLIENT_METADATA_CHECKS } from './checks/index.ts';
import {
  type CheckedMetadata,
  type ClientMetadataOptions,
  type ClientMetadataResult,
  fail,
  InvalidMetadata,
  type MetadataState,
  SECRET_AUTH_METHODS,
} from './checks/metadata-check.ts';
import { isObject } from './checks/values.ts';
import type { ClientMetadata } from './client.ts';

/**
 * Client metadata validation for dynamic registration (RFC 7591 §2, RFC 7592
 * §2.2, OpenID Connect Dynamic Client Registration §2) with Connect2id's
 * extensions and URI policy (connect2id-apis.md §10.3): one small named check
 * per rule, run in order from the table in checks/index.ts.
 *
 * The validator is pure: it knows nothing of the store or the caller. It
 * returns the metadata to store (defaults filled in, request-only members
 * removed) or the RFC 7591 error code and a description saying what is wrong.
 */

export {
  type ClientMetadataError,
  type ClientMetadataOptions,
  type ClientMetadataResult,
  SERVER_MANAGED_MEMBERS,
  TOKEN_ENDPOINT_AUTH_METHODS,
} from './checks/metadata-check.ts';
export { PROVIDER_SECTOR_URN } from './checks/pairwise.ts';

/** True when clients with this metadata are issued a client secret. */
export const issuesSecret = (metadata: ClientMetadata): boolean =>
  SECRET_AUTH_METHODS.has(metadata.token_endpoint_auth_method ?? 'client_secret_basic');

/** The request's members, JSON null meaning "not set" (dropped before any rule looks). */
function bodyOf(input: unknown): Record<string, unknown> {
  if (!isObject(input)) return fail('The client metadata must be a JSON object');
  const body: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(input)) {
    if (name === '__proto__') fail('The member name "__proto__" is not allowed');
    if (value !== null) body[name] = value;
  }
  return body;
}

function check(input: unknown, options: ClientMetadataOptions): CheckedMetadata {
  const result: CheckedMetadata = { metadata: {}, refreshClientSecret: false };
  const state: MetadataState = {
    body: bodyOf(input),
    options,
    update: options.mode === 'update',
    result,
    metadata: result.metadata,
    applicationType: 'web',
    authMethod: 'client_secret_basic',
    grantTypes: [],
  };
  for (const rule of CLIENT_METADATA_CHECKS) rule(state);
  return result;
}

/**
 * Validate client metadata from a registration (RFC 7591) or update
 * (RFC 7592) request. Errors use the RFC 7591 codes: `invalid_redirect_uri`
 * for redirection URIs, `invalid_client_metadata` for everything else.
 */
export function validateClientMetadata(input: unknown, options: ClientMetadataOptions): ClientMetadataResult {
  try {
    return { ok: true, ...check(input, options) };
  } catch (err) {
    if (err instanceof InvalidMetadata) return { ok: false, error: err.error, description: err.message };
    throw err;
  }
}
