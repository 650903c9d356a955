-- Which events a commit's changed standings rows may announce, worked out in C before the
-- events statement runs: the statement then runs only for those rows, with only those
-- kinds' branches, and not at all when no row may announce anything. With
-- leaderboard.report_apply on, each commit says "N of M changed standings rows may
-- announce events (kinds)"; the events written are what the statement found
-- (board_events and board_goal_events check them against an independent derivation).
\set SHOW_CONTEXT never
CREATE TABLE ek_calls (
  call_id bigserial PRIMARY KEY, agent_id int NOT NULL, started_at timestamptz NOT NULL,
  converted boolean NOT NULL);
INSERT INTO ek_calls (agent_id, started_at, converted)
SELECT a, timestamptz '2026-10-05 09:00+00' + k * interval '1 minute', k <= a
FROM generate_series(1, 3) a, generate_series(1, 4) k;
SELECT leaderboard.create_board(name => 'ek', source => 'ek_calls', agent => 'agent_id', at => 'started_at',
  metrics => ARRAY['converted AS conv', '1 AS calls'],
  scorecard => '{"metrics": [{"name": "conv", "stat": "rate", "weight": 100}]}',
  periods => ARRAY['day', 'all'], time_zone => 'UTC');
SELECT leaderboard.set_goal('ek', 'calls', 'count', 'day', 6) > 0 AS goal_set;
SELECT leaderboard.set_goal('ek', 'conv', 'rate', 'day', 0.9) > 0 AS goal_set;
SELECT leaderboard.alter_board('ek', events => '{"new_leader": true, "rank_climb": 2, "personal_best": true,
  "goal_met": true, "streak_milestone": [1], "goal_at_risk": 0.5}');
SELECT agent_id, period, rank, score, leaderboard.kpi_count(kpis, 2) AS calls FROM ek_standings ORDER BY period, rank;
-- the events written since the last call (goal ids depend on the tests run before)
CREATE TABLE ek_seen (id bigint);
INSERT INTO ek_seen VALUES (0);
CREATE FUNCTION ek_new_events() RETURNS TABLE (kind text, agent text, period text, new jsonb) LANGUAGE plpgsql AS $$
BEGIN
  RETURN QUERY SELECT e.kind, e.agent, e.period, e.new - 'score' - 'goal_id' FROM leaderboard.events e
    WHERE e.board = 'ek' AND e.id > (SELECT max(id) FROM ek_seen) ORDER BY e.id;
  INSERT INTO ek_seen SELECT coalesce(max(e.id), 0) FROM leaderboard.events e;
END $$;
SET leaderboard.report_apply = on;

-- 1. agent 1's fifth call, not converted: its calls stay below the daily 6 and its rate
--    falls, so it can reach no goal and no best; and no goal of its day falls at risk, as
--    the day is not today (nor any of the period all): no statement runs
INSERT INTO ek_calls (agent_id, started_at, converted) VALUES (1, '2026-10-05 10:00+00', false);
SELECT * FROM ek_new_events();

-- 2. the same without goal_at_risk
SELECT leaderboard.alter_board('ek', events => '{"new_leader": true, "rank_climb": 2, "personal_best": true,
  "goal_met": true, "streak_milestone": [1]}');
INSERT INTO ek_calls (agent_id, started_at, converted) VALUES (2, '2026-10-05 10:00+00', false);
SELECT * FROM ek_new_events();

-- 3. agent 1's sixth call, not converted, reaches the daily goal of 6 calls: goal_met and,
--    on a day, streak_milestone may be announced (and are); its score falls: no best
INSERT INTO ek_calls (agent_id, started_at, converted) VALUES (1, '2026-10-05 10:05+00', false);
SELECT * FROM ek_new_events();

-- 4. agent 3, the leader, converts: only a best is possible (its first day has no earlier
--    best to beat, so none is announced)
INSERT INTO ek_calls (agent_id, started_at, converted) VALUES (3, '2026-10-05 10:10+00', true);
SELECT * FROM ek_new_events();

-- 5. a goal set since the last commit is read by the next one: agent 2's sixth call
--    reaches a new goal of 6 calls in the period all, and leads a new day
SELECT leaderboard.set_goal('ek', 'calls', 'count', 'all', 6) > 0 AS goal_set;
INSERT INTO ek_calls (agent_id, started_at, converted) VALUES (2, '2026-10-06 09:00+00', false);
SELECT * FROM ek_new_events();

-- 6. goal_at_risk is possible while a goal of the row's period kind is short and has no
--    goal_at_risk event for the row yet: agent 1's first call of today falls short of
--    both daily goals, at risk (the day has gone by in full); its next one can announce
--    nothing; once those events are deleted, the next one may announce them again
SELECT leaderboard.alter_board('ek', events => '{"new_leader": true, "rank_climb": 2, "personal_best": true,
  "goal_met": true, "streak_milestone": [1], "goal_at_risk": 0.5}');
INSERT INTO ek_calls (agent_id, started_at, converted) VALUES (1, now(), false);
SELECT kind, agent, period, new - 'goal_id' - 'target' - 'metric' AS new FROM ek_new_events() ORDER BY kind, new ->> 'metric';
INSERT INTO ek_calls (agent_id, started_at, converted) VALUES (1, now(), false);
SELECT * FROM ek_new_events();
DELETE FROM leaderboard.events WHERE board = 'ek' AND kind = 'goal_at_risk';
INSERT INTO ek_calls (agent_id, started_at, converted) VALUES (1, now(), false);
SELECT kind, agent, period, new ->> 'stat' AS stat, new ->> 'actual' AS actual FROM ek_new_events() ORDER BY kind, new ->> 'metric';
--    what counts is the events table at each commit, whatever a backend read before: two
--    more calls announce nothing; the events deleted (and vacuumed away), the next call
--    announces them again, and the ones after it nothing
INSERT INTO ek_calls (agent_id, started_at, converted) VALUES (1, now(), false);
SELECT * FROM ek_new_events();
INSERT INTO ek_calls (agent_id, started_at, converted) VALUES (1, now(), false);
SELECT * FROM ek_new_events();
DELETE FROM leaderboard.events WHERE board = 'ek' AND kind = 'goal_at_risk';
VACUUM leaderboard.events;
INSERT INTO ek_calls (agent_id, started_at, converted) VALUES (1, now(), false);
SELECT kind, agent, period, new ->> 'stat' AS stat, new ->> 'actual' AS actual FROM ek_new_events() ORDER BY kind, new ->> 'metric';
INSERT INTO ek_calls (agent_id, started_at, converted) VALUES (1, now(), false);
SELECT * FROM ek_new_events();
INSERT INTO ek_calls (agent_id, started_at, converted) VALUES (1, now(), false);
SELECT * FROM ek_new_events();
RESET leaderboard.report_apply;
SELECT count(*) AS differences FROM leaderboard.verify('ek');
SELECT leaderboard.drop_board('ek');

-- personal_best when the row was unqualified before: its old score had not passed the
-- best, so the call that qualifies it above its best announces one; through the direct
-- apply and through the statements
CREATE TABLE pbq_calls (agent_id int NOT NULL, started_at timestamptz NOT NULL, converted boolean NOT NULL);
SELECT leaderboard.create_board(name => 'pbq', source => 'pbq_calls', agent => 'agent_id', at => 'started_at',
  metrics => ARRAY['converted AS conv'], periods => ARRAY['month'], time_zone => 'UTC',
  scorecard => '{"metrics": [{"name": "conv", "stat": "rate", "weight": 100}], "min_rows": 3}') IS NOT NULL AS created;
-- October: 50, qualified, each agent's best
INSERT INTO pbq_calls SELECT a, '2026-10-05 09:00+00'::timestamptz + k * interval '1 minute', k % 2 = 0
FROM unnest(ARRAY[1, 2]) a, generate_series(1, 4) k;
SELECT leaderboard.alter_board('pbq', events => '{"personal_best": true}');
-- November: two converted calls score 100 unqualified, the third qualifies it
INSERT INTO pbq_calls VALUES (1, '2026-11-05 09:00+00', true), (1, '2026-11-05 09:01+00', true);
INSERT INTO pbq_calls VALUES (1, '2026-11-05 09:02+00', true);
SET leaderboard.direct_apply_max_groups = 0;
INSERT INTO pbq_calls VALUES (2, '2026-11-05 09:00+00', true), (2, '2026-11-05 09:01+00', true);
INSERT INTO pbq_calls VALUES (2, '2026-11-05 09:02+00', true);
RESET leaderboard.direct_apply_max_groups;
-- and no second one while the score stays above the best
INSERT INTO pbq_calls VALUES (1, '2026-11-05 09:03+00', true);
SELECT kind, agent, period_start, old, new FROM leaderboard.events WHERE board = 'pbq' ORDER BY id;
SELECT count(*) AS differences FROM leaderboard.verify('pbq');
SELECT leaderboard.drop_board('pbq');
DROP TABLE pbq_calls;

-- the best a personal best passes is the largest earlier score, wherever it is among the
-- earlier periods: with monthly scores 20, 80, 60 (agent 1) and 90, 40 (agent 2), a
-- December score of 85 passes agent 1's best (80) and not agent 2's (90), which comes
-- first; and a score of 70, below a later one, passes none
CREATE TABLE pbs_calls (agent_id int NOT NULL, started_at timestamptz NOT NULL, score int NOT NULL);
SELECT leaderboard.create_board(name => 'pbs', source => 'pbs_calls', agent => 'agent_id', at => 'started_at',
  metrics => ARRAY['score'], periods => ARRAY['month'], time_zone => 'UTC',
  scorecard => '{"metrics": [{"name": "score", "stat": "max", "weight": 1}], "scale": 1}') IS NOT NULL AS created;
INSERT INTO pbs_calls VALUES (1, '2026-08-05 09:00+00', 20), (1, '2026-09-05 09:00+00', 80), (1, '2026-10-05 09:00+00', 60),
  (2, '2026-09-05 09:00+00', 90), (2, '2026-10-05 09:00+00', 40), (3, '2026-08-05 09:00+00', 50), (3, '2026-09-05 09:00+00', 75);
SELECT leaderboard.alter_board('pbs', events => '{"personal_best": true}');
INSERT INTO pbs_calls VALUES (1, '2026-12-05 09:00+00', 85);
INSERT INTO pbs_calls VALUES (2, '2026-12-05 09:00+00', 85);
INSERT INTO pbs_calls VALUES (3, '2026-12-05 09:00+00', 70);
SET leaderboard.direct_apply_max_groups = 0;
INSERT INTO pbs_calls VALUES (1, '2026-11-05 09:00+00', 10), (2, '2026-11-05 09:00+00', 95), (3, '2026-11-05 09:00+00', 60);
RESET leaderboard.direct_apply_max_groups;
SELECT kind, agent, period_start, old, new FROM leaderboard.events WHERE board = 'pbs' ORDER BY id;
SELECT leaderboard.drop_board('pbs');
DROP TABLE pbs_calls;

-- a board partitioned by a column of a type other than the integers and text: the events
-- statement builds its partition objects, also for the rank events of rows whose calls
-- did not change (another agent's deletion lifts them)
CREATE TABLE vip_calls (agent_id int NOT NULL, vip boolean NOT NULL, desk char(2) NOT NULL,
  started_at timestamptz NOT NULL, converted boolean NOT NULL);
INSERT INTO vip_calls VALUES (1, true, 'A1', '2026-10-05 10:00+00', true), (1, true, 'A1', '2026-10-05 10:01+00', true),
  (2, true, 'A1', '2026-10-05 10:00+00', true), (3, true, 'A1', '2026-10-05 10:00+00', false);
SELECT leaderboard.create_board(name => 'vip', source => 'vip_calls', agent => 'agent_id', at => 'started_at',
  metrics => ARRAY['converted::int AS conv'], periods => ARRAY['month'], partition_by => ARRAY['vip', 'desk'],
  scorecard => '{"metrics": [{"name": "conv", "stat": "sum", "weight": 1}], "scale": 1}', time_zone => 'UTC') IS NOT NULL AS created;
SELECT leaderboard.alter_board('vip', events => '{"new_leader": true, "rank_climb": 1}');
DELETE FROM vip_calls WHERE agent_id = 1 AND started_at = '2026-10-05 10:01+00';
INSERT INTO vip_calls VALUES (3, true, 'A1', '2026-10-05 11:00+00', true), (3, true, 'A1', '2026-10-05 11:01+00', true);
SELECT kind, agent, partition, old, new FROM leaderboard.events WHERE board = 'vip' ORDER BY id;
SELECT count(*) AS differences FROM leaderboard.verify('vip');
SELECT leaderboard.drop_board('vip');
DROP TABLE vip_calls;
