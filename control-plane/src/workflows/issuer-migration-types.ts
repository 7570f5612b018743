import type { WorkflowTimings } from './types.ts';

/*
 * What `migrateIssuer` takes, returns and reports. Type-only imports: this
 * file is part of the workflow bundle.
 */

export interface MigrateIssuerInput {
  tid: string;
  /** The primary issuer when the migration was asked for. */
  oldIssuer: string;
  newIssuer: string;
  /** How long both URLs are served before the old one is dropped. */
  windowMs: number;
  /** How often the old issuer's request counters are read for the progress query (at most ~100 reads per window). */
  progressPollMs: number;
  timings: WorkflowTimings;
}

export type MigrationState =
  | 'adding_alias'
  | 'switching_primary'
  | 'window'
  | 'dropping_old_issuer'
  | 'cancelling'
  | 'completed'
  | 'cancelled'
  | 'failed';

export interface MigrationProgress {
  state: MigrationState;
  old_issuer: string;
  new_issuer: string;
  /** When the window started and when it ends by itself (ISO), once the new issuer is primary. */
  window_started_at: string | null;
  window_ends_at: string | null;
  /** Requests served under the old issuer since the window started (all nodes, as last read). */
  old_issuer_requests: number;
  /** Of those, the ones between the last two reads: how many still arrive. */
  old_issuer_recent_requests: number;
  old_issuer_last_request_at: string | null;
  /** When the counters were last read. */
  counted_at: string | null;
  reason?: string;
}

export type MigrateIssuerResult =
  | { status: 'completed' | 'cancelled' }
  | { status: 'failed'; code: string; reason: string };
