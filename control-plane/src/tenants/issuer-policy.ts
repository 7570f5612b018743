import type { Db } from '@tessera/shared/db/database';
import { HttpError } from '@tessera/shared/http/errors';
import type { AdminPrincipal } from '../auth/admin-auth.ts';
import { isVerifiedDomain } from './domain-store.ts';
import { requireIssuersFree } from './issuer-lock.ts';
import { inTenantNamespace, isPlatformHost, namespaceRoots } from './issuer-namespace.ts';

/**
 * The rules for every issuer URL a caller adds to tenant `tid` (a primary at
 * creation, an alias, a migration target), in this order so that a refusal
 * names the other issuer whenever there is one:
 * 1. `409 issuer_taken` / `issuer_conflict`: the same as, or nested with, an
 *    issuer of any tenant (issuer-conflicts.ts) — for every caller;
 * 2. `403 forbidden`: a tenant-scoped admin token, on a platform host, outside
 *    the tenant's namespace (issuer-namespace.ts);
 * 3. `403 domain_not_verified`: a tenant-scoped admin token, on a custom host
 *    the tenant has not verified (domain-store.ts).
 * The operator key (and an unscoped admin token, which the operator minted)
 * skips 2 and 3. The writers check 1 again under the issuer lock.
 */
export async function checkNewIssuers(
  db: Db,
  bases: readonly string[],
  caller: AdminPrincipal | undefined,
  tid: string,
  issuers: readonly string[],
): Promise<void> {
  await requireIssuersFree(db, tid, issuers);
  if (caller !== undefined && caller.tid === null) return;
  for (const issuer of issuers) await requireIssuerInNamespace(db, bases, tid, issuer);
}

async function requireIssuerInNamespace(db: Db, bases: readonly string[], tid: string, issuer: string): Promise<void> {
  const { host, hostname } = new URL(issuer);
  if (isPlatformHost(hostname, bases)) {
    if (inTenantNamespace(issuer, tid, bases)) return;
    const roots = namespaceRoots(tid, bases).join(', ');
    throw new HttpError(
      403,
      'forbidden',
      `Issuer URL ${issuer} is outside tenant "${tid}"'s namespace (${roots}, and below): only the operator key may add it`,
    );
  }
  if (await isVerifiedDomain(db, tid, host)) return;
  throw new HttpError(
    403,
    'domain_not_verified',
    `The host ${host} of issuer URL ${issuer} is not verified for tenant "${tid}": POST /tenants/rest/v1/${tid}/domains {"host": "${host}"}, ` +
      `publish the challenge (DNS TXT record or HTTP resource), then POST /tenants/rest/v1/${tid}/domains/${host}/verify`,
  );
}
