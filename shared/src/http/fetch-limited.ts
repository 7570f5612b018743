import { request as httpRequest } from 'node:http';
import { globalAgent as httpsGlobalAgent, request as httpsRequest } from 'node:https';
import type { OutboundPolicy } from './outbound-policy.ts';

export class FetchError extends Error {}

export interface FetchLimits {
  timeoutMs: number;
  maxBytes: number;
  accept: string;
  /** Which addresses may be connected to (outbound-policy.ts). */
  policy: OutboundPolicy;
  /** Plain http too; by default https only. */
  allowHttp?: boolean;
}

/**
 * GET a document at a URL someone else chose (a client's JWK set, request
 * object or sector identifier document; a custom host's challenge): https
 * only unless `allowHttp`, public addresses only unless the deployment
 * allows private ones (outbound-policy.ts), no redirects, a deadline for the
 * whole exchange and a byte cap, so a slow or huge answer cannot hold a
 * worker. Every fetch opens its own connection (no agent pool: a pooled
 * socket would skip the policy's lookup), with the trust store of the
 * global https agent (its `ca`, which tests extend).
 */
export function fetchLimited(uri: string, options: FetchLimits): Promise<{ body: string; contentType: string }> {
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
    return Promise.reject(new FetchError((err as Error).message));
  }
  const request = plain ? httpRequest : httpsRequest;
  const tls = plain ? {} : { ca: httpsGlobalAgent.options.ca };
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', headers: { accept: options.accept }, timeout: options.timeoutMs, lookup: options.policy.lookup, agent: false, ...tls }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        reject(new FetchError(`status ${res.statusCode}`));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > options.maxBytes) {
          req.destroy(new FetchError(`larger than ${options.maxBytes} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => resolve({ body: Buffer.concat(chunks).toString('utf8'), contentType: String(res.headers['content-type'] ?? '') }));
      res.on('error', (err) => reject(err instanceof FetchError ? err : new FetchError(err.message)));
    });
    const deadline = setTimeout(() => req.destroy(new FetchError('timed out')), options.timeoutMs);
    req.on('close', () => clearTimeout(deadline));
    req.on('timeout', () => req.destroy(new FetchError('timed out')));
    req.on('error', (err) => reject(err instanceof FetchError ? err : new FetchError(err.message)));
    req.end();
  });
}
