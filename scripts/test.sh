#!/usr/bin/env bash
# Runs every test: unit, two-silo TestingHost, HTTP over a real socket, and PostgreSQL persistence
# against a throwaway PostgreSQL this script starts and stops.
set -euo pipefail
cd "$(dirname "$0")/.."
export ORLEANSTOK_TEST_POSTGRES
ORLEANSTOK_TEST_POSTGRES=$(scripts/postgres.sh start)
trap 'scripts/postgres.sh stop' EXIT
dotnet test OrleansTok.sln -c Release --logger "console;verbosity=normal" "$@"
