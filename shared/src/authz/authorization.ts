import type { SigningAlgorithm } from '../jose/algorithms.ts';

/** RFC 8693 §4.1 `act`: the acting party, its issuer when not ours, and the actor before it in a chain. */
export interface Actor {
  sub: string;
  iss?: string;
  act?: Actor;
}

/**
 * An authorisation: who (sub, optional actor) granted which client (cid)
 * what (scope, claims, audience), with the token settings that apply. Short
 * member names follow Connect2id's authorisation record and JWT vocabulary.
 */
export interface Authorization {
  sub: string;
  cid: string;
  scp: string[];
  /** Actor (impersonation / delegation): `act.sub` is who really acts; RFC 8693 §4.1 nests prior actors. */
  act?: Actor;
  aud?: string[];
  /**
   * RFC 9449 §6: the access token is bound to the DPoP key with this JWK
   * SHA-256 thumbprint. A property of the tokens issued, never of a persisted
   * authorisation (the token issuer leaves it out of what it stores).
   */
  cnf?: { jkt: string };
  /** Consented OpenID claims (names, optionally with language tags). */
  clm?: string[];
  /** Preferred claims locales. */
  cll?: string[];
  /** Preset UserInfo claims. */
  uip?: Record<string, unknown>;
  /** Preset ID token claims. */
  idp?: Record<string, unknown>;
  /** Optional data. */
  dat?: Record<string, unknown>;
  /** Claims released top-level in access tokens (consented `access_token:` claims, values taken at consent). */
  atc?: Record<string, unknown>;
  /** Persisted (remembered consent, identifier refresh tokens) or transient. */
  longLived: boolean;
  /** Issuer URL (primary or alias) the authorisation was made under. */
  iss: string;
  accessToken: {
    /** Seconds; 0 = the tenant default. */
    lifetime: number;
    encoding: 'SELF_CONTAINED' | 'IDENTIFIER';
    encrypt: boolean;
    /** JWT claims profile, when not the tenant's (a resource server's setting). */
    profile?: 'c2id-1.1' | 'c2id-1.0' | 'oauth-1.0';
    /** JWS algorithm, when not the tenant's (a resource server's setting; one the tenant has keys for). */
    alg?: SigningAlgorithm;
  };
  refreshToken: {
    issue: boolean;
    /** Seconds; 0 = no expiry. */
    lifetime: number;
    /** Seconds; 0 = none. */
    maxIdle: number;
    rotate: boolean;
  };
  idToken?: { lifetime: number };
  /** Subject session id when the authorisation came with a session. */
  sid?: string;
}
