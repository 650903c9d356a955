#!/usr/bin/env bash
# pg_dump and restore of a database with a live board: the restored board has the same
# standings and keeps working (new calls are ranked, verify() finds no difference).
# Runs against the cluster in PGHOST/PGPORT; exits non-zero on failure.
set -euo pipefail
q() { psql -X -q -v ON_ERROR_STOP=1 -At "$@"; }
src=lb_dump_src dst=lb_dump_dst
dump=$(mktemp /tmp/leaderboard-dump.XXXXXX)
trap 'rm -f "$dump"; dropdb --if-exists $src; dropdb --if-exists $dst' EXIT
dropdb --if-exists $src 2>/dev/null; dropdb --if-exists $dst 2>/dev/null
createdb $src
q -d $src >/dev/null <<'SQL'
CREATE EXTENSION leaderboard;
CREATE TABLE calls (call_id bigserial PRIMARY KEY, agent_id int NOT NULL, team_id int,
  started_at timestamptz NOT NULL, handle_seconds int NOT NULL, converted boolean NOT NULL);
INSERT INTO calls (agent_id, team_id, started_at, handle_seconds, converted)
SELECT 1 + i % 40, i % 4, timestamptz '2026-10-01 09:00+00' + (i % 20) * interval '1 day', 100 + i % 500, i % 3 = 0
FROM generate_series(1, 2000) i;
SELECT leaderboard.create_board(name => 'floor', source => 'calls', agent => 'agent_id', at => 'started_at',
  metrics => ARRAY['converted AS conv', 'handle_seconds AS aht', 'call_id AS calls'],
  scorecard => '{"metrics": [{"name": "conv", "stat": "rate", "target": 0.5},
                             {"name": "aht", "stat": "avg", "better": "lower", "range": [100, 600]},
                             {"name": "calls", "stat": "count", "target": 50}]}',
  periods => ARRAY['day', 'month'], partition_by => ARRAY['team_id'],
  ladder => 'Bronze: 0, Silver: 50, Gold: 70', time_zone => 'UTC');
SQL
before=$(q -d $src -c "SELECT md5(string_agg(concat_ws(',', period, period_start, team_id, agent_id, kpis, score, qualified, rank, tier), ';' ORDER BY period, period_start, team_id, agent_id)) FROM floor_standings")
pg_dump -Fc -d $src -f "$dump"
createdb $dst
pg_restore -d $dst --exit-on-error "$dump"
after=$(q -d $dst -c "SELECT md5(string_agg(concat_ws(',', period, period_start, team_id, agent_id, kpis, score, qualified, rank, tier), ';' ORDER BY period, period_start, team_id, agent_id)) FROM floor_standings")
[ "$before" = "$after" ] || { echo "standings differ after restore"; exit 1; }
q -d $dst <<'SQL'
INSERT INTO calls (agent_id, team_id, started_at, handle_seconds, converted)
SELECT 100 + i % 5, i % 4, timestamptz '2026-10-05 10:00+00', 150, true FROM generate_series(1, 50) i;
UPDATE calls SET team_id = 3 WHERE call_id % 11 = 0;
DELETE FROM calls WHERE call_id % 13 = 0;
SQL
diffs=$(q -d $dst -c "SELECT count(*) FROM leaderboard.verify('floor')")
new=$(q -d $dst -c "SELECT count(*) FROM floor_standings WHERE agent_id >= 100 AND rank IS NOT NULL")
[ "$diffs" = 0 ] || { echo "verify found $diffs differences after restore"; exit 1; }
[ "$new" -gt 0 ] || { echo "new calls were not ranked after restore"; exit 1; }
echo "standings identical after restore; restored board ranked $new new rows; verify: 0 differences"
