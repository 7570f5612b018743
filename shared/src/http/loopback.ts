/**
 * Whether a URL names a loopback host (`localhost`, `127.x.x.x`, `[::1]`):
 * where development and tests receive calls. Plain http goes only there,
 * and only where the deployment allows private addresses.
 */
export function isLoopbackUrl(url: string | URL): boolean {
  let host: string;
  try {
    host = (typeof url === 'string' ? new URL(url) : url).hostname;
  } catch {
    return false;
  }
  return host === 'localhost' || /^127\.\d+\.\d+\.\d+$/.test(host) || host === '[::1]';
}
