// Container health probe without curl/wget (the slim image has neither):
//   node infra/docker/healthcheck.mjs [port]
// Exits 0 when GET http://127.0.0.1:<port>/monitor/v1/healthcheck answers 200
// within 5 s, else 1. The port defaults to DATA_PLANE_PORT (or 8080).
const port = Number(process.argv[2] ?? process.env.DATA_PLANE_PORT ?? 8080);
const url = `http://127.0.0.1:${port}/monitor/v1/healthcheck`;
try {
  const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
  if (response.status !== 200) {
    console.error(`${url} answered ${response.status}: ${await response.text()}`);
    process.exit(1);
  }
  process.exit(0);
} catch (err) {
  console.error(`${url}: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
