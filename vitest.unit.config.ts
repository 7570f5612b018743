import { defineConfig } from 'vitest/config';

// `npm run test:unit`, and the first part of `npm test`: logic against the
// in-memory ports with a controllable clock. No PostgreSQL, Redis, Temporal,
// SoftHSM or Chromium: a unit test that needs a service belongs in the
// integration suite (vitest.config.ts).
export default defineConfig({
  test: {
    include: ['shared/test/unit/**/*.test.ts', 'data-plane/test/unit/**/*.test.ts', 'control-plane/test/unit/**/*.test.ts'],
    pool: 'threads',
    // Service URLs that lead nowhere: a unit test that reaches for PostgreSQL or Redis fails instead of passing by luck.
    env: { DATABASE_URL: 'postgres://127.0.0.1:1/no-database-in-unit-tests', REDIS_URL: 'redis://127.0.0.1:1', TESSERA_TEST_RUN_ID: '' },
    testTimeout: 10_000,
    retry: 0,
  },
});
