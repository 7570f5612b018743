import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// `npm run test:unit`, and the first part of `npm test`: logic against the
// in-memory ports with a controllable clock. No PostgreSQL, Redis, Temporal,
// SoftHSM or Chromium: a unit test that needs a service belongs in the
// integration suite (vitest.config.ts).
export default defineConfig({
  test: {
    include: [
      'shared/test/unit/**/*.test.ts',
      'data-plane/test/unit/**/*.test.ts',
      'control-plane/test/unit/**/*.test.ts',
      'cli/test/unit/**/*.test.ts',
    ],
    pool: 'threads',
    // Every core: these tests wait on nothing, and vitest's default (one core fewer) ran them on one worker on a
    // 2-core machine (21 s against 13 s).
    maxWorkers: Math.max(2, availableParallelism()),
    // One module graph per worker, not per file: importing the data plane's modules again for each file cost more
    // than every test together (16 s against 7 s on the loaded test machine), and in-memory key pairs are made once.
    // Unit tests keep no state in modules: each builds its own ports (memoryPlane()) and clock.
    isolate: false,
    // Service URLs that lead nowhere: a unit test that reaches for PostgreSQL or Redis fails instead of passing by luck.
    env: {
      DATABASE_URL: 'postgres://127.0.0.1:1/no-database-in-unit-tests',
      REDIS_URL: 'redis://127.0.0.1:1',
      TESSERA_TEST_RUN_ID: '',
    },
    testTimeout: 10_000,
    retry: 0,
  },
});
