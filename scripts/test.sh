#!/usr/bin/env bash
# Runs every test: unit, two-silo TestingHost, HTTP over a real socket, and PostgreSQL persistence
# against a throwaway PostgreSQL this script starts and stops.
set -euo pipefail
cd "$(dirname "$0")/.."
export ORLEANSTOK_TEST_POSTGRES
ORLEANSTOK_TEST_POSTGRES=$(scripts/postgres.sh start)
log=$(mktemp)
trap 'scripts/postgres.sh stop; rm -f "$log"' EXIT
set +e
dotnet test OrleansTok.sln -c Release --logger "console;verbosity=normal" "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
if [ "$rc" -ne 0 ]; then
  # A failure's message scrolls away among hundreds of passing lines and silo logs; say it again last.
  echo
  echo "=== tests that failed (repeated from above) ==="
  grep -E -A 30 '^[[:space:]]+Failed [A-Za-z]' "$log" || echo "(no test failure in the log: the build or the runner failed; see above)"
fi
exit "$rc"
