#!/usr/bin/env bash
# Installs the real servers the integration tests run against (see test/support/servers.ts):
# Dovecot (IMAP, POP3, LMTP, submission), OpenSMTPD (relay), Radicale 3 (CalDAV/CardDAV), openssl, and
# Chromium, which playwright-core drives for the console tests (`npx playwright install` cannot download here).
# Idempotent and non-interactive: exits at once when everything is present. Must run as root (CI is).
set -euo pipefail

log() { echo "[install-test-servers] $*"; }

# Each entry: "binary-or-file package". A file test is used because some tools live outside PATH.
REQUIRED=(
  "/usr/sbin/dovecot dovecot-core"
  "/usr/lib/dovecot/imap dovecot-imapd"
  "/usr/lib/dovecot/pop3 dovecot-pop3d"
  "/usr/lib/dovecot/lmtp dovecot-lmtpd"
  "/usr/lib/dovecot/submission dovecot-submissiond"
  "/usr/sbin/smtpd opensmtpd"
  "/usr/lib/python3/dist-packages/radicale/__init__.py radicale python3-radicale"
  "/usr/bin/openssl openssl"
  "/usr/bin/unshare util-linux"
  "/usr/bin/chromium chromium"
  "/usr/lib/python3/dist-packages/caldav/__init__.py python3-caldav"
)
# The packaged daemons these packages may start on the standard ports.
SERVICES=(dovecot opensmtpd radicale)

missing_packages() {
  local entry path pkg
  for entry in "${REQUIRED[@]}"; do
    path=${entry%% *}
    pkg=${entry#* }
    [[ -e "$path" ]] || echo "$pkg"
  done
}

ensure_vmail_user() {
  # Mail files must belong to a non-root uid; a dedicated user keeps them apart from system mail.
  if ! id vmail >/dev/null 2>&1; then
    log "creating system user vmail"
    useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin vmail
  fi
}

stop_packaged_daemons() {
  # Tests start their own instances on high ports; a packaged daemon on 143/25/5232 only gets in the way.
  local svc
  for svc in "${SERVICES[@]}"; do
    if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet "$svc" 2>/dev/null; then
      systemctl stop "$svc" >/dev/null 2>&1 || true
      systemctl disable "$svc" >/dev/null 2>&1 || true
    fi
    if [[ -x "/etc/init.d/$svc" ]]; then
      "/etc/init.d/$svc" stop >/dev/null 2>&1 || true
    fi
  done
  # Without systemd the init scripts may have left processes behind; the pid files name them exactly.
  local pidfile
  for pidfile in /run/dovecot/master.pid /run/smtpd.pid /var/run/smtpd.pid /run/radicale/radicale.pid; do
    if [[ -f "$pidfile" ]]; then
      kill "$(cat "$pidfile")" >/dev/null 2>&1 || true
    fi
  done
}

remove_own_policy() {
  rm -f /usr/sbin/policy-rc.d
}

main() {
  if [[ $(id -u) -ne 0 ]]; then
    echo "install-test-servers.sh must run as root" >&2
    exit 1
  fi
  local missing
  missing=$(missing_packages | sort -u | tr '\n' ' ')
  if [[ -z "${missing// /}" ]]; then
    ensure_vmail_user
    log "all test servers already installed"
    return 0
  fi

  log "installing: $missing"
  # policy-rc.d exiting 101 tells postinst scripts not to start daemons. Keep an existing one untouched.
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    trap remove_own_policy EXIT
  fi

  export DEBIAN_FRONTEND=noninteractive
  log "apt-get update"
  apt-get update -qq </dev/null
  log "apt-get install"
  # shellcheck disable=SC2086 # word splitting of the package list is intended
  apt-get install -y -qq --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
    $missing </dev/null >/dev/null

  stop_packaged_daemons
  ensure_vmail_user

  missing=$(missing_packages | tr '\n' ' ')
  if [[ -n "${missing// /}" ]]; then
    echo "install-test-servers.sh: still missing after install: $missing" >&2
    exit 1
  fi
  log "done"
}

main "$@"
