#!/usr/bin/env bash
# Backend memory stays flat under a steady load of single-row INSERTs into a table with
# two boards (a team board and a floor-wide one, day, week and month). pgbench runs
# MEMORY_CLIENTS (default 4) clients for MEMORY_SECONDS (default 30; 300 for the figure in
# the README) and every MEMORY_SAMPLE seconds (default 10) the private memory of each of
# its backends is read from /proc (RssAnon: heap and other private memory, without the
# shared buffers a backend touches, which VmRSS also counts and which grow as it reads
# more of them). Fails when a backend's RssAnon grows by more than MEMORY_BOUND_KB
# (default 2048) between the first sample after MEMORY_WARMUP seconds (default 10) and the
# last, or when verify() finds a difference. Prints the series (the largest backend at each
# sample) and VmRSS for reference. Runs against the cluster in PGHOST/PGPORT (the server
# must be on this machine).
set -euo pipefail
seconds=${MEMORY_SECONDS:-30}
interval=${MEMORY_SAMPLE:-10}
warmup=${MEMORY_WARMUP:-10}
clients=${MEMORY_CLIENTS:-4}
bound=${MEMORY_BOUND_KB:-2048}
q() { psql -X -q -v ON_ERROR_STOP=1 -At "$@"; }
db=lb_memory_pgbench
work=$(mktemp -d /tmp/leaderboard-memory-pgbench.XXXXXX)
trap 'dropdb --if-exists $db; rm -rf "$work"' EXIT
dropdb --if-exists $db 2>/dev/null
createdb $db
q -d $db >/dev/null <<'SQL'
CREATE EXTENSION leaderboard;
CREATE TABLE calls (call_id bigserial PRIMARY KEY, agent_id int NOT NULL, team_id int NOT NULL,
  started_at timestamptz NOT NULL, handle_seconds int NOT NULL, converted boolean NOT NULL);
INSERT INTO calls (agent_id, team_id, started_at, handle_seconds, converted)
SELECT 1 + i % 5000, (1 + i % 5000) % 50, timestamptz '2026-10-01 08:00+00' + (i % 31) * interval '1 day',
       60 + i % 900, i % 7 = 0
FROM generate_series(0, 99999) i;
SELECT leaderboard.create_board(name => 'team', source => 'calls', agent => 'agent_id', at => 'started_at',
  metrics => ARRAY['converted AS conv', 'handle_seconds AS aht', '1 AS calls'],
  scorecard => '{"metrics": [{"name": "conv", "stat": "rate", "target": 0.25},
                             {"name": "aht", "stat": "avg", "better": "lower", "range": [100, 900]},
                             {"name": "calls", "stat": "count", "target": 200}]}',
  periods => ARRAY['day', 'week', 'month'], partition_by => ARRAY['team_id'], time_zone => 'UTC');
SELECT leaderboard.create_board(name => 'floor', source => 'calls', agent => 'agent_id', at => 'started_at',
  metrics => ARRAY['converted AS conv', 'handle_seconds AS aht', '1 AS calls'],
  scorecard => '{"metrics": [{"name": "conv", "stat": "rate", "target": 0.25},
                             {"name": "aht", "stat": "avg", "better": "lower", "range": [100, 900]},
                             {"name": "calls", "stat": "count", "target": 200}]}',
  periods => ARRAY['day', 'week', 'month'], time_zone => 'UTC');
SQL
cat >"$work/insert.sql" <<'SQL'
\set agent random(1, 5000)
\set day random(0, 30)
\set second random(0, 36000)
INSERT INTO calls (agent_id, team_id, started_at, handle_seconds, converted)
VALUES (:agent, :agent % 50, timestamptz '2026-10-01 08:00+00' + :day * interval '1 day' + :second * interval '1 second',
        60 + :second % 900, :second % 7 = 0);
SQL

PGAPPNAME=lb_memory_pgbench pgbench -n -c "$clients" -j 2 -T "$seconds" -f "$work/insert.sql" $db >"$work/pgbench.out" 2>&1 &
bench=$!
start=$(date +%s)
for i in $(seq 1 100); do
  pids=$(q -d $db -c "SELECT string_agg(pid::text, ' ') FROM pg_stat_activity WHERE application_name = 'lb_memory_pgbench'")
  [ "$(wc -w <<<"$pids")" = "$clients" ] && break
  sleep 0.1
done
[ "$(wc -w <<<"$pids")" = "$clients" ] || { cat "$work/pgbench.out"; echo "pgbench did not connect"; exit 1; }

status() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }
# one line per sample: elapsed seconds, then RssAnon and VmRSS (kB) of each backend
times=$(seq "$interval" "$interval" $((seconds - 1)))
[ "$(tail -1 <<<"$times")" = $((seconds - 1)) ] || times="$times $((seconds - 1))"
for t in $times; do
  sleep $((start + t - $(date +%s))) 2>/dev/null || true
  line="$t"
  for p in $pids; do line="$line $(status "$p" RssAnon) $(status "$p" VmRSS)"; done
  echo "$line" >>"$work/samples"
done
wait $bench || { cat "$work/pgbench.out"; echo "pgbench failed"; exit 1; }
grep -q 'number of failed transactions: 0 ' "$work/pgbench.out" \
  || ! grep -q 'number of failed transactions' "$work/pgbench.out" || { cat "$work/pgbench.out"; exit 1; }
tps=$(awk '/^tps/ {printf "%.0f", $3}' "$work/pgbench.out")
diffs=$(q -d $db -c "SELECT (SELECT count(*) FROM leaderboard.verify('team')) + (SELECT count(*) FROM leaderboard.verify('floor'))")

echo "elapsed s | RssAnon kB, largest backend | VmRSS kB, largest backend"
awk '{ a = 0; v = 0; for (i = 2; i <= NF; i += 2) { if ($i > a) a = $i; if ($(i + 1) > v) v = $(i + 1) }
       printf "%9d | %27d | %25d\n", $1, a, v }' "$work/samples"
# growth of each backend's RssAnon from the first sample after warm-up to the last
growth=$(awk -v w="$warmup" '$1 >= w { for (i = 2; i <= NF; i += 2) { if (!(i in first)) first[i] = $i; last[i] = $i } }
  END { g = 0; for (i in first) if (last[i] - first[i] > g) g = last[i] - first[i]; print g }' "$work/samples")
[ "$diffs" = 0 ] || { echo "verify() found $diffs differences"; exit 1; }
[ "$growth" -le "$bound" ] || { echo "backend memory grew by $growth kB after warm-up (bound $bound kB)"; exit 1; }
echo "$seconds s of single-row INSERTs, $clients clients, $tps tps: backend RssAnon grew at most $growth kB after ${warmup} s (bound $bound kB); verify() empty"
