import { defineConfig } from 'vitest/config';

// `npm run test:unit`, and the first part of `npm test`: logic against the
// in-memory ports with a controllable clock. No PostgreSQL, Redis, Temporal,
// SoftHSM or Chromium: a unit test that needs a service belongs in the
// integration suite (vitest.config.ts).
export default defineConfig({
  test: {
    include: ['shared/test/unit/**/*.test.ts', 'data-plane/test/unit/**/*.test.ts', 'control-plane/test/unit/**/*.test.ts'],
    pool: 'threads',
    testTimeout: 10_000,
    retry: 0,
  },
});
