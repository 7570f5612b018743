import { request } from 'node:https';
import { checkLiteralHost, guardedLookup } from './outbound-policy.ts';

export class FetchError extends Error {}

/**
 * GET a document a client hosts (JWK sets, request objects, sector
 * identifier documents): https only, public addresses only unless the
 * deployment allows private ones (http/outbound-policy.ts), no redirects, a
 * deadline for the whole exchange and a byte cap, so a slow or huge answer
 * cannot hold a worker. Uses the global https agent and its trust store.
 */
export function fetchLimited(uri: string, options: { timeoutMs: number; maxBytes: number; accept: string }): Promise<{ body: string; contentType: string }> {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return Promise.reject(new FetchError('not a URL'));
  }
  if (url.protocol !== 'https:') return Promise.reject(new FetchError('only https URLs are fetched'));
  try {
    checkLiteralHost(url);
  } catch (err) {
    return Promise.reject(new FetchError((err as Error).message));
  }
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', headers: { accept: options.accept }, timeout: options.timeoutMs, lookup: guardedLookup }, (res) => {
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
