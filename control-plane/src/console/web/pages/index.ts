import type { ConsolePage } from '../page-context.ts';
import { addAlias, endMigration, issuersPage, migrationPage, removeAlias, startMigration } from './issuers.ts';
import { changeStatus, confirmStatus, tenantOverview } from './tenant-overview.ts';
import { createTenant, newTenant, tenantList } from './tenants.ts';

/** Every console page and form action: one table, registered by console-web.ts. */
export const CONSOLE_PAGES: readonly ConsolePage[] = [
  tenantList,
  newTenant,
  createTenant,
  tenantOverview,
  confirmStatus,
  changeStatus,
  issuersPage,
  addAlias,
  removeAlias,
  startMigration,
  migrationPage,
  endMigration,
];
