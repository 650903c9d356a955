-- One transaction across midnight at the end of February (test/scripts/clock_dates.sh): the
-- server's clock reads FAKETIME_TIMESTAMP_FILE, which starts at 2027-02-28 23:59:50 and
-- is moved to 2027-03-01 00:00:10 between the transaction's two INSERTs. Calls count in
-- the day and month of their own time, the commit applies both, the next transaction reads
-- March as current, and verify() finds nothing to correct.
\o /dev/null
CREATE EXTENSION leaderboard;
CREATE TABLE calls (agent_id int, started_at timestamptz, converted boolean);
SELECT leaderboard.create_board(name => 'b', source => 'calls', agent => 'agent_id',
  at => 'started_at', metrics => ARRAY['converted AS conv'],
  scorecard => '{"metrics": [{"name": "conv", "stat": "sum", "weight": 1}]}',
  periods => ARRAY['day', 'month'], time_zone => 'UTC');
\o
BEGIN;
INSERT INTO calls VALUES (1, clock_timestamp(), true);
\! echo "@2027-03-01 00:00:10" > "$FAKETIME_TIMESTAMP_FILE"
INSERT INTO calls VALUES (1, clock_timestamp(), true), (2, clock_timestamp(), false);
COMMIT;
SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI');
SELECT period, period_start, agent_id, leaderboard.rows(kpis), score, rank
FROM b_standings ORDER BY 1, 2, 3;
SELECT 'verify ' || count(*) FROM leaderboard.verify('b');
SELECT 'current ' || period || ' ' || period_start || ' ' || count(*)
FROM b_current GROUP BY period, period_start ORDER BY period;
