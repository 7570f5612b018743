import { createPublicKey, KeyObject, X509Certificate } from 'node:crypto';
import type { Static } from '@sinclair/typebox';
import type { Client } from '@tessera/shared/clients/client';
import type { TrustAnchors } from '@tessera/shared/plugins/slots/private-key-jwt-cert-verifier';
import type { JWK } from 'jose';
import type { VerifiedAssertion } from '../client-auth/client-assertion.ts';
import type { ClientAuthInput } from '../client-auth/client-auth-method.ts';
import { oauthError } from '../oauth/oauth-error.ts';
import { callSlotTarget } from './call-slot.ts';
import { slotConfigOf } from './slot-config.ts';

const fail = (description: string) => oauthError('invalid_client', description);

/** The trust anchors of a config, parsed once per config object (the config check made sure they parse). */
const parsedAnchors = new WeakMap<object, X509Certificate[]>();
function anchorsOf(config: Static<typeof TrustAnchors>): X509Certificate[] {
  let anchors = parsedAnchors.get(config);
  if (!anchors) parsedAnchors.set(config, (anchors = config.trustAnchors.map((pem) => new X509Certificate(pem))));
  return anchors;
}

const validAt = (cert: X509Certificate, now: Date) => new Date(cert.validFrom) <= now && now <= new Date(cert.validTo);
const issuedBy = (cert: X509Certificate, issuer: X509Certificate) =>
  issuer.ca && cert.checkIssued(issuer) && cert.verify(issuer.publicKey);

/**
 * Built-in: the `x5c` chain (leaf first, RFC 7517 §4.7) is for the key that
 * verified the assertion, each certificate is signed by the next, the last
 * is a trust anchor or signed by one, and all of them are valid now.
 */
export function chainProblem(
  x5c: readonly string[],
  key: KeyObject,
  anchors: readonly X509Certificate[],
  now: Date,
): string | undefined {
  let chain: X509Certificate[];
  try {
    chain = x5c.map((der) => new X509Certificate(Buffer.from(der, 'base64')));
  } catch {
    return 'The x5c of the client key is not a chain of X.509 certificates';
  }
  if (!chain[0]!.publicKey.equals(key)) return 'The certificate in x5c is not for the client key';
  for (let i = 0; i + 1 < chain.length; i++)
    if (!issuedBy(chain[i]!, chain[i + 1]!)) return 'The certificate chain of the client key is broken';
  const last = chain.at(-1)!;
  const anchor = anchors.find((a) => a.fingerprint256 === last.fingerprint256 || issuedBy(last, a));
  if (!anchor) return 'The certificate of the client key does not chain to a trust anchor of the tenant';
  if (![...chain, anchor].every((cert) => validAt(cert, now)))
    return 'A certificate of the client key has expired or is not valid yet';
  return undefined;
}

/** The registered JWK whose key verified the assertion. */
async function verifyingJwk(input: ClientAuthInput, client: Client, verified: KeyObject): Promise<JWK | undefined> {
  const jwks = await input.deps.clientKeySets.get(client);
  return (jwks.keys as JWK[]).find((jwk) => {
    try {
      return createPublicKey({ key: jwk as never, format: 'jwk' }).equals(verified);
    } catch {
      return false; // a symmetric or malformed member: not this one
    }
  });
}

/**
 * The tenant's private-key-JWT certificate verifier (plugin slot), once the
 * assertion verified: the client key must carry an X.509 chain (`x5c`)
 * that the built-in trust anchors or the tenant's webhook (`{client_id,
 * x5c}` → `{valid}`) accept; otherwise invalid_client. Fails closed (503).
 */
export function verifyClientCertificate(
  input: ClientAuthInput,
  client: Client,
  verified: VerifiedAssertion,
): undefined | Promise<void> {
  const config = slotConfigOf(input.request.tenant!, 'privateKeyJwtCertVerifier');
  // Without the slot: nothing, not even a promise.
  return config ? verifyCertificate(input, client, verified, config) : undefined;
}

async function verifyCertificate(
  input: ClientAuthInput,
  client: Client,
  verified: VerifiedAssertion,
  config: NonNullable<ReturnType<typeof slotConfigOf<'privateKeyJwtCertVerifier'>>>,
): Promise<void> {
  const context = input.request.tenant!;
  const key =
    verified.key instanceof KeyObject
      ? verified.key
      : KeyObject.from(verified.key as import('node:crypto').webcrypto.CryptoKey);
  const jwk = await verifyingJwk(input, client, key);
  const x5c = jwk?.x5c;
  if (!Array.isArray(x5c) || x5c.length === 0 || !x5c.every((c) => typeof c === 'string'))
    throw fail('The client key must carry its X.509 certificate chain (x5c)');
  if (config.type === 'builtin') {
    const problem = chainProblem(x5c, key, anchorsOf(config), new Date(input.deps.oauth.clock.now()));
    if (problem) throw fail(problem);
    return;
  }
  const answer = await callSlotTarget(input.deps.webhooks, context.tenant.tid, 'privateKeyJwtCertVerifier', config, {
    client_id: client.clientId,
    x5c,
  });
  if (answer?.valid !== true) throw fail("The client certificate is not accepted by the tenant's certificate verifier");
}
