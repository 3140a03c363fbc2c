#!/usr/bin/env bash
# Starts a throwaway PostgreSQL 15 cluster on a loopback port under a temporary directory,
# runs the given command with REHEARSE_PG_PORT set, and stops and removes the cluster after.
#   tools/postgres-cluster.sh swift test
set -euo pipefail
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
PORT=${REHEARSE_PG_PORT:-54329}
DATA=$(mktemp -d /tmp/rehearse-pg.XXXXXX)
chown postgres "$DATA" 2>/dev/null || true
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
as_postgres "$PGBIN/initdb" -D "$DATA/data" -A trust -U postgres >/dev/null
as_postgres "$PGBIN/pg_ctl" -D "$DATA/data" -o "-p $PORT -k $DATA -c listen_addresses=127.0.0.1 -c fsync=off" -l "$DATA/log" -w start >/dev/null
stop() { as_postgres "$PGBIN/pg_ctl" -D "$DATA/data" -m fast -w stop >/dev/null 2>&1 || true; rm -rf "$DATA"; }
trap stop EXIT
REHEARSE_PG_PORT=$PORT REHEARSE_PG_HOST=127.0.0.1 "$@"
