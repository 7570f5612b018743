import { type Check, refuse, type TrustedRequest } from './authz-check.ts';
import { printable } from './values.ts';

/** The state echoed back with an error: only a printable one (an unprintable one is refused, without it). */
export const echoableState = (raw: string | undefined): string | undefined =>
  raw !== undefined && printable(raw) ? raw : undefined;

export const checkState: Check<TrustedRequest> = (s) =>
  s.params.state !== undefined && s.target.state === undefined ? refuse('invalid_request', 'Invalid state') : undefined;
