#!/bin/sh
# Tessera container entry point: maps a role to the compiled process it runs
# (`npm run build` writes dist/; infra/build/build.ts lists the entry points).
#
#   entrypoint.sh data-plane      node dist/data-plane.js     (data-plane/src/main.ts)
#   entrypoint.sh control-plane   node dist/control-plane.js  (control-plane/src/main.ts)
#   entrypoint.sh worker          node dist/worker.js         (control-plane/src/worker-main.ts, Temporal worker)
#   entrypoint.sh migrate [--create-database]
#                                 node dist/migrate.js        (shared/src/db/migrate-main.ts: DATABASE_URL to latest, exit)
#   entrypoint.sh reseal [--batch-size=N] [--tenant=TID]
#                                 node dist/reseal.js         (shared/src/crypto/reseal-main.ts: every sealed value to the current master key, exit)
#   entrypoint.sh healthcheck [port]   exit 0 when GET /monitor/v1/healthcheck answers 200
#
# Extra arguments after the role are passed to the process. The script works
# from the repository root it lives in (/app in the image), so it also runs
# from a checkout after `npm run build`: infra/docker/entrypoint.sh data-plane
set -eu

cd "$(dirname "$0")/../.."

usage() {
  echo "usage: $0 {data-plane|control-plane|worker|migrate [--create-database]|reseal [--batch-size=N] [--tenant=TID]|healthcheck [port]}" >&2
}

run_js() {
  file="$1"
  shift
  if [ ! -f "$file" ]; then
    echo "tessera: $file is missing: build first (npm run build)" >&2
    exit 78 # EX_CONFIG
  fi
  # exec: node becomes the child of tini and receives SIGTERM directly.
  # Source maps: stack traces name the TypeScript files and lines.
  # shellcheck disable=SC2086 # node_flags is a list of flags, split on purpose.
  exec node --enable-source-maps ${node_flags:-} "$file" "$@"
}

if [ $# -eq 0 ]; then
  usage
  exit 64 # EX_USAGE
fi
role="$1"
shift

case "$role" in
  data-plane)
    # A larger young generation (infra/build/node-flags.ts): most of a request's objects die young, and
    # scavenging less often cut the CPU per authorization-code flow by 2-7 % (bench:authorize, three 4-round runs).
    node_flags="--max-semi-space-size=64"
    run_js dist/data-plane.js "$@"
    ;;
  control-plane) run_js dist/control-plane.js "$@" ;;
  worker)
    # The workflow code is bundled at build time; the worker loads it instead of webpacking sources it does not have.
    TESSERA_WORKFLOW_BUNDLE="${TESSERA_WORKFLOW_BUNDLE:-$(pwd)/dist/workflows.js}"
    export TESSERA_WORKFLOW_BUNDLE
    run_js dist/worker.js "$@"
    ;;
  migrate) run_js dist/migrate.js "$@" ;;
  reseal) run_js dist/reseal.js "$@" ;;
  healthcheck) exec node infra/docker/healthcheck.mjs "$@" ;;
  -h | --help | help)
    usage
    exit 0
    ;;
  *)
    echo "tessera: unknown role '$role'" >&2
    usage
    exit 64
    ;;
esac
