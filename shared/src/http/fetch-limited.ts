import { request as httpRequest } from 'node:http';
import { globalAgent as httpsGlobalAgent, request as httpsRequest } from 'node:https';
import { BlockedAddressError, type OutboundPolicy } from './outbound-policy.ts';

/** Why a fetch failed, in words a client may read; the underlying error (if any) is its `cause`, for the log. */
export class FetchError extends Error {}

/**
 * Node's network errors by code, as public reasons. Their own messages name
 * addresses and ports (`connect ECONNREFUSED 10.0.0.5:443`): that is for the
 * log, and would otherwise map the provider's network for whoever registers
 * the URL.
 */
const NETWORK_REASONS: Record<string, string> = {
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name does not resolve',
  ECONNREFUSED: 'the connection failed',
  ECONNRESET: 'the connection failed',
  EHOSTUNREACH: 'the connection failed',
  ENETUNREACH: 'the connection failed',
  ETIMEDOUT: 'timed out',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the server certificate is not trusted',
  SELF_SIGNED_CERT_IN_CHAIN: 'the server certificate is not trusted',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the server certificate is not trusted',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'the server certificate is not trusted',
  CERT_HAS_EXPIRED: 'the server certificate has expired',
  ERR_TLS_CERT_ALTNAME_INVALID: 'the server certificate does not name the host',
};

/** Our own FetchError as it is; a policy refusal says which host (the client chose it); anything else by its code. */
function asFetchError(err: Error): FetchError {
  if (err instanceof FetchError) return err;
  if (err instanceof BlockedAddressError) return new FetchError(err.message, { cause: err });
  const code = (err as { code?: unknown }).code;
  return new FetchError((typeof code === 'string' && NETWORK_REASONS[code]) || 'the connection failed', { cause: err });
}

export interface FetchLimits {
  timeoutMs: number;
  maxBytes: number;
  accept: string;
  /** Which addresses may be connected to (outbound-policy.ts). */
  policy: OutboundPolicy;
  /** Plain http too; by default https only. */
  allowHttp?: boolean;
}

/** What a server answered: its status, body (at most `maxBytes`) and content type. */
export interface LimitedResponse {
  status: number;
  body: string;
  contentType: string;
}

/**
 * One request to a URL someone else chose, under the rules of `fetchLimited`
 * and `postLimited`: https only unless `allowHttp`, public addresses only
 * unless the deployment allows private ones (outbound-policy.ts; checked on
 * the address connected to), no redirects (a 3xx is an answer like any
 * other), a deadline for the whole exchange and a byte cap, so a slow or
 * huge answer cannot hold a worker. Every request opens its own connection
 * (no agent pool: a pooled socket would skip the policy's lookup), with the
 * trust store of the global https agent (its `ca`, which tests extend).
 * `accept(status)` says whether the body of an answer is wanted; otherwise
 * the request fails with `status <n>`.
 */
function requestLimited(
  uri: string,
  method: 'GET' | 'POST',
  headers: Record<string, string>,
  body: string | undefined,
  options: FetchLimits,
  acceptStatus: (status: number) => boolean,
): Promise<LimitedResponse> {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return Promise.reject(new FetchError('not a URL'));
  }
  const plain = url.protocol === 'http:' && options.allowHttp === true;
  if (url.protocol !== 'https:' && !plain) return Promise.reject(new FetchError('only https URLs are fetched'));
  try {
    options.policy.checkLiteralHost(url);
  } catch (err) {
    return Promise.reject(asFetchError(err as Error));
  }
  const request = plain ? httpRequest : httpsRequest;
  const tls = plain ? {} : { ca: httpsGlobalAgent.options.ca };
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        headers: { accept: options.accept, ...headers },
        timeout: options.timeoutMs,
        lookup: options.policy.lookup,
        agent: false,
        ...tls,
      },
      (res) => {
        const status = res.statusCode ?? 0;
        if (!acceptStatus(status)) {
          res.resume();
          reject(new FetchError(`status ${status}`));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > options.maxBytes) {
            // Settle first: once destroyed, the response may still end (empty) before the error is seen.
            reject(new FetchError(`larger than ${options.maxBytes} bytes`));
            req.destroy();
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () =>
          resolve({
            status,
            body: Buffer.concat(chunks).toString('utf8'),
            contentType: String(res.headers['content-type'] ?? ''),
          }),
        );
        res.on('error', (err) => reject(asFetchError(err)));
      },
    );
    const deadline = setTimeout(() => req.destroy(new FetchError('timed out')), options.timeoutMs);
    req.on('close', () => clearTimeout(deadline));
    req.on('timeout', () => req.destroy(new FetchError('timed out')));
    req.on('error', (err) => reject(asFetchError(err)));
    req.end(body);
  });
}

/**
 * GET a document at a URL someone else chose (a client's JWK set, request
 * object or sector identifier document; a custom host's challenge) under the
 * rules of `requestLimited`; any status but 200 is a FetchError.
 */
export async function fetchLimited(uri: string, options: FetchLimits): Promise<{ body: string; contentType: string }> {
  const { body, contentType } = await requestLimited(uri, 'GET', {}, undefined, options, (s) => s === 200);
  return { body, contentType };
}

/**
 * POST a body to a URL someone else chose (a tenant's webhook) under the
 * rules of `requestLimited`. Any status is an answer, for the caller to
 * judge; only a network, policy, deadline or size failure is a FetchError.
 */
export function postLimited(
  uri: string,
  body: string,
  headers: Record<string, string>,
  options: FetchLimits,
): Promise<LimitedResponse> {
  const sized = { ...headers, 'content-length': String(Buffer.byteLength(body)) };
  return requestLimited(uri, 'POST', sized, body, options, () => true);
}
