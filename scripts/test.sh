#!/usr/bin/env bash
# The whole test suite, from a clean clone on Debian with Node 20:
#   installs and starts the real servers the tests need, type-checks, lints,
#   then runs the unit, integration (PostgreSQL + Dovecot + OpenSMTPD + Radicale),
#   embedded (PGlite) and console (the built console in Chromium) suites, and prints
#   one closing line with the counts. The console suite builds the console first.
set -uo pipefail
cd "$(dirname "$0")/.."

step() { echo; echo "== $*"; }

step "dependencies"
if [[ ! -d node_modules ]] || [[ package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund || exit 1
fi

step "test servers"
bash scripts/install-test-servers.sh || exit 1
bash scripts/ensure-postgres.sh || exit 1

step "type check"
npx tsc -p tsconfig.json --noEmit || exit 1
npx tsc -p console/tsconfig.json || exit 1

step "lint"
npx eslint . || exit 1

step "tests"
mkdir -p .tmp
npx vitest run --reporter=default --reporter=json --outputFile.json=.tmp/vitest.json "$@"
status=$?

# One plain closing line that any CI can read.
node -e '
  const fs = require("node:fs");
  try {
    const r = JSON.parse(fs.readFileSync(".tmp/vitest.json", "utf8"));
    console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
  } catch { console.log("tests: 0 passed, 1 failed"); }
'
exit $status
