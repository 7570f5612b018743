import { randomFillSync } from 'node:crypto';

/**
 * Small random values from a pooled buffer: one getrandom call fills 4 KiB,
 * then values are sliced off it, instead of one system call per identifier.
 * Each slice is copied out, so no two callers ever share bytes.
 */
const POOL_SIZE = 4096;
const pool = Buffer.alloc(POOL_SIZE);
let offset = POOL_SIZE;

export function randomPooled(size: number): Buffer {
  if (size > POOL_SIZE) throw new Error('randomPooled is for small values');
  if (offset + size > POOL_SIZE) {
    randomFillSync(pool);
    offset = 0;
  }
  const out = Buffer.from(pool.subarray(offset, offset + size));
  // Zero what was handed out, so a copy of the pool never holds used values.
  pool.fill(0, offset, offset + size);
  offset += size;
  return out;
}
