#!/usr/bin/env bash
# Times migrations 006 and 007 on a real PostgreSQL 15 under the application's workload (the
# figures of `rehearse locks --under-load`): a database at 005 loaded with a seeded profile, N
# application connections, one transaction holding a write on exceptions for HOLD seconds.
#   tools/postgres-cluster.sh tools/postgres-locks-under-load.sh [small|staging|production] [HOLD] [CLIENTS]
# Needs REHEARSE_PG_PORT (tools/postgres-cluster.sh sets it) and sqlite3.
set -euo pipefail
cd "$(dirname "$0")/.."
PROFILE=${1:-staging}; HOLD=${2:-10}; CLIENTS=${3:-8}
REHEARSE=${REHEARSE:-.build/release/rehearse}
[ -x "$REHEARSE" ] || REHEARSE=.build/debug/rehearse
: "${REHEARSE_PG_PORT:?run under tools/postgres-cluster.sh}"
HOST=${REHEARSE_PG_HOST:-127.0.0.1}
WORK=$(mktemp -d /tmp/rehearse-locks-load.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
psql=(psql -h "$HOST" -p "$REHEARSE_PG_PORT" -U postgres -X -q -v ON_ERROR_STOP=1)
"${psql[@]}" -d postgres -c "DROP DATABASE IF EXISTS rehearse_under_load" -c "CREATE DATABASE rehearse_under_load" >/dev/null
psql+=(-d rehearse_under_load)
for f in migrations-postgres/00[1-5]*.sql; do sed -n '/-- migrate:upgrade/,/-- migrate:downgrade/p' "$f" | "${psql[@]}" >/dev/null; done
"${psql[@]}" -c "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)); INSERT INTO alembic_version VALUES ('005_add_immutability_triggers');" >/dev/null
# The data, exported from a seeded rehearsal database (booleans written as PostgreSQL reads them).
"$REHEARSE" migrate upgrade 005 --db "$WORK/seed.db" >/dev/null
"$REHEARSE" seed --db "$WORK/seed.db" --profile "$PROFILE" --seed 42 --quiet >/dev/null
{ echo "BEGIN;"; echo "ALTER TABLE decisions DISABLE TRIGGER decisions_immutable;"; for t in users policies policy_versions signals evaluations exceptions decisions evidence_packs audit_events; do
    sqlite3 "$WORK/seed.db" ".mode insert $t" "SELECT * FROM $t ORDER BY rowid" | sed -E "s/^INSERT INTO \"?$t\"? VALUES/INSERT INTO $t VALUES/"; done
  echo "ALTER TABLE decisions ENABLE TRIGGER decisions_immutable;"; echo "COMMIT;"; } \
  | sed -E "s/,([01]),('[0-9]{4}-)/,\1::int::boolean,\2/g; s/'(accept_risk|remediate|escalate|reject)',([01]),/'\1',\2::int::boolean,/g" > "$WORK/data.sql"
"${psql[@]}" -f "$WORK/data.sql" >/dev/null
echo "profile $PROFILE: $("${psql[@]}" -At -c "SELECT 'exceptions ' || count(*) FROM exceptions") rows, $("${psql[@]}" -At -c "SELECT 'signals ' || count(*) FROM signals") rows"
"$REHEARSE" locks --revision 006 --revision 007 --under-load --hold "$HOLD" --clients "$CLIENTS" \
  --pg-url "postgresql://postgres@$HOST:$REHEARSE_PG_PORT/rehearse_under_load"
