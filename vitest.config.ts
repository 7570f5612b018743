import { defineConfig } from 'vitest/config';

// Run through `npm test` (infra/dev/test.ts), which provides a database,
// Redis key prefix, Temporal and stripe-mock of this run's own.
export default defineConfig({
  test: {
    include: [
      'shared/test/**/*.test.ts',
      'data-plane/test/**/*.test.ts',
      'control-plane/test/**/*.test.ts',
      'test/**/*.test.ts',
    ],
    // Unit tests (in-memory ports, no services) run first, on their own: vitest.unit.config.ts.
    exclude: ['**/node_modules/**', '**/test/unit/**'],
    pool: 'forks',
    // Most of these tests wait on PostgreSQL, Redis, Temporal or SoftHSM, not on the CPU: vitest's default (cores - 1,
    // so one on a two-core machine) ran them one file at a time. Three forks halved the wall time here (280 s → 155 s);
    // four bought nothing more. Every file makes tenants, clients and users of its own, so files do not share state.
    maxWorkers: 3,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // These are real-service tests; a retry would hide flakiness instead of reporting it.
    retry: 0,
  },
});
