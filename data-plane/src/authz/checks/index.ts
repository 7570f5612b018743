import { checkRequestValidator } from '../../plugins/authorization-request-validator.ts';
import type { Check, IncomingRequest, TrustedRequest } from './authz-check.ts';
import { checkClaims } from './claims.ts';
import { checkClient } from './client.ts';
import { checkDpopJkt } from './dpop-jkt.ts';
import { checkIdTokenHint } from './id-token-hint.ts';
import { checkDisplay, checkHints, checkMaxAge, checkPrompt } from './login-params.ts';
import { checkNonce } from './nonce.ts';
import { checkPkce } from './pkce.ts';
import { checkRedirectUri } from './redirect-uri.ts';
import { checkQuery, checkRepeatedParams, checkRequestSize, checkRequestSource } from './request-params.ts';
import { checkParRequired, checkSignedRequestObject } from './request-policy.ts';
import { checkResource } from './resource.ts';
import { checkModeFitsResponseType, checkResponseMode } from './response-mode.ts';
import { checkClientResponseType, checkResponseType, checkResponseTypeEnabled } from './response-type.ts';
import { checkScope } from './scope.ts';
import { checkState } from './state.ts';

/**
 * The rules of an authorisation request (RFC 6749 §4, OpenID Connect Core §3,
 * RFC 7636, RFC 9101, RFC 9126), in the order they are applied; the first
 * refusal wins, so the order decides which error a request with several
 * faults gets.
 *
 * Before the client and its redirect URI are trusted, a refusal is answered
 * to the user agent (RFC 6749 §4.1.2.1: never redirect to an unchecked URI).
 */
export const BEFORE_REDIRECT: readonly Check<IncomingRequest>[] = [
  checkRequestSize,
  checkQuery,
  checkRequestSource,
  checkClient,
  checkRedirectUri,
];

/**
 * After that (authz/checks/trust.ts), a refusal is redirected to the client.
 * The tenant's authorisation request validator (plugin slot) comes last: it
 * judges a request the standard rules accept.
 */
export const AFTER_REDIRECT: readonly Check<TrustedRequest>[] = [
  checkRepeatedParams,
  checkParRequired,
  checkSignedRequestObject,
  checkState,
  checkResponseMode,
  checkResponseType,
  checkResponseTypeEnabled,
  checkClientResponseType,
  checkModeFitsResponseType,
  checkResource,
  checkScope,
  checkNonce,
  checkPkce,
  checkDpopJkt,
  checkPrompt,
  checkMaxAge,
  checkDisplay,
  checkClaims,
  checkIdTokenHint,
  checkHints,
  checkRequestValidator,
];
