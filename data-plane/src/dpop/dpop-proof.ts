import { createHash, createPublicKey, type KeyObject, verify } from 'node:crypto';
import { algorithmsFor, JOSE_ALGORITHMS, type SigningAlgorithm } from '@tessera/shared/jose/algorithms';
import { signOptions } from '@tessera/shared/keys/algorithms';
import { jwkThumbprint } from './jwk-thumbprint.ts';

/** RFC 9449 §4.2 `alg`: the asymmetric JWS algorithms of the JOSE registry (discovery's dpop_signing_alg_values_supported). */
export const DPOP_ALGORITHMS: readonly string[] = algorithmsFor('dpop', 'signature');
const ALGS: ReadonlySet<string> = new Set(DPOP_ALGORITHMS);

/** Members of a private (or symmetric) JWK: a proof's `jwk` must have none (RFC 9449 §4.3 check 7). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;
/** The smallest RSA modulus accepted (RFC 7518 §3.3: 2048 bits or larger). */
const MIN_RSA_BITS = 2048;
/** A compact JWS: three base64url parts (a header sent twice arrives joined by ", " and fails this). */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
/** The longest proof read: RSA-4096 keys and signatures fit easily. */
const MAX_PROOF_LENGTH = 8192;
const MAX_JTI_LENGTH = 256;

/** A refusal of a proof: the `invalid_dpop_proof` error description. */
export class DpopProofError extends Error {}

/** What a proof is checked against. */
export interface ProofExpectations {
  /** The request's method (RFC 9449 §4.3 check 8). */
  method: string;
  /** The URL the request was served under: the issuer (primary or alias) and the endpoint's path (check 9). */
  url: string;
  /** Now, in seconds since the epoch, and how far `iat` may be from it either way (check 11). */
  now: number;
  maxAge: number;
  /** At a resource: the access token the proof must hash in `ath` (check 12). */
  accessToken?: string | undefined;
}

/** A proof that passed every check but the nonce and the replay cache (the step's, dpop-step.ts). */
export interface VerifiedProof {
  /** The key's RFC 7638 SHA-256 thumbprint: what tokens are bound to (`cnf.jkt`). */
  jkt: string;
  jti: string;
  iat: number;
  nonce?: string;
}

const fail = (description: string): never => {
  throw new DpopProofError(description);
};

function decodeJson(part: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    fail(`The DPoP proof's ${what} is not JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    fail(`The DPoP proof's ${what} is not a JSON object`);
  return value as Record<string, unknown>;
}

/** The `jwk` header: a public key of the type and curve `alg` needs (registry), as a node KeyObject. */
function publicKey(jwk: unknown, alg: SigningAlgorithm): { key: KeyObject; jkt: string } {
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) return fail('The DPoP proof has no jwk header');
  const members = jwk as Record<string, unknown>;
  if (PRIVATE_MEMBERS.some((m) => m in members)) fail('The DPoP proof jwk must be a public key');
  const entry = JOSE_ALGORITHMS[alg];
  if (!(entry.keyTypes as readonly string[]).includes(members.kty as string))
    fail(`The DPoP proof jwk must have key type ${entry.keyTypes.join(' or ')} for ${alg}`);
  if ('crv' in entry && members.crv !== entry.crv) fail(`The DPoP proof jwk is not on the ${entry.crv} curve`);
  const jkt = jwkThumbprint(members) ?? fail('The DPoP proof jwk lacks a required member');
  let key: KeyObject;
  try {
    key = createPublicKey({ key: members as never, format: 'jwk' });
  } catch {
    return fail('The DPoP proof jwk is not a valid key');
  }
  if (members.kty === 'RSA' && (key.asymmetricKeyDetails?.modulusLength ?? 0) < MIN_RSA_BITS)
    fail(`The DPoP proof jwk is an RSA key under ${MIN_RSA_BITS} bits`);
  return { key, jkt };
}

/** `htu` without query and fragment, normalised by the URL parser (scheme and host case, default port, dot segments). */
function sameUrl(htu: string, expected: string): boolean {
  let url: URL;
  try {
    url = new URL(htu);
  } catch {
    return false;
  }
  return `${url.origin}${url.pathname}` === expected;
}

/** base64url(SHA-256(the access token)), RFC 9449 §4.2 `ath`. */
export const accessTokenHash = (token: string): string =>
  createHash('sha256').update(token, 'ascii').digest('base64url');

/** `url` as `sameUrl` compares it (the served URL is already without query). */
export function normalisedUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}

/**
 * RFC 9449 §4.3: a DPoP proof's checks 1–9, 11 and 12 — one compact JWS,
 * `typ` dpop+jwt, an asymmetric `alg` of the registry, a public `jwk` that
 * verifies the signature, the request's `htm` and `htu`, `iat` within the
 * window, `ath` at a resource. The nonce (check 10) and `jti` uniqueness are
 * the step's (dpop-step.ts): they need the tenant and the replay cache.
 * Synchronous: node's crypto verifies without a promise. `expected.url`
 * must be normalised (normalisedUrl).
 */
export function verifyDpopProof(proof: string, expected: ProofExpectations): VerifiedProof {
  if (proof.length > MAX_PROOF_LENGTH || !COMPACT_JWS.test(proof)) fail('The DPoP header is not one compact JWS');
  const [encodedHeader, encodedPayload, encodedSignature] = proof.split('.') as [string, string, string];
  const header = decodeJson(encodedHeader, 'header');
  if (header.typ !== 'dpop+jwt') fail('The DPoP proof typ must be dpop+jwt');
  const alg = header.alg;
  if (typeof alg !== 'string' || !ALGS.has(alg))
    fail(`The DPoP proof alg must be one of ${DPOP_ALGORITHMS.join(', ')}`);
  const { key, jkt } = publicKey(header.jwk, alg as SigningAlgorithm);
  const signed = Buffer.from(`${encodedHeader}.${encodedPayload}`, 'ascii');
  const signature = Buffer.from(encodedSignature, 'base64url');
  let valid = false;
  try {
    valid = verify(
      JOSE_ALGORITHMS[alg as SigningAlgorithm].digest,
      signed,
      signOptions(alg as SigningAlgorithm, key),
      signature,
    );
  } catch {
    valid = false;
  }
  if (!valid) fail('The DPoP proof signature does not verify with its jwk');

  const claims = decodeJson(encodedPayload, 'payload');
  const { jti, htm, htu, iat, ath, nonce } = claims;
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > MAX_JTI_LENGTH)
    fail('The DPoP proof needs a jti of 1 to 256 characters');
  if (typeof htm !== 'string') fail('The DPoP proof has no htm');
  if (typeof htu !== 'string') fail('The DPoP proof has no htu');
  if (typeof iat !== 'number' || !Number.isFinite(iat)) fail('The DPoP proof has no numeric iat');
  if (htm !== expected.method) fail(`The DPoP proof htm is not ${expected.method}`);
  if (!sameUrl(htu as string, expected.url)) fail(`The DPoP proof htu is not ${expected.url}`);
  if (Math.abs((iat as number) - expected.now) > expected.maxAge)
    fail(`The DPoP proof iat is more than ${expected.maxAge} seconds from now`);
  if (expected.accessToken !== undefined) {
    if (typeof ath !== 'string') fail('The DPoP proof has no ath for the access token');
    if (ath !== accessTokenHash(expected.accessToken)) fail('The DPoP proof ath does not match the access token');
  }
  if (nonce !== undefined && typeof nonce !== 'string') fail('The DPoP proof nonce must be a string');
  return {
    jkt,
    jti: jti as string,
    iat: iat as number,
    ...(typeof nonce === 'string' ? { nonce } : {}),
  };
}
