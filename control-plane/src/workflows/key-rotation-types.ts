import type { WorkflowTimings } from './types.ts';

/* What `rotateKeys` takes and returns (type-only; part of the workflow bundle). */

export interface RotateKeysInput {
  tid: string;
  timings: WorkflowTimings;
}

/** What the pre-publication step did (or, on a retry, had already done). */
export interface RotationPlan {
  newKids: string[];
  /** Keys the new ones replace: they retire when the new ones activate. */
  retiringKids: string[];
  /** When the new keys start signing (end of pre-publication), ms since the epoch. */
  activateAtMs: number;
}

/** Keys whose deletion must wait, with the time each becomes safe to delete. */
export interface DeletionOutcome {
  deleted: string[];
  waiting: Array<{ kid: string; safeAtMs: number }>;
}

export type RotateKeysResult =
  | { status: 'rotated'; newKids: string[]; deletedKids: string[] }
  /** The tenant is gone or not active: nothing to rotate. */
  | { status: 'skipped' };
