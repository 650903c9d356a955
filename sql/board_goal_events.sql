-- Events about goals: goal_met when a change reaches a rung of a goal ladder,
-- streak_milestone when a met daily goal makes a run of met working days as long as a
-- milestone, goal_at_risk when the pace falls short past a share of the period (at a
-- commit, and from check_goals() for agents no commit touched). Expected events are
-- derived in the test from the standings before and after each change.
\set SHOW_CONTEXT never
CREATE TABLE ge_calls (
  call_id bigserial PRIMARY KEY, agent_id int NOT NULL, team_id int NOT NULL,
  started_at timestamptz NOT NULL, converted boolean NOT NULL);
SELECT leaderboard.create_board(name => 'ge', source => 'ge_calls', agent => 'agent_id', at => 'started_at',
  metrics => ARRAY['converted AS conv', '1 AS calls'],
  scorecard => '{"metrics": [{"name": "conv", "stat": "rate", "weight": 100}]}',
  periods => ARRAY['day', 'month'], partition_by => ARRAY['team_id'], time_zone => 'UTC',
  calendar => 'Mon-Fri; holidays 2026-10-07');
-- 3 calls a day for everyone, 5 for agent 2 from October 12 on; conversions: 2 of 5 a day
SELECT leaderboard.set_goal('ge', 'calls', 'count', 'day', 3) > 0 AS goal_set;
SELECT leaderboard.set_goal('ge', 'calls', 'count', 'day', 5, agent => '2', effective_from => '2026-10-12') > 0 AS goal_set;
SELECT leaderboard.set_goal('ge', 'conv', 'sum', 'day', 2) > 0 AS goal_set;
SELECT leaderboard.set_goal('ge', 'calls', 'count', 'month', t) > 0 AS goal_set FROM unnest(ARRAY[10, 20]) t;

-- errors
SELECT leaderboard.alter_board('ge', events => '{"goal_met": "yes"}');
SELECT leaderboard.alter_board('ge', events => '{"goal_at_risk": 1}');
SELECT leaderboard.alter_board('ge', events => '{"goal_at_risk": 0}');
SELECT leaderboard.alter_board('ge', events => '{"streak_milestone": 3}');
SELECT leaderboard.alter_board('ge', events => '{"streak_milestone": [0]}');
SELECT leaderboard.alter_board('ge', events => '{"streak_milestone": [2.5]}');
SELECT leaderboard.alter_board('ge', events => '{"goal_met": true, "streak_milestone": [2, 3, 5]}');

-- what a change should announce, from the standings before and after it: each rung of
-- each goal ladder (as <board>_goals picks them) crossed upwards, and for a day whose
-- first daily rung is newly met, the run of met working days it ends when that is a
-- milestone; the run is recounted from every day row of the agent with the goals in
-- force on each day
CREATE TABLE ge_before AS SELECT * FROM ge_standings;
-- (an agent's own goals replace everyone's; the test sets no partition goals here)
CREATE FUNCTION ge_ladder(per text, team int, who int, d date)
RETURNS TABLE (metric text, stat text, targets numeric[]) LANGUAGE sql AS $$
  SELECT g.metric, g.stat, array_agg(g.target ORDER BY g.target)
  FROM leaderboard.goals g
  WHERE g.board = 'ge' AND g.period = per AND (g.effective_from IS NULL OR g.effective_from <= d)
    AND (g.effective_to IS NULL OR g.effective_to >= d)
    AND (g.agent IS NULL OR g.agent = who::text) AND (g.partition IS NULL OR g.partition = jsonb_build_object('team_id', team))
    AND (g.agent IS NOT NULL) = EXISTS (SELECT 1 FROM leaderboard.goals h WHERE h.board = 'ge' AND h.period = per
          AND h.metric = g.metric AND h.stat = g.stat AND h.agent = who::text
          AND (h.effective_from IS NULL OR h.effective_from <= d) AND (h.effective_to IS NULL OR h.effective_to >= d))
  GROUP BY g.metric, g.stat
$$;
CREATE FUNCTION ge_value(k leaderboard.kpis, metric text, stat text) RETURNS numeric LANGUAGE sql AS $$
  SELECT CASE stat WHEN 'count' THEN leaderboard.kpi_count(k, CASE metric WHEN 'conv' THEN 1 ELSE 2 END)::numeric
                   ELSE leaderboard.kpi_sum(k, CASE metric WHEN 'conv' THEN 1 ELSE 2 END)::numeric END
$$;
CREATE FUNCTION ge_met_day(team int, agent int, d date, m text, st text) RETURNS boolean LANGUAGE sql AS $$
  SELECT coalesce(bool_and(ge_value(s.kpis, l.metric, l.stat) >= l.targets[1]), false)
  FROM ge_standings s, ge_ladder('day', team, agent, d) l
  WHERE s.period = 'day' AND s.period_start = d AND s.team_id = team AND s.agent_id = agent
    AND l.metric = m AND l.stat = st
$$;
CREATE FUNCTION ge_run(team int, agent int, d date, m text, st text) RETURNS int LANGUAGE plpgsql AS $$
DECLARE n int := 0;
BEGIN
  LOOP
    IF leaderboard.is_working_day('Mon-Fri; holidays 2026-10-07', d) THEN
      EXIT WHEN NOT ge_met_day(team, agent, d, m, st);
      n := n + 1;
    END IF;
    d := d - 1;
  END LOOP;
  RETURN n;
END $$;
CREATE FUNCTION ge_expected() RETURNS TABLE (kind text, agent text, period text, period_start date, detail text)
LANGUAGE sql AS $$
  WITH c AS (
    SELECT n.period, n.period_start, n.team_id, n.agent_id, o.kpis AS old_kpis, n.kpis AS new_kpis
    FROM ge_standings n LEFT JOIN ge_before o USING (period, period_start, team_id, agent_id)),
  crossed AS (
    SELECT c.*, l.metric, l.stat, t.target, l.targets[1] AS first_rung
    FROM c, ge_ladder(c.period, c.team_id, c.agent_id, CASE WHEN c.period = 'day' THEN c.period_start
                                                             ELSE (c.period_start + interval '1 month')::date - 1 END) l,
         unnest(l.targets) t(target)
    WHERE ge_value(c.new_kpis, l.metric, l.stat) >= t.target
      AND (c.old_kpis IS NULL OR ge_value(c.old_kpis, l.metric, l.stat) < t.target))
  SELECT 'goal_met', agent_id::text, period, period_start, format('%s %s %s', metric, stat, target) FROM crossed
  UNION ALL
  SELECT 'streak_milestone', agent_id::text, period, period_start,
         format('%s %s %s', metric, stat, ge_run(team_id, agent_id, period_start, metric, stat))
  FROM crossed
  WHERE period = 'day' AND target = first_rung AND ge_run(team_id, agent_id, period_start, metric, stat) IN (2, 3, 5)
$$;
CREATE TABLE ge_seen (id bigint);
INSERT INTO ge_seen VALUES (0);
CREATE FUNCTION ge_check(OUT missing text, OUT unexpected text, OUT events bigint) LANGUAGE plpgsql AS $$
BEGIN
  CREATE TEMP TABLE ge_new ON COMMIT DROP AS
  SELECT e.kind, e.agent, e.period, e.period_start,
         CASE e.kind WHEN 'goal_met' THEN format('%s %s %s', e.new ->> 'metric', e.new ->> 'stat', e.new ->> 'target')
                     ELSE format('%s %s %s', e.new ->> 'metric', e.new ->> 'stat', e.new ->> 'days') END AS detail
  FROM leaderboard.events e WHERE e.board = 'ge' AND e.id > (SELECT max(id) FROM ge_seen);
  SELECT string_agg(format('%s %s %s %s %s', x.kind, x.agent, x.period, x.period_start, x.detail), '; ' ORDER BY x)
    INTO missing FROM (SELECT * FROM ge_expected() EXCEPT ALL SELECT * FROM ge_new) x;
  SELECT string_agg(format('%s %s %s %s %s', x.kind, x.agent, x.period, x.period_start, x.detail), '; ' ORDER BY x)
    INTO unexpected FROM (SELECT * FROM ge_new EXCEPT ALL SELECT * FROM ge_expected()) x;
  SELECT count(*) INTO events FROM ge_new;
  INSERT INTO ge_seen SELECT coalesce(max(id), 0) FROM leaderboard.events;
  TRUNCATE ge_before;
  INSERT INTO ge_before SELECT * FROM ge_standings;
  DROP TABLE ge_new;
END $$;

-- 1. one day's calls at a time, for agents 1 and 2 of team 1: Monday 5 to Friday 16
--    October, skipping the holiday; agent 1 misses Friday the 9th
DO $$
DECLARE d date;
BEGIN
  FOR d IN SELECT x::date FROM generate_series('2026-10-05'::date, '2026-10-16', '1 day') x
           WHERE leaderboard.is_working_day('Mon-Fri; holidays 2026-10-07', x::date) LOOP
    INSERT INTO ge_calls (agent_id, team_id, started_at, converted)
    SELECT a, 1, d + time '09:00' + k * interval '1 minute', k % 5 < 2
    FROM generate_series(1, 2) a, generate_series(1, CASE WHEN a = 1 AND d = '2026-10-09' THEN 2 ELSE 3 END) k;
  END LOOP;
END $$;
SELECT * FROM ge_check();
SELECT kind, agent, period, period_start, old, new - 'goal_id' AS new FROM leaderboard.events WHERE board = 'ge' ORDER BY id;

-- 2. call by call, each its own commit, on Monday 19 and Tuesday 20 October: agent 2's
--    goal is 5 calls since the 12th, 2 conversions for everyone
INSERT INTO ge_calls (agent_id, team_id, started_at, converted) VALUES (2, 1, '2026-10-19 09:01+00', true);
SELECT * FROM ge_check();
INSERT INTO ge_calls (agent_id, team_id, started_at, converted) VALUES (2, 1, '2026-10-19 09:02+00', true);
SELECT * FROM ge_check();
INSERT INTO ge_calls (agent_id, team_id, started_at, converted) VALUES (2, 1, '2026-10-19 09:03+00', false);
SELECT * FROM ge_check();
INSERT INTO ge_calls (agent_id, team_id, started_at, converted) VALUES (2, 1, '2026-10-19 09:04+00', false);
SELECT * FROM ge_check();
INSERT INTO ge_calls (agent_id, team_id, started_at, converted) VALUES (2, 1, '2026-10-19 09:05+00', false);
SELECT * FROM ge_check();
INSERT INTO ge_calls (agent_id, team_id, started_at, converted) VALUES (2, 1, '2026-10-20 09:01+00', true);
SELECT * FROM ge_check();
INSERT INTO ge_calls (agent_id, team_id, started_at, converted) VALUES (2, 1, '2026-10-20 09:02+00', true);
SELECT * FROM ge_check();
INSERT INTO ge_calls (agent_id, team_id, started_at, converted) VALUES (2, 1, '2026-10-20 09:03+00', false);
SELECT * FROM ge_check();
INSERT INTO ge_calls (agent_id, team_id, started_at, converted) VALUES (2, 1, '2026-10-20 09:04+00', false);
SELECT * FROM ge_check();
INSERT INTO ge_calls (agent_id, team_id, started_at, converted) VALUES (2, 1, '2026-10-20 09:05+00', false);
SELECT * FROM ge_check();
SELECT kind, agent, period_start, old, new - 'goal_id' AS new FROM leaderboard.events
WHERE board = 'ge' AND period_start >= '2026-10-19' AND period = 'day' ORDER BY id;
-- a correction removing a call and adding it back meets the goal again
DELETE FROM ge_calls WHERE call_id = (SELECT max(call_id) FROM ge_calls WHERE agent_id = 2 AND started_at::date = '2026-10-20');
SELECT * FROM ge_check();
INSERT INTO ge_calls (agent_id, team_id, started_at, converted) VALUES (2, 1, '2026-10-20 10:00+00', false);
SELECT * FROM ge_check();
-- agent 3's first days, a commit each. Monday 26 meets the daily goal of 3 calls, but no
-- row of the agent's meets a day goal on the working day before (Friday 23): the run is
-- of one day, and the commit does not ask the events statement about a streak (no
-- streak_milestone among the candidates report_apply lists). Tuesday 27 may make a run
-- of two, a milestone: that commit does ask.
SET leaderboard.report_apply = on;
INSERT INTO ge_calls (agent_id, team_id, started_at, converted)
SELECT 3, 1, '2026-10-26 09:00+00'::timestamptz + k * interval '1 minute', false FROM generate_series(1, 3) k;
INSERT INTO ge_calls (agent_id, team_id, started_at, converted)
SELECT 3, 1, '2026-10-27 09:00+00'::timestamptz + k * interval '1 minute', false FROM generate_series(1, 3) k;
RESET leaderboard.report_apply;
SELECT * FROM ge_check();
SELECT kind, agent, period_start, new ->> 'days' AS days FROM leaderboard.events
WHERE board = 'ge' AND agent = '3' AND period = 'day' ORDER BY id;

-- 3. goal_at_risk: past the share of the current month's working days, the rung to reach is
--    not met and the pace falls short; announced once per agent, period and goal, by a
--    commit touching the agent's row or by check_goals() for the others. The month goal of
--    1000 calls cannot be paced whatever today is; no calendar: every day works.
SELECT leaderboard.alter_board('ge', drop_calendar => true);
SELECT leaderboard.set_goal('ge', 'calls', 'count', 'month', 1000, partition => '{"team_id": 7}') > 0 AS goal_set;
SELECT leaderboard.alter_board('ge', events => '{"goal_at_risk": 0.01}');
SELECT leaderboard.check_goals('ge') AS nobody_yet;
INSERT INTO ge_calls (agent_id, team_id, started_at, converted)
VALUES (71, 7, now(), true), (72, 7, now(), false);
SELECT kind, agent, period, new ->> 'target' AS target, new ->> 'actual' AS actual,
       (new ->> 'pace')::numeric < 1000 AS short, (new ->> 'goal_id')::bigint = (SELECT max(id) FROM leaderboard.goals) AS goal
FROM leaderboard.events WHERE board = 'ge' AND kind = 'goal_at_risk' ORDER BY id;
-- once: more calls, still short, announce nothing more; check_goals finds nobody new
INSERT INTO ge_calls (agent_id, team_id, started_at, converted) VALUES (71, 7, now(), true);
SELECT count(*) AS at_risk_events FROM leaderboard.events WHERE board = 'ge' AND kind = 'goal_at_risk';
SELECT leaderboard.check_goals('ge') AS announced;
-- an agent no commit touched since the goal was set: check_goals announces it
SELECT leaderboard.set_goal('ge', 'calls', 'count', 'month', 500, agent => '72') > 0 AS goal_set;
SELECT leaderboard.check_goals('ge') AS announced;
SELECT leaderboard.check_goals('ge') AS announced_again;
SELECT agent, new ->> 'target' AS target FROM leaderboard.events WHERE board = 'ge' AND kind = 'goal_at_risk' ORDER BY id;
-- only the owner checks
CREATE ROLE ge_other;
SET ROLE ge_other;
SELECT leaderboard.check_goals('ge');
RESET ROLE;
DROP ROLE ge_other;
SELECT count(*) AS differences FROM leaderboard.verify('ge');
SELECT leaderboard.drop_board('ge');

-- a day off neither extends nor ends a run of met working days: meeting the daily goal on
-- a Saturday, a Sunday or a holiday announces no milestone (the run it would read back is
-- the one a working day already announced)
CREATE TABLE gw_calls (agent_id int NOT NULL, started_at timestamptz NOT NULL);
SELECT leaderboard.create_board(name => 'gw', source => 'gw_calls', agent => 'agent_id', at => 'started_at',
  metrics => ARRAY['1 AS calls'], scorecard => '{"metrics": [{"name": "calls", "stat": "count"}]}',
  periods => ARRAY['day'], time_zone => 'UTC', calendar => 'Mon-Fri; holidays 2026-11-26') IS NOT NULL AS created;
SELECT leaderboard.set_goal('gw', 'calls', 'count', 'day', 1) > 0 AS goal_set;
SELECT leaderboard.alter_board('gw', events => '{"streak_milestone": [2, 3, 5]}');
-- Mon 23 to Sun 29 November (Thursday 26 a holiday), then Mon 30, one commit a day, through
-- the direct apply, and again through the statements for agent 2
SELECT format('%sINSERT INTO gw_calls VALUES (%s, %L)', CASE WHEN a = 2 AND d = '2026-11-23' THEN 'SET leaderboard.direct_apply_max_groups = 0; ' ELSE '' END,
              a, d + interval '9 hours')
FROM unnest(ARRAY[1, 2]) a, generate_series(date '2026-11-23', '2026-11-30', '1 day') d ORDER BY a, d \gexec
RESET leaderboard.direct_apply_max_groups;
SELECT agent, period_start, old ->> 'days' AS old_days, new ->> 'days' AS days FROM leaderboard.events
WHERE board = 'gw' ORDER BY agent, period_start;
SELECT agent_id, longest_streak, met_days FROM gw_streaks ORDER BY 1;
-- a milestone reads the day rows of 2 x the longest milestone + 31 days: a retention
-- deleting them sooner is refused, either way round
SELECT leaderboard.alter_board('gw', retention => '40 days');
SELECT leaderboard.alter_board('gw', retention => '41 days');
SELECT leaderboard.alter_board('gw', events => '{"streak_milestone": [20]}');
SELECT leaderboard.alter_board('gw', events => '{}');
SELECT leaderboard.alter_board('gw', retention => '10 days');
SELECT leaderboard.drop_board('gw');
DROP TABLE gw_calls;
