#!/usr/bin/env bash
# Starts (or stops) a throwaway PostgreSQL 15 on loopback for tests and local runs.
#   scripts/postgres.sh start [PORT]   prints the connection string on stdout (keeps existing data)
#   scripts/postgres.sh stop           fast shutdown; data stays for the next start
#   scripts/postgres.sh reset          stop and delete the data directory
# PostgreSQL refuses to run as root, so as root it runs as the `postgres` user. Tests run it with
# fsync off (speed, nothing to protect); ORLEANSTOK_PG_FSYNC=on gives real durability (benchmarks).
# ORLEANSTOK_PG_DATA and ORLEANSTOK_PG_PORT run a second instance beside the first.
set -euo pipefail
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
DATA=${ORLEANSTOK_PG_DATA:-/tmp/orleanstok-pg}
PORT=${2:-${ORLEANSTOK_PG_PORT:-55432}}

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

ensure_installed() {
  if [ ! -x "$PG_BIN/initdb" ]; then
    echo "installing PostgreSQL 15..." >&2
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 >&2
  fi
  if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
    useradd --system --home /var/lib/postgresql --shell /bin/bash postgres
  fi
}

case "${1:-start}" in
  start)
    ensure_installed
    if [ -f "$DATA/postmaster.pid" ] && as_owner "$PG_BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
      echo "Host=127.0.0.1;Port=$PORT;Username=postgres;Password=postgres;Database=orleanstok"
      exit 0
    fi
    fresh=false
    if [ ! -f "$DATA/PG_VERSION" ]; then
      rm -rf "$DATA"
      mkdir -p "$DATA"
      [ "$(id -u)" = 0 ] && chown postgres "$DATA"
      as_owner "$PG_BIN/initdb" -D "$DATA" -U postgres --auth=trust -E UTF8 >/dev/null
      fresh=true
    fi
    as_owner "$PG_BIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w \
      -o "-p $PORT -k /tmp -c listen_addresses=127.0.0.1 -c fsync=${ORLEANSTOK_PG_FSYNC:-off} -c max_connections=200" start >/dev/null
    if $fresh; then as_owner "$PG_BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -qc "CREATE DATABASE orleanstok" >/dev/null; fi
    echo "Host=127.0.0.1;Port=$PORT;Username=postgres;Password=postgres;Database=orleanstok"
    ;;
  stop)
    as_owner "$PG_BIN/pg_ctl" -D "$DATA" -m fast stop >/dev/null 2>&1 || true
    ;;
  reset)
    as_owner "$PG_BIN/pg_ctl" -D "$DATA" -m fast stop >/dev/null 2>&1 || true
    rm -rf "$DATA"
    ;;
  *)
    echo "usage: $0 start [PORT] | stop | reset" >&2
    exit 2
    ;;
esac
