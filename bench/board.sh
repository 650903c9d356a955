#!/usr/bin/env bash
# Measures a live board against the hand-written baselines of ../shared/bench in one run, on
# a throwaway cluster (synchronous_commit=off): COPY, single-row INSERT with 8 writers (spread
# over 50 teams and all into one 5000-agent scope), top-10 and around-me reads, alter_board
# vs rebuild, and verify(). Prints one "name value" line per figure, then a per-statement cost
# breakdown of the board (pg_stat_statements) and a summary table against the goals.
# Usage: bench/board.sh [N_CALLS=1000000] [AGENTS=5000] [TEAMS=50]
# Environment: PG_CONFIG (the PostgreSQL to build, install and run), T (seconds per pgbench
# run, default 15), TP (seconds per profiling pgbench run, default 5), LEADERBOARD_SHARED.
# Needs pgbench and pg_stat_statements (contrib) of that PostgreSQL; the Redis reference runs
# when redis-server, redis-cli and redis-benchmark are installed. Takes about 5 minutes.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
shared=${LEADERBOARD_SHARED:-$repo/../shared}/bench
N=${1:-1000000} AGENTS=${2:-5000} TEAMS=${3:-50}
T=${T:-15} TP=${TP:-5}
export PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
work=$(mktemp -d /tmp/lb-board-bench.XXXXXX)
chmod 755 "$work"
say() { echo "== $*" >&2; }

say "building and installing the extension with $PG_CONFIG"
sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
if ! { make -C "$repo" -s -j2 PG_CONFIG="$PG_CONFIG" && $sudo make -C "$repo" -s install PG_CONFIG="$PG_CONFIG"; } >"$work/build.log" 2>&1; then
  cat "$work/build.log" >&2; exit 1
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
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b + 0 == 0) print "nan"; else printf "%.4g\n", a / b }'; }
since() { awk -v a="$1" -v b="$(now_s)" 'BEGIN { printf "%.2f\n", b - a }'; }
deadlocks() { grep -c "deadlock detected" "$PGTMP_DIR/log" || true; }

declare -A fig
order=()
put() { fig[$1]=$2; order+=("$1"); echo "$1 $2"; }

csv=/tmp/lb-bench-calls-$N-$AGENTS-$TEAMS.csv
if [ ! -s "$csv" ]; then
  say "generating $N calls into $csv"
  q -v n="$N" -v agents="$AGENTS" -v teams="$TEAMS" -v out="$csv" -f "$shared/gen.sql" >/dev/null
fi
chmod a+r "$csv" 2>/dev/null || true
copy_cmd="COPY calls(agent_id,team_id,started_at,talk_seconds,handle_seconds,converted,csat,resolved_first) FROM '$csv' CSV"
month=$(head -1 "$csv" | cut -d, -f3 | cut -c1-7)-01   # the generator's 30 days start on the 1st

# pgbench scripts of the board side; the hand side uses shared/bench's files
cat >"$work/insert_one_scope.pgbench" <<EOF
\set a random(1, $AGENTS)
\set t random(30, 630)
INSERT INTO calls(agent_id, team_id, started_at, talk_seconds, handle_seconds, converted, csat, resolved_first)
VALUES (:a, 0, now(), :t, :t + 40, random() < 0.2, NULL, random() < 0.7);
EOF
cat >"$work/board_top10.pgbench" <<EOF
\set t random(0, $((TEAMS - 1)))
SELECT agent_id, score, rank FROM bench_standings
WHERE period = 'month' AND period_start = '$month' AND team_id = :t AND qualified ORDER BY score DESC LIMIT 10;
EOF
# around-me as a SQL query (what bench_around() computes) over the generator's month
cat >"$work/board_around.pgbench" <<EOF
\set a random(1, $AGENTS)
SELECT x.agent_id, x.rank FROM bench_standings me, LATERAL (
  (SELECT s.* FROM bench_standings s WHERE s.scope_id = me.scope_id AND s.qualified
     AND (s.score, s.agent_id) > (me.score, me.agent_id) ORDER BY s.score, s.agent_id LIMIT 5)
  UNION ALL SELECT me.*
  UNION ALL
  (SELECT s.* FROM bench_standings s WHERE s.scope_id = me.scope_id AND s.qualified
     AND (s.score, s.agent_id) < (me.score, me.agent_id) ORDER BY s.score DESC, s.agent_id DESC LIMIT 5)) x
WHERE me.agent_id = :a AND me.period = 'month' AND me.period_start = '$month'
ORDER BY me.scope_id, x.score DESC, x.agent_id DESC;
EOF
# what applications run: the around-me function, the same two columns as the hand query
cat >"$work/board_around_fn.pgbench" <<EOF
\set a random(1, $AGENTS)
SELECT agent_id, rank FROM bench_around(:a, 'month', 5);
EOF

# $1 = name, $2 = script; prints TPS; output kept in $work/<name>.out/.err; C clients (8)
pgb() {
  local name=$1 script=$2 c=${C:-8}; shift 2
  q -c CHECKPOINT >/dev/null
  pgbench -n -M prepared -c "$c" -j "$(( c < 2 ? c : 2 ))" -T "$T" -f "$script" "$@" >"$work/$name.out" 2>"$work/$name.err" || true
  sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$work/$name.out" | head -1
}
aborted() { grep -c "aborted in command" "$work/$1.err" || true; }

# 5000 agents x 5 calls in team 0 now: the current day, week and month scopes of team 0 then
# hold every agent, all qualified, before the one-scope writers start
fill_one_scope() {
  q -c "INSERT INTO calls(agent_id, team_id, started_at, talk_seconds, handle_seconds, converted, csat, resolved_first)
        SELECT a, 0, now(), 60 + (a * 7 + i * 13) % 500, 100 + (a * 7 + i * 13) % 500, (a + i) % 5 = 0,
               CASE WHEN (a + i) % 3 = 0 THEN 1 + (a + i) % 5 END, (a + i) % 4 <> 0
        FROM generate_series(1, $AGENTS) a, generate_series(1, 5) i" >/dev/null
}

card='{"metrics": [
   {"name": "conv",  "stat": "rate",  "weight": 30, "target": 0.25},
   {"name": "aht",   "stat": "avg",   "weight": 20, "better": "lower", "range": [180, 900], "max": 1200},
   {"name": "csat",  "stat": "avg",   "weight": 20, "range": [1, 5], "if_missing": "skip", "min_n": 3},
   {"name": "fcr",   "stat": "rate",  "weight": 10},
   {"name": "calls", "stat": "count", "weight": 20, "target": 200, "cap": 1.2}],
 "scale": 100, "min_rows": 5}'
card2=${card/\"weight\": 30/\"weight\": 40}
create_board() {
  q -v card="$card" >/dev/null <<'EOF'
CREATE EXTENSION IF NOT EXISTS leaderboard;
SELECT leaderboard.create_board(
  name => 'bench', source => 'calls', agent => 'agent_id', at => 'started_at',
  metrics => ARRAY['converted AS conv', 'handle_seconds AS aht', 'csat', 'resolved_first AS fcr', '1 AS calls'],
  scorecard => :'card', periods => ARRAY['day', 'week', 'month'], partition_by => ARRAY['team_id'],
  ladder => 'Bronze: 0, Silver: 60, Gold: 75, Platinum: 90', time_zone => 'UTC');
EOF
}

# what each statement the board runs costs: calls, mean plan and execution ms, total ms
profile_sql="
SELECT label, sum(calls) AS calls, round((sum(total_plan_time) / sum(calls))::numeric, 3) AS plan_ms,
       round((sum(total_exec_time) / sum(calls))::numeric, 3) AS exec_ms,
       round(sum(total_plan_time + total_exec_time)::numeric, 1) AS total_ms
FROM (SELECT s.*, CASE
  WHEN query LIKE 'COPY calls%' OR query LIKE 'INSERT INTO calls%' THEN 'a statement incl. capture trigger (b..e)'
  WHEN query LIKE 'SELECT owner::oid%' THEN 'b board_owner() lookup'
  WHEN query LIKE 'INSERT INTO leaderboard.pending%' THEN 'c sentinel row'
  WHEN query LIKE 'SELECT b.source::oid%' THEN 'd catalog + _board_statements()'
  WHEN query LIKE 'SELECT pg_catalog.concat_ws%' THEN 'e capture: fold_insert'
  WHEN query LIKE 'INSERT INTO public.bench_scopes%' THEN 'f commit: lock_scopes'
  WHEN query LIKE 'MERGE INTO public.bench_standings%' THEN 'g commit: recompute'
  WHEN query LIKE 'INSERT INTO public.bench_standings AS t%' THEN 'h commit: add_deltas'
  WHEN query LIKE 'INSERT INTO public.bench_standings (%' THEN 'j commit: insert_new'
  WHEN query LIKE 'UPDATE public.bench_standings%' THEN 'i commit: rerank'
  END AS label FROM pg_stat_statements s) s
WHERE label IS NOT NULL GROUP BY label ORDER BY label"
profile() { # $1 = figure prefix: prints the table to stderr, per-step totals as figures
  q -P footer=off -c "$profile_sql" >"$work/$1.profile"
  cat "$work/$1.profile" >&2
  q -At -F ' ' -c "SELECT split_part(label, ' ', 1), sum(calls), sum(total_ms) FROM ($profile_sql) p GROUP BY 1 ORDER BY 1" >"$work/$1.steps"
}

put load_avg_start "$(cut -d' ' -f1 /proc/loadavg)"
[ -r /proc/pressure/cpu ] && put cpu_pressure_avg60_start "$(sed -n 's/^some .*avg60=\([0-9.]*\).*/\1/p' /proc/pressure/cpu)"
put cpus "$(nproc)"
put n_calls "$N"

#### plain table: COPY, inserts, the hand-indexed ranked table and its reads
say "plain COPY"
q -f "$shared/schema.sql" >/dev/null 2>&1
q -c CHECKPOINT >/dev/null
t0=$(now_s); q -c "$copy_cmd" >/dev/null; copy_plain=$(since "$t0")
put copy_plain_first_s "$copy_plain"
q -c "VACUUM ANALYZE calls" >/dev/null
q -c "DROP TABLE IF EXISTS st" \
  -c "CREATE TABLE st AS SELECT team_id, agent_id, score, rank() OVER (PARTITION BY team_id ORDER BY score DESC)::int AS rank FROM (SELECT team_id, agent_id, 100*avg(converted::int) AS score FROM calls GROUP BY 1, 2) s" \
  -c "CREATE INDEX ON st (team_id, score DESC)" -c "CREATE INDEX ON st (agent_id)" -c "CREATE INDEX ON st (team_id, rank)" -c "ANALYZE st" >/dev/null
say "plain single-row INSERT, 8 clients, ${T}s"
ins_plain=$(pgb insert_plain "$shared/insert_one.pgbench")
put insert_plain_tps "$ins_plain"
T=$TP C=1 pgb insert_plain_c1 "$shared/insert_one.pgbench" >/dev/null
put insert_plain_c1_latency_ms "$(sed -n 's/^latency average = \([0-9.]*\) ms/\1/p' "$work/insert_plain_c1.out")"
fill_one_scope
say "plain single-row INSERT into team 0, 8 clients, ${T}s"
one_plain=$(pgb insert_one_scope_plain "$work/insert_one_scope.pgbench")
put insert_one_scope_plain_tps "$one_plain"
say "hand-indexed table reads"
top_hand=$(pgb top10_hand "$shared/top10.pgbench")
around_hand=$(pgb around_hand "$shared/around.pgbench")
put read_top10_hand_qps "$top_hand"
put read_around_hand_qps "$around_hand"

say "plain COPY into calls with the (agent_id, started_at) index create_board adds"
q -f "$shared/schema.sql" >/dev/null 2>&1
q -c "CREATE INDEX ON calls (agent_id, started_at)" -c CHECKPOINT >/dev/null
t0=$(now_s); q -c "$copy_cmd" >/dev/null; copy_idx=$(since "$t0")
put copy_plain_with_board_index_s "$copy_idx"

say "... and a no-op statement trigger with a transition table (what COPY pays before any board work)"
q -f "$shared/schema.sql" >/dev/null 2>&1
q -c "CREATE INDEX ON calls (agent_id, started_at)" \
  -c "CREATE OR REPLACE FUNCTION noop_trg() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NULL; END'" \
  -c "CREATE TRIGGER t AFTER INSERT ON calls REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION noop_trg()" \
  -c CHECKPOINT >/dev/null
t0=$(now_s); q -c "$copy_cmd" >/dev/null; copy_tt=$(since "$t0")
put copy_plain_with_board_index_and_transition_table_s "$copy_tt"

say "COPY with the hand PL/pgSQL ranked trigger (baseline_ranked.sql)"
q -f "$shared/schema.sql" >/dev/null 2>&1
q -f "$shared/baseline_ranked.sql" >/dev/null
q -c "CREATE TRIGGER t AFTER INSERT ON calls REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION standings_ranked_trg()" -c CHECKPOINT >/dev/null
t0=$(now_s); q -c "$copy_cmd" >/dev/null; copy_hand=$(since "$t0")
put copy_hand_ranked_s "$copy_hand"
q -c "DROP TABLE standings_ranked" >/dev/null

say "plain COPY again (the COPY ratios use the faster of the two plain runs)"
q -f "$shared/schema.sql" >/dev/null 2>&1
q -c CHECKPOINT >/dev/null
t0=$(now_s); q -c "$copy_cmd" >/dev/null; copy_plain2=$(since "$t0")
put copy_plain_second_s "$copy_plain2"
copy_plain=$(awk -v a="$copy_plain" -v b="$copy_plain2" 'BEGIN { print (a < b ? a : b) }')
put copy_plain_s "$copy_plain"
put copy_plain_with_board_index_ratio "$(ratio "$copy_idx" "$copy_plain")"
put copy_plain_with_board_index_and_transition_table_ratio "$(ratio "$copy_tt" "$copy_plain")"
put copy_hand_ranked_ratio "$(ratio "$copy_hand" "$copy_plain")"

#### the board
say "COPY into calls with the board created on the empty table"
q -f "$shared/schema.sql" >/dev/null 2>&1
create_board
q -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" -c "SELECT pg_stat_statements_reset()" -c CHECKPOINT >/dev/null
t0=$(now_s); PGOPTIONS=$profile_opts q -c "$copy_cmd" >/dev/null 2>"$work/copy_board.err"; copy_board=$(since "$t0")
put copy_board_s "$copy_board"
put copy_board_ratio "$(ratio "$copy_board" "$copy_plain")"
put copy_board_server_warnings "$(grep -c WARNING "$work/copy_board.err" || true)"
profile copy
for s in e f j g h i; do
  case $s in e) n=capture_fold ;; f) n=lock_scopes ;; g) n=recompute ;; h) n=add_deltas ;; i) n=rerank ;; j) n=insert_new ;; esac
  put "copy_board_${n}_s" "$(awk -v s=$s '$1 == s { printf "%.2f\n", $3 / 1000 }' "$work/copy.steps")"
done
q -c "VACUUM ANALYZE calls" -c "VACUUM ANALYZE bench_standings" -c "VACUUM ANALYZE bench_scopes" >/dev/null
put standings_rows "$(q -At -c "SELECT count(*) FROM bench_standings")"

say "board reads"
# hand and board reads alternate, twice, and the better run of each counts: the machine's
# load drifts over minutes, and reads of a few microseconds feel it most
best() { awk -v a="$1" -v b="$2" 'BEGIN { print (a + 0 > b + 0 ? a : b) }'; }
top_board=$(pgb top10_board "$work/board_top10.pgbench")
top_hand=$(best "$top_hand" "$(pgb top10_hand2 "$shared/top10.pgbench")")
top_board=$(best "$top_board" "$(pgb top10_board2 "$work/board_top10.pgbench")")
around_board=$(pgb around_board "$work/board_around.pgbench")
put read_top10_hand_best_qps "$top_hand"
put read_top10_qps "$top_board"
put read_top10_ratio "$(ratio "$top_board" "$top_hand")"
put read_around_query_qps "$around_board"
put read_around_query_ratio "$(ratio "$around_board" "$around_hand")"

say "board single-row INSERT, 8 clients, ${T}s"
dl0=$(deadlocks)
ins_board=$(pgb insert_board "$shared/insert_one.pgbench")
put insert_board_tps "$ins_board"
put insert_board_ratio "$(ratio "$ins_board" "$ins_plain")"
put insert_board_deadlocks "$(( $(deadlocks) - dl0 ))"
put insert_board_aborted_clients "$(aborted insert_board)"
T=$TP C=1 pgb insert_board_c1 "$shared/insert_one.pgbench" >/dev/null
put insert_board_c1_latency_ms "$(sed -n 's/^latency average = \([0-9.]*\) ms/\1/p' "$work/insert_board_c1.out")"

# pg_stat_statements per step, $TP seconds each at 1 client (what each step costs) and at
# 8 clients (lock_scopes then also holds the wait for the scope rows other writers hold)
profile_inserts() { # $1 = name, $2 = pgbench script
  local name=$1 script=$2 c s n
  say "profiling $name (pg_stat_statements, ${TP}s at 1 and 8 clients)"
  for c in 1 8; do
    q -c "SELECT pg_stat_statements_reset()" >/dev/null
    PGOPTIONS=$profile_opts T=$TP C=$c pgb "profile_${name}_c$c" "$script" >/dev/null
    echo "-- $name, $c client(s): per statement" >&2
    profile "${name}_c$c"
    put "profile_${name}_c${c}_latency_ms" "$(sed -n 's/^latency average = \([0-9.]*\) ms/\1/p' "$work/profile_${name}_c$c.out")"
    for s in a d e g f h i; do
      case $s in a) n=statement ;; d) n=catalog ;; e) n=capture_fold ;; g) n=recompute ;; f) n=lock_scopes ;; h) n=add_deltas ;; i) n=rerank ;; esac
      [ "$c" = 8 ] && [ "$s" != f ] && continue
      # ms per transaction (one INSERT each); the catalog step runs twice per transaction
      put "profile_${name}_c${c}_${n}_ms" "$(awk -v s=$s -v x="$(awk '$1 == "a" { print $2 }' "$work/${name}_c$c.steps")" \
        '$1 == s && x > 0 { printf "%.3f\n", $3 / x }' "$work/${name}_c$c.steps")"
    done
  done
}
profile_inserts insert_board "$shared/insert_one.pgbench"

say "bench_around() over the current month (filled by the INSERT runs so far)"
put current_month_rows "$(q -At -c "SELECT count(*) FROM bench_current WHERE period = 'month'")"
q -c "ANALYZE bench_standings" >/dev/null
around_fn=$(pgb around_fn "$work/board_around_fn.pgbench")
around_hand=$(best "$around_hand" "$(pgb around_hand2 "$shared/around.pgbench")")
around_fn=$(best "$around_fn" "$(pgb around_fn2 "$work/board_around_fn.pgbench")")
put read_around_hand_best_qps "$around_hand"
put read_around_qps "$around_fn"
put read_around_ratio "$(ratio "$around_fn" "$around_hand")"

say "board single-row INSERT into one ${AGENTS}-agent scope, 8 clients, ${T}s"
t0=$(now_s); fill_one_scope; put fill_one_scope_insert_s "$(since "$t0")"
put one_scope_qualified_agents "$(q -At -c "SELECT count(*) FROM bench_standings WHERE period = 'day' AND team_id = 0 AND qualified AND period_start = (now() AT TIME ZONE 'UTC')::date")"
dl0=$(deadlocks)
one_board=$(pgb insert_one_scope_board "$work/insert_one_scope.pgbench")
put insert_one_scope_tps "$one_board"
put insert_one_scope_ratio "$(ratio "$one_board" "$one_plain")"
put insert_one_scope_deadlocks "$(( $(deadlocks) - dl0 ))"
put insert_one_scope_aborted_clients "$(aborted insert_one_scope_board)"

profile_inserts insert_one_scope "$work/insert_one_scope.pgbench"

say "alter_board vs rebuild"
q -c CHECKPOINT >/dev/null
t0=$(now_s); echo "SELECT leaderboard.alter_board('bench', scorecard => :'card')" | q -v card="$card2" >/dev/null; alter=$(since "$t0")
q -c CHECKPOINT >/dev/null
t0=$(now_s); q -c "SELECT leaderboard.rebuild('bench')" >/dev/null; rebuild=$(since "$t0")
put alter_board_s "$alter"
put rebuild_s "$rebuild"
put alter_rebuild_ratio "$(ratio "$alter" "$rebuild")"

say "verify"
put verify_rows "$(q -At -c "SELECT count(*) FROM leaderboard.verify('bench')")"
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

{
  echo
  echo "| figure | value | goal (DESIGN.md §5) | met |"
  echo "|---|---|---|---|"
  goal() { # name, op, bound
    local v=${fig[$1]:-} met=""
    [ -n "$v" ] && [ "$v" != nan ] && met=$(awk -v v="$v" -v b="$3" -v op="$2" 'BEGIN { print ((op == "<=" ? v <= b : v >= b) ? "yes" : "no") }')
    echo "| $1 | $v | $2 $3 | $met |"
  }
  for k in "${order[@]}"; do
    case $k in
      copy_board_ratio) goal "$k" '<=' 1.3 ;;
      insert_board_ratio) goal "$k" '>=' 0.5 ;;
      insert_one_scope_ratio) goal "$k" '>=' 0.25 ;;
      insert_board_deadlocks|insert_one_scope_deadlocks|verify_rows) goal "$k" '<=' 0 ;;
      read_top10_ratio|read_around_ratio) goal "$k" '>=' 0.9 ;;
      alter_rebuild_ratio) goal "$k" '<=' 0.5 ;;
      *) echo "| $k | ${fig[$k]} | | |" ;;
    esac
  done
  echo
  echo "details (pgbench output, profiles, server log): $work"
}
