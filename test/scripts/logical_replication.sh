#!/usr/bin/env bash
# A board on a logical-replication subscriber: rows copied at subscription start and rows
# applied afterwards (inserts, updates, deletes, a truncate) keep the subscriber's board
# exact. Starts its own throwaway cluster with wal_level = logical; exits non-zero on
# failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/pgtmp.sh
pgtmp_start wal_level=logical max_wal_senders=4 max_replication_slots=4
trap pgtmp_stop EXIT
q() { PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 -At "$@"; }
schema="CREATE TABLE calls (call_id bigint PRIMARY KEY, agent_id int NOT NULL, team_id int NOT NULL,
  started_at timestamptz NOT NULL, handle_seconds int NOT NULL, converted boolean NOT NULL);"
createdb pub; createdb sub
q -d pub -c "$schema" -c "CREATE PUBLICATION calls_pub FOR TABLE calls" \
  -c "INSERT INTO calls SELECT i, 1 + i % 20, i % 3, timestamptz '2026-10-01 09:00+00' + (i % 10) * interval '1 day', 100 + i % 400, i % 4 = 0 FROM generate_series(1, 500) i" \
  -c "SELECT pg_create_logical_replication_slot('calls_sub', 'pgoutput')" >/dev/null
q -d sub -c "CREATE EXTENSION leaderboard" -c "$schema" >/dev/null
q -d sub >/dev/null <<'SQL'
SELECT leaderboard.create_board(name => 'floor', source => 'calls', agent => 'agent_id', at => 'started_at',
  metrics => ARRAY['converted AS conv', 'handle_seconds AS aht', 'call_id AS calls'],
  scorecard => '{"metrics": [{"name": "conv", "stat": "rate", "target": 0.5},
                             {"name": "aht", "stat": "avg", "better": "lower", "range": [100, 600]},
                             {"name": "calls", "stat": "count", "target": 20}]}',
  periods => ARRAY['day', 'month'], partition_by => ARRAY['team_id'], time_zone => 'UTC');
SQL
q -d sub -c "CREATE SUBSCRIPTION calls_sub CONNECTION 'host=$PGHOST port=$PGPORT dbname=pub user=postgres' PUBLICATION calls_pub WITH (create_slot = false, slot_name = 'calls_sub')"
caught_up() { # waits until the subscriber has the publisher's rows
  local want got i
  want=$(q -d pub -c "SELECT count(*) || ':' || coalesce(sum(call_id + handle_seconds + team_id), 0) FROM calls")
  for i in $(seq 1 120); do
    got=$(q -d sub -c "SELECT count(*) || ':' || coalesce(sum(call_id + handle_seconds + team_id), 0) FROM calls")
    [ "$got" = "$want" ] && return 0
    sleep 0.5
  done
  echo "subscriber did not catch up: publisher $want, subscriber $got"; exit 1
}
check() { # $1 = what was replicated
  local d
  caught_up
  d=$(q -d sub -c "SELECT count(*) FROM leaderboard.verify('floor')")
  [ "$d" = 0 ] || { echo "after $1: verify found $d differences"; q -d sub -c "SELECT * FROM leaderboard.verify('floor') LIMIT 5"; exit 1; }
}
check "the initial copy"
q -d pub -c "INSERT INTO calls SELECT i, 1 + i % 25, i % 3, timestamptz '2026-10-05 10:00+00', 200, true FROM generate_series(501, 700) i"
check "inserts"
q -d pub -c "UPDATE calls SET handle_seconds = handle_seconds + 50, team_id = (team_id + 1) % 3 WHERE call_id % 7 = 0"
check "updates"
q -d pub -c "DELETE FROM calls WHERE call_id % 5 = 0"
check "deletes"
q -d pub -c "TRUNCATE calls" -c "INSERT INTO calls VALUES (1, 1, 1, '2026-10-07 09:00+00', 100, true)"
check "a truncate"
rows=$(q -d sub -c "SELECT count(*) FROM floor_standings")
[ "$rows" = 2 ] || { echo "expected 2 standings rows after the truncate, found $rows"; exit 1; }
q -d sub -c "DROP SUBSCRIPTION calls_sub" >/dev/null
echo "copy, inserts, updates, deletes and a truncate replicated; the subscriber's board verified after each"
