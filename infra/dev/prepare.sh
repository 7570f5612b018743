#!/usr/bin/env bash
# Everything `npm start` and `npm test` need before any Node code runs.
# Idempotent and cached: a second run does nothing but quick checks.
#   - npm dependencies (re-installed when a package.json or the lockfile changes)
#   - PostgreSQL and Redis reachable (started when installed but down)
#   - SoftHSM2 (installed with apt-get when running as root), a private token directory
#   - Debian's chromium for the browser tests (installed with apt-get when running as root)
#   - Debian's haproxy for the fleet test (apt-get; never run as a service)
#   - OpenLDAP's slapd and ldap-utils for the LDAP directory test (apt-get; never configured or started as a service)
#   - the Temporal CLI and stripe-mock, built once with `go install` into .cache/bin
# Writes .cache/env, which the Node launchers read for the paths found here.
# `--deps-only`: the npm dependencies and nothing else (the unit tests need no service).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
CACHE="$ROOT/.cache"
DATA="$ROOT/.data"
mkdir -p "$CACHE/bin" "$DATA"

TEMPORAL_CLI_VERSION="v1.5.1"   # newer tags carry a replace directive and cannot be go-installed
STRIPE_MOCK_VERSION="v0.197.0"

say() { printf '[prepare] %s\n' "$*"; }
die() { printf '[prepare] ERROR: %s\n' "$*" >&2; exit 1; }
is_root() { [ "$(id -u)" = "0" ]; }
apt_updated=0
apt_install() {
  is_root || return 1
  command -v apt-get >/dev/null || return 1
  if [ "$apt_updated" = 0 ]; then DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# --- Node and npm dependencies ------------------------------------------------
command -v node >/dev/null || die "Node.js 20 is required (https://nodejs.org or your package manager)."
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' \
  || die "Node.js >= 20.19 is required; found $(node --version)."
stamp_now="$(cat package.json package-lock.json .npmrc */package.json 2>/dev/null | sha256sum | cut -c1-64)"
stamp_file="node_modules/.tessera-deps"
if [ ! -d node_modules ] || [ ! -f "$stamp_file" ] || [ "$(cat "$stamp_file")" != "$stamp_now" ]; then
  say "installing npm dependencies"
  # `npm ci`: exactly the committed lockfile (a package.json out of step with it fails here, clearly),
  # install scripts only for the packages package.json's allowScripts names (.npmrc: strict-allow-scripts).
  npm ci --no-audit --no-fund --loglevel=error
  cat package.json package-lock.json .npmrc */package.json 2>/dev/null | sha256sum | cut -c1-64 > "$stamp_file"
fi
[ "${1:-}" = "--deps-only" ] && exit 0

# --- PostgreSQL ----------------------------------------------------------------
DATABASE_URL="${DATABASE_URL:-postgres://localhost:5432/tessera}"
pg_ready() {
  if command -v pg_isready >/dev/null; then
    local admin="${DATABASE_URL%/*}/postgres"
    pg_isready -q -d "$admin" -t 2
  else
    node -e "const n=require('net');const u=new URL(process.argv[1]);const s=n.connect(+(u.port||5432),u.hostname==='localhost'?'127.0.0.1':u.hostname);s.on('connect',()=>process.exit(0));s.on('error',()=>process.exit(1))" "$DATABASE_URL"
  fi
}
if ! pg_ready; then
  if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
    say "starting PostgreSQL"
    for version in $(ls /etc/postgresql); do
      pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    done
    for _ in $(seq 1 30); do pg_ready && break; sleep 0.5; done
  fi
  pg_ready || die "PostgreSQL is not reachable at $DATABASE_URL. Install it (Debian/Ubuntu: apt-get install postgresql) and start it, or set DATABASE_URL."
fi

# --- Redis -----------------------------------------------------------------------
REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"
redis_ready() {
  node -e "const n=require('net');const u=new URL(process.argv[1]);const s=n.connect(+(u.port||6379),u.hostname==='localhost'?'127.0.0.1':u.hostname);s.setTimeout(2000);s.on('connect',()=>{s.write('PING\r\n')});s.on('data',d=>process.exit(/PONG|NOAUTH/.test(String(d))?0:1));s.on('error',()=>process.exit(1));s.on('timeout',()=>process.exit(1))" "$REDIS_URL"
}
if ! redis_ready; then
  if command -v redis-server >/dev/null; then
    say "starting Redis"
    mkdir -p "$DATA/redis"
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
      --dir "$DATA/redis" --logfile "$DATA/redis/redis.log" >/dev/null
    for _ in $(seq 1 30); do redis_ready && break; sleep 0.2; done
  fi
  redis_ready || die "Redis is not reachable at $REDIS_URL. Install it (Debian/Ubuntu: apt-get install redis-server) and start it, or set REDIS_URL."
fi

# --- SoftHSM2 ----------------------------------------------------------------------
find_softhsm() {
  local candidate
  for candidate in /usr/lib/softhsm/libsofthsm2.so /usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so /usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so /usr/local/lib/softhsm/libsofthsm2.so; do
    [ -f "$candidate" ] && { echo "$candidate"; return 0; }
  done
  command -v dpkg >/dev/null && dpkg -L libsofthsm2 2>/dev/null | grep -m1 'libsofthsm2.so$' && return 0
  return 1
}
PKCS11_MODULE="${PKCS11_MODULE:-$(find_softhsm || true)}"
if [ -z "$PKCS11_MODULE" ]; then
  if is_root; then
    say "installing SoftHSM2 (apt-get install softhsm2)"
    apt_install softhsm2 || die "could not install softhsm2 with apt-get"
    PKCS11_MODULE="$(find_softhsm)" || die "softhsm2 installed but libsofthsm2.so not found"
  else
    die "SoftHSM2 is missing. Install it (Debian/Ubuntu: sudo apt-get install softhsm2) or set PKCS11_MODULE to your PKCS#11 library."
  fi
fi
mkdir -p "$DATA/softhsm/tokens"
SOFTHSM2_CONF="${SOFTHSM2_CONF:-$DATA/softhsm/softhsm2.conf}"
if [ ! -f "$SOFTHSM2_CONF" ]; then
  cat > "$SOFTHSM2_CONF" <<CONF
directories.tokendir = $DATA/softhsm/tokens
objectstore.backend = file
log.level = ERROR
slots.removable = false
CONF
fi

# --- Chromium (browser tests) ------------------------------------------------------
# Debian's chromium, driven by playwright-core (which never downloads a browser of its own).
CHROMIUM_BIN="${CHROMIUM_BIN:-/usr/bin/chromium}"
if [ ! -x "$CHROMIUM_BIN" ]; then
  if is_root; then
    say "installing Chromium for the browser tests (apt-get install chromium)"
    apt_install chromium || say "WARNING: could not install chromium; the browser test (test/hosted-login.browser.test.ts) needs it"
  else
    say "Chromium is missing (Debian/Ubuntu: sudo apt-get install chromium); the browser test needs it"
  fi
fi

# --- HAProxy (the fleet test) ---------------------------------------------------------
# Debian's haproxy in front of three data-plane nodes (test/fleet.test.ts); each run writes its own config
# and starts it in the foreground. The package's own service is never configured or used.
HAPROXY_BIN="${HAPROXY_BIN:-$(command -v haproxy || echo /usr/sbin/haproxy)}"
if [ ! -x "$HAPROXY_BIN" ]; then
  if is_root; then
    say "installing HAProxy for the fleet test (apt-get install haproxy)"
    apt_install haproxy || say "WARNING: could not install haproxy; the fleet test (test/fleet.test.ts) needs it"
  else
    say "HAProxy is missing (Debian/Ubuntu: sudo apt-get install haproxy); the fleet test needs it"
  fi
fi

# --- OpenLDAP (the LDAP directory test) ----------------------------------------------
# Only the binaries and schemas: each test run starts its own slapd with its own config
# directory (test/support/slapd.ts). The preseed keeps the package from making a database.
SLAPD="${SLAPD:-$(command -v slapd || echo /usr/sbin/slapd)}"
SLAPADD="${SLAPADD:-$(command -v slapadd || echo /usr/sbin/slapadd)}"
if [ ! -x "$SLAPD" ] || [ ! -x "$SLAPADD" ]; then
  if is_root; then
    say "installing OpenLDAP for the LDAP test (apt-get install slapd ldap-utils)"
    command -v debconf-set-selections >/dev/null && echo "slapd slapd/no_configuration boolean true" | debconf-set-selections
    apt_install slapd ldap-utils || say "WARNING: could not install slapd; the LDAP test (test/ldap-directory.test.ts) needs it"
  else
    say "OpenLDAP is missing (Debian/Ubuntu: sudo apt-get install slapd ldap-utils); the LDAP test needs it"
  fi
fi

# --- docker-compose (the Compose file check) ----------------------------------------------
# Debian has no `docker compose` plugin; its docker-compose 1.29 validates infra/docker/compose.yaml
# (test/deploy-manifests.test.ts runs `config` only: no engine needed, none is installed).
if ! command -v docker-compose >/dev/null && ! docker compose version >/dev/null 2>&1; then
  if is_root; then
    say "installing docker-compose for the Compose file check (apt-get install docker-compose)"
    apt_install --no-install-recommends docker-compose || say "WARNING: could not install docker-compose; test/deploy-manifests.test.ts then only parses compose.yaml"
  else
    say "docker-compose is missing (Debian/Ubuntu: sudo apt-get install docker-compose); the Compose check then only parses the file"
  fi
fi

# --- promtool (the alert rules test) --------------------------------------------------
# Debian's prometheus package ships promtool; only the tool is used (no server is configured or started).
PROMTOOL="${PROMTOOL:-$(command -v promtool || echo /usr/bin/promtool)}"
if [ ! -x "$PROMTOOL" ]; then
  if is_root; then
    say "installing promtool for the alert rules test (apt-get install prometheus)"
    apt_install --no-install-recommends prometheus || say "WARNING: could not install prometheus; the alert rules test (test/observability-rules.test.ts) needs promtool"
  else
    say "promtool is missing (Debian/Ubuntu: sudo apt-get install prometheus); the alert rules test needs it"
  fi
fi

# --- Temporal CLI and stripe-mock, built from the Go module proxy ------------------------
go_build() { # name module version
  local name="$1" module="$2" version="$3" bin="$CACHE/bin/$1"
  if [ -x "$bin" ] && [ "$(cat "$bin.version" 2>/dev/null)" = "$version" ]; then return 0; fi
  command -v go >/dev/null || die "Go is needed once to build $name ($module@$version). Install Go 1.22+ or put a $name binary at $bin."
  say "building $name $version with go install (once; cached in .cache/bin)"
  GOBIN="$CACHE/bin" GOFLAGS=-mod=mod go install "$module@$version"
  printf '%s' "$version" > "$bin.version"
}
go_build temporal github.com/temporalio/cli/cmd/temporal "$TEMPORAL_CLI_VERSION"
go_build stripe-mock github.com/stripe/stripe-mock "$STRIPE_MOCK_VERSION"

cat > "$CACHE/env" <<ENV
PKCS11_MODULE=$PKCS11_MODULE
SOFTHSM2_CONF=$SOFTHSM2_CONF
TEMPORAL_BIN=$CACHE/bin/temporal
STRIPE_MOCK_BIN=$CACHE/bin/stripe-mock
CHROMIUM_BIN=$CHROMIUM_BIN
HAPROXY_BIN=$HAPROXY_BIN
SLAPD=$SLAPD
SLAPADD=$SLAPADD
PROMTOOL=$PROMTOOL
ENV
say "ready"
