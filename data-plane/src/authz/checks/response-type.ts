import { grantTypesOf } from '@tessera/shared/clients/client';
import { type Check, refuse, type TrustedRequest } from './authz-check.ts';
import { words } from './values.ts';

const RESPONSE_WORD_ORDER = ['code', 'id_token', 'token'];

const canonical = (list: readonly string[]): string[] =>
  [...list].sort((a, b) => RESPONSE_WORD_ORDER.indexOf(a) - RESPONSE_WORD_ORDER.indexOf(b));

/** The words of `response_type`, whether they are known (code, id_token, token; none twice), and in canonical order. */
export function responseTypeOf(raw: string | undefined): { words: string[]; known: boolean; canonical: string[] } {
  const list = words(raw);
  const known = list.every((w) => RESPONSE_WORD_ORDER.includes(w)) && new Set(list).size === list.length;
  return { words: list, known, canonical: canonical(list) };
}

/** A response type outside the code flow: tokens come straight from the authorisation endpoint. */
export const isImplicit = (responseType: readonly string[]): boolean => responseType.some((w) => w !== 'code');

/** RFC 6749 §3.1.1: present, and made of known words. */
export const checkResponseType: Check<TrustedRequest> = (s) => {
  if (s.responseWords.length === 0) return refuse('invalid_request', 'Missing response_type');
  if (!s.knownResponseType) return refuse('unsupported_response_type', 'Unsupported response_type');
  return undefined;
};

/** The tenant enables the response type (grants.responseTypes). */
export const checkResponseTypeEnabled: Check<TrustedRequest> = (s) => {
  const type = s.responseType.join(' ');
  if (!(s.context.tenant.config.grants.responseTypes as readonly string[]).includes(type)) {
    return refuse('unsupported_response_type', `The response type ${type} is not enabled`);
  }
  return undefined;
};

/** The client registered the response type (RFC 7591 default: code, for a client of the authorization_code grant). */
export const checkClientResponseType: Check<TrustedRequest> = (s) => {
  const type = s.responseType.join(' ');
  const registered =
    s.client.metadata.response_types ?? (grantTypesOf(s.client).includes('authorization_code') ? ['code'] : []);
  if (!registered.map((t) => canonical(words(t)).join(' ')).includes(type)) {
    return refuse('unauthorized_client', `The client is not registered for the response type ${type}`);
  }
  return undefined;
};
