#!/usr/bin/env bash
# A partition detached from and attached to a board's partitioned source while writers
# insert into another partition: each ATTACH and DETACH rebuilds the board at its commit,
# and that rebuild waits for the writers in the middle of their commit-time apply and
# holds the next ones off, as rebuild() does, so that neither deadlocks (the rebuild's
# rewrite of the standings against a writer's apply did, in 4 of 10 ATTACHes) and no
# writer fails. CHURN_ROUNDS (default 8) rounds of DETACH and ATTACH run beside
# CHURN_CLIENTS (default 4) pgbench clients; then verify() must find nothing. Runs against
# the cluster in PGHOST/PGPORT.
set -euo pipefail
rounds=${CHURN_ROUNDS:-8}
clients=${CHURN_CLIENTS:-4}
q() { psql -X -q -v ON_ERROR_STOP=1 -At "$@"; }
db=lb_partition_churn
work=$(mktemp -d /tmp/leaderboard-partition-churn.XXXXXX)
trap 'dropdb --if-exists $db; rm -rf "$work"' EXIT
dropdb --if-exists $db 2>/dev/null
createdb $db
q -d $db >/dev/null <<'SQL'
CREATE EXTENSION leaderboard;
CREATE TABLE calls (agent_id int NOT NULL, team_id int NOT NULL, started_at timestamptz NOT NULL, converted boolean NOT NULL)
  PARTITION BY RANGE (started_at);
CREATE TABLE calls_a PARTITION OF calls FOR VALUES FROM ('2026-10-01') TO ('2026-10-08');
CREATE TABLE calls_b PARTITION OF calls FOR VALUES FROM ('2026-10-08') TO ('2026-11-01');
INSERT INTO calls SELECT 1 + i % 30, i % 3, '2026-10-01 08:00+00'::timestamptz + (i % 20) * interval '1 day', i % 3 = 0
FROM generate_series(1, 900) i;
SELECT leaderboard.create_board(name => 'churn', source => 'calls', agent => 'agent_id', at => 'started_at',
  metrics => ARRAY['converted AS conv'], scorecard => '{"metrics": [{"name": "conv", "stat": "rate", "weight": 100}]}',
  periods => ARRAY['day', 'week', 'month'], partition_by => ARRAY['team_id'], time_zone => 'UTC');
SQL
cat >"$work/insert.pgbench" <<'PGB'
\set a random(1, 30)
INSERT INTO calls_a VALUES (:a, :a % 3, '2026-10-03 09:00+00', random() < 0.3);
PGB
pgbench -n -c "$clients" -j 2 -T $(( rounds * 2 + 2 )) -f "$work/insert.pgbench" $db >"$work/pgbench.out" 2>&1 &
bench=$!
sleep 1
failed_alters=0
for i in $(seq "$rounds"); do
  q -d $db -c "ALTER TABLE calls DETACH PARTITION calls_b" >>"$work/alter.out" 2>&1 || failed_alters=$((failed_alters + 1))
  q -d $db -c "ALTER TABLE calls ATTACH PARTITION calls_b FOR VALUES FROM ('2026-10-08') TO ('2026-11-01')" \
    >>"$work/alter.out" 2>&1 || failed_alters=$((failed_alters + 1))
done
wait $bench || true
failed_writers=$(sed -n 's/.*number of failed transactions: \([0-9]*\).*/\1/p' "$work/pgbench.out")
deadlocks=$(cat "$work/alter.out" "$work/pgbench.out" | grep -c "deadlock detected" || true)
differences=$(q -d $db -c "SELECT count(*) FROM leaderboard.verify('churn')")
tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$work/pgbench.out")
if [ "$failed_alters" != 0 ] || [ "${failed_writers:-0}" != 0 ] || [ "$deadlocks" != 0 ] || [ "$differences" != 0 ] \
   || ! grep -q "^tps" "$work/pgbench.out"; then
  cat "$work/alter.out"; tail -20 "$work/pgbench.out"
  echo "partition churn: $failed_alters failed ALTERs, ${failed_writers:-?} failed writer transactions, $deadlocks deadlocks, verify() $differences rows"
  exit 1
fi
echo "$rounds DETACH/ATTACH rounds beside $clients writers ($tps tps): no deadlock, no failed writer, verify() empty"
