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
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // These are real-service tests; a retry would hide flakiness instead of reporting it.
    retry: 0,
  },
});
