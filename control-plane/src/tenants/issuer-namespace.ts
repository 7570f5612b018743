import { isIP } from 'node:net';
import { issuerRelation } from './issuer-conflicts.ts';

/*
 * The URL space the operator gives each tenant on the platform's own hosts
 * (`TESSERA_ISSUER_BASE_URLS`): for a base `https://id.example.com` and tid
 * `acme`, `https://id.example.com/acme` and everything below it, and the
 * origin `https://acme.id.example.com`. A tenant-scoped admin token may add
 * issuers there; anywhere else on a platform host takes the operator, and a
 * host outside the platform takes a verified domain (domain-store.ts).
 */

const bare = (hostname: string) => (hostname.startsWith('[') ? hostname.slice(1, -1) : hostname);

/** Whether `hostname` is a platform host: a base's host name or a name below it (any port). */
export function isPlatformHost(hostname: string, bases: readonly string[]): boolean {
  return bases.some((base) => {
    const baseHost = new URL(base).hostname;
    return hostname === baseHost || (isIP(bare(baseHost)) === 0 && hostname.endsWith(`.${baseHost}`));
  });
}

/** The roots of tenant `tid`'s namespace: `<base>/<tid>`, and `<scheme>://<tid>.<base host>` for a base on a DNS name. */
export function namespaceRoots(tid: string, bases: readonly string[]): string[] {
  return bases.flatMap((base) => {
    const url = new URL(base);
    const byPath = `${base}/${tid}`;
    return isIP(bare(url.hostname)) === 0 ? [byPath, `${url.protocol}//${tid}.${url.host}`] : [byPath];
  });
}

/** Whether `issuer` lies in tenant `tid`'s namespace: at or below one of its roots. */
export function inTenantNamespace(issuer: string, tid: string, bases: readonly string[]): boolean {
  return namespaceRoots(tid, bases).some((root) => {
    const relation = issuerRelation(issuer, root);
    return relation === 'same' || relation === 'below';
  });
}
