/*
 * Every workflow the worker runs, one per file. Adding one: a file here and
 * a line below (and its activities in ../activities/index.ts).
 */

export { billingGrace } from './billing-grace.ts';
export { deprovisionTenant } from './deprovision-tenant.ts';
export { migrateIssuer } from './migrate-issuer.ts';
export { provisionTenant } from './provision-tenant.ts';
export { rotateKeys } from './rotate-keys.ts';
