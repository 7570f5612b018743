import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

/** Table types for kysely. Timestamps are `timestamptz`; JSON columns are `jsonb`. */

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string, string>;

export type TenantStatus = 'provisioning' | 'active' | 'suspended' | 'failed' | 'deprovisioning';
export type AliasMode = 'MIGRATION' | 'PERSISTED_GRANT_ISOLATION';
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
  status: KeyStatus;
  public_jwk: Json<Record<string, unknown>>;
  /** Sealed private part (software keys) or null when the key never leaves an HSM. */
  private_sealed: string | null;
  created_at: Timestamp;
  activated_at: Timestamp | null;
  retired_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

export interface TenantApiTokensTable {
  id: Generated<string>;
  tid: string;
  label: string;
  token_sha256: string;
  created_at: Timestamp;
  revoked_at: Timestamp | null;
}

export interface Database {
  tenants: TenantsTable;
  issuer_aliases: IssuerAliasesTable;
  tenant_configs: TenantConfigsTable;
  tenant_keys: TenantKeysTable;
  tenant_api_tokens: TenantApiTokensTable;
}

export type TenantRow = Selectable<TenantsTable>;
export type NewTenantRow = Insertable<TenantsTable>;
export type TenantKeyRow = Selectable<TenantKeysTable>;
