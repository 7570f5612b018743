import { checkApplicationType, checkTokenEndpointAuthMethod, checkTokenEndpointAuthSigningAlg } from './client-type.ts';
import { checkAllowedCorsOrigins } from './cors-origins.ts';
import {
  checkClientName,
  checkContacts,
  checkPageUris,
  checkScope,
  checkSoftware,
  PAGE_URI_MEMBERS,
} from './descriptive.ts';
import { checkData, checkPreferredClientId, checkRefreshClientSecret } from './directives.ts';
import { checkDpopBoundAccessTokens } from './dpop.ts';
import { checkOtherMembers } from './extensions.ts';
import {
  checkGrantsMatchResponseTypes,
  checkGrantTypes,
  checkPublicClientGrants,
  checkResponseTypes,
} from './grant-types.ts';
import {
  checkAuthorizationEncryption,
  checkAuthorizationSigningAlg,
  checkIdTokenEncryption,
  checkIdTokenExplicitTyp,
  checkIdTokenSigningAlg,
  checkRequestObjectEncryption,
  checkRequestObjectSigningAlg,
  checkUserinfoEncryption,
  checkUserinfoSigningAlg,
} from './jose-members.ts';
import { checkKeys, checkPrivateKeyJwtKeys } from './keys.ts';
import {
  checkBackchannelLogoutSessionRequired,
  checkBackchannelLogoutUri,
  checkFrontchannelLogoutSessionRequired,
  checkFrontchannelLogoutUri,
} from './logout-uris.ts';
import { type MetadataCheck, SERVER_MANAGED_MEMBERS } from './metadata-check.ts';
import { checkPairwiseSector, checkSectorIdentifierUri, checkSubjectType } from './pairwise.ts';
import { checkPostLogoutRedirectUris, checkRedirectUris, checkRedirectUrisPresent } from './redirect-uris.ts';
import { checkRequestRequirements, checkRequestUris, checkSignedRequestObjectAlg } from './request-objects.ts';
import { checkServerManagedMembers, checkUnsupportedMembers, UNSUPPORTED_MEMBERS } from './server-managed.ts';

/** A check and the members it takes care of (every other member is an extension). */
export interface MetadataRule {
  check: MetadataCheck;
  members: readonly string[];
}

/**
 * The client metadata rules in the order they run: the first problem found
 * is the one reported, and later rules read what earlier ones established
 * (the application type, the authentication method, the grant types, the
 * redirect URIs). The metadata is built in this order too.
 */
const RULES: readonly MetadataRule[] = [
  { check: checkServerManagedMembers, members: SERVER_MANAGED_MEMBERS },
  { check: checkUnsupportedMembers, members: Object.keys(UNSUPPORTED_MEMBERS) },
  { check: checkRefreshClientSecret, members: ['refresh_client_secret'] },
  { check: checkPreferredClientId, members: ['preferred_client_id'] },
  { check: checkData, members: ['data'] },
  { check: checkApplicationType, members: ['application_type'] },
  { check: checkTokenEndpointAuthMethod, members: ['token_endpoint_auth_method'] },
  { check: checkTokenEndpointAuthSigningAlg, members: ['token_endpoint_auth_signing_alg'] },
  { check: checkGrantTypes, members: ['grant_types'] },
  { check: checkResponseTypes, members: ['response_types'] },
  { check: checkGrantsMatchResponseTypes, members: [] },
  { check: checkPublicClientGrants, members: [] },
  { check: checkRedirectUris, members: ['redirect_uris'] },
  { check: checkRedirectUrisPresent, members: [] },
  { check: checkPostLogoutRedirectUris, members: ['post_logout_redirect_uris'] },
  { check: checkAllowedCorsOrigins, members: ['allowed_cors_origins'] },
  { check: checkFrontchannelLogoutUri, members: ['frontchannel_logout_uri'] },
  { check: checkFrontchannelLogoutSessionRequired, members: ['frontchannel_logout_session_required'] },
  { check: checkBackchannelLogoutUri, members: ['backchannel_logout_uri'] },
  { check: checkBackchannelLogoutSessionRequired, members: ['backchannel_logout_session_required'] },
  { check: checkKeys, members: ['jwks', 'jwks_uri'] },
  { check: checkPrivateKeyJwtKeys, members: [] },
  { check: checkIdTokenSigningAlg, members: ['id_token_signed_response_alg'] },
  { check: checkSubjectType, members: ['subject_type'] },
  { check: checkSectorIdentifierUri, members: ['sector_identifier_uri'] },
  { check: checkPairwiseSector, members: [] },
  { check: checkRequestUris, members: ['request_uris'] },
  {
    check: checkRequestRequirements,
    members: ['require_pushed_authorization_requests', 'require_signed_request_object'],
  },
  { check: checkRequestObjectSigningAlg, members: ['request_object_signing_alg'] },
  { check: checkSignedRequestObjectAlg, members: [] },
  { check: checkAuthorizationSigningAlg, members: ['authorization_signed_response_alg'] },
  { check: checkRequestObjectEncryption, members: ['request_object_encryption_alg', 'request_object_encryption_enc'] },
  {
    check: checkAuthorizationEncryption,
    members: ['authorization_encrypted_response_alg', 'authorization_encrypted_response_enc'],
  },
  { check: checkUserinfoSigningAlg, members: ['userinfo_signed_response_alg'] },
  { check: checkIdTokenEncryption, members: ['id_token_encrypted_response_alg', 'id_token_encrypted_response_enc'] },
  { check: checkUserinfoEncryption, members: ['userinfo_encrypted_response_alg', 'userinfo_encrypted_response_enc'] },
  { check: checkIdTokenExplicitTyp, members: ['id_token_explicit_typ'] },
  { check: checkDpopBoundAccessTokens, members: ['dpop_bound_access_tokens'] },
  { check: checkClientName, members: ['client_name'] },
  { check: checkPageUris, members: PAGE_URI_MEMBERS },
  { check: checkScope, members: ['scope'] },
  { check: checkContacts, members: ['contacts'] },
  { check: checkSoftware, members: ['software_id', 'software_version'] },
];

/** Every rule, the last one keeping the members no rule handles (language-tagged variants checked like their base). */
export const CLIENT_METADATA_CHECKS: readonly MetadataCheck[] = [
  ...RULES.map((r) => r.check),
  checkOtherMembers(new Set(RULES.flatMap((r) => r.members))),
];
