import type { Client } from '@tessera/shared/clients/client';
import type { ResourceServer } from '@tessera/shared/resources/resource-server';
import type { ResourceServerLookup } from '../../ports/resource-servers.ts';
import type { SlotInvoker } from '../../ports/slot-invoker.ts';
import type { TenantContext } from '../../tenancy/tenant-context.ts';
import type { RedirectTarget } from '../authorization-request.ts';
import type { ClaimsRequest } from '../claims-request.ts';
import type { ResolvedParams } from '../request-source.ts';
import type { ResponseMode } from '../response-mode-names.ts';

/** Why a check refused the request: the OAuth error code and its description. */
export interface Refusal {
  error: string;
  description: string;
}

export const refuse = (error: string, description: string): Refusal => ({ error, description });

/**
 * One rule of an authorisation request: it refuses the request, or records
 * what it established in the state and lets the next rule run.
 */
export type Check<S> = (state: S) => Refusal | undefined | Promise<Refusal | undefined>;

/** What the checks before the boundary need besides the request (narrow, so they run against fakes). */
export interface IncomingDeps {
  clients: { get(tid: string, clientId: string): Promise<Client | undefined> };
  /** Where the parameters come from: the query, a request object or a pushed request (authz/request-source.ts). */
  resolve(params: Record<string, string>): Promise<ResolvedParams>;
  /** The tenant's webhooks (its authorisation request validator); absent where no slot can be a webhook. */
  webhooks?: SlotInvoker;
  /** The tenant's resource servers (RFC 8707 `resource`); absent in narrow fakes, where none is known. */
  resourceServers?: ResourceServerLookup;
}

/**
 * A request before its client and redirect URI are trusted: a refusal here is
 * shown to the user agent, never redirected (RFC 6749 §4.1.2.1).
 */
export interface IncomingRequest {
  readonly context: TenantContext;
  readonly issuer: string;
  readonly deps: IncomingDeps;
  /** The raw query string. */
  readonly query: string;
  /** Parameters of the query, then of the resolved request (request object or pushed request). */
  params: Record<string, string>;
  /** Names of parameters the query repeated (none once a request object or pushed request is resolved). */
  repeated: string[];
  source: 'query' | 'object' | 'pushed';
  client?: Client;
  redirectUri?: string;
  redirectUriGiven: boolean;
}

/** What the redirectable checks establish, assembled into the AuthorizationRequest at the end. */
export interface Established {
  scope: string[];
  /** RFC 8707: the resource servers the tokens are for (checks/resource.ts). */
  resources?: ResourceServer[];
  nonce?: string;
  codeChallenge?: string;
  codeChallengeMethod?: 'S256' | 'plain';
  /** RFC 9449 §10: the DPoP key the code is bound to. */
  dpopJkt?: string;
  prompt: string[];
  maxAge?: number;
  display: string;
  claims?: ClaimsRequest;
  hintSub?: string;
}

/**
 * A request whose client and redirect URI are trusted: a refusal here is
 * redirected to the client (to `target`, in its response mode).
 */
export interface TrustedRequest {
  readonly context: TenantContext;
  readonly issuer: string;
  readonly deps: IncomingDeps;
  readonly client: Client;
  readonly params: Record<string, string>;
  readonly repeated: readonly string[];
  readonly source: 'query' | 'object' | 'pushed';
  readonly redirectUri: string;
  readonly redirectUriGiven: boolean;
  /** The response_type words as sent. */
  readonly responseWords: readonly string[];
  /** The words in the canonical order code, id_token, token (when they are known and distinct). */
  readonly responseType: readonly string[];
  /** Every word is code, id_token or token, none twice. */
  readonly knownResponseType: boolean;
  /** The response mode asked for (or defaulted), and the one errors go back in. */
  readonly askedMode: string;
  readonly responseMode: ResponseMode;
  readonly target: RedirectTarget;
  readonly established: Established;
}

/** Run `checks` in order; the first refusal ends the run. */
export async function runChecks<S>(checks: readonly Check<S>[], state: S): Promise<Refusal | undefined> {
  for (const check of checks) {
    const result = check(state);
    // Most rules are synchronous: await only those that are not.
    const refusal = result instanceof Promise ? await result : result;
    if (refusal) return refusal;
  }
  return undefined;
}
