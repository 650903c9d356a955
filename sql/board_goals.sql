-- Goals and pace: set_goal and clear_goal with every check, goals for everyone, a
-- partition and an agent, ladders, effective dates, and <board>_goals. The pace arithmetic
-- is tested with fixed dates through the functions the view calls; the view itself is
-- read today, and its date-dependent figures are compared with a recomputation here.
-- One transaction, so that "today" stays one day even when the run crosses midnight.
SET TimeZone = 'UTC';
BEGIN;
CREATE FUNCTION try(sql text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE sql;
  RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

-- == working days and pace, with fixed dates
-- May 2026 starts on a Friday; Monday 25 is a holiday. Weekdays: Fri 1, 4-8, 11-15, 18-22,
-- 25-29 = 21, less the holiday = 20. Up to Wednesday 13: Fri 1, 4-8, 11-13 = 9.
SELECT leaderboard.working_days('Mon-Fri; holidays 2026-05-25', '2026-05-01', '2026-05-31') AS may,
       leaderboard.working_days('Mon-Fri; holidays 2026-05-25', '2026-05-01', '2026-05-13') AS may_1_to_13,
       leaderboard.working_days('Mon-Fri', '2026-05-09', '2026-05-10') AS weekend,
       leaderboard.working_days('Mon-Fri', '2026-05-10', '2026-05-09') AS backwards,
       leaderboard.working_days('Sun-Thu', '2026-05-01', '2026-05-07') AS sun_thu;
-- against a count of days one by one, over years and calendars; every day works without
-- weekdays off or holidays; an infinite bound is refused
SELECT c AS calendar,
       leaderboard.working_days(c::leaderboard.calendar, '2024-01-01', '2027-12-31') =
       (SELECT count(*) FROM generate_series('2024-01-01'::date, '2027-12-31', '1 day') d
        WHERE leaderboard.is_working_day(c::leaderboard.calendar, d::date)) AS same
FROM unnest(ARRAY['Mon-Fri', 'Mon-Sun', 'Mon-Sat; holidays 2024-12-25, 2026-01-01, 2027-05-01', 'Sun-Thu; holidays 2025-03-30']) c;
SELECT leaderboard.working_days('Mon-Sun', '0001-01-01', '9999-12-31') AS every_day;
SELECT try($$SELECT leaderboard.working_days('Mon-Fri', '-infinity', '2026-05-01')$$) AS infinite_bound;
-- the working days <board>_goals and goal_at_risk count: the SQL they splice, run alone
CREATE FUNCTION period_days(period text, period_start date, as_of date, cal text,
                            OUT days_elapsed integer, OUT days_total integer) LANGUAGE plpgsql AS $f$
BEGIN
  EXECUTE format('SELECT * FROM %s d', leaderboard._period_days_sql(NULL::leaderboard.boards, quote_literal(period),
                 format('%L::date', period_start), format('%L::date', as_of), format('%L::leaderboard.calendar', cal)))
    INTO days_elapsed, days_total;
END $f$;
-- days elapsed (today included) and in the period, per kind, as of Wednesday 2026-05-13
-- and Tuesday 2026-05-26 (the week of the holiday: four working days, one elapsed).
-- Q2 2026: April 22 weekdays (Wed 1 - Thu 30), May 20, June 22 (Mon 1 - Tue 30) = 64.
-- 2026 starts on a Thursday: 52 weeks and a Thursday = 261 weekdays, less the holiday = 260.
SELECT k.period, k.period_start, k.as_of, d.days_elapsed, d.days_total
FROM (VALUES ('day', date '2026-05-13', date '2026-05-13'), ('day', '2026-05-25', '2026-05-25'),
             ('day', '2026-05-16', '2026-05-16'),
             ('week', '2026-05-11', '2026-05-13'), ('week', '2026-05-25', '2026-05-26'),
             ('week', '2026-05-18', '2026-05-24'),
             ('month', '2026-05-01', '2026-05-13'), ('month', '2026-05-01', '2026-05-31'),
             ('quarter', '2026-04-01', '2026-05-13'), ('year', '2026-01-01', '2026-05-13'),
             ('all', '-infinity', '2026-05-13')) k(period, period_start, as_of)
CROSS JOIN LATERAL period_days(k.period, k.period_start, k.as_of, 'Mon-Fri; holidays 2026-05-25') d;
-- the same cross-checked by a count of weekdays (isodow 1-5) that are not the holiday
SELECT count(*) FILTER (WHERE d <= '2026-05-13') AS q2_elapsed, count(*) AS q2_total
FROM generate_series(date '2026-04-01', date '2026-06-30', interval '1 day') d
WHERE extract(isodow FROM d) < 6 AND d <> '2026-05-25';
-- no calendar: every day works (May 13 is the 13th day of 31)
SELECT * FROM period_days('month', '2026-05-01', '2026-05-13', 'Mon-Sun');
-- pace: a count or a sum scaled from the days elapsed to the whole period (45 calls in 9
-- of 20 working days: 100); an average or a rate is its current value; NULL before the
-- first working day and over 'all'
SELECT leaderboard._goal_pace('count', 45, 9, 20) AS count_pace,
       leaderboard._goal_pace('sum', 10.5, 3, 4) AS sum_pace,
       leaderboard._goal_pace('avg', 3.5, 0, 20) AS avg_pace,
       leaderboard._goal_pace('rate', 0.25, 9, 20) AS rate_pace,
       leaderboard._goal_pace('count', 10, 0, 0) AS no_day_yet,
       leaderboard._goal_pace('count', 10, NULL, NULL) AS all_time;
-- the rung of a ladder: the lowest not met, else the top; reaching a target meets it;
-- equal targets (two rows) count as one rung, the lower id applies
SELECT x.label, r.*
FROM (VALUES ('below all', '{80,100,120}'::numeric[], '{1,2,3}'::bigint[], 50::numeric),
             ('at the first', '{120,80,100}', '{3,1,2}', 80),
             ('between', '{80,100,120}', '{1,2,3}', 101),
             ('above all', '{80,100,120}', '{1,2,3}', 130),
             ('no value', '{80,100,120}', '{1,2,3}', NULL),
             ('equal targets', '{100,80,100}', '{6,4,5}', 85)) x(label, targets, ids, actual)
CROSS JOIN LATERAL leaderboard._goal_rung(x.targets, x.ids, x.actual) r;

-- == a board
CREATE TABLE calls (
  call_id bigserial PRIMARY KEY, agent_id int NOT NULL, team_id int, started_at timestamptz NOT NULL,
  handle_seconds int NOT NULL, converted boolean NOT NULL);
-- today at noon (UTC, the board's zone): agent a of team 1 + a % 2 makes 10 * a calls,
-- converting one in a
INSERT INTO calls (agent_id, team_id, started_at, handle_seconds, converted)
SELECT a, 1 + a % 2, date_trunc('day', now()) + interval '12 hours', 100 + i, i % a = 0
FROM generate_series(1, 4) a, generate_series(1, 10 * a) i;
-- agent 5 has no team
INSERT INTO calls (agent_id, team_id, started_at, handle_seconds, converted)
SELECT 5, NULL, date_trunc('day', now()) + interval '12 hours', 200, true FROM generate_series(1, 7);
SELECT leaderboard.create_board(name => 'floor', source => 'calls', agent => 'agent_id', at => 'started_at',
  metrics => ARRAY['converted AS conv', 'handle_seconds AS aht', '1 AS calls'],
  scorecard => '{"metrics": [{"name": "conv", "stat": "rate"}, {"name": "calls", "stat": "count"}]}',
  periods => ARRAY['day', 'week', 'month'], partition_by => ARRAY['team_id'], time_zone => 'UTC')
  IS NOT NULL AS created;
SELECT calendar IS NULL AS no_calendar FROM leaderboard.boards WHERE name = 'floor';
SELECT c.relname FROM pg_class c WHERE c.relname LIKE 'floor\_%' AND c.relkind = 'v' ORDER BY 1;

-- == set_goal: every argument is checked
SELECT try($$SELECT leaderboard.set_goal('nope', 'calls', 'count', 'month', 80)$$) AS unknown_board;
SELECT try($$SELECT leaderboard.set_goal('floor', 'talk', 'count', 'month', 80)$$) AS unknown_metric;
SELECT try($$SELECT leaderboard.set_goal('floor', NULL, 'count', 'month', 80)$$) AS null_metric;
SELECT try($$SELECT leaderboard.set_goal('floor', 'calls', 'max', 'month', 80)$$) AS unknown_stat;
SELECT try($$SELECT leaderboard.set_goal('floor', 'calls', 'count', 'year', 80)$$) AS period_the_board_lacks;
SELECT try($$SELECT leaderboard.set_goal('floor', 'calls', 'count', 'fortnight', 80)$$) AS unknown_period;
SELECT try($$SELECT leaderboard.set_goal('floor', 'calls', 'count', 'month', NULL)$$) AS null_target;
SELECT try($$SELECT leaderboard.set_goal('floor', 'calls', 'count', 'month', 0)$$) AS zero_target;
SELECT try($$SELECT leaderboard.set_goal('floor', 'calls', 'count', 'month', -5)$$) AS negative_target;
SELECT try($$SELECT leaderboard.set_goal('floor', 'calls', 'count', 'month', 'NaN')$$) AS nan_target;
SELECT try($$SELECT leaderboard.set_goal('floor', 'calls', 'count', 'month', 'Infinity')$$) AS infinite_target;
SELECT try($$SELECT leaderboard.set_goal('floor', 'calls', 'count', 'month', 80,
             effective_from => '2026-02-01', effective_to => '2026-01-31')$$) AS to_before_from;
SELECT try($$SELECT leaderboard.set_goal('floor', 'calls', 'count', 'month', 80, effective_to => 'infinity')$$) AS infinite_date;
SELECT try($$SELECT leaderboard.set_goal('floor', 'calls', 'count', 'month', 80, partition => '{"site": 1}')$$) AS not_a_partition_column;
SELECT try($$SELECT leaderboard.set_goal('floor', 'calls', 'count', 'month', 80, partition => '{"team_id": "one"}')$$) AS partition_value_of_another_type;
SELECT try($$SELECT leaderboard.set_goal('floor', 'calls', 'count', 'month', 80, partition => '{"team_id": [1]}')$$) AS partition_value_not_scalar;
SELECT try($$SELECT leaderboard.set_goal('floor', 'calls', 'count', 'month', 80, partition => '[1]')$$) AS partition_not_an_object;
SELECT try($$SELECT leaderboard.set_goal('floor', 'calls', 'count', 'month', 80, agent => 'bob')$$) AS agent_of_another_type;
SELECT count(*) AS goals_after_errors FROM leaderboard.goals;

-- == goals for everyone, a partition, an agent; a ladder
-- everyone: a month ladder of 80, 100, 120 calls, a daily 15 calls, a week conversion rate
SELECT leaderboard.set_goal('floor', 'calls', 'count', 'month', t) IS NOT NULL AS set FROM unnest(ARRAY[100, 80, 120]) t;
SELECT leaderboard.set_goal('floor', 'calls', 'count', 'day', 15) IS NOT NULL AS set;
SELECT leaderboard.set_goal('floor', 'conv', 'rate', 'week', 0.3) IS NOT NULL AS set;
-- team 2 (agents 1 and 3): a month ladder of 10 and 20, given as text; canonical as a number
SELECT leaderboard.set_goal('floor', 'calls', 'count', 'month', 10, partition => '{"team_id": "2"}') IS NOT NULL AS set;
SELECT leaderboard.set_goal('floor', 'calls', 'count', 'month', 20, partition => '{"team_id": 2}') IS NOT NULL AS set;
-- agent 4 (team 1): 35 a day, written '004'; canonical '4'
SELECT leaderboard.set_goal('floor', 'calls', 'count', 'day', 35, agent => '004') IS NOT NULL AS set;
-- the agents with no team (a NULL partition is a scope of its own): 5 a day
SELECT leaderboard.set_goal('floor', 'calls', 'count', 'day', 5, partition => '{"team_id": null}') IS NOT NULL AS set;
-- setting a goal again gives the same goal; an empty partition is everyone's
SELECT leaderboard.set_goal('floor', 'calls', 'count', 'month', 80, partition => '{}')
       = (SELECT id FROM leaderboard.goals WHERE target = 80 AND partition IS NULL) AS same_goal,
       (SELECT count(*) FROM leaderboard.goals) AS goals;
SELECT metric, stat, period, target, partition, agent FROM leaderboard.goals ORDER BY id;

-- today's goals: day, week and month rows of each agent. Agent a has 10 * a calls.
-- Day: agents 1-3 have everyone's 15 (agent 1 short at 10; 2 and 3 met it), agent 4 its
-- own 35 (40 meets it), agent 5 its partition's 5 (7 meets it).
-- Week: the conversion rate (one in a) against 0.3: agents 1 and 5 (all converted) meet it.
-- Month: team 2 (agents 1, 3) has the ladder 10, 20: agent 1 (10) met the first rung and
-- aims at 20, agent 3 (30) met both and keeps the top; others have 80, 100, 120.
SELECT period, team_id, agent_id, metric, stat, target, rungs, rungs_met, actual, progress,
       (SELECT g.target FROM leaderboard.goals g WHERE g.id = v.goal_id) = target AS goal_row_is_the_rung
FROM floor_goals v ORDER BY period, agent_id, metric;

-- pace against a recomputation: weekdays of the period, less the holidays (the day before
-- today and the day after), elapsed up to today included
CREATE TEMP VIEW holidays AS
  SELECT format('Mon-Fri; holidays %s, %s', to_char(current_date - 1, 'YYYY-MM-DD'),
                to_char(current_date + 1, 'YYYY-MM-DD'))::leaderboard.calendar AS cal;
SELECT leaderboard.alter_board('floor', calendar => cal) FROM holidays;
SELECT b.calendar OPERATOR(leaderboard.=) h.cal AS calendar_stored
FROM leaderboard.boards b, holidays h WHERE b.name = 'floor';
WITH e AS (
  SELECT v.period, v.agent_id, v.metric, v.actual, v.target, v.pace, v.on_track,
         v.working_days_elapsed, v.working_days, x.x_elapsed, x.x_total
  FROM floor_goals v
  CROSS JOIN LATERAL (
    SELECT count(*) FILTER (WHERE w AND d <= current_date) AS x_elapsed, count(*) FILTER (WHERE w) AS x_total
    FROM generate_series(v.period_start::timestamp,
           v.period_start + CASE v.period WHEN 'day' THEN interval '1 day' WHEN 'week' THEN interval '1 week'
                                          ELSE interval '1 month' END - interval '1 day', interval '1 day') d
    CROSS JOIN LATERAL (SELECT extract(isodow FROM d) < 6 AND d::date NOT IN (current_date - 1, current_date + 1) AS w) k) x)
SELECT e.period, count(*) AS rows,
       bool_and(e.working_days_elapsed = e.x_elapsed AND e.working_days = e.x_total) AS days_right,
       bool_and(e.pace IS NOT DISTINCT FROM CASE WHEN e.metric = 'conv' THEN e.actual
                                              WHEN e.x_elapsed > 0 THEN e.actual * e.x_total / e.x_elapsed END) AS pace_right,
       bool_and(e.on_track IS NOT DISTINCT FROM (e.pace >= e.target)) AS on_track_right
FROM e GROUP BY 1 ORDER BY 1;
-- a day's pace is NULL exactly when today is not a working day (no working day elapsed)
SELECT bool_and((pace IS NULL) = (extract(isodow FROM current_date) > 5)) AS day_pace_only_on_working_days
FROM floor_goals WHERE period = 'day';
-- without a calendar every day counts: the month's days elapsed is today's day of the month
SELECT leaderboard.alter_board('floor', drop_calendar => true);
SELECT bool_and(working_days_elapsed = extract(day FROM current_date)
                AND working_days = extract(day FROM date_trunc('month', current_date) + interval '1 month - 1 day')) AS every_day
FROM floor_goals WHERE period = 'month';
SELECT try($$SELECT leaderboard.alter_board('floor', calendar => 'Mon-Fri', drop_calendar => true)$$) AS both;
-- a calendar given together with a close setting makes the goal views again too
SELECT leaderboard.alter_board('floor', calendar => 'Mon-Fri', retention => '400 days');
SELECT bool_and(working_days < extract(day FROM date_trunc('month', current_date) + interval '1 month - 1 day')) AS weekdays_only
FROM floor_goals WHERE period = 'month';
SELECT leaderboard.alter_board('floor', drop_calendar => true, drop_retention => true);

-- == effective dates: a goal in force today applies; one that ended yesterday or starts
-- tomorrow does not. Agent 2's own week rate goal from today on (0.6: agent 2 converts one
-- in 2), one that ended yesterday (0.1) and one from tomorrow (0.9).
SELECT leaderboard.set_goal('floor', 'conv', 'rate', 'week', 0.6, agent => '2', effective_from => current_date) IS NOT NULL AS set;
SELECT leaderboard.set_goal('floor', 'conv', 'rate', 'week', 0.1, agent => '2', effective_to => current_date - 1) IS NOT NULL AS set;
SELECT leaderboard.set_goal('floor', 'conv', 'rate', 'week', 0.9, agent => '2', effective_from => current_date + 1) IS NOT NULL AS set;
SELECT agent_id, target, rungs, actual, progress, pace, on_track FROM floor_goals WHERE period = 'week' AND agent_id IN (1, 2) ORDER BY 1;
-- a goal ending today is still in force
SELECT leaderboard.set_goal('floor', 'conv', 'rate', 'week', 0.5, agent => '2', effective_to => current_date) IS NOT NULL AS set;
SELECT agent_id, target, rungs, rungs_met FROM floor_goals WHERE period = 'week' AND agent_id = 2;

-- == the most specific audience wins: an agent's goal, then a partition's, then everyone's.
-- Agent 3 (team 2) gets its own month goal of 25 and its team keeps 10, 20.
SELECT leaderboard.set_goal('floor', 'calls', 'count', 'month', 25, partition => '{"team_id": 2}', agent => '3') IS NOT NULL AS set;
SELECT agent_id, target, rungs FROM floor_goals WHERE period = 'month' ORDER BY 1;
-- an agent's goal under another partition than the agent's row does not apply
SELECT leaderboard.set_goal('floor', 'calls', 'count', 'month', 7, partition => '{"team_id": 1}', agent => '1') IS NOT NULL AS set;
SELECT agent_id, target, rungs FROM floor_goals WHERE period = 'month' AND agent_id = 1;

-- == clear_goal: one rung by id, or a whole ladder of one audience
SELECT try($$SELECT leaderboard.clear_goal(999999)$$) AS unknown_id;
SELECT leaderboard.clear_goal(id) FROM leaderboard.goals WHERE period = 'month' AND target = 120 AND partition IS NULL;
SELECT agent_id, target, rungs FROM floor_goals WHERE period = 'month' AND agent_id = 4;
SELECT leaderboard.clear_goal('floor', 'calls', 'count', 'month', partition => '{"team_id": "2"}') AS cleared;
-- the audience is exact: agent 3's own goal (with its partition) stays
SELECT agent_id, target, rungs FROM floor_goals WHERE period = 'month' ORDER BY 1;
SELECT leaderboard.clear_goal('floor', 'calls', 'count', 'month', partition => '{"team_id": 2}', agent => '3') AS cleared;
SELECT leaderboard.clear_goal('floor', 'calls', 'count', 'month', partition => '{"team_id": 2}', agent => '3') AS cleared_again;
SELECT try($$SELECT leaderboard.clear_goal('floor', 'calls', 'count', 'year')$$) AS clear_unknown_period;

-- == goals go with their board; a dropped board's views are gone
SELECT count(*) > 0 AS has_goals FROM leaderboard.goals WHERE board = 'floor';
SELECT leaderboard.drop_board('floor');
SELECT count(*) AS goals_left FROM leaderboard.goals;
SELECT to_regclass('floor_goals') AS goals_view, to_regclass('floor_streaks') AS streaks_view;

-- == a board without partitions takes no partition goals
CREATE TABLE solo (agent text NOT NULL, at date NOT NULL, n int NOT NULL);
INSERT INTO solo VALUES ('ann', current_date, 3), ('bob', current_date, 5);
SELECT leaderboard.create_board(name => 'solo', source => 'solo', agent => 'agent', at => 'at', metrics => ARRAY['n'],
  scorecard => '{"metrics": [{"name": "n", "stat": "sum"}]}', periods => ARRAY['all'], time_zone => 'UTC') IS NOT NULL AS created;
SELECT try($$SELECT leaderboard.set_goal('solo', 'n', 'sum', 'all', 4, partition => '{"team_id": 1}')$$) AS no_partitions;
SELECT leaderboard.set_goal('solo', 'n', 'sum', 'all', 4) IS NOT NULL AS set;
-- over 'all', progress but no pace; no streaks without day rows
SELECT agent, target, actual, progress, pace, on_track, working_days_elapsed, working_days FROM solo_goals ORDER BY 1;
SELECT to_regclass('solo_streaks') AS streaks_view;
SELECT leaderboard.drop_board('solo');

-- a goal names its agent by text, which equal values of a numeric agent need not share
-- (1.0 and 1): one agent's goal is refused there, everyone's goal is fine
CREATE TABLE num_agents (agent numeric NOT NULL, at date NOT NULL, n int NOT NULL);
INSERT INTO num_agents VALUES (1.0, current_date, 3), (1, current_date, 2), (2, current_date, 5);
SELECT leaderboard.create_board(name => 'num_agents', source => 'num_agents', agent => 'agent', at => 'at',
  metrics => ARRAY['n'], scorecard => '{"metrics": [{"name": "n", "stat": "sum"}]}', periods => ARRAY['all'],
  time_zone => 'UTC') IS NOT NULL AS created;
SELECT try($$SELECT leaderboard.set_goal('num_agents', 'n', 'sum', 'all', 4, agent => '1')$$) AS one_numeric_agent;
SELECT leaderboard.set_goal('num_agents', 'n', 'sum', 'all', 4) IS NOT NULL AS set;
SELECT agent, target, actual FROM num_agents_goals ORDER BY 1;
SELECT leaderboard.drop_board('num_agents');
COMMIT;

-- a goal on a partition column whose text depends on the session's settings (timestamptz):
-- stored in one form whatever the setter's TimeZone, and matched to the standings as a
-- value, whatever the reader's
CREATE TABLE gz_calls (agent_id int NOT NULL, shift timestamptz NOT NULL, started_at timestamptz NOT NULL);
-- calls in the current month (in UTC, the board's zone)
INSERT INTO gz_calls SELECT 1 + i % 3, '2026-12-01 08:00+00',
  (date_trunc('month', now() AT TIME ZONE 'UTC') + i * interval '1 minute') AT TIME ZONE 'UTC' FROM generate_series(1, 30) i;
SELECT leaderboard.create_board(name => 'gz', source => 'gz_calls', agent => 'agent_id', at => 'started_at',
  metrics => ARRAY['1 AS calls'], scorecard => '{"metrics": [{"name": "calls", "stat": "count"}]}',
  periods => ARRAY['month'], partition_by => ARRAY['shift'], time_zone => 'UTC') IS NOT NULL AS created;
SET TimeZone = 'Europe/Paris';
-- the value as the setter's session reads it: 09:00 in Paris
SELECT leaderboard.set_goal('gz', 'calls', 'count', 'month', 5, partition => '{"shift": "2026-12-01 09:00"}') AS gz_goal \gset
SET TimeZone = 'UTC';
SELECT leaderboard.set_goal('gz', 'calls', 'count', 'month', 5, partition => '{"shift": "2026-12-01 08:00"}') = :gz_goal AS same_goal;
SELECT partition FROM leaderboard.goals WHERE board = 'gz';
SELECT agent_id, target, actual FROM gz_goals ORDER BY agent_id;
SET TimeZone = 'Asia/Kathmandu';
SELECT agent_id, target, actual FROM gz_goals ORDER BY agent_id;
-- and the events of a goal set from Paris
SELECT leaderboard.alter_board('gz', events => '{"goal_met": true}');
SET TimeZone = 'Europe/Paris';
SELECT leaderboard.set_goal('gz', 'calls', 'count', 'month', 12, partition => '{"shift": "2026-12-01 09:00+01"}') > 0 AS goal_set;
INSERT INTO gz_calls SELECT 1, '2026-12-01 08:00+00', (date_trunc('month', now() AT TIME ZONE 'UTC') + interval '1 hour') AT TIME ZONE 'UTC'
FROM generate_series(1, 3);
RESET TimeZone;
SELECT kind, agent, new ->> 'target' AS target, new ->> 'actual' AS actual FROM leaderboard.events WHERE board = 'gz';
SELECT leaderboard.drop_board('gz');
DROP TABLE gz_calls;

-- bytea values are stored in one form whatever the setter's bytea_output, as the board's
-- statements print them
CREATE TABLE gb_calls (agent bytea NOT NULL, grp bytea, at timestamptz NOT NULL DEFAULT now(), ok boolean NOT NULL);
INSERT INTO gb_calls VALUES ('\x6162', '\x01ff', now(), true), ('\x6364', '\x01ff', now(), false);
SELECT leaderboard.create_board(name => 'gb', source => 'gb_calls', agent => 'agent', at => 'at', metrics => ARRAY['ok'],
  scorecard => '{"metrics": [{"name": "ok", "stat": "count"}]}', periods => ARRAY['month'], partition_by => ARRAY['grp'],
  time_zone => 'UTC') IS NOT NULL AS created;
SET bytea_output = 'hex';
SELECT leaderboard.set_goal('gb', 'ok', 'count', 'month', 5, partition => '{"grp": "\\x01ff"}') AS gb_goal \gset
SET bytea_output = 'escape';
SELECT leaderboard.set_goal('gb', 'ok', 'count', 'month', 5, partition => '{"grp": "\\x01ff"}') = :gb_goal AS same_goal;
SELECT leaderboard.set_goal('gb', 'ok', 'count', 'month', 7, agent => '\x6162') IS NOT NULL AS agent_goal;
RESET bytea_output;
SELECT partition, agent, target FROM leaderboard.goals WHERE board = 'gb' ORDER BY id;
SELECT agent, target FROM gb_goals ORDER BY 1, 2;
SET bytea_output = 'escape';
SELECT agent, target FROM gb_goals ORDER BY 1, 2;
RESET bytea_output;
SELECT leaderboard.drop_board('gb');
DROP TABLE gb_calls;
