import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleWorkflows } from '@tessera/control-plane/temporal/bundle';
import { MasterKey } from '@tessera/shared/crypto/master-key';
import { dropDatabase } from '@tessera/shared/db/migrate';
import { sha256Hex } from '@tessera/shared/http/api-token';
import { loadSettings } from '@tessera/shared/settings';
import { Redis } from 'ioredis';
import { prepareDatabase } from './migrate.ts';
import {
  Children,
  freePort,
  loadPreparedEnv,
  portAnswers,
  ROOT,
  startStripeMock,
  startTemporal,
  waitFor,
} from './services.ts';

/**
 * `npm test` after prepare.sh: type-check, lint, run the unit suite (in-memory
 * ports, no services: vitest.unit.config.ts), then the whole suite against
 * real services in a space of this run's own — a fresh database (dropped
 * afterwards), a Redis key prefix (deleted afterwards), and its own Temporal
 * dev server and stripe-mock on free ports — and end with `N passed, N failed`.
 */
loadPreparedEnv();
const settings = loadSettings();
const runId = randomBytes(4).toString('hex');
const children = new Children();
const databaseUrl = (() => {
  const url = new URL(settings.databaseUrl);
  url.pathname = `/tessera_test_${runId}`;
  return url.toString();
})();
const redisPrefix = `tessera-test-${runId}:`;
const reportFile = join(ROOT, '.cache', `vitest-${runId}.json`);
const unitReportFile = join(ROOT, '.cache', `vitest-unit-${runId}.json`);
// SoftHSM tokens of this run live in a directory of their own, removed afterwards.
const hsmDir = join(ROOT, '.cache', `softhsm-test-${runId}`);
// The workflow code is bundled (webpack, seconds) once per run; every worker of the run loads this file.
const workflowBundle = join(ROOT, '.cache', `workflows-test-${runId}.js`);

async function cleanUp(): Promise<void> {
  await children.stopAll();
  await dropDatabase(databaseUrl).catch((err: unknown) =>
    console.error(`[test] could not drop the test database: ${String(err)}`),
  );
  const redis = new Redis(settings.redisUrl, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${redisPrefix}*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  rmSync(reportFile, { force: true });
  rmSync(unitReportFile, { force: true });
  rmSync(hsmDir, { recursive: true, force: true });
  rmSync(workflowBundle, { force: true });
}

process.on('SIGINT', () => void cleanUp().finally(() => process.exit(130)));

function countResults(file: string): { passed: number; failed: number } {
  if (!existsSync(file)) return { passed: 0, failed: 1 };
  const report = JSON.parse(readFileSync(file, 'utf8')) as {
    numPassedTests: number;
    numFailedTests: number;
    testResults: Array<{ status: string; assertionResults: Array<{ status: string }> }>;
  };
  // A file that failed to load has no failed assertions of its own; count it as one failure.
  const brokenFiles = report.testResults.filter(
    (r) => r.status === 'failed' && !r.assertionResults.some((a) => a.status === 'failed'),
  ).length;
  return { passed: report.numPassedTests, failed: report.numFailedTests + brokenFiles };
}

let exitCode = 1;
let counts = { passed: 0, failed: 0 };
try {
  console.log('[test] type-checking');
  const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  const typecheckOk = tsc.status === 0;
  if (!typecheckOk) console.error('[test] type-check failed');
  // Lint (Biome's recommended rules and no import cycles) and the formatter's verdict, without writing: biome.jsonc.
  console.log('[test] lint and format check (biome ci)');
  const biome = spawnSync(join(ROOT, 'node_modules/.bin/biome'), ['ci', '--max-diagnostics=50', '.'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  const lintOk = biome.status === 0;
  if (!lintOk)
    console.error('[test] lint or format check failed: npm run lint shows it, npm run format fixes the layout');

  // The unit suite first: seconds, no services (its config points service URLs nowhere). A failure counts; the rest still runs.
  console.log('[test] unit tests (in-memory ports)');
  const unitStarted = Date.now();
  const unit = spawnSync(
    process.execPath,
    [
      join(ROOT, 'node_modules/vitest/vitest.mjs'),
      'run',
      '--config',
      'vitest.unit.config.ts',
      '--passWithNoTests',
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${unitReportFile}`,
      ...process.argv.slice(2),
    ],
    { cwd: ROOT, stdio: 'inherit' },
  );
  // A filter that matches no unit test leaves no report: nothing ran, nothing failed.
  const unitCounts =
    unit.status === 0 && !existsSync(unitReportFile) ? { passed: 0, failed: 0 } : countResults(unitReportFile);
  if (unit.status !== 0 && unitCounts.failed === 0) unitCounts.failed = 1;
  console.log(
    `[test] unit tests: ${unitCounts.passed} passed, ${unitCounts.failed} failed in ${((Date.now() - unitStarted) / 1000).toFixed(1)} s`,
  );

  console.log(`[test] run ${runId}: database ${new URL(databaseUrl).pathname.slice(1)}, Redis prefix ${redisPrefix}`);
  await prepareDatabase(databaseUrl);
  const temporalPort = await freePort();
  const temporal = startTemporal(children, { port: temporalPort, quiet: true });
  const stripeHttp = await freePort();
  const stripeHttps = await freePort();
  const stripe = startStripeMock(children, { httpPort: stripeHttp, httpsPort: stripeHttps });
  await Promise.all([
    waitFor('Temporal dev server', () => portAnswers(temporalPort), 30_000, temporal),
    waitFor('stripe-mock', () => portAnswers(stripeHttp), 15_000, stripe),
    bundleWorkflows(workflowBundle),
  ]);

  mkdirSync(join(hsmDir, 'tokens'), { recursive: true });
  writeFileSync(
    join(hsmDir, 'softhsm2.conf'),
    `directories.tokendir = ${join(hsmDir, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`,
  );
  const operatorKey = randomBytes(32).toString('base64url');
  // Metrics fail closed (MONITOR_METRICS defaults to token): tests read them with this token.
  const monitorToken = randomBytes(32).toString('base64url');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    REDIS_URL: settings.redisUrl,
    REDIS_PREFIX: redisPrefix,
    TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
    TESSERA_WORKFLOW_BUNDLE: workflowBundle,
    STRIPE_API_BASE: `http://127.0.0.1:${stripeHttp}`,
    STRIPE_SECRET_KEY: 'sk_test_tesseratest',
    // Tests sign webhook events with it, as Stripe would (stripe.webhooks.generateTestHeaderString).
    STRIPE_WEBHOOK_SECRET: `whsec_${randomBytes(24).toString('base64url')}`,
    TESSERA_MASTER_KEY: MasterKey.generateEncoded(),
    TESSERA_OPERATOR_KEY: operatorKey,
    TESSERA_OPERATOR_KEY_SHA256: sha256Hex(operatorKey),
    TESSERA_MONITOR_TOKEN: monitorToken,
    MONITOR_API_TOKEN_SHA256: sha256Hex(monitorToken),
    TESSERA_TEST_RUN_ID: runId,
    SOFTHSM2_CONF: join(hsmDir, 'softhsm2.conf'),
    SOFTHSM_TOKEN_DIR: join(hsmDir, 'tokens'),
    // Tests host client documents (JWK sets, request objects) on 127.0.0.1; one test turns the rule back on.
    CLIENT_FETCH_PRIVATE: 'allow',
  };
  const vitest = spawn(
    process.execPath,
    [
      join(ROOT, 'node_modules/vitest/vitest.mjs'),
      'run',
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${reportFile}`,
      ...process.argv.slice(2),
    ],
    { cwd: ROOT, env, stdio: 'inherit' },
  );
  const code = await new Promise<number>((resolve) => vitest.once('exit', (c) => resolve(c ?? 1)));
  const integration = countResults(reportFile);
  counts = { passed: unitCounts.passed + integration.passed, failed: unitCounts.failed + integration.failed };
  if (!typecheckOk) counts.failed += 1; // the type-check counts as one more check
  if (!lintOk) counts.failed += 1; // and so does the lint
  exitCode = code === 0 && counts.failed === 0 && counts.passed > 0 ? 0 : 1;
} catch (err) {
  console.error(`[test] ${err instanceof Error ? err.message : String(err)}`);
  counts.failed += 1;
} finally {
  await cleanUp();
}
console.log(`${counts.passed} passed, ${counts.failed} failed`);
process.exit(exitCode);
