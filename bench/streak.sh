#!/usr/bin/env bash
# Benchmarks streak_agg against the floor (GROUP BY agent taking max(day)) and against a
# gaps-and-islands query, per agent over 1M calls (5000 agents, 50 teams, 31 days):
#   (a) over the calls, a day is met when any of its calls converted (12-24 % of an agent's
#       calls do);
#   (b) over ~150k day rows (agent_id, day, met) with met = at least 2 conversions that day;
#   (c) over a log where each agent converts 5-25 % of its calls, against the floor that
#       computes the day of converted calls only (max(day) FILTER (WHERE converted)) and
#       gaps-and-islands over the converted calls; also streak_agg(...) FILTER (WHERE
#       converted), and the floor computing every call's day, as streak_agg must.
# The calls come from bench/gen.sql (deterministic; the CSVs are kept in /tmp and reused).
# Each figure is the median of ROUNDS (5) EXPLAIN (ANALYZE, TIMING OFF) execution times,
# taken in rounds (every query once per round), with the planner's default parallelism
# (max_parallel_workers_per_gather = 2) and then with parallelism off, and the minimum;
# then the median executor CPU time of serial runs. Prints one figure a line and ratios.
# With INSTR=1 it ends by counting, under valgrind's callgrind, the instructions each query
# executes (ExecutorRun of a serial plan in a single-user backend): the same on every run,
# whatever else the machine does, and what of them runs in leaderboard.so; the callgrind
# files (callgrind_annotate splits them by function) are kept in the directory it names.
# Usage: PG_CONFIG=... [ROUNDS=5] [INSTR=1] bench/streak.sh [N_CALLS=1000000] [AGENTS=5000] [TEAMS=50]
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
N=${1:-1000000} AGENTS=${2:-5000} TEAMS=${3:-50} ROUNDS=${ROUNDS:-5}
export PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
csv=/tmp/lb-streak-calls-$N-$AGENTS-$TEAMS.csv
csv_sparse=/tmp/lb-streak-calls-$N-$AGENTS-$TEAMS-conv5-25.csv

cd "$repo"
sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
make -s PG_CONFIG="$PG_CONFIG" >/dev/null && $sudo make -s install PG_CONFIG="$PG_CONFIG" >/dev/null

. scripts/pgtmp.sh
pgtmp_start synchronous_commit=off shared_buffers=1GB
trap pgtmp_stop EXIT
q() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }

gen() { # $1 = CSV file, then psql settings of bench/gen.sql
  local out=$1; shift
  [ -s "$out" ] || q -v n="$N" -v agents="$AGENTS" -v teams="$TEAMS" -v out="$out" "$@" \
    -f bench/gen.sql >/dev/null
  chmod a+r "$out" 2>/dev/null || true
}
gen "$csv"
gen "$csv_sparse" -v conv_min=0.05 -v conv_step=0.05 -v conv_steps=5
columns="agent_id,team_id,started_at,talk_seconds,handle_seconds,converted,csat,resolved_first"
q -c "CREATE EXTENSION leaderboard" >/dev/null
q -f bench/schema.sql >/dev/null 2>&1
q -c "COPY calls($columns) FROM '$csv_sparse' CSV" -c "ALTER TABLE calls RENAME TO sparse_calls" >/dev/null
q -f bench/schema.sql >/dev/null 2>&1
q -c "COPY calls($columns) FROM '$csv' CSV" >/dev/null
q -c "CREATE TABLE days AS
        SELECT agent_id, (started_at AT TIME ZONE 'UTC')::date AS day, sum(converted::int) >= 2 AS met
        FROM calls GROUP BY 1, 2" >/dev/null
q -c "VACUUM ANALYZE calls" -c "VACUUM ANALYZE days" -c "VACUUM ANALYZE sparse_calls" >/dev/null

declare -A sql
sql[a_streak]="SELECT agent_id, leaderboard.longest(leaderboard.streak_agg((started_at AT TIME ZONE 'UTC')::date, converted)) FROM calls GROUP BY agent_id"
sql[a_floor]="SELECT agent_id, max((started_at AT TIME ZONE 'UTC')::date) FROM calls GROUP BY agent_id"
sql[a_gaps]="WITH d AS (
  SELECT agent_id, (started_at AT TIME ZONE 'UTC')::date AS day FROM calls
  GROUP BY 1, 2 HAVING bool_or(converted)),
g AS (SELECT agent_id, day, day - (row_number() OVER (PARTITION BY agent_id ORDER BY day))::int AS grp FROM d)
SELECT agent_id, max(n) FROM (SELECT agent_id, grp, count(*) n FROM g GROUP BY 1, 2) x GROUP BY 1"
sql[b_streak]="SELECT agent_id, leaderboard.longest(leaderboard.streak_agg(day, met)) FROM days GROUP BY agent_id"
sql[b_floor]="SELECT agent_id, max(day) FROM days GROUP BY agent_id"
sql[b_gaps]="WITH g AS (
  SELECT agent_id, day, day - (row_number() OVER (PARTITION BY agent_id ORDER BY day))::int AS grp
  FROM days WHERE met)
SELECT agent_id, max(n) FROM (SELECT agent_id, grp, count(*) n FROM g GROUP BY 1, 2) x GROUP BY 1"
day="(started_at AT TIME ZONE 'UTC')::date"
sql[c_streak]="SELECT agent_id, leaderboard.longest(leaderboard.streak_agg($day, converted)) FROM sparse_calls GROUP BY agent_id"
sql[c_filter]="SELECT agent_id, coalesce(leaderboard.longest(leaderboard.streak_agg($day, converted) FILTER (WHERE converted)), 0) FROM sparse_calls GROUP BY agent_id"
sql[c_floor]="SELECT agent_id, max($day) FILTER (WHERE converted) FROM sparse_calls GROUP BY agent_id"
sql[c_everyday]="SELECT agent_id, max($day) FROM sparse_calls GROUP BY agent_id"
sql[c_gaps]="WITH d AS (SELECT DISTINCT agent_id, $day AS day FROM sparse_calls WHERE converted),
g AS (SELECT agent_id, day, day - (row_number() OVER (PARTITION BY agent_id ORDER BY day))::int AS grp FROM d)
SELECT agent_id, max(n) FROM (SELECT agent_id, grp, count(*) n FROM g GROUP BY 1, 2) x GROUP BY 1"
names="a_streak a_floor a_gaps b_streak b_floor b_gaps c_streak c_filter c_floor c_everyday c_gaps"
# ratios printed: numerator:denominator
pairs="a_streak:a_floor a_streak:a_gaps b_streak:b_floor b_streak:b_gaps c_streak:c_floor
       c_streak:c_gaps c_streak:c_everyday c_filter:c_floor c_filter:c_gaps"

# The streak and gaps-and-islands queries must agree before their times mean anything.
for pair in a_streak:a_gaps b_streak:b_gaps c_streak:c_gaps c_filter:c_gaps; do
  bad=$(q -At -c "SELECT count(*) FROM (${sql[${pair%%:*}]}) s(agent_id, n)
                  FULL JOIN (${sql[${pair#*:}]}) g(agent_id, n) USING (agent_id)
                  WHERE s.n IS DISTINCT FROM coalesce(g.n, 0)")
  echo "check_${pair%%:*}_differing_agents $bad"
  [ "$bad" = 0 ] || { echo "streak and gaps-and-islands disagree" >&2; exit 1; }
done
echo "calls $(q -At -c "SELECT count(*) FROM calls") day_rows $(q -At -c "SELECT count(*) FROM days")"
echo "sparse_calls $(q -At -c "SELECT count(*) FROM sparse_calls") converted $(q -At -c "SELECT round(avg(converted::int), 4) FROM sparse_calls") \
agents_without_conversions $(q -At -c "SELECT count(*) FROM (SELECT agent_id FROM sparse_calls GROUP BY 1 HAVING NOT bool_or(converted)) x")"

shape() { # $1 = query; prints the plan's node names, outermost first
  q -At -c "EXPLAIN (COSTS OFF) $1" | sed -n 's/^[ ->]*\([A-Z][A-Za-z ]*[a-z]\)\( on .*\| using .*\)\{0,1\}$/\1/p' | paste -sd '<' -
}
for n in $names; do echo "plan_$n $(shape "${sql[$n]}")"; done

ms() { # $1 = settings, $2 = query; prints the execution time in ms
  q -At -c "$1" -c "EXPLAIN (ANALYZE, TIMING OFF) $2" | sed -n 's/^Execution Time: \([0-9.]*\) ms$/\1/p'
}
median() { printf '%s\n' "$@" | sort -g | sed -n "$(( ($# + 1) / 2 ))p"; }

for mode in default serial; do
  if [ "$mode" = default ]; then set_="SET max_parallel_workers_per_gather = 2"
  else set_="SET max_parallel_workers_per_gather = 0"; fi
  declare -A runs=()
  for n in $names; do ms "$set_" "${sql[$n]}" >/dev/null; done   # warm-up
  for _ in $(seq 1 "$ROUNDS"); do
    for n in $names; do runs[$n]="${runs[$n]:-} $(ms "$set_" "${sql[$n]}")"; done
  done
  declare -A med=() min=()
  for n in $names; do
    med[$n]=$(median ${runs[$n]})
    min[$n]=$(printf '%s\n' ${runs[$n]} | sort -g | head -1)
    echo "${mode}_${n}_ms ${med[$n]}   (min ${min[$n]}; runs:${runs[$n]})"
  done
  for pair in $pairs; do
    a=${pair%%:*} b=${pair#*:}
    printf '%s_%s_vs_%s %.2f   (of minima %.2f)\n' "$mode" "$a" "${b#*_}" \
      "$(echo "${med[$a]} / ${med[$b]}" | bc -l)" "$(echo "${min[$a]} / ${min[$b]}" | bc -l)"
  done
  unset runs med min
done
# Wall-clock times swing when other work shares the machine; the executor's own CPU time
# (log_executor_stats, serial plans) swings less, so it is reported as well.
cpu() { # $1 = query; prints the median user CPU seconds of $ROUNDS runs
  { echo "SET max_parallel_workers_per_gather = 0; SET log_executor_stats = on; SET client_min_messages = log;"
    for _ in $(seq 1 "$ROUNDS"); do echo "$1;"; done; } | psql -X -q -At 2>&1 >/dev/null \
    | sed -n 's/^!\s*\([0-9.]*\) s user.*/\1/p' | sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'
}
declare -A cpus=()
for n in $names; do cpus[$n]=$(cpu "${sql[$n]}"); echo "serial_cpu_${n}_s ${cpus[$n]}"; done
for pair in $pairs; do
  a=${pair%%:*} b=${pair#*:}
  printf 'serial_cpu_%s_vs_%s %.2f\n' "$a" "${b#*_}" "$(echo "${cpus[$a]} / ${cpus[$b]}" | bc -l)"
done

[ "${INSTR:-0}" = 1 ] || exit 0
# Instruction counts: the server stops (a single-user backend needs the data directory to
# itself), each query runs once; library loading and planning are outside ExecutorRun.
command -v valgrind >/dev/null || { echo "INSTR=1 needs valgrind" >&2; exit 1; }
pgtmp_as_server_user "$PGBIN/pg_ctl" -D "$PGTMP_DIR/data" -m fast -w stop >/dev/null
cg=$(mktemp -d /tmp/lb-streak-callgrind.XXXXXX)
[ "$(id -u)" = 0 ] && chown postgres "$cg"
echo "callgrind_files $cg"
declare -A instr=()
for n in $names; do
  printf '%s;\n\n' "${sql[$n]}" > "$cg/$n.sql"
  pgtmp_as_server_user valgrind --tool=callgrind --toggle-collect=standard_ExecutorRun \
    --callgrind-out-file="$cg/callgrind.$n" "$PGBIN/postgres" --single -j \
    -D "$PGTMP_DIR/data" -c max_parallel_workers_per_gather=0 -c jit=off postgres \
    < "$cg/$n.sql" >/dev/null 2>&1
  instr[$n]=$(sed -n 's/^summary: //p' "$cg/callgrind.$n")
  own=$(callgrind_annotate --threshold=100 "$cg/callgrind.$n" 2>/dev/null \
        | awk '/leaderboard\.so\]$/ {gsub(",", "", $1); s += $1} END {print s + 0}')
  echo "serial_instructions_$n ${instr[$n]}   (in leaderboard.so $own)"
done
for pair in $pairs; do
  a=${pair%%:*} b=${pair#*:}
  printf 'serial_instructions_%s_vs_%s %.3f\n' "$a" "${b#*_}" "$(echo "${instr[$a]} / ${instr[$b]}" | bc -l)"
done
