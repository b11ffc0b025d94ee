#!/usr/bin/env bash
# OrleansTok benchmark: starts the API on the embedded default (loopback only), loads a synthetic
# catalogue through the public API, drives it from a separate process and prints the figures.
#   bench/run.sh            100,000 videos, 5,000 creators, 20,000 users, 3 × 10 s per figure
#   bench/run.sh --quick    10,000 videos, 500 creators, 2,000 users, 3 × 5 s per figure
# Results: a table on stdout and bench/results/<date>.json.
set -euo pipefail
cd "$(dirname "$0")/.."
ARGS=(--users 20000 --creators 5000 --videos 100000 --seconds 10 --repeat 3 --freshness 50 --memory 10000,100000)
if [ "${1:-}" = "--quick" ]; then
  ARGS=(--users 2000 --creators 500 --videos 10000 --seconds 5 --repeat 3 --freshness 20 --memory 10000)
fi
PORT=${BENCH_PORT:-5180}
KEY=bench-signing-key-0123456789abcdef0123
mkdir -p bench/results
OUT="bench/results/$(date -u +%Y-%m-%dT%H-%M-%S).json"

dotnet build -c Release -v q src/Api >/dev/null
dotnet build -c Release -v q bench/OrleansTok.Bench >/dev/null

ASPNETCORE_ENVIRONMENT=Production \
Auth__Issuer=orleanstok-bench Auth__Audience=orleanstok Auth__SigningKey=$KEY \
RateLimits__Enabled=false Demo__Enabled=false \
Orleans__SiloPort=11311 Orleans__GatewayPort=30311 \
Logging__LogLevel__Default=Warning \
  dotnet src/Api/bin/Release/net10.0/OrleansTok.Api.dll --urls "http://127.0.0.1:$PORT" > /tmp/orleanstok-bench-api.log 2>&1 &
API=$!
trap 'kill $API 2>/dev/null || true' EXIT
START=$(date +%s%N)
until curl -sf "http://127.0.0.1:$PORT/health/live" >/dev/null; do sleep 0.05; done
echo "API (pid $API) answering after $(( ($(date +%s%N) - START) / 1000000 )) ms"

dotnet bench/OrleansTok.Bench/bin/Release/net10.0/OrleansTok.Bench.dll --url "http://127.0.0.1:$PORT" --key "$KEY" \
  --pid "$API" --out "$OUT" "${ARGS[@]}"
echo "results: $OUT"
