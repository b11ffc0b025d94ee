#!/usr/bin/env bash
# OrleansTok benchmark, loopback only. Two passes over the same binaries:
#   1. the embedded default (in-memory state and journal): catalogue through the public API, time to
#      first feed, feed vs a trivial endpoint at several concurrencies, ingest, the feed again for users
#      with a history, freshness, memory;
#   2. PostgreSQL (a separate instance with fsync on): the same catalogue, durable ingest, and the raw
#      INSERT rate of the same rows straight into the database, for the ratio.
#   bench/run.sh            100,000 videos, 5,000 creators, 20,000 users, 3 × 10 s per figure
#   bench/run.sh --quick    10,000 videos, 500 creators, 2,000 users, 3 × 5 s per figure
#   bench/run.sh --smoke    a tiny catalogue and 2 s runs: proves every phase works (CI), figures are indicative only
# Results: tables on stdout and bench/results/<date>.json (sections "embedded" and "postgres").
# BENCH_PASSES=embedded or BENCH_PASSES=postgres runs one pass only; BENCH_PG_PHASES (default
# ingest,churn) picks the PostgreSQL pass's phases, e.g. BENCH_PG_PHASES=ingest for A/B runs.
# BENCH_API_ENV adds settings to the API's environment, e.g. BENCH_API_ENV=Recommendation__CandidatePoolMaxAge=00:00:00
# (every page retrieves) to compare with the default in one build.
set -euo pipefail
cd "$(dirname "$0")/.."
ARGS=(--users 20000 --creators 5000 --videos 100000 --seconds 10 --repeat 3 --freshness 50 --memory 10000,100000)
PG_ARGS=(--users 20000 --creators 5000 --videos 20000 --seconds 10 --repeat 3 --churn 1000000)
if [ "${1:-}" = "--quick" ]; then
  ARGS=(--users 2000 --creators 500 --videos 10000 --seconds 5 --repeat 3 --freshness 20 --memory 10000)
  PG_ARGS=(--users 2000 --creators 500 --videos 2000 --seconds 5 --repeat 3 --churn 30000)
elif [ "${1:-}" = "--smoke" ]; then
  ARGS=(--users 300 --creators 50 --videos 2000 --seconds 2 --repeat 1 --concurrency 16,64 --freshness 5 --memory 2000 --reading-pages 5 --warmup 4)
  PG_ARGS=(--users 300 --creators 50 --videos 500 --seconds 2 --repeat 1 --churn 2000 --warmup 4)
fi
PORT=${BENCH_PORT:-5180}
KEY=bench-signing-key-0123456789abcdef0123
mkdir -p bench/results
OUT="bench/results/$(date -u +%Y-%m-%dT%H-%M-%S).json"

dotnet build -c Release -v q src/Api >/dev/null
dotnet build -c Release -v q bench/OrleansTok.Bench >/dev/null

API=""
PG_STARTED=""
# Stops the API and waits for it, before PostgreSQL goes: a silo whose database vanished first
# keeps retrying its shutdown (membership, state) and outlives the script.
stop_api() {
  [ -n "$API" ] || return 0
  kill "$API" 2>/dev/null || true
  for _ in $(seq 1 150); do kill -0 "$API" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$API" 2>/dev/null || true
  wait "$API" 2>/dev/null || true
  API=""
}
cleanup() {
  stop_api
  [ -n "$PG_STARTED" ] && ORLEANSTOK_PG_DATA=/tmp/orleanstok-bench-pg scripts/postgres.sh stop || true
}
trap cleanup EXIT

start_api() { # log-file, extra environment...
  local log=$1; shift
  # Another server on the port would answer the readiness probe and take the whole run.
  if curl -s -o /dev/null "http://127.0.0.1:$PORT/"; then
    echo "port $PORT already answers: stop whatever listens there, or set BENCH_PORT" >&2
    exit 1
  fi
  env ASPNETCORE_ENVIRONMENT=Production \
    Auth__Issuer=orleanstok-bench Auth__Audience=orleanstok Auth__SigningKey=$KEY \
    RateLimits__Enabled=false Demo__Enabled=false \
    Orleans__SiloPort=11311 Orleans__GatewayPort=30311 Management__Port=9465 \
    Logging__LogLevel__Default=Warning "$@" ${BENCH_API_ENV:-} \
    dotnet src/Api/bin/Release/net10.0/OrleansTok.Api.dll --urls "http://127.0.0.1:$PORT" > "$log" 2>&1 &
  API=$!
  local start; start=$(date +%s%N)
  until curl -sf "http://127.0.0.1:$PORT/health/ready" >/dev/null; do
    kill -0 "$API" 2>/dev/null || { echo "the API exited before it was ready; see $log" >&2; exit 1; }
    sleep 0.05
  done
  echo "API (pid $API) ready after $(( ($(date +%s%N) - start) / 1000000 )) ms"
}

PASSES=${BENCH_PASSES:-embedded,postgres}
if [[ $PASSES == *embedded* ]]; then
echo "=== embedded default"
start_api /tmp/orleanstok-bench-api.log
dotnet bench/OrleansTok.Bench/bin/Release/net10.0/OrleansTok.Bench.dll --url "http://127.0.0.1:$PORT" --key "$KEY" \
  --pid "$API" --out "$OUT" --section embedded "${ARGS[@]}"
stop_api
fi
[[ $PASSES == *postgres* ]] || { echo "results: $OUT"; exit 0; }

echo
echo "=== PostgreSQL (fsync on)"
ORLEANSTOK_PG_DATA=/tmp/orleanstok-bench-pg scripts/postgres.sh reset
CS=$(ORLEANSTOK_PG_DATA=/tmp/orleanstok-bench-pg ORLEANSTOK_PG_PORT=55433 ORLEANSTOK_PG_FSYNC=on scripts/postgres.sh start)
PG_STARTED=1
# Idle user activations are collected after 30 s here (Orleans' default is 15 min) so the churn
# phase shows memory levelling off within the run.
start_api /tmp/orleanstok-bench-api-pg.log ConnectionStrings__Postgres="$CS" \
  Orleans__Collection__CollectionAge=00:00:30 Orleans__Collection__CollectionQuantum=00:00:05
dotnet bench/OrleansTok.Bench/bin/Release/net10.0/OrleansTok.Bench.dll --url "http://127.0.0.1:$PORT" --key "$KEY" \
  --pid "$API" --out "$OUT" --section postgres --phases "${BENCH_PG_PHASES:-ingest,churn}" --postgres "$CS" "${PG_ARGS[@]}"
stop_api
echo "results: $OUT"
