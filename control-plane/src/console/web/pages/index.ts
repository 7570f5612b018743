import type { ConsolePage } from '../page-context.ts';
import { addAlias, endMigration, issuersPage, migrationPage, removeAlias, startMigration } from './issuers.ts';
import { auditPage } from './tenant-audit.ts';
import { clientsPage } from './tenant-clients.ts';
import { eventsPage, retryDeadLetter } from './tenant-events.ts';
import { keysPage, rotateKeys } from './tenant-keys.ts';
import { changeStatus, confirmStatus, tenantOverview } from './tenant-overview.ts';
import { changePlan, usagePage } from './tenant-usage.ts';
import { usersPage } from './tenant-users.ts';
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
  keysPage,
  rotateKeys,
  clientsPage,
  usersPage,
  usagePage,
  changePlan,
  auditPage,
  eventsPage,
  retryDeadLetter,
];
