#!/usr/bin/env bash
# Times the happy-path rehearsal on a real PostgreSQL 15 (initdb, start, migrate 001-007, load the
# same small-profile data, run the checklist's checks, stop) against `rehearse run` of the
# happy-path scenario, which does the same and evaluates every invariant after every step.
#   swift build -c release && tools/postgres-happy-path.sh
set -euo pipefail
cd "$(dirname "$0")/.."
REHEARSE=${REHEARSE:-.build/release/rehearse}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
PORT=54331
WORK=$(mktemp -d /tmp/rehearse-happy.XXXXXX); chown postgres "$WORK" 2>/dev/null || true
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
# The data, exported once from a seeded rehearsal database (not timed).
"$REHEARSE" migrate upgrade 005 --db "$WORK/seed.db" >/dev/null
"$REHEARSE" seed --db "$WORK/seed.db" --profile small --seed 42 >/dev/null
{ echo "BEGIN;"; for t in users policies policy_versions signals evaluations exceptions decisions evidence_packs audit_events; do
    sqlite3 "$WORK/seed.db" ".mode insert $t" "SELECT * FROM $t ORDER BY rowid" | sed -E "s/^INSERT INTO \"?$t\"? VALUES/INSERT INTO $t VALUES/"; done; echo "COMMIT;"; } \
  | sed -E "s/,([01]),('[0-9]{4}-)/,\1::int::boolean,\2/g; s/'(accept_risk|remediate|escalate|reject)',([01]),/'\1',\2::int::boolean,/g" > "$WORK/data.sql"
checks=$(awk '/```sql/{f=1;next}/```/{f=0}f' Tests/Fixtures/deployment-checklist-sprint3.md | grep -v "CREATE\|INSERT INTO pending\|DELETE FROM pending" )
start=$(date +%s.%N)
as_postgres "$PGBIN/initdb" -D "$WORK/data" -A trust -U postgres >/dev/null
as_postgres "$PGBIN/pg_ctl" -D "$WORK/data" -o "-p $PORT -k $WORK -c listen_addresses=127.0.0.1" -l "$WORK/log" -w start >/dev/null
psql=(psql -h 127.0.0.1 -p $PORT -U postgres -X -q -v ON_ERROR_STOP=1 -d postgres)
for f in migrations-postgres/00[1-5]*.sql; do sed -n '/-- migrate:upgrade/,/-- migrate:downgrade/p' "$f" | "${psql[@]}" >/dev/null; done
"${psql[@]}" -f "$WORK/data.sql" >/dev/null 2>"$WORK/load.err" || { echo "loading data failed:"; head -3 "$WORK/load.err"; }
for f in migrations-postgres/00[67]*.sql; do sed -n '/-- migrate:upgrade/,/-- migrate:downgrade/p' "$f" | "${psql[@]}" >/dev/null; done
echo "$checks" | "${psql[@]}" >/dev/null 2>&1 || true
as_postgres "$PGBIN/pg_ctl" -D "$WORK/data" -m fast -w stop >/dev/null
end=$(date +%s.%N)
# `rehearse bench --parts happy` times the engine itself in process and needs only this figure.
if [ "${PG_ONLY:-0}" = 1 ]; then echo "$end - $start" | bc; rm -rf "$WORK"; exit 0; fi
rstart=$(date +%s.%N)
"$REHEARSE" run scenarios/01-happy-path-deploy.yaml >/dev/null
rend=$(date +%s.%N)
pg=$(echo "$end - $start" | bc); re=$(echo "$rend - $rstart" | bc)
printf 'PostgreSQL 15 (initdb, start, migrate, load, checks, stop): %.2f s\nrehearse run 01-happy-path-deploy.yaml (22 steps, every invariant after each): %.2f s\nratio: %.1fx\n' "$pg" "$re" "$(echo "$pg / $re" | bc -l)"
rm -rf "$WORK"
