#!/bin/sh
# Tessera container entry point: maps a role to the process it runs.
#
#   entrypoint.sh data-plane      node --import tsx data-plane/src/main.ts
#   entrypoint.sh control-plane   node --import tsx control-plane/src/main.ts
#   entrypoint.sh worker          node --import tsx control-plane/src/worker-main.ts (Temporal worker)
#   entrypoint.sh migrate         node --import tsx infra/dev/migrate.ts (DATABASE_URL to latest, then exit)
#   entrypoint.sh healthcheck [port]   exit 0 when GET /monitor/v1/healthcheck answers 200
#
# Extra arguments after the role are passed to the process. The script works
# from the repository root it lives in (/app in the image), so it can also be
# run from a checkout: infra/docker/entrypoint.sh data-plane
set -eu

cd "$(dirname "$0")/../.."

usage() {
  echo "usage: $0 {data-plane|control-plane|worker|migrate|healthcheck [port]}" >&2
}

run_ts() {
  file="$1"
  shift
  if [ ! -f "$file" ]; then
    echo "tessera: $file is not in this image/checkout; this role cannot run yet" >&2
    exit 78 # EX_CONFIG
  fi
  # exec: node becomes the child of tini and receives SIGTERM directly.
  exec node --import tsx "$file" "$@"
}

if [ $# -eq 0 ]; then
  usage
  exit 64 # EX_USAGE
fi
role="$1"
shift

case "$role" in
  data-plane) run_ts data-plane/src/main.ts "$@" ;;
  control-plane) run_ts control-plane/src/main.ts "$@" ;;
  worker) run_ts control-plane/src/worker-main.ts "$@" ;;
  migrate) run_ts infra/dev/migrate.ts "$@" ;;
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
