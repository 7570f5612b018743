import { HttpError } from '@tessera/shared/http/errors';
import { oauthError } from '../oauth/oauth-error.ts';
import { DPOP_ALGORITHMS } from './dpop-proof.ts';

/** Why a proof was refused: a bad proof, or a nonce the server must provide (RFC 9449 §8). */
export type DpopErrorCode = 'invalid_dpop_proof' | 'use_dpop_nonce';

/** A refusal of a proof, rendered by where it was presented (tokenEndpointError, resourceError). */
export class DpopRefusal extends Error {
  readonly error: DpopErrorCode;
  constructor(error: DpopErrorCode, description: string) {
    super(description);
    this.error = error;
  }
}

/** At the token and PAR endpoints: a 400 error object (RFC 9449 §5, §8). */
export const tokenEndpointError = (refusal: DpopRefusal): HttpError => oauthError(refusal.error, refusal.message);

const ALGS = DPOP_ALGORITHMS.join(' ');

/** The DPoP challenge of a protected resource (RFC 9449 §7.1), with the error when there is one. */
export const dpopChallenge = (error?: string, description?: string): string =>
  error === undefined
    ? `DPoP algs="${ALGS}"`
    : `DPoP error="${error}", error_description="${description!.replace(/["\\]/g, '')}", algs="${ALGS}"`;

/** At a protected resource (UserInfo): 401 with the DPoP challenge (RFC 9449 §7.1, §9). */
export const resourceError = (error: DpopErrorCode | 'invalid_token', description: string): HttpError =>
  new HttpError(401, error, description, { headers: { 'www-authenticate': dpopChallenge(error, description) } });
