#!/usr/bin/env bash
# Soak test of a live board under concurrent READ COMMITTED writers.
#
# Starts a throwaway cluster, creates a calls table with seed calls and a team board (day,
# week and month), then runs pgbench with 8 clients for SOAK_SECONDS (default 60) over a
# mix of single-row INSERTs (most), UPDATEs of a random call (its handle time, or its team,
# which moves it to other scopes), DELETEs of a random call, a few two-insert transactions
# over two teams in random order and a few with a rolled-back savepoint. Afterwards
# leaderboard.verify() must return no row, no sentinel row may be left in
# leaderboard.pending, pgbench must count no failed transaction and the server log must
# have no "deadlock detected" line and no ERROR at all (READ COMMITTED writers never fail
# because of the board). Prints one result line; exits non-zero on failure.
#
# Needs the extension built and installed for $PG_CONFIG (make install). Environment:
# PG_CONFIG, SOAK_SECONDS (default 60), SOAK_CLIENTS (default 8), SOAK_AGENTS (default 200)
# and SOAK_TEAMS (default 10): with more than 1000 agents a team, its scopes stop storing
# ranks during the run, and the ranks readers see are checked too.
set -uo pipefail
cd "$(dirname "$0")/.."
export PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
seconds=${SOAK_SECONDS:-60}
clients=${SOAK_CLIENTS:-8}
agents=${SOAK_AGENTS:-200}
teams=${SOAK_TEAMS:-10}
bindir=$("$PG_CONFIG" --bindir)
. scripts/pgtmp.sh

work=$(mktemp -d /tmp/leaderboard-soak.XXXXXX)
chmod 755 "$work"
pgtmp_start "log_lock_waits=on" "deadlock_timeout=200ms"
trap 'pgtmp_stop; rm -rf "$work"' EXIT
fail() { # keeps the server log for a look, then fails
  cp "$PGTMP_DIR/log" "$work.log" 2>/dev/null
  echo "soak: FAIL $*; server log: $work.log"
  exit 1
}
sql() { "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -At "$@"; }

sed "s/__AGENTS__/$agents/g; s/__TEAMS__/$teams/g" <<'EOF' | sql >"$work/setup.out" 2>&1 || { cat "$work/setup.out"; fail "setup failed"; }
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
  metrics => ARRAY['converted AS conv', 'handle_seconds AS aht', 'csat', 'call_id AS calls'],
  scorecard => '{"metrics": [{"name": "conv", "stat": "rate", "weight": 40, "target": 0.25},
    {"name": "aht", "stat": "avg", "weight": 20, "better": "lower", "range": [180, 900]},
    {"name": "csat", "stat": "avg", "weight": 20, "range": [1, 5]},
    {"name": "calls", "stat": "count", "weight": 20, "target": 60}]}',
  periods => ARRAY['day', 'week', 'month'], partition_by => ARRAY['team_id'],
  ladder => 'Bronze: 0, Silver: 60, Gold: 75', time_zone => 'UTC');
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

sed -i "s/__AGENTS__/$agents/g; s/__TEAMS__/$teams/g" "$work"/*.sql
"$bindir/pgbench" -n -c "$clients" -j "$clients" -T "$seconds" -M prepared \
  -f "$work/insert.sql@65" -f "$work/update_handle.sql@10" -f "$work/update_team.sql@5" \
  -f "$work/delete.sql@10" -f "$work/two_teams.sql@5" -f "$work/savepoint.sql@5" >"$work/pgbench.out" 2>&1
status=$?
tps=$(sed -n 's/^tps = \([0-9.]*\) (without initial connection time)$/\1/p' "$work/pgbench.out")
xacts=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$work/pgbench.out")
failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$work/pgbench.out")
failed=${failed:-0}
[ "$status" = 0 ] && [ -n "$tps" ] || { tail -20 "$work/pgbench.out"; fail "pgbench exited with $status after ${seconds}s"; }

verify=$(sql -c "SELECT count(*) FROM leaderboard.verify('b')") || fail "verify() failed"
pending=$(sql -c "SELECT count(*) FROM leaderboard.pending") || fail "reading leaderboard.pending failed"
rows=$(sql -c "SELECT count(*) FROM calls")
standings=$(sql -c "SELECT count(*) FROM b_standings")
# the ranks readers see (stored, or from the score index in scopes too large to store
# them) against rank() over the stored scores, in every scope
view_ranks=$(sql -c "SELECT count(*) FROM (
  SELECT s.scope_id, s.agent_id, coalesce(s.rank, CASE WHEN s.qualified THEN 1 + (SELECT count(*) FROM b_standings a
           WHERE a.scope_id = s.scope_id AND a.qualified AND a.score > s.score) END) FROM b_standings s
  EXCEPT ALL
  SELECT scope_id, agent_id, CASE WHEN qualified THEN rank() OVER (PARTITION BY scope_id, qualified ORDER BY score DESC) END
  FROM b_standings) x") || fail "reading the ranks failed"
unstored=$(sql -c "SELECT count(*) FROM b_scopes WHERE NOT ranks_stored")
deadlocks=$(grep -c "deadlock detected" "$PGTMP_DIR/log")
errors=$(grep -c "ERROR:" "$PGTMP_DIR/log")
waits=$(grep -c "still waiting for" "$PGTMP_DIR/log")

result="${seconds}s, $clients clients, $xacts transactions ($failed failed), $tps tps; $rows calls, $standings standings rows; verify rows $verify, wrong ranks $view_ranks (scopes storing no ranks: $unstored), deadlocks $deadlocks, errors $errors, leftover sentinels $pending, lock waits over 200ms $waits"
if [ "$verify" != 0 ]; then
  sql -c "SELECT problem, period, period_start, partition, agent FROM leaderboard.verify('b') LIMIT 10"
  fail "$result"
fi
if [ "$deadlocks" != 0 ] || [ "$errors" != 0 ] || [ "$failed" != 0 ] || [ "$pending" != 0 ] || [ "$view_ranks" != 0 ]; then
  grep -m 10 -A 3 "ERROR:" "$PGTMP_DIR/log"
  fail "$result"
fi
echo "soak: PASS $result"
