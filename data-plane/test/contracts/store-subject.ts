import { randomBytes } from 'node:crypto';
import type { Authorization } from '@tessera/shared/authz/authorization';
import { expect } from 'vitest';
import type { ManualClock } from '../../src/ports/clock.ts';
import type { Ports } from '../../src/ports/ports.ts';

/**
 * What a store contract runs against: one implementation of every port on a
 * clock the test moves. Contracts are written once (files beside this one)
 * and run in memory (test/unit/store-contracts.unit.test.ts) and on Redis and
 * PostgreSQL (test/store-contracts.test.ts).
 */
export interface StoreSubject {
  ports: Ports;
  clock: ManualClock;
  /** A fresh tenant id (with the tenants row an implementation may need). */
  tenant(): Promise<string>;
}

export type Contract = (subject: () => StoreSubject) => void;

/** A tenant's identifier key. */
export const hmacKey = (): Buffer => randomBytes(32);

/**
 * Wait until a probe finds nothing. In memory the clock ends a record at
 * once; Redis keeps its own time, so a record whose TTL the test let pass
 * on the clock goes within the TTL of real time. Contracts use TTLs of a
 * second or two where this matters.
 */
export async function expectGone(probe: () => Promise<unknown>): Promise<void> {
  await expect.poll(probe, { timeout: 4000, interval: 50 }).toBeNull();
}

export function authorization(fields: Partial<Authorization> = {}): Authorization {
  return {
    sub: 'alice',
    cid: 'app',
    scp: ['openid', 'read'],
    longLived: true,
    iss: 'https://op.example/t',
    accessToken: { lifetime: 0, encoding: 'IDENTIFIER', encrypt: false },
    refreshToken: { issue: true, lifetime: 0, maxIdle: 0, rotate: true },
    ...fields,
  };
}
