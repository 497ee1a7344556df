#!/usr/bin/env bash
# Makes sure a PostgreSQL server answers for the tests: the machine's own when it
# runs (or can be started), otherwise Debian's postgresql installed and started here.
# MAILROOM_TEST_DATABASE_URL points the tests at another server and skips all of this.
set -euo pipefail
log() { echo "[ensure-postgres] $*"; }

if [[ -n "${MAILROOM_TEST_DATABASE_URL:-}" ]]; then
  log "using MAILROOM_TEST_DATABASE_URL"
  exit 0
fi

ready() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }

if command -v pg_isready >/dev/null 2>&1 && ready; then
  log "PostgreSQL is running on 127.0.0.1:5432"
  exit 0
fi

if ! compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null; then
  log "installing Debian's postgresql"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
fi

version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
if [[ -z "$version" ]]; then
  pgversion=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
  log "creating cluster $pgversion/main"
  pg_createcluster "$pgversion" main >/dev/null
  version=$pgversion
fi

# The tests connect as postgres over TCP without a password, as on the development machines.
hba="/etc/postgresql/$version/main/pg_hba.conf"
if ! grep -q '^host all all 127.0.0.1/32 trust' "$hba"; then
  sed -i '1i host all all 127.0.0.1/32 trust' "$hba"
fi
log "starting PostgreSQL $version"
pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
for _ in $(seq 1 60); do
  ready && { log "PostgreSQL is ready"; exit 0; }
  sleep 0.5
done
log "PostgreSQL did not become ready on 127.0.0.1:5432"
exit 1
