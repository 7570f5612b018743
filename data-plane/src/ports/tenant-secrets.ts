/**
 * A tenant's plugin secrets as the data plane reads them (e.g. an LDAP
 * source's bind password), set by the tenant's admin through the control
 * plane (shared/src/plugins/tenant-secret-store.ts). Read-only here: the
 * data plane never writes or shows one.
 */
export interface TenantSecrets {
  /** The current value, or null when the tenant has no secret of that name. */
  get(tid: string, name: string): Promise<string | null>;
}
