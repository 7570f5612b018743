import type { SlotDefinition } from '../slot.ts';
import { authEvents } from './auth-events.ts';
import { authorizationRequestValidator } from './authorization-request-validator.ts';
import { cibaHandler } from './ciba-handler.ts';
import { claimsSource } from './claims-source.ts';
import { clientAuthInterceptor } from './client-auth-interceptor.ts';
import { clientCredentialsGrant } from './client-credentials-grant.ts';
import { clientMetadataValidator } from './client-metadata-validator.ts';
import { clientSecretCodec } from './client-secret-codec.ts';
import { customTokenResponse } from './custom-token-response.ts';
import { deviceSsoHandler } from './device-sso-handler.ts';
import { identifierTokenCodec } from './identifier-token-codec.ts';
import { introspectionComposer } from './introspection-composer.ts';
import { jwtBearerGrant } from './jwt-bearer-grant.ts';
import { jwtClaimsCodec } from './jwt-claims-codec.ts';
import { parValidator } from './par-validator.ts';
import { passwordGrant } from './password-grant.ts';
import { privateKeyJwtCertVerifier } from './private-key-jwt-cert-verifier.ts';
import { registrationInterceptor } from './registration-interceptor.ts';
import { samlBearerGrant } from './saml-bearer-grant.ts';
import { tokenExchangeGrant } from './token-exchange-grant.ts';
import { tokenIssueEvents } from './token-issue-events.ts';
import { webSsoEligibility } from './web-sso-eligibility.ts';

/** Every plugin slot (Connect2id's 22 integration interfaces), one line each. */
export const SLOTS = [
  claimsSource,
  passwordGrant,
  clientCredentialsGrant,
  jwtBearerGrant,
  samlBearerGrant,
  tokenExchangeGrant,
  cibaHandler,
  webSsoEligibility,
  deviceSsoHandler,
  tokenIssueEvents,
  authEvents,
  jwtClaimsCodec,
  identifierTokenCodec,
  introspectionComposer,
  customTokenResponse,
  registrationInterceptor,
  clientMetadataValidator,
  authorizationRequestValidator,
  parValidator,
  privateKeyJwtCertVerifier,
  clientAuthInterceptor,
  clientSecretCodec,
] as const satisfies readonly SlotDefinition[];

export type SlotName = (typeof SLOTS)[number]['name'];

export const SLOTS_BY_NAME: ReadonlyMap<string, SlotDefinition> = new Map(SLOTS.map((s) => [s.name, s]));
