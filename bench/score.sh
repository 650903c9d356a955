#!/usr/bin/env bash
# Per-agent composite scores from kpi_agg against the equivalent hand-written SQL, serial
# and parallel, on the shared benchmark data (1M calls, 5000 agents, 50 teams by default).
# Builds and installs the extension (make install with $PG_CONFIG), starts a throwaway
# cluster (synchronous_commit=off, shared_buffers=1GB), loads the calls and prints, for each
# query, the median Execution Time of 5 runs of EXPLAIN (ANALYZE, TIMING OFF), and ratios.
# When leaderboard.score() is installed it also compares score(kpi_agg(...), card) with the
# hand-written score; kpi_agg alone is always compared with the hand aggregates.
# Usage: bench/score.sh [N_CALLS=1000000] [AGENTS=5000] [TEAMS=50]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
shared=${LEADERBOARD_SHARED:-$(cd "$root/.." && pwd)/shared}/bench
N=${1:-1000000} AGENTS=${2:-5000} TEAMS=${3:-50}
RUNS=${RUNS:-5}
export PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}

sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
{ make -s -C "$root" PG_CONFIG="$PG_CONFIG" && $sudo make -s -C "$root" PG_CONFIG="$PG_CONFIG" install; } >/dev/null

. "$root/scripts/pgtmp.sh"
pgtmp_start synchronous_commit=off shared_buffers=1GB
trap pgtmp_stop EXIT
q() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }

# the file name baselines.sh uses for the default agents and teams, so either reuses it
csv=/tmp/lb-bench-calls-$N.csv
[ "$AGENTS-$TEAMS" = 5000-50 ] || csv=/tmp/lb-bench-calls-$N-$AGENTS-$TEAMS.csv
[ -s "$csv" ] || q -v n="$N" -v agents="$AGENTS" -v teams="$TEAMS" -v out="$csv" -f "$shared/gen.sql" >/dev/null
q -f "$shared/schema.sql" >/dev/null 2>&1
q -c "COPY calls(agent_id,team_id,started_at,talk_seconds,handle_seconds,converted,csat,resolved_first) FROM '$csv' CSV" \
  -c "VACUUM ANALYZE calls" -c "CREATE EXTENSION leaderboard" >/dev/null

# The score of scratch_rank.sql: conversion (weight 3, target 25%), handle time (2, 600 s
# down to 180 s), CSAT (2, 1..5, 0 when missing), first-call resolution (1, raw rate),
# calls (1, target 200).
card=$(tr -d '\n' <<'JSON'
{"metrics": [
  {"name": "conv",  "stat": "rate",  "weight": 3, "better": "higher", "target": 0.25},
  {"name": "aht",   "stat": "avg",   "weight": 2, "better": "lower",  "range": [180, 600]},
  {"name": "csat",  "stat": "avg",   "weight": 2, "better": "higher", "range": [1, 5]},
  {"name": "fcr",   "stat": "rate",  "weight": 1, "better": "higher"},
  {"name": "calls", "stat": "count", "weight": 1, "better": "higher", "target": 200}],
 "scale": 100}
JSON
)
kpi_agg="SELECT agent_id, leaderboard.kpi_agg(converted, handle_seconds, csat, resolved_first, call_id) AS k FROM calls GROUP BY agent_id"
hand_agg="SELECT agent_id, count(*) AS calls, avg(converted::int) AS conv, avg(handle_seconds) AS aht, avg(csat) AS csat, avg(resolved_first::int) AS fcr FROM calls GROUP BY agent_id"
kpi_score="SELECT agent_id, leaderboard.score(leaderboard.kpi_agg(converted, handle_seconds, csat, resolved_first, call_id), '$card') AS score FROM calls GROUP BY agent_id"
hand_score="SELECT agent_id, 100 * (3*least(conv/0.25,1) + 2*greatest(0,least(1,(600-aht)/420)) + 2*coalesce(greatest(0,least(1,(csat-1)/4)),0) + 1*fcr + 1*least(calls/200.0,1)) / 9 AS score FROM ($hand_agg) k"

exec_ms() { # $1 = workers, $2 = query: Execution Time of one EXPLAIN ANALYZE, in ms
  q -c "SET max_parallel_workers_per_gather = $1" -c "EXPLAIN (ANALYZE, TIMING OFF) $2" \
    | sed -n 's/.*Execution Time: \([0-9.]*\) ms.*/\1/p'
}
median() { sort -g | sed -n "$(( (RUNS + 1) / 2 ))p"; }
best() { sort -g | head -1; }
# median and best of $RUNS runs of two queries, run alternately after one warm-up run
# each, so that load from elsewhere on the machine hits both alike; $1 = workers, $2, $3 =
# queries; prints "median_a median_b best_a best_b"
time_pair() {
  local i a=() b=()
  exec_ms "$1" "$2" >/dev/null; exec_ms "$1" "$3" >/dev/null
  for i in $(seq 1 "$RUNS"); do
    a+=("$(exec_ms "$1" "$2")"); b+=("$(exec_ms "$1" "$3")")
  done
  echo "$(printf '%s\n' "${a[@]}" | median) $(printf '%s\n' "${b[@]}" | median)" \
       "$(printf '%s\n' "${a[@]}" | best) $(printf '%s\n' "${b[@]}" | best)"
}
plan() { # "parallel" when the plan has a Partial Aggregate, else "serial"
  q -c "SET max_parallel_workers_per_gather = $1" -c "EXPLAIN (COSTS OFF) $2" | grep -q Partial && echo parallel || echo serial
}
ratio() { printf '%.3f' "$(echo "scale=4; $1 / $2" | bc)"; }

have_score=$(q -At -c "SELECT count(*) FROM pg_proc WHERE proname = 'score' AND pronamespace = 'leaderboard'::regnamespace")
pairs=("kpi_agg|$kpi_agg|$hand_agg")
[ "$have_score" -gt 0 ] && pairs=("score|$kpi_score|$hand_score" "${pairs[@]}")

echo "calls $N, agents $AGENTS, teams $TEAMS"
if [ "$have_score" -gt 0 ]; then
  q -At -F ' ' -c "SELECT count(*), count(*) FILTER (WHERE a.score IS NULL OR b.score IS NULL), max(abs(a.score - b.score))
                   FROM ($kpi_score) a FULL JOIN ($hand_score) b USING (agent_id)" | {
    read -r agents unmatched maxdiff
    echo "score vs hand SQL: $agents agents, $unmatched unmatched, largest |difference| $maxdiff"
  }
else
  echo "leaderboard.score() is not installed: only kpi_agg vs the hand aggregates"
fi
echo "Execution Time in ms: median of $RUNS runs (best run in brackets); ratio = extension / hand"
declare -A ext_ms
for p in "${pairs[@]}"; do
  IFS='|' read -r name ext hand <<<"$p"
  for w in 0 2; do
    read -r e h eb hb <<<"$(time_pair "$w" "$ext" "$hand")"
    ext_ms[$w]=$e
    printf '%-8s workers=%s  extension %7.1f [%7.1f] %-8s  hand %7.1f [%7.1f] %-8s  ratio %s [%s]\n' \
      "$name" "$w" "$e" "$eb" "$(plan "$w" "$ext")" "$h" "$hb" "$(plan "$w" "$hand")" \
      "$(ratio "$e" "$h")" "$(ratio "$eb" "$hb")"
  done
  printf '%-8s extension parallel/serial %s\n' "$name" "$(ratio "${ext_ms[2]}" "${ext_ms[0]}")"
done
