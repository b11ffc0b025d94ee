#!/usr/bin/env bash
# A local OrleansTok cluster on loopback: N standalone silos plus the API as an Orleans client,
# all sharing one PostgreSQL (membership, grain state, reminders, interaction journal).
#
#   scripts/cluster.sh up --silos N --postgres CONNSTR [--api-port P] [--management-port M] [--no-demo] [--no-build]
#   scripts/cluster.sh kill-silo K        kill -9 silo K (1-based)
#   scripts/cluster.sh start-silo K       start silo K again (new generation, same ports)
#   scripts/cluster.sh stop-silo K        SIGTERM silo K: it leaves the cluster gracefully
#   scripts/cluster.sh kill-api | start-api
#   scripts/cluster.sh status             processes, readiness, membership rows
#   scripts/cluster.sh down               SIGTERM everything, kill -9 what is left after 30 s
#
# Silo K listens on 127.0.0.1:(11110+K) for silos, :(30000+K) for clients and :(M+K) for operators
# (health, /metrics, /dashboard); the API's management port is M (default 9400). Extra settings for
# every process can be passed as environment variables to `up` (Orleans__*, Journal__*, Auth__*,
# RateLimits__*, Recommendation__*, Logging__*, ASPNETCORE_ENVIRONMENT, DOTNET_ENVIRONMENT); they
# are remembered, so a silo started later joins with the same settings.
# State (pids, logs, settings) lives in $ORLEANSTOK_CLUSTER_DIR (default /tmp/orleanstok-cluster).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR=${ORLEANSTOK_CLUSTER_DIR:-/tmp/orleanstok-cluster}
SILO_DLL=$ROOT/src/Silo/bin/Release/net10.0/OrleansTok.Silo.dll
API_DLL=$ROOT/src/Api/bin/Release/net10.0/OrleansTok.Api.dll

die() { echo "cluster.sh: $*" >&2; exit 2; }
setting() { cat "$DIR/$1" 2>/dev/null || true; }
# Running, and not a zombie left unreaped by a container's init.
alive() { [ -f "$1" ] && ps -o stat= -p "$(cat "$1")" 2>/dev/null | grep -qv '^Z'; }

start_silo() {
  local k=$1
  alive "$DIR/silo$k.pid" && { echo "silo $k already running (pid $(cat "$DIR/silo$k.pid"))"; return; }
  ConnectionStrings__Postgres="$(setting postgres)" \
  Orleans__SiloPort=$((11110 + k)) Orleans__GatewayPort=$((30000 + k)) Management__Port=$(( $(setting management-port) + k )) \
  DOTNET_ENVIRONMENT="${DOTNET_ENVIRONMENT:-Production}" \
    setsid dotnet "$SILO_DLL" >>"$DIR/silo$k.log" 2>&1 < /dev/null &
  echo $! > "$DIR/silo$k.pid"
  echo "silo $k started (pid $!, silo port $((11110 + k)), gateway $((30000 + k)), management http://127.0.0.1:$(( $(setting management-port) + k )))"
}

start_api() {
  alive "$DIR/api.pid" && { echo "api already running (pid $(cat "$DIR/api.pid"))"; return; }
  local port; port=$(setting api-port)
  ConnectionStrings__Postgres="$(setting postgres)" Orleans__Role=client \
  Demo__Enabled="$(setting demo)" Management__Port="$(setting management-port)" \
  ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Development}" \
    setsid dotnet "$API_DLL" --urls "http://127.0.0.1:$port" >>"$DIR/api.log" 2>&1 < /dev/null &
  echo $! > "$DIR/api.pid"
  echo "api started (pid $!, http://127.0.0.1:$port, management http://127.0.0.1:$(setting management-port))"
}

wait_ready() {
  local port; port=$(setting api-port)
  for _ in $(seq 1 600); do
    if curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1; then echo "ready: http://127.0.0.1:$port"; return 0; fi
    sleep 0.2
  done
  echo "the API did not become ready within 120 s; see $DIR/api.log" >&2
  return 1
}

signal_and_wait() { # pidfile signal seconds
  alive "$1" || return 0
  local pid; pid=$(cat "$1")
  kill "-$2" "$pid" 2>/dev/null || true
  for _ in $(seq 1 $(($3 * 10))); do alive "$1" || return 0; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
}

cmd=${1:-status}; shift || true
if [ "$cmd" != up ] && [ -f "$DIR/env" ]; then set -a; . "$DIR/env"; set +a; fi
case "$cmd" in
  up)
    silos=3; postgres=""; port=8080; management=9400; demo=true; build=true
    while [ $# -gt 0 ]; do
      case "$1" in
        --silos) silos=$2; shift 2 ;;
        --postgres) postgres=$2; shift 2 ;;
        --api-port) port=$2; shift 2 ;;
        --management-port) management=$2; shift 2 ;;
        --no-demo) demo=false; shift ;;
        --no-build) build=false; shift ;;
        *) die "unknown option $1" ;;
      esac
    done
    [ -n "$postgres" ] || die "up needs --postgres CONNSTR (scripts/postgres.sh start prints one)"
    [[ "$silos" =~ ^[1-9][0-9]*$ ]] || die "--silos must be a positive number"
    mkdir -p "$DIR"
    echo "$postgres" > "$DIR/postgres"; echo "$port" > "$DIR/api-port"; echo "$silos" > "$DIR/silos"; echo "$demo" > "$DIR/demo"; echo "$management" > "$DIR/management-port"
    env | grep -E '^(Orleans__|Journal__|Auth__|RateLimits__|Recommendation__|Logging__|ASPNETCORE_ENVIRONMENT=|DOTNET_ENVIRONMENT=)' \
      | sed "s/'/'\\\\''/g; s/=\(.*\)/='\1'/" > "$DIR/env" || true
    if $build; then dotnet build -c Release -v q "$ROOT/src/Silo" >/dev/null && dotnet build -c Release -v q "$ROOT/src/Api" >/dev/null; fi
    ConnectionStrings__Postgres="$postgres" dotnet "$SILO_DLL" migrate
    for k in $(seq 1 "$silos"); do start_silo "$k"; done
    start_api
    wait_ready
    ;;
  kill-silo) [ -n "${1:-}" ] || die "kill-silo K"; alive "$DIR/silo$1.pid" && kill -9 "$(cat "$DIR/silo$1.pid")"; echo "silo $1 killed" ;;
  stop-silo) [ -n "${1:-}" ] || die "stop-silo K"; signal_and_wait "$DIR/silo$1.pid" TERM 30; echo "silo $1 stopped" ;;
  start-silo) [ -n "${1:-}" ] || die "start-silo K"; start_silo "$1" ;;
  kill-api) alive "$DIR/api.pid" && kill -9 "$(cat "$DIR/api.pid")"; echo "api killed" ;;
  start-api) start_api; wait_ready ;;
  status)
    for f in "$DIR"/silo*.pid "$DIR"/api.pid; do
      [ -f "$f" ] || continue
      name=$(basename "$f" .pid)
      k=${name#silo}; [ "$name" = api ] && k=0
      mport=$(( $(setting management-port) + k ))
      if alive "$f"; then
        echo "$name: running (pid $(cat "$f")), ready: $(curl -s -m 3 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$mport/health/ready")"
      else
        echo "$name: stopped"
      fi
    done
    port=$(setting api-port)
    [ -n "$port" ] && { echo -n "readiness: "; curl -s "http://127.0.0.1:$port/health/ready" || echo "no answer"; echo; }
    if command -v psql >/dev/null || [ -x /usr/lib/postgresql/15/bin/psql ]; then
      PSQL=$(command -v psql || echo /usr/lib/postgresql/15/bin/psql)
      cs=$(setting postgres)
      host=$(sed -n 's/.*Host=\([^;]*\).*/\1/p' <<<"$cs"); pgport=$(sed -n 's/.*Port=\([^;]*\).*/\1/p' <<<"$cs")
      user=$(sed -n 's/.*Username=\([^;]*\).*/\1/p' <<<"$cs"); db=$(sed -n 's/.*Database=\([^;]*\).*/\1/p' <<<"$cs")
      PGPASSWORD=$(sed -n 's/.*Password=\([^;]*\).*/\1/p' <<<"$cs") "$PSQL" -h "${host:-127.0.0.1}" -p "${pgport:-5432}" -U "${user:-postgres}" -d "${db:-postgres}" \
        -c "SELECT address, port, generation, CASE status WHEN 3 THEN 'active' WHEN 6 THEN 'dead' WHEN 1 THEN 'created' WHEN 2 THEN 'joining' WHEN 4 THEN 'shutting down' WHEN 5 THEN 'stopping' ELSE status::text END AS status, iamalivetime FROM orleansmembershiptable ORDER BY port, generation" 2>/dev/null || true
    fi
    ;;
  down)
    signal_and_wait "$DIR/api.pid" TERM 30
    for f in "$DIR"/silo*.pid; do [ -f "$f" ] && signal_and_wait "$f" TERM 30; done
    rm -f "$DIR"/*.pid
    echo "cluster down"
    ;;
  *) die "unknown command $cmd (up, kill-silo, start-silo, stop-silo, kill-api, start-api, status, down)" ;;
esac
