#!/usr/bin/env bash
# Soak test of live boards under concurrent writers, bulk loads and board changes.
#
# Starts a throwaway cluster, creates a calls table with seed calls and two boards: a team
# board "b" (day, week and month, partition_by the team) and a floor-wide board "f" (day
# and month, no partition_by, so every write shares its scopes). Then, for SOAK_SECONDS
# (default 60), all at once:
#   - pgbench with SOAK_CLIENTS clients (default 8) at READ COMMITTED: single-row INSERTs
#     (most), INSERTs into one hot team (many writers into the same scopes), UPDATEs of a
#     random call (its handle time, or its team, which moves it to other scopes), DELETEs
#     of a random call, two-insert transactions over two teams in random order and
#     transactions with a rolled-back savepoint; and REPEATABLE READ INSERTs into the hot
#     team, whose commit fails with 40001 when a concurrent commit changed their scopes
#     after their snapshot, retried by pgbench (--max-tries);
#   - a loop of COPY batches (SOAK_COPY_ROWS rows each, default 500, every team and day);
#   - a loop of board changes, one every SOAK_ADMIN_PAUSE seconds (default 5): alter_board
#     with another scorecard for "b", rebuild of "f", alter_board with another ladder for
#     "f", rebuild of "b", in turn.
# Afterwards leaderboard.verify() must return no row for either board, the ranks readers
# see (stored, or from the score index in scopes storing none) must equal rank() over the
# stored scores, no sentinel row may be left in leaderboard.pending, pgbench must count no
# failed transaction, the COPY and board-change loops no error, and the server log must
# hold no "deadlock detected" line and no ERROR but 40001 (counted: the REPEATABLE READ
# writers' retries; READ COMMITTED writers never fail because of a board). Prints one
# result line; exits non-zero on failure.
#
# Needs the extension built and installed for $PG_CONFIG (make install). Environment:
# PG_CONFIG, SOAK_SECONDS (default 60), SOAK_CLIENTS (default 8), SOAK_AGENTS (default 200),
# SOAK_TEAMS (default 10), SOAK_COPY_ROWS (default 500), SOAK_ADMIN_PAUSE (default 5).
# With more than 1000 agents a team, its scopes stop storing ranks during the run, and the
# ranks readers see are checked too.
set -uo pipefail
cd "$(dirname "$0")/.."
export PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
seconds=${SOAK_SECONDS:-60}
clients=${SOAK_CLIENTS:-8}
agents=${SOAK_AGENTS:-200}
teams=${SOAK_TEAMS:-10}
copy_rows=${SOAK_COPY_ROWS:-500}
admin_pause=${SOAK_ADMIN_PAUSE:-5}
bindir=$("$PG_CONFIG" --bindir)
. scripts/pgtmp.sh

work=$(mktemp -d /tmp/leaderboard-soak.XXXXXX)
chmod 755 "$work"
# the SQLSTATE in each log line tells the expected 40001 from any other error
pgtmp_start "log_lock_waits=on" "deadlock_timeout=200ms" "log_line_prefix='%m [%p] %e '"
loops=""
trap 'for p in $loops; do kill "$p" 2>/dev/null; done; pgtmp_stop; rm -rf "$work"' EXIT
fail() { # keeps the server log for a look, then fails
  cp "$PGTMP_DIR/log" "$work.log" 2>/dev/null
  echo "soak: FAIL $*; server log: $work.log"
  exit 1
}
sql() { "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -At "$@"; }

card_b='{"metrics": [{"name": "conv", "stat": "rate", "weight": 40, "target": 0.25},
    {"name": "aht", "stat": "avg", "weight": 20, "better": "lower", "range": [180, 900]},
    {"name": "csat", "stat": "avg", "weight": 20, "range": [1, 5]},
    {"name": "calls", "stat": "count", "weight": 20, "target": 60}]}'
card_b2='{"metrics": [{"name": "conv", "stat": "rate", "weight": 20, "target": 0.3},
    {"name": "aht", "stat": "avg", "weight": 40, "better": "lower", "range": [120, 800]},
    {"name": "csat", "stat": "avg", "weight": 30, "range": [1, 5]},
    {"name": "calls", "stat": "count", "weight": 10, "target": 40}], "min_rows": 2}'
ladder_f='Podium: top 3, Top half: top 50%'
ladder_f2='Gold: top 10%, Silver: top 30%, Bronze: top 100%'

sed "s/__AGENTS__/$agents/g; s/__TEAMS__/$teams/g" <<EOF | sql >"$work/setup.out" 2>&1 || { cat "$work/setup.out"; fail "setup failed"; }
CREATE EXTENSION leaderboard;
CREATE TABLE calls (
  call_id        bigserial PRIMARY KEY,
  agent_id       int         NOT NULL,
  team_id        int         NOT NULL,
  started_at     timestamptz NOT NULL,
  talk_seconds   int         NOT NULL,
  handle_seconds int         NOT NULL,
  converted      boolean     NOT NULL,
  csat           smallint,
  resolved_first boolean     NOT NULL
);
-- __AGENTS__ agents in __TEAMS__ teams, one week across a week and a month boundary (2024-03-28 to
-- 2024-04-03): every team has 7 day, 2 week and 2 month scopes that writers share
INSERT INTO calls (agent_id, team_id, started_at, talk_seconds, handle_seconds, converted, csat, resolved_first)
SELECT a, a % __TEAMS__, timestamptz '2024-03-28 00:00+00' + (i * 7919 % 604800) * interval '1 second',
       t, t + 40, i % 5 = 0, CASE WHEN i % 3 = 0 THEN 1 + i % 5 END, i % 10 < 7
FROM generate_series(1, 20000) i, LATERAL (SELECT 1 + i * 31 % __AGENTS__ AS a, 30 + i * 17 % 600 AS t) x;
SELECT leaderboard.create_board(name => 'b', source => 'calls', agent => 'agent_id', at => 'started_at',
  metrics => ARRAY['converted AS conv', 'handle_seconds AS aht', 'csat', '1 AS calls'],
  scorecard => '$card_b',
  periods => ARRAY['day', 'week', 'month'], partition_by => ARRAY['team_id'],
  ladder => 'Bronze: 0, Silver: 60, Gold: 75', time_zone => 'UTC');
-- the whole floor in one scope per period: every writer shares them
SELECT leaderboard.create_board(name => 'f', source => 'calls', agent => 'agent_id', at => 'started_at',
  metrics => ARRAY['converted AS conv', 'handle_seconds AS aht', '1 AS calls'],
  scorecard => '{"metrics": [{"name": "conv", "stat": "rate", "weight": 50, "target": 0.25},
    {"name": "aht", "stat": "avg", "weight": 50, "better": "lower", "range": [180, 900]},
    {"name": "calls", "stat": "count", "weight": 0, "target": 20}], "min_rows": 3}',
  periods => ARRAY['day', 'month'], ladder => '$ladder_f', time_zone => 'UTC');
ANALYZE;
EOF

# a call of a random agent at a random second of two weeks: the second week's day and
# week scopes are created by concurrent writers during the run
cat >"$work/insert.sql" <<'EOF'
\set a random(1, __AGENTS__)
\set s random(0, 1209599)
\set t random(30, 630)
INSERT INTO calls (agent_id, team_id, started_at, talk_seconds, handle_seconds, converted, csat, resolved_first)
VALUES (:a, :a % __TEAMS__, timestamptz '2024-03-28 00:00+00' + :s * interval '1 second', :t, :t + 40,
        random() < 0.2, CASE WHEN random() < 0.3 THEN 1 + (:t % 5) END, random() < 0.7);
EOF
# many writers into one team (team 0, the agents whose number it divides): the same day,
# week and month scopes
cat >"$work/hot.sql" <<'EOF'
\set a __TEAMS__ * random(1, __HOT_AGENTS__)
\set s random(0, 1209599)
\set t random(30, 630)
INSERT INTO calls (agent_id, team_id, started_at, talk_seconds, handle_seconds, converted, csat, resolved_first)
VALUES (:a, 0, timestamptz '2024-03-28 00:00+00' + :s * interval '1 second', :t, :t + 40,
        random() < 0.2, CASE WHEN random() < 0.3 THEN 1 + (:t % 5) END, random() < 0.7);
EOF
# the same at REPEATABLE READ: a commit to its scopes, a rebuild() or an alter_board()
# after its snapshot fails its commit with 40001, and pgbench retries it
cat >"$work/hot_rr.sql" <<'EOF'
\set a __TEAMS__ * random(1, __HOT_AGENTS__)
\set s random(0, 1209599)
BEGIN ISOLATION LEVEL REPEATABLE READ;
INSERT INTO calls (agent_id, team_id, started_at, talk_seconds, handle_seconds, converted, csat, resolved_first)
VALUES (:a, 0, timestamptz '2024-03-28 00:00+00' + :s * interval '1 second', 200, 240, true, 4, true);
COMMIT;
EOF
cat >"$work/update_handle.sql" <<'EOF'
SELECT max(call_id) AS maxid FROM calls \gset
\set id random(1, :maxid)
\set h random(60, 1200)
UPDATE calls SET handle_seconds = :h WHERE call_id = :id;
EOF
cat >"$work/update_team.sql" <<'EOF'
SELECT max(call_id) AS maxid FROM calls \gset
\set id random(1, :maxid)
\set team random(0, __TEAMS__ - 1)
UPDATE calls SET team_id = :team WHERE call_id = :id;
EOF
cat >"$work/delete.sql" <<'EOF'
SELECT max(call_id) AS maxid FROM calls \gset
\set id random(1, :maxid)
DELETE FROM calls WHERE call_id = :id;
EOF
# two teams in random order: concurrent ones lock the same scopes in opposite orders
cat >"$work/two_teams.sql" <<'EOF'
\set a random(1, __AGENTS__)
\set b random(1, __AGENTS__)
\set s random(0, 1209599)
BEGIN;
INSERT INTO calls (agent_id, team_id, started_at, talk_seconds, handle_seconds, converted, csat, resolved_first)
VALUES (:a, :a % __TEAMS__, timestamptz '2024-03-28 00:00+00' + :s * interval '1 second', 100, 140, true, 5, true);
INSERT INTO calls (agent_id, team_id, started_at, talk_seconds, handle_seconds, converted, csat, resolved_first)
VALUES (:b, :b % __TEAMS__, timestamptz '2024-03-28 00:00+00' + :s * interval '1 second', 100, 140, false, 2, true);
COMMIT;
EOF

# a rolled-back savepoint: only the first call counts
cat >"$work/savepoint.sql" <<'EOF'
\set a random(1, __AGENTS__)
\set s random(0, 1209599)
BEGIN;
INSERT INTO calls (agent_id, team_id, started_at, talk_seconds, handle_seconds, converted, csat, resolved_first)
VALUES (:a, :a % __TEAMS__, timestamptz '2024-03-28 00:00+00' + :s * interval '1 second', 100, 140, false, 3, true);
SAVEPOINT s;
INSERT INTO calls (agent_id, team_id, started_at, talk_seconds, handle_seconds, converted, csat, resolved_first)
VALUES (:a, (:a + 1) % __TEAMS__, timestamptz '2024-03-28 00:00+00' + :s * interval '1 second', 100, 140, true, 5, true);
ROLLBACK TO SAVEPOINT s;
COMMIT;
EOF

hot_agents=$((agents / teams)); [ "$hot_agents" -ge 1 ] || hot_agents=1
sed -i "s/__AGENTS__/$agents/g; s/__TEAMS__/$teams/g; s/__HOT_AGENTS__/$hot_agents/g" "$work"/*.sql

# COPY batches until the deadline: calls of random agents (every team) at random seconds
# of the two weeks from 2024-03-28, one batch a second
copy_loop() {
  local n=0 errors=0
  while [ "$(date +%s)" -lt "$deadline" ]; do
    n=$((n + 1))
    awk -v seed="$n" -v rows="$copy_rows" -v agents="$agents" -v teams="$teams" 'BEGIN {
      srand(seed)
      for (i = 0; i < rows; i++) {
        a = 1 + int(rand() * agents); t = 30 + int(rand() * 600); s = int(rand() * 1209600)
        d = 28 + int(s / 86400); m = 3; if (d > 31) { d -= 31; m = 4 }
        s %= 86400
        printf "%d,%d,2024-%02d-%02d %02d:%02d:%02d+00,%d,%d,%s,%s,%s\n", a, a % teams, m, d,
               int(s / 3600), int(s % 3600 / 60), s % 60, t, t + 40,
               rand() < 0.2 ? "t" : "f", rand() < 0.3 ? 1 + t % 5 : "", rand() < 0.7 ? "t" : "f"
      } }' >"$work/batch.csv"
    sql -c "\\copy calls (agent_id, team_id, started_at, talk_seconds, handle_seconds, converted, csat, resolved_first) FROM '$work/batch.csv' WITH (FORMAT csv)" \
      >>"$work/copy.err" 2>&1 || errors=$((errors + 1))
    sleep 1
  done
  echo "$n $errors" >"$work/copy.out"
}

# board changes until the deadline, in turn: a new scorecard for b, a rebuild of f, a new
# ladder for f, a rebuild of b; the scorecard and the ladder alternate between two
admin_loop() {
  local n=0 errors=0 stmt
  while sleep "$admin_pause"; [ "$(date +%s)" -lt "$deadline" ]; do
    n=$((n + 1))
    case $((n % 4)) in
      1) if [ $((n / 4 % 2)) = 0 ]; then stmt="SELECT leaderboard.alter_board('b', scorecard => '$card_b2')"
         else stmt="SELECT leaderboard.alter_board('b', scorecard => '$card_b')"; fi ;;
      2) stmt="SELECT leaderboard.rebuild('f')" ;;
      3) if [ $((n / 4 % 2)) = 0 ]; then stmt="SELECT leaderboard.alter_board('f', ladder => '$ladder_f2')"
         else stmt="SELECT leaderboard.alter_board('f', ladder => '$ladder_f')"; fi ;;
      0) stmt="SELECT leaderboard.rebuild('b')" ;;
    esac
    sql -c "$stmt" >/dev/null 2>>"$work/admin.err" || errors=$((errors + 1))
  done
  echo "$n $errors" >"$work/admin.out"
}

deadline=$(($(date +%s) + seconds))
copy_loop & loops="$loops $!"
admin_loop & loops="$loops $!"
# A REPEATABLE READ insert into the hot team gets 40001 whenever another commit changed
# its scopes after its snapshot, which under this load most tries do: at 100 tries one of
# the run's few thousand such transactions ran out of them in about every other 60-second
# run, before and after any change to the board. Its retries are pgbench's, and a failure
# after all of them is that documented 40001, not a wrong board: 1000 tries.
"$bindir/pgbench" -n -c "$clients" -j "$clients" -T "$seconds" -M prepared --max-tries=1000 \
  -f "$work/insert.sql@50" -f "$work/hot.sql@15" -f "$work/hot_rr.sql@5" \
  -f "$work/update_handle.sql@8" -f "$work/update_team.sql@4" -f "$work/delete.sql@8" \
  -f "$work/two_teams.sql@5" -f "$work/savepoint.sql@5" >"$work/pgbench.out" 2>&1
status=$?
wait $loops
loops=""
tps=$(sed -n 's/^tps = \([0-9.]*\) (without initial connection time)$/\1/p' "$work/pgbench.out")
xacts=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$work/pgbench.out")
failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$work/pgbench.out")
failed=${failed:-0}
retried=$(sed -n 's/^total number of retries: \([0-9]*\).*/\1/p' "$work/pgbench.out")
retried=${retried:-0}
[ "$status" = 0 ] && [ -n "$tps" ] || { tail -20 "$work/pgbench.out"; fail "pgbench exited with $status after ${seconds}s"; }
read -r copies copy_errors <"$work/copy.out" || fail "the COPY loop did not finish"
read -r changes change_errors <"$work/admin.out" || fail "the board-change loop did not finish"

verify=$(sql -c "SELECT string_agg(format('%s %s', name, (SELECT count(*) FROM leaderboard.verify(name))), ', ' ORDER BY name) FROM leaderboard.boards") \
  || fail "verify() failed"
pending=$(sql -c "SELECT count(*) FROM leaderboard.pending") || fail "reading leaderboard.pending failed"
rows=$(sql -c "SELECT count(*) FROM calls")
standings=$(sql -c "SELECT (SELECT count(*) FROM b_standings) + (SELECT count(*) FROM f_standings)")
# the ranks readers see (stored, or from the score index in scopes too large to store
# them) against rank() over the stored scores, in every scope of both boards
wrong_ranks() { # $1 = the board's standings table
  sql -c "SELECT count(*) FROM (
  SELECT s.scope_id, s.agent_id, coalesce(s.rank, CASE WHEN s.qualified THEN 1 + (SELECT count(*) FROM $1 a
           WHERE a.scope_id = s.scope_id AND a.qualified AND a.score > s.score) END) FROM $1 s
  EXCEPT ALL
  SELECT scope_id, agent_id, CASE WHEN qualified THEN rank() OVER (PARTITION BY scope_id, qualified ORDER BY score DESC) END
  FROM $1) x"
}
view_ranks=$(( $(wrong_ranks b_standings) + $(wrong_ranks f_standings) )) || fail "reading the ranks failed"
unstored=$(sql -c "SELECT count(*) FROM b_scopes WHERE NOT ranks_stored")
deadlocks=$(grep -c "deadlock detected" "$PGTMP_DIR/log")
serialization=$(grep -c " 40001 ERROR:" "$PGTMP_DIR/log")
errors=$(grep "ERROR:" "$PGTMP_DIR/log" | grep -vc " 40001 ERROR:")
waits=$(grep -c "still waiting for" "$PGTMP_DIR/log")

result="${seconds}s, $clients clients, $xacts transactions ($failed failed, $retried retries after 40001), $tps tps; $copies COPY batches of $copy_rows rows ($copy_errors failed); $changes board changes ($change_errors failed); $rows calls, $standings standings rows; verify rows: $verify; wrong ranks $view_ranks (scopes storing no ranks: $unstored), deadlocks $deadlocks, 40001 errors $serialization, other errors $errors, leftover sentinels $pending, lock waits over 200ms $waits"
if [ "$verify" != "b 0, f 0" ]; then
  sql -c "SELECT b.name, v.problem, v.period, v.period_start, v.partition, v.agent FROM leaderboard.boards b, leaderboard.verify(b.name) v LIMIT 10"
  fail "$result"
fi
if [ "$deadlocks" != 0 ] || [ "$errors" != 0 ] || [ "$failed" != 0 ] || [ "$pending" != 0 ] || [ "$view_ranks" != 0 ] \
   || [ "$copy_errors" != 0 ] || [ "$change_errors" != 0 ]; then
  grep "ERROR:" "$PGTMP_DIR/log" | grep -v " 40001 ERROR:" | head -10
  head -c 2000 "$work/copy.err" "$work/admin.err" 2>/dev/null
  fail "$result"
fi
echo "soak: PASS $result"
