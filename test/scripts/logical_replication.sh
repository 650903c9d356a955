#!/usr/bin/env bash
# A board on a logical-replication subscriber: rows copied at subscription start and rows
# applied afterwards (inserts, updates, deletes, a truncate) keep the subscriber's board
# exact, on a plain subscriber table and on one partitioned by team (where an update of the
# team moves the row to another partition: a delete and an insert of the apply worker). Starts its own throwaway cluster with wal_level = logical; exits non-zero on
# failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/pgtmp.sh
pgtmp_start wal_level=logical max_wal_senders=4 max_replication_slots=4
trap pgtmp_stop EXIT
q() { PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 -At "$@"; }
schema="CREATE TABLE calls (call_id bigint PRIMARY KEY, agent_id int NOT NULL, team_id int NOT NULL,
  started_at timestamptz NOT NULL, handle_seconds int NOT NULL, converted boolean NOT NULL);"
partitioned="CREATE TABLE calls (call_id bigint, agent_id int NOT NULL, team_id int NOT NULL,
  started_at timestamptz NOT NULL, handle_seconds int NOT NULL, converted boolean NOT NULL,
  PRIMARY KEY (call_id, team_id)) PARTITION BY LIST (team_id);
  CREATE TABLE calls_0 PARTITION OF calls FOR VALUES IN (0);
  CREATE TABLE calls_1 PARTITION OF calls FOR VALUES IN (1);
  CREATE TABLE calls_other PARTITION OF calls DEFAULT;
  ALTER TABLE calls REPLICA IDENTITY FULL; ALTER TABLE calls_0 REPLICA IDENTITY FULL;
  ALTER TABLE calls_1 REPLICA IDENTITY FULL; ALTER TABLE calls_other REPLICA IDENTITY FULL;"
replicate() { # $1 = publisher database, $2 = subscriber database, $3 = subscriber schema, $4 = label
  local pub=$1 sub=$2 sub_schema=$3 label=$4
  createdb "$pub"; createdb "$sub"
  # the whole old row goes out, which a partitioned subscriber table, keyed by (call_id,
  # team_id), needs to find the row an update or delete names
  q -d "$pub" -c "$schema" -c "ALTER TABLE calls REPLICA IDENTITY FULL" -c "CREATE PUBLICATION calls_pub FOR TABLE calls" \
    -c "INSERT INTO calls SELECT i, 1 + i % 20, i % 3, timestamptz '2026-10-01 09:00+00' + (i % 10) * interval '1 day', 100 + i % 400, i % 4 = 0 FROM generate_series(1, 500) i" \
    -c "SELECT pg_create_logical_replication_slot('${pub}_sub', 'pgoutput')" >/dev/null
  q -d "$sub" -c "CREATE EXTENSION leaderboard" -c "$sub_schema" >/dev/null
  q -d "$sub" >/dev/null <<'SQL'
SELECT leaderboard.create_board(name => 'floor', source => 'calls', agent => 'agent_id', at => 'started_at',
  metrics => ARRAY['converted AS conv', 'handle_seconds AS aht', 'call_id AS calls'],
  scorecard => '{"metrics": [{"name": "conv", "stat": "rate", "target": 0.5},
                             {"name": "aht", "stat": "avg", "better": "lower", "range": [100, 600]},
                             {"name": "calls", "stat": "count", "target": 20}]}',
  periods => ARRAY['day', 'month'], partition_by => ARRAY['team_id'], time_zone => 'UTC');
SQL
  q -d "$sub" -c "CREATE SUBSCRIPTION ${pub}_sub CONNECTION 'host=$PGHOST port=$PGPORT dbname=$pub user=postgres' PUBLICATION calls_pub WITH (create_slot = false, slot_name = '${pub}_sub')"
  caught_up() { # waits until the subscriber has the publisher's rows
    local want got i
    want=$(q -d "$pub" -c "SELECT count(*) || ':' || coalesce(sum(call_id + handle_seconds + team_id), 0) FROM calls")
    for i in $(seq 1 120); do
      got=$(q -d "$sub" -c "SELECT count(*) || ':' || coalesce(sum(call_id + handle_seconds + team_id), 0) FROM calls")
      [ "$got" = "$want" ] && return 0
      sleep 0.5
    done
    echo "subscriber did not catch up: publisher $want, subscriber $got"; exit 1
  }
  check() { # $1 = what was replicated
    local d
    caught_up
    d=$(q -d "$sub" -c "SELECT count(*) FROM leaderboard.verify('floor')")
    [ "$d" = 0 ] || { echo "$label, after $1: verify found $d differences"; q -d "$sub" -c "SELECT * FROM leaderboard.verify('floor') LIMIT 5"; exit 1; }
  }
  check "the initial copy"
  q -d "$pub" -c "INSERT INTO calls SELECT i, 1 + i % 25, i % 3, timestamptz '2026-10-05 10:00+00', 200, true FROM generate_series(501, 700) i"
  check "inserts"
  q -d "$pub" -c "UPDATE calls SET handle_seconds = handle_seconds + 50, team_id = (team_id + 1) % 3 WHERE call_id % 7 = 0"
  check "updates"
  q -d "$pub" -c "DELETE FROM calls WHERE call_id % 5 = 0"
  check "deletes"
  q -d "$pub" -c "TRUNCATE calls" -c "INSERT INTO calls VALUES (1, 1, 1, '2026-10-07 09:00+00', 100, true)"
  check "a truncate"
  rows=$(q -d "$sub" -c "SELECT count(*) FROM floor_standings")
  [ "$rows" = 2 ] || { echo "expected 2 standings rows after the truncate, found $rows"; exit 1; }
  q -d "$sub" -c "DROP SUBSCRIPTION ${pub}_sub" >/dev/null
}
replicate pub sub "$schema" "plain subscriber table"
replicate pub2 sub2 "$partitioned" "subscriber table partitioned by team"
echo "copy, inserts, updates (moving rows between partitions), deletes and a truncate replicated, to a plain and to a partitioned subscriber table; the board verified after each"
