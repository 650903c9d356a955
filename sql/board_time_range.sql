-- Any time a source can store is counted, corrected and removed: calls on the first and
-- the last days of the timestamp range (4714-11-24 BC, 294276-12-31), on a board keeping
-- every period, are inserted, updated and deleted with verify() empty after each. The
-- statements that recompute a group read the source over a range around its period;
-- near either end of the timestamp range that range is left open on that side, where its
-- bound would be out of range.
SET search_path = public, leaderboard;
\set SHOW_CONTEXT never
CREATE TABLE edge_calls (call_id bigint PRIMARY KEY, agent_id int NOT NULL, started_at timestamptz NOT NULL,
  handle_seconds int NOT NULL);
SELECT create_board('edge', 'edge_calls', 'agent_id', 'started_at', ARRAY['handle_seconds AS aht', '1 AS calls'],
  '{"metrics": [{"name": "aht", "stat": "max", "weight": 1, "range": [0, 600]}]}',
  periods => ARRAY['day', 'week', 'month', 'quarter', 'year', 'all'], time_zone => 'UTC') IS NOT NULL AS created;
INSERT INTO edge_calls VALUES
  (1, 1, '294276-12-31 23:59:59.999999+00', 100), (2, 1, '294276-12-31 12:00+00', 200),
  (3, 1, '294276-01-01 00:00+00', 300), (4, 2, '294276-12-31 00:00+00', 400),
  (5, 1, '4714-11-24 00:00+00 BC', 100), (6, 1, '4714-11-24 23:00+00 BC', 200),
  (7, 2, '4714-12-31 12:00+00 BC', 300);
SELECT period, period_start, agent_id, rows(kpis) AS calls, kpi_max(kpis, 1) AS max_aht
FROM edge_standings ORDER BY period_start, period, agent_id;
SELECT count(*) AS differences FROM verify('edge');
-- updates that remove each group's maximum make the board recompute the groups from the
-- source (a removed extreme is not subtracted)
UPDATE edge_calls SET handle_seconds = 50 WHERE call_id IN (2, 3, 6);
SELECT count(*) AS differences FROM verify('edge');
-- deletes: the agents' last calls of some periods, then every call
DELETE FROM edge_calls WHERE call_id IN (1, 4, 5);
SELECT count(*) AS differences FROM verify('edge');
SELECT period, period_start, agent_id, rows(kpis) AS calls, kpi_max(kpis, 1) AS max_aht
FROM edge_standings ORDER BY period_start, period, agent_id;
DELETE FROM edge_calls;
SELECT count(*) AS differences, (SELECT count(*) FROM edge_standings) AS standings FROM verify('edge');
-- a rebuild reads the same range
INSERT INTO edge_calls VALUES (1, 1, '294276-12-31 23:59:59.999999+00', 100), (5, 1, '4714-11-24 00:00+00 BC', 100);
SELECT rebuild('edge') AS rebuilt, (SELECT count(*) FROM verify('edge')) AS differences;

-- In another zone, the local time of a call within hours of either end can fall outside
-- the timestamp range (23:00 UTC on the last day is the next day in Kolkata): such a call
-- is refused (22008), as the statements that recompute and verify the board would refuse
-- it, rather than counted and left unverifiable. Calls an hour earlier count.
CREATE TABLE kolkata_calls (LIKE edge_calls INCLUDING ALL);
SELECT create_board('kolkata', 'kolkata_calls', 'agent_id', 'started_at', ARRAY['handle_seconds AS aht'],
  '{"metrics": [{"name": "aht", "stat": "max", "weight": 1, "range": [0, 600]}]}',
  periods => ARRAY['day', 'month'], time_zone => 'Asia/Kolkata') IS NOT NULL AS created;
INSERT INTO kolkata_calls VALUES (1, 1, '294276-12-31 23:00+00', 100);
INSERT INTO kolkata_calls VALUES (1, 1, '294276-12-31 18:00+00', 100), (2, 1, '294276-12-31 18:29:59+00', 200);
DELETE FROM kolkata_calls WHERE call_id = 2;
SELECT period, period_start, rows(kpis) AS calls FROM kolkata_standings ORDER BY 1;
SELECT count(*) AS differences FROM verify('kolkata');

-- calls at -infinity and infinity are in the periods starting then, for every kind: the
-- statements that recompute and verify the board agree with the triggers (a month,
-- quarter or year at -infinity was recomputed as starting on 4714-11-24 BC)
CREATE TABLE endless_calls (LIKE edge_calls INCLUDING ALL);
SELECT create_board('endless', 'endless_calls', 'agent_id', 'started_at', ARRAY['handle_seconds AS aht'],
  '{"metrics": [{"name": "aht", "stat": "max", "weight": 1, "range": [0, 600]}]}',
  periods => ARRAY['day', 'week', 'month', 'quarter', 'year', 'all'], time_zone => 'UTC') IS NOT NULL AS created;
INSERT INTO endless_calls VALUES (1, 1, '-infinity', 100), (2, 2, 'infinity', 200);
INSERT INTO endless_calls VALUES (3, 1, '-infinity', 300);
UPDATE endless_calls SET handle_seconds = handle_seconds + 1 WHERE call_id = 2;
SELECT period, period_start, agent_id, rows(kpis) AS calls FROM endless_standings ORDER BY 1, 2, 3;
SELECT count(*) AS differences FROM verify('endless');
SELECT rebuild('endless') AS rebuilt;
SELECT count(*) AS differences FROM verify('endless');
-- the periods of the infinite days have no previous period to move from
SELECT period, period_start, agent_id, previous_score, previous_rank, rank_change, score_change
FROM endless_movement ORDER BY 1, 2, 3;
-- a correction that removes a maximum recomputes its groups from the calls at exactly
-- those times: the periods of -infinity and infinity, and 'all' (which holds both)
INSERT INTO endless_calls VALUES (4, 1, '-infinity', 50), (5, 2, 'infinity', 40);
DELETE FROM endless_calls WHERE call_id IN (2, 3);
SELECT period, period_start, agent_id, rows(kpis) AS calls, kpi_max(kpis, 1) AS max_aht
FROM endless_standings ORDER BY 1, 2, 3;
SELECT count(*) AS differences FROM verify('endless');
DELETE FROM endless_calls WHERE started_at = '-infinity';
SELECT period, period_start, agent_id FROM endless_standings ORDER BY 1, 2, 3;
SELECT count(*) AS differences FROM verify('endless');

-- The first periods of the date range: those starting on its first day (4714-11-24 BC)
-- have none before them, and a month, quarter or year after them moves from the one kept
-- as starting on that day; closed, they give badges. A rolling window reaching back past
-- that day starts there, and one ending on an infinite day is refused (22023).
CREATE TABLE first_calls (LIKE edge_calls INCLUDING ALL);
SELECT create_board('first', 'first_calls', 'agent_id', 'started_at', ARRAY['handle_seconds AS aht'],
  '{"metrics": [{"name": "aht", "stat": "max", "weight": 1, "range": [0, 600]}]}',
  periods => ARRAY['day', 'week', 'month', 'quarter', 'year'], time_zone => 'UTC') IS NOT NULL AS created;
INSERT INTO first_calls VALUES (1, 1, '4714-11-24 10:00+00 BC', 100), (2, 2, '4714-11-24 11:00+00 BC', 200),
  (3, 1, '4714-11-25 10:00+00 BC', 300), (4, 2, '4714-12-01 10:00+00 BC', 100),
  (5, 1, '4714-12-02 10:00+00 BC', 400), (6, 2, '4713-01-05 10:00+00 BC', 500);
SELECT period, period_start, agent_id, previous_score, previous_rank, rank_change, score_change
FROM first_movement ORDER BY period_start, period, agent_id;
SELECT leaderboard.alter_board('first', grace => '0 days') AS altered;
SELECT close_periods('first') > 0 AS closed;
SELECT badge, period, period_start, agent_id, rank_change, score_change
FROM first_badges ORDER BY period_start, period, badge, agent_id;
SELECT agent, rows(kpis) AS calls, rank FROM rolling('first', 1, '4714-11-24 BC') ORDER BY agent;
SELECT agent, rows(kpis) AS calls, rank FROM rolling('first', 10, '4714-11-25 BC') ORDER BY agent;
SELECT agent, rows(kpis) AS calls, rank FROM rolling('first', 2147483647, '4714-12-02 BC') ORDER BY agent;
SELECT count(*) AS agents FROM rolling('first', 2147483647);
SELECT * FROM rolling('first', 1, 'infinity');
SELECT * FROM rolling('first', 7, '-infinity');
SELECT drop_board('first');
DROP TABLE first_calls;

-- A date column holds days past the end of type timestamp (294276 AD), which the
-- statements that recompute and verify a board cannot read: such a call is refused
-- (22008) as they would refuse it, on its way in and on its way through an update; the
-- last day of the timestamp range is counted
CREATE TABLE dated_calls (call_id bigint PRIMARY KEY, agent_id int NOT NULL, day date NOT NULL, handle_seconds int NOT NULL);
SELECT create_board('dated', 'dated_calls', 'agent_id', 'day', ARRAY['handle_seconds AS aht'],
  '{"metrics": [{"name": "aht", "stat": "max", "weight": 1, "range": [0, 600]}]}',
  periods => ARRAY['day', 'year'], time_zone => 'UTC') IS NOT NULL AS created;
INSERT INTO dated_calls VALUES (1, 1, '294276-12-31', 100), (2, 1, '294276-12-30', 300);
INSERT INTO dated_calls VALUES (3, 1, '294277-01-01', 200);
INSERT INTO dated_calls VALUES (4, 1, '300000-01-01', 200);
UPDATE dated_calls SET day = '300000-01-01' WHERE call_id = 1;
DELETE FROM dated_calls WHERE call_id = 2;
SELECT period, period_start, agent_id, kpi_max(kpis, 1) AS max_aht FROM dated_standings ORDER BY 1, 2;
SELECT count(*) AS differences FROM verify('dated');
SELECT rebuild('dated') AS rebuilt;
SELECT drop_board('dated');
DROP TABLE dated_calls;
