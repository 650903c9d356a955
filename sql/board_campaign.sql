-- Campaigns: create_campaign() declares a board over the calls with starts <= at < ends,
-- with the one period 'all', its own card, ladder, goals and ranks. Calls outside the
-- window are never counted, by any DML path; alter_board and set_goal work on it while it
-- runs; close_periods() closes it once ends plus its grace has passed, after which later
-- corrections of its calls move nothing and verify() compares nothing. The window is part
-- of the board's filter; leaderboard.campaigns lists campaigns with their window.
SET leaderboard.report_apply = on;
CREATE TABLE kcalls (call_id serial PRIMARY KEY, agent int NOT NULL, team int NOT NULL, at timestamptz NOT NULL,
  won int NOT NULL, is_test boolean NOT NULL DEFAULT false);
-- a call every 6 hours from 2024-03-01, and one test call a day
INSERT INTO kcalls (agent, team, at, won, is_test)
SELECT i % 4, i % 2, '2024-03-01 00:00+00'::timestamptz + i * interval '6 hours', 1 + i % 3, i % 4 = 0 AND i % 8 = 0
FROM generate_series(1, 80) i;
SELECT leaderboard.create_board(name => 'kfloor', source => 'kcalls', agent => 'agent', at => 'at',
  metrics => ARRAY['won', '1 AS calls'], scorecard => '{"metrics": [{"name": "won", "stat": "sum"}], "scale": 1}',
  periods => ARRAY['month'], partition_by => ARRAY['team'], filter => 'NOT is_test', time_zone => 'Europe/Paris') IS NOT NULL AS created;

-- errors: the messages once, then the SQLSTATE of each
SELECT leaderboard.create_campaign('kc', board => 'kfloor', scorecard => '{"metrics": [{"name": "won", "stat": "sum"}]}',
  starts => '2024-03-10 00:00+00', ends => '2024-03-01 00:00+00');
SELECT leaderboard.create_campaign('kc', board => 'kfloor', source => 'kcalls', scorecard => '{"metrics": [{"name": "won", "stat": "sum"}]}',
  starts => '2024-03-01', ends => '2024-03-10');
\set VERBOSITY sqlstate
SELECT leaderboard.create_campaign('kc', board => 'kfloor', scorecard => '{"metrics": [{"name": "won", "stat": "sum"}]}',
  starts => '2024-03-10', ends => '2024-03-10');
SELECT leaderboard.create_campaign('kc', board => 'kfloor', scorecard => '{"metrics": [{"name": "won", "stat": "sum"}]}',
  starts => '2024-03-10', ends => '2024-03-01');
SELECT leaderboard.create_campaign('kc', board => 'kfloor', scorecard => '{"metrics": [{"name": "won", "stat": "sum"}]}',
  starts => '2024-03-10', ends => 'infinity');
SELECT leaderboard.create_campaign('kc', board => 'kfloor', scorecard => '{"metrics": [{"name": "won", "stat": "sum"}]}',
  starts => NULL, ends => '2024-03-10');
SELECT leaderboard.create_campaign('kc', board => 'kfloor', starts => '2024-03-01', ends => '2024-03-10');
SELECT leaderboard.create_campaign('kc', board => 'kfloor', source => 'kcalls', scorecard => '{"metrics": [{"name": "won", "stat": "sum"}]}',
  starts => '2024-03-01', ends => '2024-03-10');
SELECT leaderboard.create_campaign('kc', board => 'nope', scorecard => '{"metrics": [{"name": "won", "stat": "sum"}]}',
  starts => '2024-03-01', ends => '2024-03-10');
SELECT leaderboard.create_campaign('kc', scorecard => '{"metrics": [{"name": "won", "stat": "sum"}]}',
  starts => '2024-03-01', ends => '2024-03-10');
SELECT leaderboard.create_campaign('kc', 'kcalls', 'agent', 'nope', ARRAY['won'], '{"metrics": [{"name": "won", "stat": "sum"}]}',
  '2024-03-01', '2024-03-10');
SELECT leaderboard.create_campaign('kc', board => 'kfloor', scorecard => '{"metrics": [{"name": "won", "stat": "sum"}]}',
  starts => '2024-03-01', ends => '2024-03-10', filter => 'won');
SELECT leaderboard.create_campaign('kfloor', board => 'kfloor', scorecard => '{"metrics": [{"name": "won", "stat": "sum"}]}',
  starts => '2024-03-01', ends => '2024-03-10');
-- the window is written only as create_campaign writes it: not on another board, not twice
SELECT leaderboard._catalog_set_window('kfloor', '2024-03-01', '2024-03-10');
\set VERBOSITY default
SELECT count(*) AS campaigns FROM leaderboard.campaigns;

-- a campaign over kfloor's calls: its metrics, team partitions, filter and zone, and a
-- window of Paris time 2024-03-05 to 2024-03-10 (no test calls, as kfloor counts none)
SELECT leaderboard.create_campaign('kc', board => 'kfloor',
  scorecard => '{"metrics": [{"name": "won", "stat": "sum"}], "scale": 1}',
  starts => '2024-03-05 00:00+01', ends => '2024-03-10 00:00+01', ladder => 'Bronze: 0, Silver: 10, Gold: 20');
SET TimeZone = 'UTC';
SELECT board, source, starts, ends, grace, time_zone, closed FROM leaderboard.campaigns;
RESET TimeZone;
-- the window is set once
\set VERBOSITY sqlstate
SELECT leaderboard._catalog_set_window('kc', '2024-03-01', '2024-03-10');
-- and only by the board's owner
CREATE ROLE lb_campaign_other;
SET ROLE lb_campaign_other;
SELECT leaderboard._catalog_set_window('kc', '2024-03-01', '2024-03-10');
RESET ROLE;
DROP ROLE lb_campaign_other;
\set VERBOSITY default
SELECT periods, partition_by, filter FROM leaderboard.boards WHERE name = 'kc';
-- what kc must hold: the calls of the window, recomputed (kpis: calls and wins; verify()
-- checks the scores and ranks); all zero when it does
CREATE VIEW kc_check AS
  SELECT (SELECT count(*) FROM leaderboard.verify('kc')) AS differences,
         (SELECT count(*) FROM (
            (SELECT team, agent, sum(won) AS won, count(*) AS calls FROM kcalls
             WHERE at >= '2024-03-05 00:00+01' AND at < '2024-03-10 00:00+01' AND NOT is_test GROUP BY 1, 2
             EXCEPT SELECT team, agent, leaderboard.kpi_sum(kpis, 1), leaderboard.rows(kpis) FROM kc_standings)
            UNION ALL
            (SELECT team, agent, leaderboard.kpi_sum(kpis, 1), leaderboard.rows(kpis) FROM kc_standings
             EXCEPT SELECT team, agent, sum(won), count(*) FROM kcalls
             WHERE at >= '2024-03-05 00:00+01' AND at < '2024-03-10 00:00+01' AND NOT is_test GROUP BY 1, 2)) x) AS wrong;
SELECT period, period_start, team, agent, score, rank, tier FROM kc_standings ORDER BY team, rank, agent;
SELECT * FROM kc_check;

-- window boundaries: starts is in, ends is out, one microsecond either side
INSERT INTO kcalls (agent, team, at, won) VALUES
  (10, 0, '2024-03-05 00:00+01', 1), (11, 0, '2024-03-04 23:59:59.999999+01', 1),
  (12, 0, '2024-03-09 23:59:59.999999+01', 1), (13, 0, '2024-03-10 00:00+01', 1);
SELECT agent, score FROM kc_standings WHERE agent >= 10 ORDER BY agent;
SELECT * FROM kc_check;

-- calls outside the window, by every DML path, never count; moving a call across a
-- bound adds or removes it
INSERT INTO kcalls (agent, team, at, won) VALUES (20, 1, '2024-02-01 12:00+00', 5), (21, 1, '2024-04-01 12:00+00', 5);
UPDATE kcalls SET won = won + 10 WHERE at < '2024-03-05 00:00+01' AND agent < 4;
UPDATE kcalls SET at = at - interval '10 days' WHERE agent = 12;
UPDATE kcalls SET at = '2024-03-06 12:00+00' WHERE agent = 21;
DELETE FROM kcalls WHERE agent = 13;
SELECT agent, score FROM kc_standings WHERE agent >= 10 ORDER BY agent;
SELECT * FROM kc_check;
-- by statements, and as a batch planned for its size
SET leaderboard.direct_apply_max_groups = 0;
SET leaderboard.small_batch_groups = 1;
INSERT INTO kcalls (agent, team, at, won)
SELECT 30 + i % 7, i % 2, '2024-03-03 00:00+00'::timestamptz + i * interval '1 hour', 1 FROM generate_series(1, 200) i;
UPDATE kcalls SET at = at + interval '3 days' WHERE agent BETWEEN 30 AND 32;
DELETE FROM kcalls WHERE agent = 33 AND at >= '2024-03-07';
RESET leaderboard.small_batch_groups;
UPDATE kcalls SET won = won + 1 WHERE agent = 34;
RESET leaderboard.direct_apply_max_groups;
SELECT * FROM kc_check;

-- editable while it runs (its grace is not over): a new card and ladder, and goals
SELECT leaderboard.alter_board('kc', grace => '100 years');
SELECT leaderboard.close_periods('kc') AS closed;
SELECT leaderboard.alter_board('kc', scorecard => '{"metrics": [{"name": "won", "stat": "sum"}], "scale": 2}',
  ladder => 'Bronze: 0, Silver: 5, Gold: 10') > 0 AS rescored;
SELECT team, agent, score, rank, tier FROM kc_standings WHERE agent < 4 ORDER BY team, rank, agent;
SELECT leaderboard.set_goal('kc', 'calls', 'count', 'all', 10) IS NOT NULL AS goal_set;
SELECT team, agent, target, actual FROM kc_goals WHERE agent < 4 ORDER BY team, agent;
SELECT * FROM kc_check;

-- closed once its grace is over: the scopes freeze and the winners are recorded
SELECT leaderboard.alter_board('kc', grace => '1 day');
SELECT leaderboard.close_periods('kc') AS closed;
SELECT leaderboard.close_periods('kc') AS closed_again;
SELECT closed FROM leaderboard.campaigns WHERE board = 'kc';
SELECT period, period_start, scopes FROM leaderboard.closed_periods WHERE board = 'kc';
SELECT partition, agent, score, tier FROM leaderboard.period_winners WHERE board = 'kc' ORDER BY partition::text, agent;
SELECT badge, team, agent, score FROM kc_badges ORDER BY team, agent;
CREATE TABLE kc_frozen AS SELECT team, agent, kpis::text, score, rank, tier FROM kc_standings;
CREATE VIEW kc_moved AS
  SELECT count(*) AS moved FROM (
    (SELECT team, agent, kpis::text, score, rank, tier FROM kc_standings EXCEPT SELECT * FROM kc_frozen)
    UNION ALL (SELECT * FROM kc_frozen EXCEPT SELECT team, agent, kpis::text, score, rank, tier FROM kc_standings)) x;
-- later corrections of its calls move nothing, directly or by statements; a new agent or
-- team of the window gets no row
INSERT INTO kcalls (agent, team, at, won) VALUES (1, 0, '2024-03-06 12:00+00', 50), (40, 5, '2024-03-06 12:00+00', 1);
UPDATE kcalls SET won = won + 7 WHERE agent = 2;
DELETE FROM kcalls WHERE agent = 3;
SELECT * FROM kc_moved;
SET leaderboard.direct_apply_max_groups = 0;
INSERT INTO kcalls (agent, team, at, won)
SELECT 50 + i % 5, i % 3, '2024-03-06 00:00+00'::timestamptz + i * interval '1 hour', 1 FROM generate_series(1, 50) i;
UPDATE kcalls SET won = won + 1 WHERE agent = 0;
RESET leaderboard.direct_apply_max_groups;
SELECT * FROM kc_moved;
-- verify() knows: a closed campaign is compared with nothing
SELECT count(*) AS differences FROM leaderboard.verify('kc');
-- rebuild leaves it as it closed, and its card stays the one it closed with (55000)
SELECT leaderboard.rebuild('kc') AS rebuilt_rows;
\set VERBOSITY terse
SELECT leaderboard.alter_board('kc', scorecard => '{"metrics": [{"name": "calls", "stat": "count"}]}') AS rescored;
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default
SELECT * FROM kc_moved;
-- kfloor, over the same calls, counts every correction
SELECT count(*) AS kfloor_differences FROM leaderboard.verify('kfloor');

-- a running campaign's grace runs from its end, in the board's time zone
INSERT INTO kcalls (agent, team, at, won) VALUES (1, 0, now() - interval '1 day', 1);
SELECT leaderboard.create_campaign('kr', board => 'kfloor', scorecard => '{"metrics": [{"name": "won", "stat": "sum"}]}',
  starts => now() - interval '2 days', ends => now() - interval '1 hour', grace => '2 hours') IS NOT NULL AS created;
SELECT team, agent, score FROM kr_standings;
SELECT leaderboard.close_periods('kr') AS closed;
SELECT leaderboard.alter_board('kr', grace => '30 minutes');
SELECT leaderboard.close_periods('kr') AS closed_now;
SELECT board, closed FROM leaderboard.campaigns ORDER BY board;
SELECT leaderboard.drop_board('kr');

-- a running campaign's goals pace over the working days of its window: seven local days
-- from three days ago, Mon-Fri; a count's pace is its actual scaled from the working days
-- elapsed (today included) to those of the window, checked against a day-by-day count;
-- goal_at_risk counts the same days
CREATE VIEW kp_window AS
  SELECT (now() AT TIME ZONE 'Europe/Paris')::date - 3 AS first_day, (now() AT TIME ZONE 'Europe/Paris')::date + 3 AS last_day;
SET leaderboard.report_apply = off;   -- the calls may fall in one month of kfloor or two
INSERT INTO kcalls (agent, team, at, won)
SELECT 60 + i % 2, 0, now() - i * interval '7 hours', 1 FROM generate_series(1, 9) i;
SET leaderboard.report_apply = on;
SELECT leaderboard.create_campaign('kp', board => 'kfloor', scorecard => '{"metrics": [{"name": "won", "stat": "sum"}]}',
  starts => (SELECT first_day::timestamp AT TIME ZONE 'Europe/Paris' FROM kp_window),
  ends => (SELECT (last_day + 1)::timestamp AT TIME ZONE 'Europe/Paris' FROM kp_window),
  calendar => 'Mon-Fri') IS NOT NULL AS created;
SELECT leaderboard.set_goal('kp', 'calls', 'count', 'all', 1000) IS NOT NULL AS goal_set;
SELECT g.agent, g.actual = (SELECT count(*) FROM kcalls c, kp_window w WHERE c.agent = g.agent AND NOT c.is_test
                            AND (c.at AT TIME ZONE 'Europe/Paris')::date BETWEEN w.first_day AND w.last_day) AS actual_ok,
       g.working_days_elapsed = d.elapsed AS elapsed_ok, g.working_days = d.total AS total_ok,
       g.pace = trim_scale(g.actual * d.total / d.elapsed) AS pace_ok, g.on_track
FROM kp_goals g,
     (SELECT count(*) FILTER (WHERE x <= (now() AT TIME ZONE 'Europe/Paris')::date) AS elapsed, count(*) AS total
      FROM kp_window w, generate_series(w.first_day, w.last_day, interval '1 day') x
      WHERE extract(isodow FROM x) < 6) d
ORDER BY g.agent;
SELECT leaderboard.alter_board('kp', events => '{"goal_at_risk": 0.01}');
-- a commit touching an agent's row announces it, check_goals the others
SET leaderboard.report_apply = off;   -- kfloor's scope of the call may be new or not
INSERT INTO kcalls (agent, team, at, won) VALUES (62, 0, now() - interval '1 hour', 1);
SET leaderboard.report_apply = on;
SELECT agent FROM leaderboard.events WHERE board = 'kp' AND kind = 'goal_at_risk';
SELECT leaderboard.check_goals('kp') AS at_risk_events;
SELECT e.agent, (e.new ->> 'working_days')::int = (SELECT count(*) FROM kp_window w, generate_series(w.first_day, w.last_day, interval '1 day') x
                                                   WHERE extract(isodow FROM x) < 6) AS window_days
FROM leaderboard.events e WHERE e.board = 'kp' AND e.kind = 'goal_at_risk' ORDER BY e.agent;
SELECT leaderboard.drop_board('kp');
DROP VIEW kp_window;

-- once its window is over, a campaign's goals are no longer at risk: a late call of the
-- window (its grace still runs) announces none, directly or by statements, nor does
-- check_goals
CREATE VIEW ka_end AS SELECT date_trunc('day', now() AT TIME ZONE 'Europe/Paris') AT TIME ZONE 'Europe/Paris' AS ends;
SELECT leaderboard.create_campaign('ka', board => 'kfloor', scorecard => '{"metrics": [{"name": "won", "stat": "sum"}]}',
  starts => (SELECT ends - interval '3 days' FROM ka_end), ends => (SELECT ends FROM ka_end),
  grace => '1 day') IS NOT NULL AS created;
SELECT leaderboard.set_goal('ka', 'won', 'sum', 'all', 1000) IS NOT NULL AS goal_set;
SELECT leaderboard.alter_board('ka', events => '{"goal_at_risk": 0.01}');
SET leaderboard.report_apply = off;
INSERT INTO kcalls (agent, team, at, won) SELECT 63, 0, ends - interval '2 hours', 1 FROM ka_end;
SET leaderboard.direct_apply_max_groups = 0;
INSERT INTO kcalls (agent, team, at, won) SELECT a, a % 2, ends - interval '2 hours', 1 FROM ka_end, generate_series(64, 65) a;
RESET leaderboard.direct_apply_max_groups;
SET leaderboard.report_apply = on;
SELECT leaderboard.check_goals('ka') AS at_risk_events;
SELECT count(*) AS at_risk_events FROM leaderboard.events WHERE board = 'ka';
SELECT agent, on_track, working_days_elapsed = working_days AS window_over FROM ka_goals WHERE agent BETWEEN 63 AND 65 ORDER BY agent;
SELECT leaderboard.drop_board('ka');
DROP VIEW ka_end;

-- a campaign over a timestamp column (local times of its zone) with its own source,
-- metrics and filter: the window is compared in local time
CREATE TABLE lcalls (agent int NOT NULL, at timestamp NOT NULL, won int NOT NULL);
INSERT INTO lcalls VALUES (1, '2024-03-05 00:00', 1), (2, '2024-03-04 23:59:59.999999', 1),
  (3, '2024-03-09 23:59:59.999999', 1), (4, '2024-03-10 00:00', 1), (5, '2024-03-06 12:00', 0);
SELECT leaderboard.create_campaign('lc', 'lcalls', 'agent', 'at', ARRAY['won'], '{"metrics": [{"name": "won", "stat": "sum"}]}',
  '2024-03-05 00:00+05:30', '2024-03-10 00:00+05:30', filter => 'won > 0', time_zone => 'Asia/Kolkata') IS NOT NULL AS created;
SELECT filter FROM leaderboard.boards WHERE name = 'lc';
SELECT agent, score FROM lc_standings ORDER BY agent;
UPDATE lcalls SET at = at + interval '1 microsecond' WHERE agent IN (2, 3);
SELECT agent, score FROM lc_standings ORDER BY agent;
SELECT count(*) AS differences FROM leaderboard.verify('lc');

-- drop_board takes a campaign with its window, closed period and winners
DROP VIEW kc_check, kc_moved;
SELECT leaderboard.drop_board('kc');
SELECT leaderboard.drop_board('lc');
SELECT leaderboard.drop_board('kfloor');
SELECT count(*) AS campaigns FROM leaderboard.campaigns;
SELECT count(*) AS winners FROM leaderboard.period_winners WHERE board = 'kc';
DROP TABLE kcalls, kc_frozen, lcalls;
