import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

/** Table types for kysely. Timestamps are `timestamptz`; JSON columns are `jsonb`. */

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string, string>;

export type TenantStatus = 'provisioning' | 'active' | 'suspended' | 'failed' | 'deprovisioning';
export type AliasMode = 'MIGRATION' | 'PERSISTED_GRANT_ISOLATION';
/** Derived from a key's timestamps, never stored: see keys/key-lifecycle.ts. */
export type KeyStatus = 'pending' | 'active' | 'retired' | 'revoked';

export interface TenantsTable {
  tid: string;
  name: string;
  issuer: string;
  status: TenantStatus;
  plan: string;
  attrs: Json<Record<string, unknown>>;
  config_version: number;
  status_reason: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface IssuerAliasesTable {
  issuer: string;
  tid: string;
  mode: AliasMode;
  created_at: Timestamp;
}

export interface TenantConfigsTable {
  tid: string;
  version: number;
  config: Json<Record<string, unknown>>;
  created_at: Timestamp;
}

export interface TenantKeysTable {
  tid: string;
  kid: string;
  alg: string;
  use: 'sig' | 'enc';
  backend: 'software' | 'pkcs11';
  public_jwk: Json<Record<string, unknown>>;
  /** Sealed private part (software keys) or null when the key never leaves an HSM. */
  private_sealed: string | null;
  created_at: Timestamp;
  /** When the key starts (or started) signing; a future time means pending. */
  activated_at: Timestamp;
  /** When it stops (or stopped) signing; it stays published for verification. */
  retired_at: Timestamp | null;
  /** When it was withdrawn from the JWK set and its private part destroyed. */
  revoked_at: Timestamp | null;
}

export interface TenantHsmTokensTable {
  tid: string;
  label: string;
  /** `token`: the tenant's own token (PINs sealed here); `pool`: a claimed pool token; `shared`: the shared token (PINs in the configuration). */
  layout: ColumnType<HsmLayout, HsmLayout | undefined, HsmLayout>;
  so_pin_sealed: string | null;
  user_pin_sealed: string | null;
  created_at: Timestamp;
}

export type HsmLayout = 'token' | 'pool' | 'shared';

/** slot-pool mode: the tokens the operator initialised, and the tenant holding each. */
export interface HsmPoolMembersTable {
  label: string;
  claimed_by: string | null;
  claimed_at: Date | null;
  added_at: ColumnType<Date, Date | undefined, never>;
}

export interface TenantSecretsTable {
  tid: string;
  purpose: string;
  sealed: string;
  created_at: Timestamp;
}

/** A tenant's plugin secrets (migration 0008, plugins/tenant-secret-store.ts). */
export interface TenantPluginSecretsTable {
  tid: string;
  name: string;
  sealed: string;
  previous_sealed: string | null;
  previous_valid_until: Date | null;
  created_at: Timestamp;
}

export interface TenantApiTokensTable {
  id: Generated<string>;
  tid: string;
  label: string;
  token_sha256: string;
  created_at: Timestamp;
  revoked_at: Timestamp | null;
}

export interface ClientsTable {
  tid: string;
  client_id: string;
  metadata: Json<Record<string, unknown>>;
  secret_sealed: string | null;
  secret_expires_at: Timestamp | null;
  previous_secret_sealed: string | null;
  previous_secret_valid_until: Timestamp | null;
  registration_token_sha256: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface AuthorizationsTable {
  id: Generated<string>;
  tid: string;
  sub: string;
  client_id: string;
  record: Json<Record<string, unknown>>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface RefreshTokensTable {
  token_sha256: string;
  tid: string;
  authorization_id: string;
  issued_at: Timestamp;
  expires_at: Timestamp | null;
  last_used_at: Timestamp | null;
  rotated_at: Timestamp | null;
}

export interface RevocationsTable {
  id: Generated<string>;
  tid: string;
  sub: string | null;
  client_id: string | null;
  actor: string | null;
  revoked_at: Timestamp;
}

export interface DirectoryUsersTable {
  tid: string;
  sub: string;
  username: string;
  password_hash: string;
  claims: Json<Record<string, unknown>>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface TenantDomainsTable {
  tid: string;
  host: string;
  challenge_token: string;
  challenge_value: string;
  verified_at: Timestamp | null;
  verified_by: 'dns' | 'http' | null;
  created_at: Timestamp;
}

/** Plans as data (docs/billing.md); the JSON members are typed in shared/src/billing/plan.ts. */
export interface PlansTable {
  id: string;
  name: string;
  quotas: Json<import('../billing/plan.ts').PlanQuotas>;
  monthly_caps: Json<import('../billing/plan.ts').MonthlyCaps>;
  stripe: Json<import('../billing/plan.ts').PlanStripe>;
  /** How long the audit log keeps a tenant's records (docs/audit.md). */
  audit_retention_days: ColumnType<number, number | undefined, number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface BillingAccountsTable {
  tid: string;
  stripe_customer_id: string | null;
  stripe_subscription_id: string | null;
  subscription_status: string | null;
  payment_failed_at: Timestamp | null;
  grace_until: Timestamp | null;
  suspended_by_billing: Generated<boolean>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** Usage per tenant, day and dimension; `value` is bigint (pg returns it as a string). */
export interface UsageTable {
  tid: string;
  day: ColumnType<string, string, string>;
  dimension: string;
  value: ColumnType<string, number | bigint | string, number | bigint | string>;
  updated_at: Timestamp;
}

export interface UsageReportsTable {
  tid: string;
  metric: string;
  day: ColumnType<string, string, string>;
  quantity: ColumnType<string, number | bigint | string, number | bigint | string>;
  idempotency_key: string;
  reported_at: Timestamp;
  /** A report written down and not yet known to have reached Stripe: the total it brings Stripe to, and its key. */
  pending_quantity: ColumnType<string | null, number | bigint | string | null, number | bigint | string | null>;
  pending_key: string | null;
}

export interface StripeEventsTable {
  id: string;
  type: string;
  received_at: Timestamp;
}

/** Append-only (a trigger refuses UPDATE, and DELETE but for the retention purge): docs/audit.md. */
export interface AuditLogTable {
  /** bigserial: pg returns it as a string. */
  id: Generated<string>;
  tid: string | null;
  occurred_at: Timestamp;
  recorded_at: Generated<Date>;
  actor: string;
  action: string;
  target: string | null;
  details: Json<Record<string, unknown>>;
  event_id: string | null;
}

/** The control plane's event outbox (migration 0010, docs/events.md): written in the change's transaction, relayed by the worker. */
export interface EventOutboxTable {
  /** The event's ULID (shared/src/events/event-id.ts). */
  id: string;
  tid: string;
  type: string;
  occurred_at: Timestamp;
  actor: string | null;
  data: Json<Record<string, unknown>>;
  /** When the relay queued its deliveries and audited it; null while pending. */
  relayed_at: Date | null;
}

/** A tenant's resource servers (migration 0011, shared/src/resources/resource-server-store.ts). */
export interface ResourceServersTable {
  tid: string;
  identifier: string;
  id: string;
  name: string;
  scopes: Json<string[]>;
  access_token: Json<Record<string, unknown>>;
  /** null: every client of the tenant. */
  allowed_clients: ColumnType<string[] | null, string | null, string | null>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** The admin console's OpenID Connect client (migration 0013, control-plane/src/console/console-settings.ts). */
export interface ConsoleSettingsTable {
  id: string;
  issuer: string;
  client_id: string;
  client_secret_sealed: string;
  audience: string;
  console_url: string;
  updated_at: Generated<Date>;
}

/** Who may use the admin console, and as what (migration 0013). */
export interface ConsoleMembersTable {
  sub: string;
  role: 'owner' | 'admin' | 'viewer' | 'tenant-admin';
  tid: string | null;
  label: string | null;
  created_at: Generated<Date>;
}

export interface Database {
  tenants: TenantsTable;
  issuer_aliases: IssuerAliasesTable;
  tenant_configs: TenantConfigsTable;
  tenant_keys: TenantKeysTable;
  tenant_api_tokens: TenantApiTokensTable;
  tenant_hsm_tokens: TenantHsmTokensTable;
  hsm_pool_members: HsmPoolMembersTable;
  tenant_secrets: TenantSecretsTable;
  tenant_plugin_secrets: TenantPluginSecretsTable;
  clients: ClientsTable;
  authorizations: AuthorizationsTable;
  refresh_tokens: RefreshTokensTable;
  revocations: RevocationsTable;
  directory_users: DirectoryUsersTable;
  tenant_domains: TenantDomainsTable;
  plans: PlansTable;
  billing_accounts: BillingAccountsTable;
  usage: UsageTable;
  usage_reports: UsageReportsTable;
  stripe_events: StripeEventsTable;
  event_outbox: EventOutboxTable;
  audit_log: AuditLogTable;
  resource_servers: ResourceServersTable;
  console_settings: ConsoleSettingsTable;
  console_members: ConsoleMembersTable;
}

export type TenantRow = Selectable<TenantsTable>;
export type NewTenantRow = Insertable<TenantsTable>;
export type TenantKeyRow = Selectable<TenantKeysTable>;
