import { join } from 'node:path';
import { sha256Hex } from '@tessera/shared/http/api-token';
import { loadSettings } from '@tessera/shared/settings';
import { loadOrCreateDevSecrets, readDevJson, writeDevJson } from './dev-secrets.ts';
import { prepareDatabase } from './migrate.ts';
import { seedConsole, seedDemoClient, seedDemoTenant, seedDemoUser } from './seed.ts';
import { Children, loadPreparedEnv, portAnswers, ROOT, startStripeMock, startTemporal, waitFor } from './services.ts';

/**
 * `npm start` after prepare.sh: migrate, start the dev servers that are not
 * already running (Temporal, stripe-mock), the control plane, its Temporal
 * worker and a data-plane node, seed the demo tenant, set up the admin console (the operator tenant
 * `operators` and its owner), write .tessera/dev.json, then run until Ctrl-C
 * and stop everything it started.
 */
const started = Date.now();
loadPreparedEnv();
const secrets = loadOrCreateDevSecrets();
const settings = loadSettings();
const children = new Children();

let stopping = false;
async function stop(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    console.log('\n[start] stopping…');
    await children.stopAll();
  }
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

try {
  await prepareDatabase(settings.databaseUrl);

  const [temporalHost, temporalPort] = settings.temporalAddress.split(':');
  if (!(await portAnswers(Number(temporalPort), temporalHost === 'localhost' ? '127.0.0.1' : temporalHost))) {
    const child = startTemporal(children, { port: Number(temporalPort), dbFile: join(ROOT, '.data', 'temporal.db') });
    await waitFor('Temporal dev server', () => portAnswers(Number(temporalPort)), 30_000, child);
  }
  const stripeApiBase = process.env.STRIPE_API_BASE ?? 'http://localhost:12111';
  if (!process.env.STRIPE_SECRET_KEY?.startsWith('sk_live') && !(await portAnswers(12111))) {
    const child = startStripeMock(children, { httpPort: 12111, httpsPort: 12112 });
    await waitFor('stripe-mock', () => portAnswers(12111), 15_000, child);
  }

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: settings.databaseUrl,
    REDIS_URL: settings.redisUrl,
    TEMPORAL_ADDRESS: settings.temporalAddress,
    STRIPE_API_BASE: stripeApiBase,
    TESSERA_MASTER_KEY: secrets.masterKey,
    TESSERA_OPERATOR_KEY_SHA256: sha256Hex(secrets.operatorKey),
    MONITOR_API_TOKEN_SHA256: sha256Hex(secrets.monitorToken),
    // `stripe listen --forward-to …/billing/stripe/webhook` prints a secret of its own: set STRIPE_WEBHOOK_SECRET to it.
    STRIPE_WEBHOOK_SECRET: process.env.STRIPE_WEBHOOK_SECRET || secrets.stripeWebhookSecret,
    // Development: clients under test may host their JWK sets and request objects on this machine.
    CLIENT_FETCH_PRIVATE: process.env.CLIENT_FETCH_PRIVATE ?? 'allow',
  };
  const controlPlaneUrl = `http://localhost:${settings.controlPlanePort}`;
  const dataPlaneUrl = `http://localhost:${settings.dataPlanePort}`;
  const node = (file: string) => ['--import', 'tsx', file];
  const cp = children.spawn('control-plane', process.execPath, node('control-plane/src/main.ts'), { env });
  const dp = children.spawn('data-plane', process.execPath, node('data-plane/src/main.ts'), { env });
  // The Temporal worker runs the tenant workflows; its provisioning smoke check asks this data-plane node.
  const worker = children.spawn('worker', process.execPath, node('control-plane/src/worker-main.ts'), {
    env: { ...env, TESSERA_SMOKE_CHECK_URL: dataPlaneUrl },
  });
  let workerReady = false;
  worker.stdout?.on('data', (chunk: Buffer) => {
    if (chunk.toString().includes('"worker":"ready"')) workerReady = true;
  });
  const healthy = (url: string) => async () =>
    (await fetch(`${url}/monitor/v1/healthcheck`).catch(() => null))?.status === 200;
  await Promise.all([
    waitFor('control plane', healthy(controlPlaneUrl), 30_000, cp),
    waitFor('data plane', healthy(dataPlaneUrl), 30_000, dp),
    waitFor('Temporal worker', async () => workerReady, 60_000, worker),
  ]);

  const previous = readDevJson() as
    | { demo?: { apiToken?: string; user?: { password?: string } }; console?: { owner?: { password?: string } } }
    | undefined;
  const demo = await seedDemoTenant({
    controlPlaneUrl,
    operatorKey: secrets.operatorKey,
    databaseUrl: settings.databaseUrl,
    issuer: `${dataPlaneUrl}/demo`,
    ...(previous?.demo?.apiToken ? { knownApiToken: previous.demo.apiToken } : {}),
  });
  const client = await seedDemoClient({ issuer: demo.issuer, apiToken: demo.apiToken });
  const knownPassword = previous?.demo?.user?.password;
  const user = await seedDemoUser({
    issuer: demo.issuer,
    apiToken: demo.apiToken,
    ...(knownPassword ? { knownPassword } : {}),
  });
  const knownOwnerPassword = previous?.console?.owner?.password;
  const adminConsole = await seedConsole({
    controlPlaneUrl,
    operatorKey: secrets.operatorKey,
    issuer: `${settings.issuerBaseUrls[0]}/operators`,
    ...(knownOwnerPassword ? { knownPassword: knownOwnerPassword } : {}),
  });
  const devJson = writeDevJson({
    controlPlane: { url: controlPlaneUrl, apiKey: secrets.operatorKey },
    dataPlane: { url: dataPlaneUrl },
    // Bearer token for /monitor/v1/metrics on both planes.
    monitoring: { token: secrets.monitorToken },
    // Sign test events for POST /billing/stripe/webhook with it (stripe.webhooks.generateTestHeaderString).
    stripe: { apiBase: stripeApiBase, webhookSecret: process.env.STRIPE_WEBHOOK_SECRET || secrets.stripeWebhookSecret },
    demo: { tid: demo.tid, issuer: demo.issuer, apiToken: demo.apiToken, client, user },
    // The admin console: sign in at the operator tenant as console.owner.
    console: adminConsole,
  });

  console.log(`
Tessera is ready (${((Date.now() - started) / 1000).toFixed(1)} s)
  data plane      ${dataPlaneUrl}   demo discovery: ${demo.issuer}/.well-known/openid-configuration
  demo login      ${demo.issuer}/login?response_type=code&client_id=${client.client_id}&redirect_uri=${encodeURIComponent(client.redirect_uris[0]!)}&scope=openid%20profile%20email   (user alice, password in dev.json)
  control plane   ${controlPlaneUrl}   (OpenAPI: ${controlPlaneUrl}/openapi.json, bearer = controlPlane.apiKey)
  admin console   ${adminConsole.url}   (user ${adminConsole.owner.username}, password in dev.json console.owner.password; operator tenant ${adminConsole.issuer})
  temporal        ${settings.temporalAddress}   (worker: control-plane/src/worker-main.ts, task queue "tenants")
  stripe          ${stripeApiBase}
  credentials     ${devJson}
Press Ctrl-C to stop.`);

  for (const [name, child] of [
    ['control plane', cp],
    ['data plane', dp],
    ['Temporal worker', worker],
  ] as const) {
    child.once('exit', (code) => {
      if (stopping) return;
      console.error(`[start] the ${name} exited (code ${code}); stopping`);
      void stop(1);
    });
  }
} catch (err) {
  console.error(`[start] ${err instanceof Error ? err.message : String(err)}`);
  await stop(1);
}
