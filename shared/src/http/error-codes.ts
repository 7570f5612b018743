/** What a code is: the status it usually goes with, and where it is defined. */
export interface ErrorCodeInfo {
  /** The usual status; a constructor may be given another (see the comments below). */
  readonly status: number;
  readonly spec: string;
}

/**
 * The error codes of the standards we implement, for the `error` member of
 * RFC error objects and `WWW-Authenticate` challenges. A status is a default:
 * authorisation-endpoint errors travel in a redirect, and several codes
 * change status by endpoint (invalid_token is 401 at a resource, a 200
 * `{active:false}` is not an error at all). RFC 7662 and RFC 9126 define no
 * codes of their own; they answer with the RFC 6749/6750 ones.
 */
export const OAUTH_ERROR_CODES = {
  // RFC 6749 §4.1.2.1 (authorisation endpoint) and §5.2 (token endpoint)
  invalid_request: { status: 400, spec: 'RFC 6749 §4.1.2.1, §5.2; RFC 6750 §3.1' },
  invalid_client: { status: 401, spec: 'RFC 6749 §5.2' },
  invalid_grant: { status: 400, spec: 'RFC 6749 §5.2' },
  unauthorized_client: { status: 400, spec: 'RFC 6749 §4.1.2.1, §5.2' },
  unsupported_grant_type: { status: 400, spec: 'RFC 6749 §5.2' },
  invalid_scope: { status: 400, spec: 'RFC 6749 §4.1.2.1, §5.2' },
  access_denied: { status: 403, spec: 'RFC 6749 §4.1.2.1' },
  unsupported_response_type: { status: 400, spec: 'RFC 6749 §4.1.2.1' },
  server_error: { status: 500, spec: 'RFC 6749 §4.1.2.1' },
  temporarily_unavailable: { status: 503, spec: 'RFC 6749 §4.1.2.1' },
  // RFC 6750 §3.1 (bearer tokens at a resource: userinfo, registration management, the APIs)
  invalid_token: { status: 401, spec: 'RFC 6750 §3.1' },
  insufficient_scope: { status: 403, spec: 'RFC 6750 §3.1' },
  // RFC 7009 §2.2.1 (token revocation)
  unsupported_token_type: { status: 400, spec: 'RFC 7009 §2.2.1' },
  // RFC 7591 §3.2.2 (dynamic client registration)
  invalid_redirect_uri: { status: 400, spec: 'RFC 7591 §3.2.2' },
  invalid_client_metadata: { status: 400, spec: 'RFC 7591 §3.2.2' },
  invalid_software_statement: { status: 400, spec: 'RFC 7591 §3.2.2' },
  unapproved_software_statement: { status: 400, spec: 'RFC 7591 §3.2.2' },
  // RFC 8707 §2 (resource indicators)
  invalid_target: { status: 400, spec: 'RFC 8707 §2' },
  // RFC 9449 §5, §7.1, §8 (DPoP)
  invalid_dpop_proof: { status: 400, spec: 'RFC 9449 §5, §7.1' },
  use_dpop_nonce: { status: 400, spec: 'RFC 9449 §8' },
  // RFC 8628 §3.5 (device authorisation grant polling; access_denied too)
  authorization_pending: { status: 400, spec: 'RFC 8628 §3.5' },
  slow_down: { status: 400, spec: 'RFC 8628 §3.5' },
  expired_token: { status: 400, spec: 'RFC 8628 §3.5' },
  // OpenID Connect Core §3.1.2.6 (authentication errors; the request ones also RFC 9101 §6)
  interaction_required: { status: 400, spec: 'OIDC Core §3.1.2.6' },
  login_required: { status: 400, spec: 'OIDC Core §3.1.2.6' },
  account_selection_required: { status: 400, spec: 'OIDC Core §3.1.2.6' },
  consent_required: { status: 400, spec: 'OIDC Core §3.1.2.6' },
  invalid_request_uri: { status: 400, spec: 'OIDC Core §3.1.2.6; RFC 9101 §6.2' },
  invalid_request_object: { status: 400, spec: 'OIDC Core §3.1.2.6; RFC 9101 §6.2' },
  request_not_supported: { status: 400, spec: 'OIDC Core §3.1.2.6' },
  request_uri_not_supported: { status: 400, spec: 'OIDC Core §3.1.2.6' },
  registration_not_supported: { status: 400, spec: 'OIDC Core §3.1.2.6' },
} as const satisfies Record<string, ErrorCodeInfo>;

/**
 * Our own codes: tenancy and the management APIs (data-plane integration
 * APIs, control plane), plus the Connect2id direct-authorisation codes we
 * answer for compatibility (statuses 460–462 are Connect2id's).
 */
export const TESSERA_ERROR_CODES = {
  // tenant resolution (data plane)
  invalid_tenant: { status: 400, spec: 'Tessera: unknown tenant or issuer' },
  tenant_suspended: { status: 403, spec: 'Tessera: the tenant is suspended' },
  // plans (docs/billing.md): a count quota reached at creation; nothing is created
  quota_exceeded: { status: 403, spec: "Tessera: the plan's quota is reached" },
  // plans: over the tenant's request rate (Retry-After says when to come back)
  rate_limited: { status: 429, spec: "Tessera: over the plan's request rate (RFC 6585 §4)" },
  // access to the management APIs
  missing_token: { status: 401, spec: 'Tessera: no bearer token' },
  forbidden: { status: 403, spec: 'Tessera: the credential may not do this' },
  // resources
  not_found: { status: 404, spec: 'Tessera' },
  tenant_not_found: { status: 404, spec: 'Tessera' },
  token_not_found: { status: 404, spec: 'Tessera' },
  alias_not_found: { status: 404, spec: 'Tessera' },
  migration_not_found: { status: 404, spec: 'Tessera' },
  domain_not_found: { status: 404, spec: 'Tessera' },
  plan_not_found: { status: 404, spec: 'Tessera' },
  invalid_session: { status: 404, spec: 'Tessera: unknown or expired authorisation session' },
  // state conflicts
  conflict: { status: 409, spec: 'Tessera' },
  tenant_exists: { status: 409, spec: 'Tessera' },
  tenant_provisioning: { status: 409, spec: 'Tessera' },
  tenant_not_active: { status: 409, spec: 'Tessera' },
  invalid_status: { status: 409, spec: 'Tessera' },
  issuer_conflict: { status: 409, spec: 'Tessera: issuers may not nest' },
  issuer_taken: { status: 409, spec: 'Tessera' },
  issuer_changed: { status: 409, spec: 'Tessera' },
  migration_in_progress: { status: 409, spec: 'Tessera' },
  migration_finished: { status: 409, spec: 'Tessera' },
  too_many_domains: { status: 409, spec: 'Tessera' },
  plan_in_use: { status: 409, spec: 'Tessera: tenants are on the plan' },
  verification_failed: { status: 409, spec: 'Tessera: custom-host challenge not found' },
  domain_not_verified: { status: 403, spec: 'Tessera' },
  // input
  invalid_configuration: { status: 400, spec: 'Tessera: tenant configuration' },
  invalid_plan: { status: 400, spec: 'Tessera: plan quotas, caps or Stripe prices' },
  // workflows (control plane)
  provisioning_failed: { status: 502, spec: 'Tessera' },
  workflow_failed: { status: 502, spec: 'Tessera' },
  // billing (control plane, docs/billing.md)
  billing_failed: { status: 502, spec: 'Tessera: Stripe refused or failed the change; nothing changed' },
  invalid_signature: { status: 400, spec: 'Tessera: the Stripe-Signature of a webhook event does not verify' },
  // Connect2id direct authorisation API, for compatibility
  invalid_client_id: { status: 460, spec: 'Connect2id direct authorisation' },
  invalid_subject_session_id: { status: 461, spec: 'Connect2id direct authorisation' },
  expired_client_secret: { status: 462, spec: 'Connect2id direct authorisation' },
} as const satisfies Record<string, ErrorCodeInfo>;

/** Every code we may send, in one table (no code is in both). */
export const ERROR_CODES: Readonly<Record<ErrorCode, ErrorCodeInfo>> = { ...OAUTH_ERROR_CODES, ...TESSERA_ERROR_CODES };

export type OAuthErrorCode = keyof typeof OAUTH_ERROR_CODES;
export type TesseraErrorCode = keyof typeof TESSERA_ERROR_CODES;
/** An `error` value of ours: a typo is a compile error. */
export type ErrorCode = OAuthErrorCode | TesseraErrorCode;

export const isErrorCode = (value: unknown): value is ErrorCode =>
  typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
