-- Periods are cut in the board's time zone, fixed at creation, whatever the session's
-- time zone: at local midnight and across daylight-saving changes.
SET TimeZone = 'Asia/Tokyo';
CREATE TABLE tz_calls (agent_id int, at timestamptz, ok boolean);
INSERT INTO tz_calls VALUES
  (1, '2026-10-06 03:59:59+00', true),   -- New York 2026-10-05 23:59:59 (EDT, UTC-4)
  (1, '2026-10-06 04:00:00+00', true),   -- New York 2026-10-06 00:00:00
  (2, '2026-11-02 04:30:00+00', true),   -- 2026-11-01 23:30 EST: 1 November has 25 hours
  (2, '2026-11-01 05:30:00+00', true),   -- 2026-11-01 01:30 EDT, before the clocks go back
  (2, '2026-11-01 06:30:00+00', true),   -- 2026-11-01 01:30 EST, after
  (3, '2027-03-14 06:59:00+00', true),   -- 2027-03-14 01:59 EST, just before the gap
  (3, '2027-03-14 07:00:00+00', true),   -- 2027-03-14 03:00 EDT, just after
  (3, '2027-03-15 03:59:00+00', true),   -- 2027-03-14 23:59 EDT: 14 March has 23 hours
  (4, '2026-12-28 05:00:00+00', true),   -- Monday 2026-12-28 00:00 EST: ISO week 53 of 2026
  (4, '2027-01-04 04:59:00+00', true);   -- Sunday 2027-01-03 23:59 EST: still that week
SELECT leaderboard.create_board(name => 'tz', source => 'tz_calls', agent => 'agent_id', at => 'at',
  metrics => ARRAY['ok'], periods => ARRAY['day', 'week', 'month', 'quarter', 'year', 'all'],
  scorecard => '{"metrics": [{"name": "ok", "stat": "count"}], "scale": 1}', time_zone => 'America/New_York') IS NOT NULL AS created;
SELECT time_zone FROM leaderboard.boards WHERE name = 'tz';
-- left out, the time zone is the creating session's (here Asia/Tokyo), not UTC; NULL is refused
SELECT leaderboard.create_board(name => 'tz_default', source => 'tz_calls', agent => 'agent_id', at => 'at',
  metrics => ARRAY['ok'], periods => ARRAY['day'], scorecard => '{"metrics": [{"name": "ok", "stat": "count"}], "scale": 1}') IS NOT NULL AS created;
SELECT time_zone FROM leaderboard.boards WHERE name = 'tz_default';
SELECT period_start, score AS calls FROM tz_default_standings WHERE agent_id = 1 ORDER BY period_start;
SELECT leaderboard.drop_board('tz_default');
\set VERBOSITY terse
SELECT leaderboard.create_board(name => 'tz_null', source => 'tz_calls', agent => 'agent_id', at => 'at',
  metrics => ARRAY['ok'], periods => ARRAY['day'], scorecard => '{"metrics": [{"name": "ok", "stat": "count"}], "scale": 1}', time_zone => NULL);
\set VERBOSITY default
SELECT agent_id, period, period_start, score AS calls FROM tz_standings ORDER BY agent_id, period_start, period;
SELECT count(*) AS differences FROM leaderboard.verify('tz');

-- moving a call across local midnight moves it to the other day
UPDATE tz_calls SET at = at + interval '1 second' WHERE at = '2026-10-06 03:59:59+00';
SELECT period_start, score AS calls FROM tz_standings WHERE agent_id = 1 AND period = 'day' ORDER BY 1;
SELECT count(*) AS differences FROM leaderboard.verify('tz');
SELECT leaderboard.drop_board('tz');

-- timestamp and date sources are read as local time: no conversion
CREATE TABLE tz_local (agent_id int, at timestamp, day date);
INSERT INTO tz_local VALUES (1, '2026-10-05 23:59:59', '2026-10-05'), (1, '2026-10-06 00:00:00', '2026-10-06');
SELECT leaderboard.create_board(name => 'tz_ts', source => 'tz_local', agent => 'agent_id', at => 'at',
  metrics => ARRAY['agent_id AS calls'], periods => ARRAY['day'],
  scorecard => '{"metrics": [{"name": "calls", "stat": "count"}], "scale": 1}', time_zone => 'Pacific/Auckland') IS NOT NULL AS created;
SELECT leaderboard.create_board(name => 'tz_date', source => 'tz_local', agent => 'agent_id', at => 'day',
  metrics => ARRAY['agent_id AS calls'], periods => ARRAY['day'],
  scorecard => '{"metrics": [{"name": "calls", "stat": "count"}], "scale": 1}') IS NOT NULL AS created;
SELECT 'timestamp' AS source, period_start, score FROM tz_ts_standings
UNION ALL SELECT 'date', period_start, score FROM tz_date_standings ORDER BY 1, 2;
DELETE FROM tz_local WHERE at = '2026-10-06 00:00:00';
SELECT (SELECT count(*) FROM leaderboard.verify('tz_ts')) + (SELECT count(*) FROM leaderboard.verify('tz_date')) AS differences;
SELECT leaderboard.drop_board('tz_ts'), leaderboard.drop_board('tz_date');
DROP TABLE tz_calls, tz_local;
RESET TimeZone;
