#!/usr/bin/env bash
# Measures a live board against a plain table, the hand-written ranked trigger and hand-indexed
# ranked tables of bench/baseline.sql, and pg_ivm when it is at hand, in one run on a
# throwaway cluster (synchronous_commit=off), and prints each figure as a ratio against its
# baseline of the same run: COPY of all calls in one statement; single-row INSERT and
# correcting UPDATE with 8 writers; top 10 of a team and around-me reads; 8 writers into a
# board without partition_by and its top 10; alter_board vs rebuild; the peak memory of the
# backend writing; verify(). Prints one "name value" line per figure, then a table in the
# shape of the README's.
# Usage: bench/board.sh [N_CALLS=1000000] [AGENTS=5000] [TEAMS=50]
# Environment: PG_CONFIG (the PostgreSQL to build, install and run), T (seconds per pgbench
# run, default 15), MEM_STMTS (single-row INSERT statements in the one-transaction memory
# figure, default 1000000), LEADERBOARD_SHARED (a directory whose peers/ holds
# build-pg_ivm.sh and immv.sql; default ../shared beside the repository: pg_ivm is built,
# installed and measured only when they are there).
# The calls come from bench/gen.sql, dated in the current month (UTC) so that the board's
# <board>_current and <board>_around read them. Needs pgbench and pg_stat_statements
# (contrib) of that PostgreSQL; the Redis reference runs when redis-server, redis-cli and
# redis-benchmark are installed. Takes about 10 minutes with 1M calls.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
bench=$repo/bench
peers=${LEADERBOARD_SHARED:-$repo/../shared}/peers
N=${1:-1000000} AGENTS=${2:-5000} TEAMS=${3:-50}
T=${T:-15} MEM_STMTS=${MEM_STMTS:-1000000}
export PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
work=$(mktemp -d /tmp/lb-board-bench.XXXXXX)
chmod 755 "$work"
say() { echo "== $*" >&2; }

say "building and installing the extension with $PG_CONFIG"
sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
if ! { make -C "$repo" -s -j2 PG_CONFIG="$PG_CONFIG" && $sudo make -C "$repo" -s install PG_CONFIG="$PG_CONFIG"; } >"$work/build.log" 2>&1; then
  cat "$work/build.log" >&2; exit 1
fi
ivm=""
if [ -f "$peers/build-pg_ivm.sh" ] && [ -f "$peers/immv.sql" ]; then
  say "building and installing pg_ivm with $peers/build-pg_ivm.sh"
  if $sudo env PG_CONFIG="$PG_CONFIG" bash "$peers/build-pg_ivm.sh" >>"$work/build.log" 2>&1; then
    ivm=yes
  else
    say "pg_ivm did not build (see $work/build.log)"
  fi
fi

. "$repo/scripts/pgtmp.sh"
# pg_stat_statements is loaded but off (and no query ids) except in the profiling sessions
pgtmp_start synchronous_commit=off shared_buffers=1GB max_wal_size=4GB checkpoint_timeout=30min \
  shared_preload_libraries=pg_stat_statements pg_stat_statements.track=none compute_query_id=off
export PATH="$PGBIN:$PATH"
cleanup() {
  [ -n "${redis_pid:-}" ] && kill "$redis_pid" 2>/dev/null
  [ -f "${PGTMP_DIR:-}/log" ] && cp "$PGTMP_DIR/log" "$work/server.log"
  pgtmp_stop
}
trap cleanup EXIT
profile_opts="-c compute_query_id=on -c pg_stat_statements.track=all -c pg_stat_statements.track_planning=on"


q() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }
now_s() { date +%s.%N; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b + 0 == 0) print "nan"; else printf "%.3g\n", a / b }'; }
since() { awk -v a="$1" -v b="$(now_s)" 'BEGIN { printf "%.2f\n", b - a }'; }
deadlocks() { grep -c "deadlock detected" "$PGTMP_DIR/log" || true; }
# the machine's load drifts over minutes and reads of a few microseconds feel it most, so
# hand and board reads alternate, twice, and the better run of each counts
best() { awk -v a="$1" -v b="$2" 'BEGIN { print (a + 0 > b + 0 ? a : b) }'; }
least() { awk -v a="$1" -v b="$2" 'BEGIN { print (a + 0 <= b + 0 ? a : b) }'; }

declare -A fig
order=()
put() { fig[$1]=$2; order+=("$1"); echo "$1 $2"; }

# the calls fall in the current month, so that <board>_current and <board>_around read them
month=$(date -u +%Y-%m-01)
csv=/tmp/lb-bench-calls-$N-$AGENTS-$TEAMS-$month.csv
if [ ! -s "$csv" ]; then
  say "generating $N calls from $month into $csv"
  q -v n="$N" -v agents="$AGENTS" -v teams="$TEAMS" -v start="$month" -v out="$csv" -f "$bench/gen.sql" >/dev/null
fi
chmod a+r "$csv" 2>/dev/null || true
copy_cmd="COPY calls(agent_id,team_id,started_at,talk_seconds,handle_seconds,converted,csat,resolved_first) FROM '$csv' CSV"

# the pgbench scripts: writers, and the same reads from a board and from the hand tables
cat >"$work/insert_one.pgbench" <<EOF
\set a random(1, $AGENTS)
\set t random(30, 630)
INSERT INTO calls(agent_id, team_id, started_at, talk_seconds, handle_seconds, converted, csat, resolved_first)
VALUES (:a, :a % $TEAMS, now(), :t, :t + 40, random() < 0.2, NULL, random() < 0.7);
EOF
# a correction: a call moves to another agent (and its team) and its handling time changes
cat >"$work/update_one.pgbench" <<EOF
\set a random(1, $AGENTS)
\set c random(1, $N)
UPDATE calls SET agent_id = :a, team_id = :a % $TEAMS, handle_seconds = handle_seconds + 1 WHERE call_id = :c;
EOF
cat >"$work/top10_hand.pgbench" <<EOF
\set t random(0, $((TEAMS - 1)))
SELECT rank, agent_id, score, tier FROM st WHERE team_id = :t ORDER BY rank LIMIT 10;
EOF
cat >"$work/top10_board.pgbench" <<EOF
\set t random(0, $((TEAMS - 1)))
SELECT rank, agent_id, score, tier FROM bench_current WHERE period = 'month' AND team_id = :t ORDER BY rank LIMIT 10;
EOF
cat >"$work/top10_fn_board.pgbench" <<EOF
\set t random(0, $((TEAMS - 1)))
SELECT rank, agent_id, score, tier FROM bench_top(:t, 'month', 10);
EOF
cat >"$work/around_hand.pgbench" <<EOF
\set a random(1, $AGENTS)
SELECT s.agent_id, s.rank FROM st me JOIN st s ON s.team_id = me.team_id AND s.rank BETWEEN me.rank - 5 AND me.rank + 5 WHERE me.agent_id = :a;
EOF
cat >"$work/around_board.pgbench" <<EOF
\set a random(1, $AGENTS)
SELECT agent_id, rank FROM bench_around(:a, 'month', 5);
EOF
cat >"$work/top10_floor_hand.pgbench" <<EOF
SELECT rank, agent_id, score, tier FROM st_floor ORDER BY rank LIMIT 10;
EOF
cat >"$work/top10_floor_fn.pgbench" <<EOF
SELECT rank, agent_id, score, tier FROM floor_top('month', 10);
EOF
cat >"$work/top10_floor_board.pgbench" <<EOF
SELECT rank, agent_id, score, tier FROM floor_current WHERE period = 'month' ORDER BY rank LIMIT 10;
EOF
# one transaction of MEM_STMTS single-row INSERT statements (each fires the statement triggers)
stmts_sql="DO \$\$ BEGIN FOR i IN 1..$MEM_STMTS LOOP
  INSERT INTO calls(agent_id, team_id, started_at, talk_seconds, handle_seconds, converted, csat, resolved_first)
  VALUES (1 + i % $AGENTS, (1 + i % $AGENTS) % $TEAMS, now(), 100 + i % 500, 140 + i % 500, i % 5 = 0, NULL, i % 3 <> 0);
END LOOP; END \$\$"

# $1 = name, $2 = script; prints TPS; output kept in $work/<name>.out/.err; C clients (8)
pgb() {
  local name=$1 script=$2 c=${C:-8}; shift 2
  q -c CHECKPOINT >/dev/null
  pgbench -n -M prepared -c "$c" -j "$(( c < 2 ? c : 2 ))" -T "$T" -f "$script" "$@" >"$work/$name.out" 2>"$work/$name.err" || true
  sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$work/$name.out" | head -1
}
aborted() { grep -c "aborted in command" "$work/$1.err" || true; }
latency_c1() { # $1 = name, $2 = script: mean latency (ms) of one client for 5 s
  T=5 C=1 pgb "$1" "$2" >/dev/null
  sed -n 's/^latency average = \([0-9.]*\) ms/\1/p' "$work/$1.out"
}
# $1 = name, $2 = script: the share of the transactions of 5 s at one client whose commit
# recomputed groups from the source through the board's SQL statements (the MERGE) instead
# of applying their deltas directly
recomputed_share() {
  q -c "SELECT pg_stat_statements_reset()" >/dev/null
  PGOPTIONS=$profile_opts T=5 C=1 pgb "$1" "$2" >/dev/null
  q -At -c "SELECT round(coalesce(sum(calls) FILTER (WHERE query LIKE 'MERGE INTO public.bench_standings%'), 0)::numeric
                         / nullif(sum(calls) FILTER (WHERE query LIKE 'INSERT INTO leaderboard.pending%'), 0), 3)
            FROM pg_stat_statements"
}
# $1 = name, $2 = script: 8 writers into calls_plain (a bare table holding the same calls)
# and then into calls, back to back, twice, as the machine's load drifts over minutes: the
# better run of each counts, as for the reads; puts <name>_plain_tps, <name>_tps, _ratio,
# and the _deadlocks and _aborted_clients of both runs into calls
writers() {
  local dl0 plain tps
  sed 's/\<calls\>/calls_plain/' "$2" >"$2.plain"
  dl0=$(deadlocks)
  plain=$(pgb "$1_plain" "$2.plain")
  tps=$(pgb "$1" "$2")
  plain=$(best "$plain" "$(pgb "$1_plain2" "$2.plain")")
  tps=$(best "$tps" "$(pgb "$1_2" "$2")")
  put "$1_plain_tps" "$plain"
  put "$1_tps" "$tps"
  put "$1_ratio" "$(ratio "$tps" "$plain")"
  put "$1_deadlocks" "$(( $(deadlocks) - dl0 ))"
  put "$1_aborted_clients" "$(( $(aborted "$1") + $(aborted "$1_2") ))"
}

# The largest private memory (RssAnon, MB) of the backend named $1 (application_name), read
# from /proc every 0.1 s until it ends: VmHWM also counts the shared buffers it touched
rss_anon_peak() {
  local pid="" peak=0 v i
  for i in $(seq 100); do
    pid=$(q -At -c "SELECT pid FROM pg_stat_activity WHERE application_name = '$1'")
    [ -n "$pid" ] && break
    sleep 0.05
  done
  while [ -n "$pid" ] && v=$(awk '$1 == "RssAnon:" { print $2 }' "/proc/$pid/status" 2>/dev/null) && [ -n "$v" ]; do
    [ "$v" -gt "$peak" ] && peak=$v
    sleep 0.1
  done
  echo $(( peak / 1024 ))
}
# $1 = figure prefix, then psql arguments (-c SQL): runs them in one session, after a
# CHECKPOINT, and puts <prefix>_s (wall time), <prefix>_cpu_s (the backend's CPU time, user
# and system, which other work on the machine disturbs far less than the wall time),
# <prefix>_vmhwm_mb (the backend's peak resident memory, /proc/<pid>/status VmHWM, read by
# the backend itself at the end) and <prefix>_rss_anon_peak_mb
mem_run() {
  local name=$1 t0 qpid spid; shift
  q -c CHECKPOINT >/dev/null
  t0=$(now_s)
  PGAPPNAME=lb_$name q -At "$@" -c "SELECT pg_read_file('/proc/self/status')" \
    -c "SELECT 'cpu_ticks ' || pg_read_file('/proc/self/stat')" >"$work/$name.status" 2>"$work/$name.err" &
  qpid=$!
  rss_anon_peak "lb_$name" >"$work/$name.rss" &
  spid=$!
  wait "$qpid" || { cat "$work/$name.err" >&2; exit 1; }
  put "${name}_s" "$(since "$t0")"
  # fields 14 and 15 of /proc/<pid>/stat (after "cpu_ticks" and the pid): user and system ticks
  put "${name}_cpu_s" "$(awk -v hz="$(getconf CLK_TCK)" '$1 == "cpu_ticks" { printf "%.2f\n", ($15 + $16) / hz }' "$work/$name.status")"
  wait "$spid" || true
  put "${name}_vmhwm_mb" "$(awk '$1 == "VmHWM:" { printf "%.0f\n", $2 / 1024 }' "$work/$name.status")"
  put "${name}_rss_anon_peak_mb" "$(cat "$work/$name.rss")"
}

card='{"metrics": [
   {"name": "conv",  "stat": "rate",  "weight": 30, "target": 0.25},
   {"name": "aht",   "stat": "avg",   "weight": 20, "better": "lower", "range": [180, 900], "max": 1200},
   {"name": "csat",  "stat": "avg",   "weight": 20, "range": [1, 5], "if_missing": "skip", "min_n": 3},
   {"name": "fcr",   "stat": "rate",  "weight": 10},
   {"name": "calls", "stat": "count", "weight": 20, "target": 200, "cap": 1.2}],
 "scale": 100, "min_rows": 5}'
card2=${card/\"weight\": 30/\"weight\": 40}
create_board() { # $1 = board name, $2 = more arguments of create_board
  echo "CREATE EXTENSION IF NOT EXISTS leaderboard;
SELECT leaderboard.create_board(
  name => '$1', source => 'calls', agent => 'agent_id', at => 'started_at',
  metrics => ARRAY['converted AS conv', 'handle_seconds AS aht', 'csat', 'resolved_first AS fcr', '1 AS calls'],
  scorecard => :'card', periods => ARRAY['day', 'week', 'month']$2,
  ladder => 'Bronze: 0, Silver: 60, Gold: 75, Platinum: 90', time_zone => 'UTC');" | q -v card="$card" >/dev/null
}

# what each statement the board's commit runs costs over the COPY (the capture, and the
# apply of small transactions, run no SQL statement): calls, mean plan and execution ms, total ms
profile_sql="
SELECT label, sum(calls) AS calls, round((sum(total_plan_time) / sum(calls))::numeric, 3) AS plan_ms,
       round((sum(total_exec_time) / sum(calls))::numeric, 3) AS exec_ms,
       round(sum(total_plan_time + total_exec_time)::numeric, 1) AS total_ms
FROM (SELECT s.*, CASE
  WHEN query LIKE 'COPY calls%' THEN 'a statement incl. capture (the commit follows it)'
  WHEN query LIKE 'INSERT INTO public.bench_scopes%' THEN 'f commit: lock_scopes'
  WHEN query LIKE 'MERGE INTO public.bench_standings%' THEN 'g commit: recompute'
  WHEN query LIKE 'INSERT INTO public.bench_standings AS t%' THEN 'h commit: add_deltas'
  WHEN query LIKE 'INSERT INTO public.bench_standings (%' THEN 'j commit: insert_new'
  WHEN query LIKE 'UPDATE public.bench_standings%' THEN 'i commit: rerank'
  END AS label FROM pg_stat_statements s) s
WHERE label IS NOT NULL GROUP BY label ORDER BY label"

put load_avg_start "$(cut -d' ' -f1 /proc/loadavg)"
[ -r /proc/pressure/cpu ] && put cpu_pressure_avg60_start "$(sed -n 's/^some .*avg60=\([0-9.]*\).*/\1/p' /proc/pressure/cpu)"
put cpus "$(nproc)"
put n_calls "$N"
put month "$month"

#### plain table: COPY, writers, the hand-indexed ranked tables
say "plain COPY"
q -f "$bench/schema.sql" >/dev/null 2>&1
q -f "$bench/baseline.sql" >/dev/null
mem_run copy_plain_first -c "$copy_cmd"
q -c "VACUUM ANALYZE calls" -c "SELECT hand_ranked_tables('$month')" >/dev/null
# the bare table every writers' figure is compared with, run just before it
sed 's/\<calls\>/calls_plain/g' "$bench/schema.sql" | q >/dev/null 2>&1
q -c "${copy_cmd/COPY calls(/COPY calls_plain(}" -c "VACUUM ANALYZE calls_plain" >/dev/null
put insert_plain_c1_latency_ms "$(latency_c1 insert_plain_c1 "$work/insert_one.pgbench")"
put update_plain_c1_latency_ms "$(latency_c1 update_plain_c1 "$work/update_one.pgbench")"
say "plain: $MEM_STMTS single-row INSERT statements in one transaction"
mem_run stmts_plain -c "$stmts_sql"

say "plain COPY into calls with the (agent_id, started_at) index a board gets when its card reads a min or max"
q -f "$bench/schema.sql" >/dev/null 2>&1
q -c "CREATE INDEX ON calls (agent_id, started_at)" >/dev/null
mem_run copy_plain_with_board_index -c "$copy_cmd"

say "plain COPY with a no-op statement trigger with a transition table (what COPY pays before any board work)"
q -f "$bench/schema.sql" >/dev/null 2>&1
q -c "CREATE OR REPLACE FUNCTION noop_trg() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NULL; END'" \
  -c "CREATE TRIGGER t AFTER INSERT ON calls REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION noop_trg()" >/dev/null
mem_run copy_plain_with_transition_table -c "$copy_cmd"

#### the hand PL/pgSQL ranked trigger
say "COPY with the hand PL/pgSQL ranked trigger (bench/baseline.sql)"
q -f "$bench/schema.sql" >/dev/null 2>&1
q -f "$bench/baseline.sql" >/dev/null
q -c "CREATE TRIGGER t AFTER INSERT ON calls REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION standings_ranked_trg()" >/dev/null
mem_run copy_hand -c "$copy_cmd"
q -c "VACUUM ANALYZE calls" -c "VACUUM ANALYZE standings_ranked" >/dev/null
say "hand ranked trigger: single-row INSERT, 8 clients, ${T}s"
writers insert_hand "$work/insert_one.pgbench"
q -c "DROP TABLE standings_ranked" >/dev/null

#### pg_ivm, when at hand
if [ -n "$ivm" ]; then
  say "pg_ivm: COPY into calls with the day, week and month views of $peers/immv.sql"
  q -f "$bench/schema.sql" >/dev/null 2>&1
  q -c "ALTER DATABASE $PGDATABASE SET session_preload_libraries = 'pg_ivm'" >/dev/null
  q -c "CREATE EXTENSION IF NOT EXISTS pg_ivm" >/dev/null
  q -v tz=UTC -f "$peers/immv.sql" >/dev/null
  mem_run copy_ivm -c "$copy_cmd"
  q -c "VACUUM ANALYZE" >/dev/null
  say "pg_ivm: single-row INSERT and correcting UPDATE, 8 clients, ${T}s each"
  writers insert_ivm "$work/insert_one.pgbench"
  writers update_ivm "$work/update_one.pgbench"
  q -c "DROP TABLE ivm_day, ivm_week, ivm_month" -c "ALTER DATABASE $PGDATABASE RESET session_preload_libraries" >/dev/null
else
  echo "pg_ivm: not available"
fi

say "plain COPY again (the COPY ratios use the faster of the two plain runs)"
q -f "$bench/schema.sql" >/dev/null 2>&1
mem_run copy_plain_second -c "$copy_cmd"
copy_plain=$(awk -v a="${fig[copy_plain_first_s]}" -v b="${fig[copy_plain_second_s]}" 'BEGIN { print (a < b ? a : b) }')
copy_plain_cpu=$(awk -v a="${fig[copy_plain_first_cpu_s]}" -v b="${fig[copy_plain_second_cpu_s]}" 'BEGIN { print (a < b ? a : b) }')
put copy_plain_s "$copy_plain"
put copy_plain_cpu_s "$copy_plain_cpu"
for f in copy_plain_with_board_index copy_plain_with_transition_table; do
  put "${f}_ratio" "$(ratio "${fig[${f}_s]}" "$copy_plain")"
  put "${f}_cpu_ratio" "$(ratio "${fig[${f}_cpu_s]}" "$copy_plain_cpu")"
done
put copy_hand_ratio "$(ratio "${fig[copy_hand_s]}" "$copy_plain")"
put copy_hand_cpu_ratio "$(ratio "${fig[copy_hand_cpu_s]}" "$copy_plain_cpu")"
if [ -n "$ivm" ]; then
  put copy_ivm_ratio "$(ratio "${fig[copy_ivm_s]}" "$copy_plain")"
  put copy_ivm_cpu_ratio "$(ratio "${fig[copy_ivm_cpu_s]}" "$copy_plain_cpu")"
fi

#### the board
say "COPY into calls with the board created on the empty table"
q -f "$bench/schema.sql" >/dev/null 2>&1
create_board bench ", partition_by => ARRAY['team_id']"
q -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" -c "SELECT pg_stat_statements_reset()" >/dev/null
PGOPTIONS=$profile_opts mem_run copy_board -c "$copy_cmd"
put copy_board_ratio "$(ratio "${fig[copy_board_s]}" "$copy_plain")"
put copy_board_cpu_ratio "$(ratio "${fig[copy_board_cpu_s]}" "$copy_plain_cpu")"
put copy_board_server_warnings "$(grep -c WARNING "$work/copy_board.err" || true)"
q -P footer=off -c "$profile_sql" >"$work/copy.profile"
cat "$work/copy.profile" >&2
for s in f j g h i; do
  case $s in f) n=lock_scopes ;; g) n=recompute ;; h) n=add_deltas ;; i) n=rerank ;; j) n=insert_new ;; esac
  put "copy_board_${n}_s" "$(q -At -c "SELECT round(sum(total_ms) / 1000, 2) FROM ($profile_sql) p WHERE label LIKE '$s %'")"
done
q -c "VACUUM ANALYZE calls" -c "VACUUM ANALYZE bench_standings" -c "VACUUM ANALYZE bench_scopes" >/dev/null
put standings_rows "$(q -At -c "SELECT count(*) FROM bench_standings")"
put current_month_rows "$(q -At -c "SELECT count(*) FROM bench_current WHERE period = 'month'")"

say "reads: top 10 of a team, around-me; hand table and board alternately, twice"
top_hand=$(pgb top10_hand "$work/top10_hand.pgbench")
top_board=$(pgb top10_board "$work/top10_board.pgbench")
top_hand=$(best "$top_hand" "$(pgb top10_hand2 "$work/top10_hand.pgbench")")
top_board=$(best "$top_board" "$(pgb top10_board2 "$work/top10_board.pgbench")")
put read_top10_hand_qps "$top_hand"
put read_top10_qps "$top_board"
put read_top10_ratio "$(ratio "$top_board" "$top_hand")"
# the same rows from bench_top(), which reads the scope best first from the score index
top_fn=$(pgb top10_fn "$work/top10_fn_board.pgbench")
top_fn=$(best "$top_fn" "$(pgb top10_fn2 "$work/top10_fn_board.pgbench")")
put read_top10_fn_qps "$top_fn"
put read_top10_fn_ratio "$(ratio "$top_fn" "$top_hand")"
around_hand=$(pgb around_hand "$work/around_hand.pgbench")
around_board=$(pgb around_board "$work/around_board.pgbench")
around_hand=$(best "$around_hand" "$(pgb around_hand2 "$work/around_hand.pgbench")")
around_board=$(best "$around_board" "$(pgb around_board2 "$work/around_board.pgbench")")
put read_around_hand_qps "$around_hand"
put read_around_qps "$around_board"
put read_around_ratio "$(ratio "$around_board" "$around_hand")"

say "board single-row INSERT, 8 clients, ${T}s"
writers insert_board "$work/insert_one.pgbench"
put insert_board_c1_latency_ms "$(latency_c1 insert_board_c1 "$work/insert_one.pgbench")"
put insert_board_recomputed_share "$(recomputed_share insert_board_profile "$work/insert_one.pgbench")"

# What any design that keeps standings rows with a score index pays, whatever its code: the
# same INSERT, and in the same statement an UPDATE of the agent's day, week and month rows
# of a copy of the board's standings (its indexes and fillfactor) that changes their score.
# No capture, no scope lock, no rank, no commit-time work: a floor under the board's ratio.
say "storage floor: INSERT and the agent's three standings rows updated in one statement, 8 clients, ${T}s"
q >/dev/null <<'SQL'
CREATE TABLE floor_rows (LIKE bench_standings INCLUDING INDEXES);
DO $$ BEGIN
  EXECUTE format('ALTER TABLE floor_rows SET (fillfactor = %s)',
                 coalesce((SELECT substring(o FROM 'fillfactor=(\d+)') FROM unnest(
                   (SELECT reloptions FROM pg_class WHERE oid = 'bench_standings'::regclass)) o
                   WHERE o LIKE 'fillfactor=%'), '100'));
END $$;
INSERT INTO floor_rows SELECT * FROM bench_standings;
VACUUM ANALYZE floor_rows;
SQL
cat >"$work/insert_floor_rows.pgbench" <<EOF
\set a random(1, $AGENTS)
\set t random(30, 630)
WITH i AS (INSERT INTO calls_plain(agent_id, team_id, started_at, talk_seconds, handle_seconds, converted, csat, resolved_first)
  VALUES (:a, :a % $TEAMS, now(), :t, :t + 40, random() < 0.2, NULL, random() < 0.7))
UPDATE floor_rows SET score = score + 0.001, updated_at = now()
WHERE agent_id = :a AND (period, period_start) IN
  (('day', (now() AT TIME ZONE 'UTC')::date), ('week', date_trunc('week', now() AT TIME ZONE 'UTC')::date),
   ('month', date_trunc('month', now() AT TIME ZONE 'UTC')::date));
EOF
put insert_storage_floor_tps "$(best "$(pgb insert_storage_floor "$work/insert_floor_rows.pgbench")" \
  "$(pgb insert_storage_floor2 "$work/insert_floor_rows.pgbench")")"
put insert_storage_floor_ratio "$(ratio "${fig[insert_storage_floor_tps]}" "${fig[insert_board_plain_tps]}")"

# the same writers with goals and every event kind on: what events and goals cost writers
say "board single-row INSERT with goals and events, 8 clients, ${T}s"
q >/dev/null <<'SQL'
SELECT leaderboard.set_goal('bench', 'calls', 'count', 'day', 40);
SELECT leaderboard.set_goal('bench', 'conv', 'rate', 'month', t) FROM unnest(ARRAY[0.2, 0.25, 0.3]) t;
SELECT leaderboard.alter_board('bench', events => '{"tier_up": true, "tier_down": true, "new_leader": true,
  "entered_top_n": 3, "rank_climb": 3, "personal_best": true, "goal_met": true, "goal_at_risk": 0.5,
  "streak_milestone": [3, 5, 10]}');
SQL
writers insert_events "$work/insert_one.pgbench"
put insert_events_vs_without "$(ratio "${fig[insert_events_ratio]}" "${fig[insert_board_ratio]}")"
put events_written "$(q -At -c "SELECT count(*) FROM leaderboard.events WHERE board = 'bench'")"
q >/dev/null <<'SQL'
SELECT leaderboard.alter_board('bench', events => '{}');
SELECT leaderboard.clear_goal(id) FROM leaderboard.goals WHERE board = 'bench';
SQL

say "board correcting UPDATE, 8 clients, ${T}s"
writers update_board "$work/update_one.pgbench"
put update_board_c1_latency_ms "$(latency_c1 update_board_c1 "$work/update_one.pgbench")"
put update_board_recomputed_share "$(recomputed_share update_board_profile "$work/update_one.pgbench")"

# the floor under the UPDATE ratio: the same UPDATE of the plain table and, in the same
# statement, of the score of both agents' rows of the call's day, week and month
say "storage floor: UPDATE and both agents' standings rows of the call's periods in one statement, 8 clients, ${T}s"
cat >"$work/update_floor_rows.pgbench" <<EOF
\set a random(1, $AGENTS)
\set c random(1, $N)
WITH o AS (SELECT agent_id, started_at AT TIME ZONE 'UTC' AS t FROM calls_plain WHERE call_id = :c),
u AS (UPDATE calls_plain SET agent_id = :a, team_id = :a % $TEAMS, handle_seconds = handle_seconds + 1 WHERE call_id = :c)
UPDATE floor_rows f SET score = f.score + 0.001, updated_at = now()
FROM o, LATERAL (VALUES (:a, 'day', o.t::date), (:a, 'week', date_trunc('week', o.t)::date),
  (:a, 'month', date_trunc('month', o.t)::date), (o.agent_id, 'day', o.t::date),
  (o.agent_id, 'week', date_trunc('week', o.t)::date), (o.agent_id, 'month', date_trunc('month', o.t)::date))
  AS k(agent_id, period, period_start)
WHERE f.agent_id = k.agent_id AND f.period = k.period AND f.period_start = k.period_start;
EOF
put update_storage_floor_tps "$(best "$(pgb update_storage_floor "$work/update_floor_rows.pgbench")" \
  "$(pgb update_storage_floor2 "$work/update_floor_rows.pgbench")")"
put update_storage_floor_ratio "$(ratio "${fig[update_storage_floor_tps]}" "${fig[update_board_plain_tps]}")"
q -c "DROP TABLE floor_rows" >/dev/null

say "alter_board vs rebuild, alternately, twice"
# each starts right after a checkpoint: the first write of a page after one logs the whole
# page, and the second of the two would otherwise find most pages logged by the first. The
# second alter_board puts the first card back (every score changes again); the faster run
# of each counts, wall and CPU time alike, as the writers and reads count their better run
mem_run alter_board -c "SELECT leaderboard.alter_board('bench', scorecard => \$c\$$card2\$c\$)"
mem_run rebuild -c "SELECT leaderboard.rebuild('bench')"
mem_run alter_board2 -c "SELECT leaderboard.alter_board('bench', scorecard => \$c\$$card\$c\$)"
mem_run rebuild2 -c "SELECT leaderboard.rebuild('bench')"
for f in alter_board rebuild; do
  for u in s cpu_s; do put "${f}_best_$u" "$(least "${fig[${f}_$u]}" "${fig[${f}2_$u]}")"; done
done
alter=${fig[alter_board_best_s]} rebuild=${fig[rebuild_best_s]}
put alter_rebuild_ratio "$(ratio "$alter" "$rebuild")"
put alter_rebuild_cpu_ratio "$(ratio "${fig[alter_board_best_cpu_s]}" "${fig[rebuild_best_cpu_s]}")"

say "board: $MEM_STMTS single-row INSERT statements in one transaction"
mem_run stmts_board -c "$stmts_sql"

say "verify"
put verify_rows "$(q -At -c "SELECT count(*) FROM leaderboard.verify('bench')")"

#### a board without partition_by: every agent in one scope per period
say "a board without partition_by over the same calls"
q -c "SELECT leaderboard.drop_board('bench')" >/dev/null
t0=$(now_s); create_board floor ""; put create_board_floor_s "$(since "$t0")"
q -c "VACUUM ANALYZE calls" -c "VACUUM ANALYZE floor_standings" -c "VACUUM ANALYZE floor_scopes" >/dev/null
put floor_month_agents "$(q -At -c "SELECT count(*) FROM floor_current WHERE period = 'month'")"
say "reads: top 10 of the floor; hand table and board alternately, twice"
floor_hand=$(pgb top10_floor_hand "$work/top10_floor_hand.pgbench")
floor_board=$(pgb top10_floor_board "$work/top10_floor_board.pgbench")
floor_hand=$(best "$floor_hand" "$(pgb top10_floor_hand2 "$work/top10_floor_hand.pgbench")")
floor_board=$(best "$floor_board" "$(pgb top10_floor_board2 "$work/top10_floor_board.pgbench")")
put read_floor_top10_hand_qps "$floor_hand"
put read_floor_top10_qps "$floor_board"
put read_floor_top10_ratio "$(ratio "$floor_board" "$floor_hand")"
floor_fn=$(pgb top10_floor_fn "$work/top10_floor_fn.pgbench")
floor_fn=$(best "$floor_fn" "$(pgb top10_floor_fn2 "$work/top10_floor_fn.pgbench")")
put read_floor_top10_fn_qps "$floor_fn"
put read_floor_top10_fn_ratio "$(ratio "$floor_fn" "$floor_hand")"
say "8 writers into the floor-wide board, ${T}s"
writers insert_floor "$work/insert_one.pgbench"
put verify_floor_rows "$(q -At -c "SELECT count(*) FROM leaderboard.verify('floor')")"
put server_temp_file_leak_warnings "$(grep -c "temporary file leak" "$PGTMP_DIR/log" || true)"

if command -v redis-server >/dev/null && command -v redis-benchmark >/dev/null && command -v redis-cli >/dev/null; then
  say "Redis reference: sorted set of $AGENTS members"
  for rport in $(seq 6390 6490); do (exec 3<>"/dev/tcp/127.0.0.1/$rport") 2>/dev/null || break; done
  mkdir -p "$work/redis"
  redis-server --port "$rport" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
    --dir "$work/redis" --pidfile "$work/redis/redis.pid" --logfile "$work/redis/redis.log"
  for _ in $(seq 50); do redis-cli -p "$rport" ping >/dev/null 2>&1 && break; sleep 0.1; done
  redis_pid=$(cat "$work/redis/redis.pid")
  awk -v n="$AGENTS" 'BEGIN { srand(42); for (i = 0; i < n; i++) printf "ZADD lb %.4f member:%012d\n", 100 * rand(), i }' |
    redis-cli -p "$rport" --pipe >/dev/null
  rps() { redis-benchmark -p "$rport" -c 8 -n 200000 -q "$@" 2>/dev/null | tr '\r' '\n' |
          sed -n 's/.*: \([0-9.]*\) requests per second.*/\1/p' | tail -1; }
  put redis_zrevrange_qps "$(rps ZREVRANGE lb 0 9 WITHSCORES)"
  put redis_zrevrank_qps "$(rps -r "$AGENTS" ZREVRANK lb member:__rand_int__)"
  kill "$redis_pid"; redis_pid=
fi
put load_avg_end "$(cut -d' ' -f1 /proc/loadavg)"
[ -r /proc/pressure/cpu ] && put cpu_pressure_avg60_end "$(sed -n 's/^some .*avg60=\([0-9.]*\).*/\1/p' /proc/pressure/cpu)"

#### the table: each row a ratio against its baseline of this run
v() { echo "${fig[$1]:-}"; }
int() { awk -v x="$1" 'BEGIN { if (x == "") print "?"; else printf "%.0f\n", x }'; }
met() { # value, <= or >=, bound: yes, no, or nothing without a value
  awk -v v="$1" -v op="$2" -v b="$3" 'BEGIN { if (v == "" || v == "nan") print ""; else print ((op == "<=" ? v + 0 <= b : v + 0 >= b) ? "yes" : "no") }'
}
copy_cell() { [ -n "$(v "copy_$1_s")" ] && echo "$(v "copy_$1_ratio"), CPU $(v "copy_$1_cpu_ratio") ($(v "copy_$1_s") s)"; }
tps_cell() { # $1 = the writers' name
  [ -n "$(v "$1_tps")" ] || return 0
  echo "$(v "$1_ratio") ($(int "$(v "$1_tps")") vs $(int "$(v "$1_plain_tps")") tps; $(v "$1_deadlocks") deadlocks, $(v "$1_aborted_clients") clients aborted)"
}
mem_cell() { [ -n "$(v "$1_vmhwm_mb")" ] && echo "$(v "$1_vmhwm_mb") / $(v "$1_rss_anon_peak_mb") MB"; }
ivm_or() { if [ -n "$ivm" ]; then echo "$1"; else echo "not available"; fi; }
{
  echo
  echo "| figure | board | pg_ivm | hand trigger | required | goal | board meets required |"
  echo "|---|---|---|---|---|---|---|"
  echo "| COPY $N calls in one statement, wall and backend CPU time vs plain ($copy_plain s) | $(copy_cell board) | $(ivm_or "$(copy_cell ivm)") | $(copy_cell hand) | ≤ 2.0 | ≤ 1.3 | $(met "$(v copy_board_ratio)" '<=' 2.0) |"
  echo "| single-row INSERT TPS, 8 clients, vs plain just before | $(tps_cell insert_board) | $(ivm_or "$(tps_cell insert_ivm)") | $(tps_cell insert_hand) | ≥ 0.30 | ≥ 0.5 | $(met "$(v insert_board_ratio)" '>=' 0.30) |"
  echo "| ... floor: the same INSERT and, in one statement, an UPDATE of the score of the agent's day, week and month rows in a copy of the standings; no capture, scope lock, rank or commit work | $(v insert_storage_floor_ratio) ($(int "$(v insert_storage_floor_tps)") tps) | | | | | |"
  echo "| ... with goals and every event kind on ($(v events_written) events written) | $(tps_cell insert_events); $(v insert_events_vs_without) of the ratio without | n/a | n/a | ≥ 0.9 of the ratio without | | $(met "$(v insert_events_vs_without)" '>=' 0.9) |"
  echo "| correcting UPDATE TPS, 8 clients, vs plain just before | $(tps_cell update_board) | $(ivm_or "$(tps_cell update_ivm)") | n/a (INSERT only) | ≥ 0.20 | ≥ 0.4 | $(met "$(v update_board_ratio)" '>=' 0.20) |"
  echo "| ... floor: the same UPDATE and, in one statement, an UPDATE of the score of both agents' rows of the call's day, week and month in a copy of the standings | $(v update_storage_floor_ratio) ($(int "$(v update_storage_floor_tps)") tps) | | | | | |"
  echo "| ... share of one-client transactions whose commit recomputed from the source: INSERT / UPDATE | $(v insert_board_recomputed_share) / $(v update_board_recomputed_share) | | | | | |"
  echo "| top 10 of a team from bench_current, vs hand-indexed table | $(v read_top10_ratio) ($(int "$top_board") vs $(int "$top_hand") qps) | n/a (no rank) | baseline | ≥ 0.9 | ≥ 1.0 | $(met "$(v read_top10_ratio)" '>=' 0.9) |"
  echo "| ... the same rows from bench_top(team, 'month', 10) | $(v read_top10_fn_ratio) ($(int "$top_fn") qps) | n/a | baseline | ≥ 0.9 | ≥ 1.0 | $(met "$(v read_top10_fn_ratio)" '>=' 0.9) |"
  echo "| bench_around(agent, 'month', 5) vs hand-indexed table | $(v read_around_ratio) ($(int "$around_board") vs $(int "$around_hand") qps) | n/a (no rank) | baseline | ≥ 0.9 | ≥ 1.0 | $(met "$(v read_around_ratio)" '>=' 0.9) |"
  echo "| 8 writers into a board without partition_by ($(v floor_month_agents) agents a scope), vs plain just before | $(tps_cell insert_floor) | n/a | n/a | ≥ 0.20 | ≥ 0.25 | $(met "$(v insert_floor_ratio)" '>=' 0.20) |"
  echo "| top 10 of that board from floor_current, vs hand-indexed table | $(v read_floor_top10_ratio) ($(int "$floor_board") vs $(int "$floor_hand") qps) | n/a (no rank) | baseline | ≥ 0.9 | ≥ 1.0 | $(met "$(v read_floor_top10_ratio)" '>=' 0.9) |"
  echo "| ... the same rows from floor_top('month', 10) | $(v read_floor_top10_fn_ratio) ($(int "$floor_fn") qps) | n/a | baseline | ≥ 0.9 | ≥ 1.0 | $(met "$(v read_floor_top10_fn_ratio)" '>=' 0.9) |"
  echo "| alter_board with a new card / rebuild, wall and backend CPU time | $(v alter_rebuild_ratio), CPU $(v alter_rebuild_cpu_ratio) ($alter vs $rebuild s) | n/a | n/a | ≤ 0.5 | ≤ 0.3 | $(met "$(v alter_rebuild_ratio)" '<=' 0.5) |"
  echo "| peak backend memory, VmHWM / RssAnon: COPY of $N calls (plain $(mem_cell copy_plain_first)) | $(mem_cell copy_board) | $(ivm_or "$(mem_cell copy_ivm)") | $(mem_cell copy_hand) | bounded by groups | | |"
  echo "| ... one transaction of $MEM_STMTS single-row INSERTs (plain $(mem_cell stmts_plain)) | $(mem_cell stmts_board) | | | bounded by groups | | |"
  echo "| the machine: load average, CPU pressure (avg60 %) at start and end | $(v load_avg_start), $(v cpu_pressure_avg60_start) / $(v load_avg_end), $(v cpu_pressure_avg60_end) | | | | | |"
  echo "| verify() rows: partitioned board / floor-wide board | $(v verify_rows) / $(v verify_floor_rows) | | | 0 | 0 | $(met "$(( $(v verify_rows) + $(v verify_floor_rows) ))" '<=' 0) |"
  echo
  echo "details (pgbench output, memory, COPY profile, server log): $work"
}
