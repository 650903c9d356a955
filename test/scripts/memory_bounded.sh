#!/usr/bin/env bash
# What a transaction holds for its boards until commit grows with the distinct groups it
# touches (scope, agent), not with its rows or its statements. The same groups are written
# by a COPY of 1M and of 10M rows in one statement, and by a transaction of 20k and of 200k
# single-row INSERT statements; the backend's peak anonymous memory (RssAnon, sampled from
# /proc while the statement runs) may not grow with the rows. The same COPY into a table
# without a board is the reference. Prints the peaks; exits non-zero on failure.
# Runs against the cluster in PGHOST/PGPORT (the server must be on this machine).
set -euo pipefail
q() { psql -X -q -v ON_ERROR_STOP=1 -At "$@"; }
db=lb_memory
csv_dir=$(mktemp -d /tmp/leaderboard-memory.XXXXXX)
chmod 777 "$csv_dir"
trap 'dropdb --if-exists $db; rm -rf "$csv_dir"' EXIT
dropdb --if-exists $db 2>/dev/null
createdb $db
q -d $db >/dev/null <<'SQL'
CREATE EXTENSION leaderboard;
CREATE TABLE calls (call_id bigserial PRIMARY KEY, agent_id int NOT NULL, team_id int NOT NULL,
  started_at timestamptz NOT NULL, handle_seconds int NOT NULL, converted boolean NOT NULL);
CREATE TABLE plain (LIKE calls INCLUDING ALL);
SELECT leaderboard.create_board(name => 'mem', source => 'calls', agent => 'agent_id', at => 'started_at',
  metrics => ARRAY['converted AS conv', 'handle_seconds AS aht', '1 AS calls'],
  scorecard => '{"metrics": [{"name": "conv", "stat": "rate", "target": 0.25},
                             {"name": "aht", "stat": "avg", "better": "lower", "range": [100, 900]},
                             {"name": "calls", "stat": "count", "target": 200}]}',
  periods => ARRAY['day', 'week', 'month'], partition_by => ARRAY['team_id'], time_zone => 'UTC');
SQL

# n calls of 5000 agents in 50 teams over 31 days: every n >= 155000 touches the same groups
make_csv() {
  q -d $db -c "COPY (SELECT 1 + i % 5000, (1 + i % 5000) % 50,
      timestamptz '2026-10-01 08:00+00' + (i / 5000 % 31) * interval '1 day' + (i % 600) * interval '1 minute',
      60 + i % 900, i % 7 = 0 FROM generate_series(0, $1 - 1) i) TO '$csv_dir/$1.csv' CSV"
}

# Runs SQL in a new session; prints the peak RssAnon (kB) of its backend while it ran.
peak_anon() {
  local out="$csv_dir/out.$RANDOM" pid peak=0 v
  { echo "SELECT pg_backend_pid();"; echo "SELECT pg_sleep(0.2);"; echo "$1"; } | q -d $db >"$out" &
  local job=$!
  while [ ! -s "$out" ]; do sleep 0.01; done
  pid=$(head -1 "$out")
  while kill -0 $job 2>/dev/null; do
    v=$(awk '/^RssAnon:/ {print $2}' /proc/$pid/status 2>/dev/null || true)
    [ -n "$v" ] && [ "$v" -gt "$peak" ] && peak=$v
    sleep 0.02
  done
  wait $job
  echo "$peak"
}

copy_into() { # table, rows
  echo "TRUNCATE $1; COPY $1 (agent_id, team_id, started_at, handle_seconds, converted) FROM '$csv_dir/$2.csv' CSV;"
}

statements() { # rows: one INSERT statement each, all in one transaction; 500 agents over
  # 31 days: every 15500 statements touch the same groups
  echo "TRUNCATE calls; BEGIN; DO \$\$ BEGIN FOR i IN 0 .. $1 - 1 LOOP
    INSERT INTO calls (agent_id, team_id, started_at, handle_seconds, converted)
    VALUES (1 + i % 500, (1 + i % 500) % 50, timestamptz '2026-10-01 08:00+00' + (i % 31) * interval '1 day',
            60 + i % 900, i % 7 = 0);
  END LOOP; END \$\$; COMMIT;"
}

make_csv 1000000
make_csv 10000000
plain_1m=$(peak_anon "$(copy_into plain 1000000)")
plain_10m=$(peak_anon "$(copy_into plain 10000000)")
board_1m=$(peak_anon "$(copy_into calls 1000000)")
[ "$(q -d $db -c "SELECT count(*) FROM leaderboard.verify('mem')")" = 0 ]
board_10m=$(peak_anon "$(copy_into calls 10000000)")
[ "$(q -d $db -c "SELECT count(*) FROM leaderboard.verify('mem')")" = 0 ]
stmts_20k=$(peak_anon "$(statements 20000)")
stmts_200k=$(peak_anon "$(statements 200000)")
[ "$(q -d $db -c "SELECT count(*) FROM leaderboard.verify('mem')")" = 0 ]

mb() { awk -v k="$1" 'BEGIN { printf "%.0f MB", k / 1024 }'; }
echo "COPY 1M rows: $(mb "$board_1m") with a board, $(mb "$plain_1m") without"
echo "COPY 10M rows: $(mb "$board_10m") with a board, $(mb "$plain_10m") without"
echo "single-row INSERT statements in one transaction: 20k $(mb "$stmts_20k"), 200k $(mb "$stmts_200k")"
# what the board adds may not grow with 10 times the rows or statements (16 MB of slack)
extra_1m=$((board_1m - plain_1m)) extra_10m=$((board_10m - plain_10m))
fail=0
[ "$extra_10m" -le $((extra_1m * 3 / 2 + 16384)) ] || { echo "COPY: board memory grew with the rows"; fail=1; }
[ "$stmts_200k" -le $((stmts_20k * 3 / 2 + 16384)) ] || { echo "statements: memory grew with the statements"; fail=1; }
[ $fail = 0 ]
echo "peak backend memory: COPY 10M rows $(mb "$board_10m") with a board ($(mb "$plain_10m") without, 1M rows $(mb "$board_1m")); 200k statements $(mb "$stmts_200k") (20k: $(mb "$stmts_20k"))"
