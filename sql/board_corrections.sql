-- Corrections by delta: an UPDATE or DELETE takes the old rows' contributions out of the
-- stored kpis and adds the new ones, without reading the calls again, whenever that is
-- exact: counts and integer and boolean sums subtract exactly; a removed value that was
-- not an extreme of the group leaves min and max as they are; a metric of only 0s and 1s
-- keeps its extremes from its counts. Otherwise (a removed extreme the rest may not
-- reach, a fractional sum, an agent's last call in a scope) the group is recomputed from
-- the source. The NOTICE (leaderboard.report_apply) of each commit says which path it took; verify() (a
-- from-scratch kpi_agg and rank) finds no difference after each step.
CREATE TABLE cor_calls (
  call_id int PRIMARY KEY, agent_id int NOT NULL, team_id int NOT NULL, at timestamptz NOT NULL,
  handle int NOT NULL, won boolean NOT NULL, csat smallint, revenue numeric(8,2), note text);
-- one day; agent 1: handle 100 200 300 400, csat 1 3 3 5; agent 2: csat 4 4; agent 3 alone in team 2
INSERT INTO cor_calls VALUES
  (1, 1, 1, '2026-05-04 09:00+00', 100, true, 1, 10, NULL),
  (2, 1, 1, '2026-05-04 09:10+00', 200, false, 3, 20, NULL),
  (3, 1, 1, '2026-05-04 09:20+00', 300, false, 3, 30, NULL),
  (4, 1, 1, '2026-05-04 09:30+00', 400, true, 5, 40, NULL),
  (5, 2, 1, '2026-05-04 09:00+00', 150, false, 4, 15, NULL),
  (6, 2, 1, '2026-05-04 09:10+00', 250, false, 4, 25, NULL),
  (7, 3, 2, '2026-05-04 09:00+00', 500, true, 2, 50, NULL);
-- an integer, boolean and smallint card scoring the longest handle time as a max stat
SELECT leaderboard.create_board(name => 'cor_int', source => 'cor_calls', agent => 'agent_id', at => 'at',
  metrics => ARRAY['handle', 'won', 'csat', '1 AS calls'],
  scorecard => '{"metrics": [{"name": "handle", "stat": "max", "weight": 1, "better": "lower", "range": [100, 600]},
    {"name": "won", "stat": "rate", "weight": 2}, {"name": "csat", "stat": "avg", "weight": 1, "range": [1, 5]},
    {"name": "calls", "stat": "count", "weight": 1, "target": 10}]}',
  periods => ARRAY['day', 'month'], partition_by => ARRAY['team_id'], time_zone => 'UTC') IS NOT NULL;
-- a numeric metric: its sums are float8, which subtraction cannot keep exact
SELECT leaderboard.create_board(name => 'cor_num', source => 'cor_calls', agent => 'agent_id', at => 'at',
  metrics => ARRAY['revenue'], scorecard => '{"metrics": [{"name": "revenue", "stat": "sum", "weight": 1}]}',
  periods => ARRAY['month'], partition_by => ARRAY['team_id'], time_zone => 'UTC') IS NOT NULL;
CREATE VIEW cor_check AS
SELECT (SELECT count(*) FROM leaderboard.verify('cor_int')) AS int_differences,
       (SELECT count(*) FROM leaderboard.verify('cor_num')) AS num_differences;

SET leaderboard.report_apply = on;
-- 1. a column no board reads: the old and new rows fold into equal deltas, nothing to apply
UPDATE cor_calls SET note = 'checked' WHERE call_id = 2;
-- 2. an integer inside the group's range (200 of 100..400): subtracted, directly; the
--    numeric board's deltas are equal and drop out
UPDATE cor_calls SET handle = 220 WHERE call_id = 2;
-- 3. a boolean (0/1: extremes from counts) and a smallint inside its range (3 of 1..5)
UPDATE cor_calls SET won = true, csat = 4 WHERE call_id = 2;
-- 4. the shortest handle time replaced by a shorter one: the new value holds the extreme
UPDATE cor_calls SET handle = 90 WHERE call_id = 1;
-- 5. the longest replaced by a longer one (the unchanged csat 5 removed is added back)
UPDATE cor_calls SET handle = 450 WHERE call_id = 4;
-- 6. every csat of agent 2 was 4: the rest keep it whatever is removed
UPDATE cor_calls SET csat = 5 WHERE call_id = 5;
RESET leaderboard.report_apply;
SELECT * FROM cor_check;
SET leaderboard.report_apply = on;
-- 7. the longest handle time (450) replaced by a shorter one: the rest may not reach it,
--    recomputed through the statements
UPDATE cor_calls SET handle = 350 WHERE call_id = 4;
-- 8. a numeric metric: recomputed
UPDATE cor_calls SET revenue = 21 WHERE call_id = 2;
-- 9. a call moved to another agent of another team (300: inside agent 1's range)
UPDATE cor_calls SET agent_id = 3, team_id = 2 WHERE call_id = 3;
-- 10. DELETE of a call that is not an extreme, nor an agent's last in its scopes
DELETE FROM cor_calls WHERE call_id = 2;
RESET leaderboard.report_apply;
SELECT * FROM cor_check;
SET leaderboard.report_apply = on;
-- 11. an agent's last calls in their scopes (alone in team 2): the rows go, directly
DELETE FROM cor_calls WHERE agent_id = 3;
-- 12. a call inserted below the group's shortest (150), then corrected in the same
--     transaction: the removed row was never stored; the rows added go in first, so its
--     removal is taken from them (here the removed 100 is the extreme: recomputed)
BEGIN;
INSERT INTO cor_calls VALUES (8, 2, 1, '2026-05-04 10:00+00', 100, false, 4, 5, NULL);
UPDATE cor_calls SET handle = 200 WHERE call_id = 8;
COMMIT;
-- 13. the same inside the group's range (and without a csat): subtracted, directly
BEGIN;
INSERT INTO cor_calls VALUES (9, 2, 1, '2026-05-04 10:10+00', 210, false, NULL, 5, NULL);
UPDATE cor_calls SET handle = 220, won = true WHERE call_id = 9;
COMMIT;
-- 14. inserted and deleted in one transaction: nothing left to apply
BEGIN;
INSERT INTO cor_calls VALUES (10, 1, 1, '2026-05-04 10:00+00', 250, false, 2, 1, NULL);
DELETE FROM cor_calls WHERE call_id = 10;
COMMIT;
RESET leaderboard.report_apply;
SELECT * FROM cor_check;
SELECT agent_id, leaderboard.rows(kpis) AS calls, leaderboard.kpi_min(kpis, 1) AS min_handle,
       leaderboard.kpi_max(kpis, 1) AS max_handle, leaderboard.kpi_sum(kpis, 2) AS won,
       leaderboard.kpi_min(kpis, 3) AS min_csat, leaderboard.kpi_max(kpis, 3) AS max_csat, rank
FROM cor_int_standings WHERE period = 'day' ORDER BY agent_id;

-- 15. the leader's last calls go: its rows go and agent 2 moves up to rank 1
SET leaderboard.report_apply = on;
DELETE FROM cor_calls WHERE agent_id = 1;
RESET leaderboard.report_apply;
SELECT agent_id, period, rank FROM cor_int_standings ORDER BY period, agent_id;
SELECT * FROM cor_check;
INSERT INTO cor_calls VALUES (1, 1, 1, '2026-05-04 09:00+00', 100, true, 1, 10, NULL),
  (4, 1, 1, '2026-05-04 09:30+00', 400, true, 5, 40, NULL);

-- a correction rolled back with its savepoint leaves the stored kpis as they were
BEGIN;
SAVEPOINT s;
UPDATE cor_calls SET handle = handle + 7 WHERE agent_id = 1;
ROLLBACK TO SAVEPOINT s;
UPDATE cor_calls SET handle = handle + 3 WHERE call_id = 6;
COMMIT;
SELECT * FROM cor_check;

-- A board no card of which reads a min or max, over integer and boolean metrics, never
-- re-reads its source: it records no source index; an UPDATE or DELETE taking out an
-- extreme is applied directly and forgets it (the accessor gives NULL); transactions too
-- large for the direct apply correct the stored rows through the statements.
SELECT leaderboard.create_board(name => 'cor_delta', source => 'cor_calls', agent => 'agent_id', at => 'at',
  metrics => ARRAY['handle', 'won', 'csat', '1 AS calls'],
  scorecard => '{"metrics": [{"name": "handle", "stat": "avg", "weight": 1, "better": "lower", "range": [100, 600]},
    {"name": "won", "stat": "rate", "weight": 2}, {"name": "csat", "stat": "avg", "weight": 1, "range": [1, 5]},
    {"name": "calls", "stat": "count", "weight": 1, "target": 10}]}',
  periods => ARRAY['day', 'month'], partition_by => ARRAY['team_id'], time_zone => 'UTC') IS NOT NULL;
SELECT source_index IS NULL AS no_source_index FROM leaderboard.boards WHERE name = 'cor_delta';
SET leaderboard.report_apply = on;
-- 16. agent 2's longest handle time (253 of 150, 200, 220, 253) replaced by a shorter one:
--     cor_delta forgets the max, directly; cor_int, whose card scores it, recomputes
UPDATE cor_calls SET handle = 50 WHERE call_id = 6;
RESET leaderboard.report_apply;
SELECT period, leaderboard.rows(kpis) AS calls, leaderboard.kpi_sum(kpis, 1) AS sum_handle,
       leaderboard.kpi_min(kpis, 1) AS min_handle, leaderboard.kpi_max(kpis, 1) AS max_handle, kpis::text
FROM cor_delta_standings WHERE agent_id = 2 ORDER BY period;
SELECT count(*) AS delta_differences FROM leaderboard.verify('cor_delta');
-- 17. the same through the statements (direct apply off): corrections of two agents, a
--     call inserted and corrected in one transaction, a new agent's only call deleted in
--     another, and a call moved to another agent
SET leaderboard.direct_apply_max_groups = 0;
SET leaderboard.report_apply = on;
BEGIN;
UPDATE cor_calls SET handle = handle + 1, csat = NULL WHERE agent_id IN (1, 2) AND call_id % 2 = 0;
INSERT INTO cor_calls VALUES (11, 4, 2, '2026-05-04 11:00+00', 300, true, 3, 1, NULL);
UPDATE cor_calls SET handle = 310 WHERE call_id = 11;
INSERT INTO cor_calls VALUES (12, 5, 2, '2026-05-04 11:00+00', 300, true, 3, 1, NULL);
COMMIT;
DELETE FROM cor_calls WHERE call_id = 12;
UPDATE cor_calls SET agent_id = 2 WHERE call_id = 1;
RESET leaderboard.report_apply;
RESET leaderboard.direct_apply_max_groups;
SELECT count(*) AS delta_differences FROM leaderboard.verify('cor_delta');
SELECT * FROM cor_check;
SELECT agent_id, team_id, period, leaderboard.rows(kpis) AS calls, leaderboard.kpi_sum(kpis, 1) AS sum_handle,
       leaderboard.kpi_max(kpis, 1) AS max_handle, leaderboard.kpi_count(kpis, 3) AS csats, rank
FROM cor_delta_standings ORDER BY period, team_id, agent_id;
-- 18. a card that scores the max: alter_board creates the source index, records it and
--     rebuilds, since stored rows may have forgotten the max (rescored from them, the
--     max would be missing); the board stays exact
SELECT count(*) FILTER (WHERE leaderboard.kpi_max(kpis, 1) IS NULL) AS unknown_max FROM cor_delta_standings;
SELECT leaderboard.alter_board('cor_delta', '{"metrics": [{"name": "handle", "stat": "max", "weight": 1, "better": "lower", "range": [100, 600]},
    {"name": "won", "stat": "rate", "weight": 2}]}') AS rows_rebuilt;
SELECT source_index IS NOT NULL AS has_source_index FROM leaderboard.boards WHERE name = 'cor_delta';
SELECT count(*) AS delta_differences FROM leaderboard.verify('cor_delta');
SELECT count(*) FILTER (WHERE leaderboard.kpi_max(kpis, 1) IS NULL) AS unknown_max FROM cor_delta_standings;

DROP VIEW cor_check;
SELECT leaderboard.drop_board('cor_int'), leaderboard.drop_board('cor_num'), leaderboard.drop_board('cor_delta');
DROP TABLE cor_calls;
