-- Closing periods: close_periods() closes every period that ended more than the board's
-- grace ago (in the board's time zone; 'all' never closes), records it and its winners
-- (the rows ranked 1 in each scope, ties included), and freezes it: later INSERT, UPDATE
-- and DELETE of its calls, by the direct apply, the statements or a large batch, rebuild()
-- and alter_board() leave its standings as they closed; verify() compares open scopes only.
-- Retention deletes closed day rows older than it. The calls are in 2024: every month
-- and day of theirs has ended.
SET leaderboard.report_apply = on;
CREATE TABLE ccalls (call_id serial PRIMARY KEY, agent text NOT NULL, team int, at timestamptz NOT NULL, won int NOT NULL);
INSERT INTO ccalls (agent, team, at, won)
SELECT 'a' || (i % 4), i % 2, '2024-03-01 10:00+00'::timestamptz + (i % 40) * interval '1 day', (i % 3 = 0)::int
FROM generate_series(1, 160) i;
-- two agents tied at the top of team 1 in April: 3 wins each, nobody else wins there
INSERT INTO ccalls (agent, team, at, won) VALUES ('t1', 1, '2024-04-20 10:00+00', 9), ('t2', 1, '2024-04-21 10:00+00', 9);
SELECT leaderboard.create_board(name => 'cb', source => 'ccalls', agent => 'agent', at => 'at',
  metrics => ARRAY['won'], scorecard => '{"metrics": [{"name": "won", "stat": "sum"}], "scale": 1}',
  periods => ARRAY['day', 'month', 'all'], partition_by => ARRAY['team'], time_zone => 'Europe/Paris') IS NOT NULL AS created;
SELECT grace, retention, closed_before FROM leaderboard.boards WHERE name = 'cb';

-- errors
SELECT leaderboard.create_board(name => 'cbx', source => 'ccalls', agent => 'agent', at => 'at',
  metrics => ARRAY['won'], scorecard => '{"metrics": [{"name": "won", "stat": "sum"}]}', grace => '-1 hour');
SELECT leaderboard.create_board(name => 'cbx', source => 'ccalls', agent => 'agent', at => 'at',
  metrics => ARRAY['won'], scorecard => '{"metrics": [{"name": "won", "stat": "sum"}]}', retention => '0 days');
SELECT leaderboard.alter_board('cb', retention => '1 day', drop_retention => true);
SELECT leaderboard.alter_board('cb', grace => '-1 day');
SELECT leaderboard.close_periods('nope');
SELECT leaderboard._catalog_close('cb', '1 day', NULL, '{"all": "2024-01-01"}', NULL, NULL);
SELECT leaderboard._catalog_close('cb', '1 day', NULL, '{}', ARRAY[ROW('cb', 'month', '2024-03-01', 1, now())::leaderboard.closed_periods], NULL);
SELECT leaderboard.alter_board('cb', grace => '2 days', retention => '400 days');
SELECT grace, retention FROM leaderboard.boards WHERE name = 'cb';
SELECT leaderboard.alter_board('cb', drop_retention => true, grace => '1 day');
SELECT grace, retention FROM leaderboard.boards WHERE name = 'cb';

-- a grace longer than the time since 2024 closes nothing
SELECT leaderboard.alter_board('cb', grace => '100 years');
SELECT leaderboard.close_periods('cb') AS closed;
SELECT count(*) FROM leaderboard.closed_periods WHERE board = 'cb';
SELECT leaderboard.alter_board('cb', grace => '1 day');

-- the winners, worked out before the close: rank() over each scope's qualified rows
CREATE TABLE expected_winners AS
  SELECT period, period_start, jsonb_build_object('team', team) AS partition, agent, score
  FROM (SELECT s.*, rank() OVER (PARTITION BY period, period_start, team ORDER BY score DESC) AS r
        FROM cb_standings s WHERE qualified AND period <> 'all') x WHERE r = 1;
CREATE TABLE closed_rows AS SELECT * FROM cb_standings WHERE period <> 'all';
SELECT count(DISTINCT (period, period_start, team)) AS scopes_to_close FROM closed_rows;
SELECT leaderboard.close_periods('cb') AS closed;
-- idempotent
SELECT leaderboard.close_periods('cb') AS closed_again;
SELECT period, count(*) AS periods, sum(scopes) AS scopes FROM leaderboard.closed_periods WHERE board = 'cb' GROUP BY 1 ORDER BY 1;
SELECT closed_before ? 'day' AND closed_before ? 'month' AND NOT closed_before ? 'all' AS all_but_all
FROM leaderboard.boards WHERE name = 'cb';
-- the winners are the rows ranked 1, ties included
SELECT (SELECT count(*) FROM (SELECT period, period_start, partition, agent, score FROM leaderboard.period_winners WHERE board = 'cb'
        EXCEPT SELECT * FROM expected_winners) x) AS unexpected,
       (SELECT count(*) FROM (SELECT * FROM expected_winners
        EXCEPT SELECT period, period_start, partition, agent, score FROM leaderboard.period_winners WHERE board = 'cb') x) AS missing;
SELECT agent, score FROM leaderboard.period_winners
WHERE board = 'cb' AND period = 'month' AND period_start = '2024-04-01' AND partition = '{"team": 1}' ORDER BY agent;

-- the frozen rows (those of 2024): what closed_rows holds, and the open 'all' scope from scratch
CREATE VIEW closed_changes AS
  SELECT count(*) AS changed FROM (
    (SELECT period, period_start, team, agent, kpis::text, score, rank, tier FROM cb_standings
     WHERE period <> 'all' AND period_start < '2025-01-01'
     EXCEPT SELECT period, period_start, team, agent, kpis::text, score, rank, tier FROM closed_rows)
    UNION ALL
    (SELECT period, period_start, team, agent, kpis::text, score, rank, tier FROM closed_rows
     EXCEPT SELECT period, period_start, team, agent, kpis::text, score, rank, tier FROM cb_standings
     WHERE period <> 'all' AND period_start < '2025-01-01')) x;
CREATE VIEW all_check AS
  SELECT count(*) AS wrong FROM (
    SELECT team, agent, sum(won) AS score FROM ccalls GROUP BY 1, 2
    EXCEPT SELECT team, agent, score FROM cb_standings WHERE period = 'all') x;

-- direct apply: an INSERT, an UPDATE and a DELETE of old calls
INSERT INTO ccalls (agent, team, at, won) VALUES ('a1', 0, '2024-03-05 12:00+00', 50);
UPDATE ccalls SET won = won + 7 WHERE call_id = 3;
DELETE FROM ccalls WHERE call_id = 4;
-- a new team and a new agent in a closed month get no row there
INSERT INTO ccalls (agent, team, at, won) VALUES ('new', 9, '2024-03-06 12:00+00', 1);
SELECT * FROM closed_changes;
SELECT * FROM all_check;
SELECT count(*) AS closed_rows_of_new FROM cb_standings WHERE agent = 'new' AND period <> 'all';
-- a large batch (more groups than leaderboard.direct_apply_max_groups) into closed periods
SET leaderboard.direct_apply_max_groups = 10;
INSERT INTO ccalls (agent, team, at, won)
SELECT 'b' || i, i % 3, '2024-03-10 12:00+00'::timestamptz + (i % 20) * interval '1 day', 1 FROM generate_series(1, 1500) i;
UPDATE ccalls SET won = won + 1 WHERE agent LIKE 'a%';
RESET leaderboard.direct_apply_max_groups;
SELECT * FROM closed_changes;
SELECT * FROM all_check;
SELECT * FROM leaderboard.verify('cb');
-- a period that ends later opens as usual, and closes in its turn
INSERT INTO ccalls (agent, team, at, won) VALUES ('a1', 0, now(), 1);
SELECT count(*) AS open_rows FROM cb_current WHERE agent = 'a1';
-- rebuild and alter_board leave closed scopes as they are
SELECT leaderboard.rebuild('cb') > 0 AS rebuilt;
SELECT * FROM closed_changes;
SELECT leaderboard.alter_board('cb', scorecard => '{"metrics": [{"name": "won", "stat": "sum"}], "scale": 2}') > 0 AS rescored;
SELECT * FROM closed_changes;
SELECT * FROM leaderboard.verify('cb');
-- TRUNCATE rebuilds at commit: closed scopes stay
TRUNCATE ccalls;
SELECT * FROM closed_changes;
SELECT count(*) AS all_rows FROM cb_standings WHERE period = 'all';

-- retention: closed day rows older than it go, with their scopes; months and winners stay
SELECT leaderboard.alter_board('cb', retention => '30 days');
SELECT leaderboard.close_periods('cb') AS closed;
SELECT period, count(*) FROM cb_standings GROUP BY 1 ORDER BY 1;
SELECT count(*) AS day_scopes FROM cb_scopes WHERE period = 'day';
SELECT count(*) > 0 AS day_winners_kept FROM leaderboard.period_winners WHERE board = 'cb' AND period = 'day';
-- a late call for a deleted day does not bring it back
INSERT INTO ccalls (agent, team, at, won) VALUES ('a1', 0, '2024-03-05 12:00+00', 1);
SELECT count(*) AS day_rows FROM cb_standings WHERE period = 'day';

-- drop_board takes its closed periods and winners with it
DROP VIEW closed_changes, all_check;
SELECT leaderboard.drop_board('cb');
SELECT count(*) FROM leaderboard.closed_periods WHERE board = 'cb';
SELECT count(*) FROM leaderboard.period_winners WHERE board = 'cb';

-- calls written before close_periods in its own transaction count in what it freezes:
-- it applies them first (they would come too late at commit); a late call of another
-- transaction after the close still changes nothing
CREATE TABLE cs_calls (agent int NOT NULL, at date NOT NULL, won int NOT NULL);
INSERT INTO cs_calls SELECT a, '2024-03-05', a FROM generate_series(1, 3) a;
SELECT leaderboard.create_board(name => 'cs', source => 'cs_calls', agent => 'agent', at => 'at', metrics => ARRAY['won'],
  scorecard => '{"metrics": [{"name": "won", "stat": "sum"}], "scale": 1}', periods => ARRAY['month'],
  time_zone => 'UTC') IS NOT NULL AS created;
BEGIN;
INSERT INTO cs_calls SELECT 1, '2024-03-20', 1 FROM generate_series(1, 5);
SELECT leaderboard.close_periods('cs') AS closed;
COMMIT;
INSERT INTO cs_calls VALUES (3, '2024-03-21', 10);
SELECT agent, score, rank, leaderboard.rows(kpis) AS rows FROM cs_standings ORDER BY agent;
SELECT agent, score FROM leaderboard.period_winners WHERE board = 'cs';
SELECT leaderboard.drop_board('cs');
DROP TABLE cs_calls;

-- A period closes once its grace has passed since its end: the grace's hours as time
-- elapsed, its days and months on the board's calendar, so a grace of hours is that many
-- hours across a DST change. Europe/Paris moved its clocks forward on 2027-03-28 at
-- 01:00 UTC and back on 2026-10-25 at 01:00 UTC. (_closed_before is the close time, at
-- any time given.)
CREATE TABLE dst_calls (agent int NOT NULL, at timestamptz NOT NULL, won int NOT NULL);
SELECT leaderboard.create_board(name => 'dst', source => 'dst_calls', agent => 'agent', at => 'at', metrics => ARRAY['won'],
  scorecard => '{"metrics": [{"name": "won", "stat": "sum"}], "scale": 1}', periods => ARRAY['day', 'week', 'month'],
  time_zone => 'Europe/Paris', grace => '3 hours') IS NOT NULL AS created;
-- day 2027-03-27 ends at 2027-03-27 23:00 UTC (midnight in Paris): 3 hours later is 02:00
-- UTC, though Paris clocks show 04:00 by then
SELECT t AT TIME ZONE 'UTC' AS utc, leaderboard._closed_before(b, t) ->> 'day' AS day_closed_before
FROM leaderboard.boards b, unnest(ARRAY['2027-03-28 01:59:59+00', '2027-03-28 02:00+00',
  '2026-10-26 01:59:59+00', '2026-10-26 02:00+00']::timestamptz[]) t
WHERE b.name = 'dst' ORDER BY t;
-- a grace of '1 day' ends at the next midnight in Paris: 23 hours later in spring, 25 in autumn
SELECT leaderboard.alter_board('dst', grace => '1 day');
SELECT t AT TIME ZONE 'UTC' AS utc, leaderboard._closed_before(b, t) ->> 'day' AS day_closed_before
FROM leaderboard.boards b, unnest(ARRAY['2027-03-28 21:59:59+00', '2027-03-28 22:00+00',
  '2026-10-25 22:59:59+00', '2026-10-25 23:00+00']::timestamptz[]) t
WHERE b.name = 'dst' ORDER BY t;
-- a grace of '1 month' from each end, as PostgreSQL adds months: day 2027-02-26 (ending
-- February 27) closes on March 27 in Paris, day 2027-02-28 (ending March 1) on April 1
SELECT leaderboard.alter_board('dst', grace => '1 month');
SELECT t AT TIME ZONE 'UTC' AS utc, leaderboard._closed_before(b, t) AS closed_before
FROM leaderboard.boards b, unnest(ARRAY['2027-03-26 22:59:59+00', '2027-03-26 23:00+00',
  '2027-03-31 21:59:59+00', '2027-03-31 22:00+00']::timestamptz[]) t
WHERE b.name = 'dst' ORDER BY t;
SELECT leaderboard.drop_board('dst');
DROP TABLE dst_calls;
-- a campaign ending at 01:30 in Paris on 2027-03-28 (00:30 UTC, before the clocks moved)
-- with a grace of an hour closes at 01:30 UTC
CREATE TABLE spring_calls (agent int NOT NULL, at timestamptz NOT NULL, won int NOT NULL);
SELECT leaderboard.create_campaign(name => 'spring', source => 'spring_calls', agent => 'agent', at => 'at',
  metrics => ARRAY['won'], scorecard => '{"metrics": [{"name": "won", "stat": "sum"}], "scale": 1}',
  starts => '2027-03-27 00:00 Europe/Paris', ends => '2027-03-28 01:30 Europe/Paris', grace => '1 hour',
  time_zone => 'Europe/Paris') IS NOT NULL AS created;
SELECT t AT TIME ZONE 'UTC' AS utc, leaderboard._closed_before(b, t) AS closed_before
FROM leaderboard.boards b, unnest(ARRAY['2027-03-28 01:05+00', '2027-03-28 01:29:59+00', '2027-03-28 01:30+00']::timestamptz[]) t
WHERE b.name = 'spring' ORDER BY t;
SELECT leaderboard.drop_board('spring');
DROP TABLE spring_calls;

-- close_periods inside a statement that writes is refused (55000): the calls a
-- data-modifying WITH writes reach the board only when the statement ends, after the
-- close, and its frozen periods would leave them out; in a statement of its own after
-- them, they count
CREATE TABLE cw_calls (agent int NOT NULL, at timestamptz NOT NULL, won int NOT NULL);
INSERT INTO cw_calls SELECT i % 3, '2024-11-05 12:00+00', 1 FROM generate_series(1, 9) i;
SELECT leaderboard.create_board(name => 'cw', source => 'cw_calls', agent => 'agent', at => 'at', metrics => ARRAY['won'],
  scorecard => '{"metrics": [{"name": "won", "stat": "sum"}], "scale": 1}', periods => ARRAY['day'],
  time_zone => 'UTC') IS NOT NULL AS created;
\set VERBOSITY terse
WITH late AS (INSERT INTO cw_calls VALUES (1, '2024-11-05 13:00+00', 10) RETURNING 1)
SELECT leaderboard.close_periods('cw') FROM late;
INSERT INTO cw_calls SELECT 1, '2024-11-05 13:00+00', 10 WHERE leaderboard.close_periods('cw') >= 0;
\set VERBOSITY default
BEGIN;
INSERT INTO cw_calls VALUES (1, '2024-11-05 13:00+00', 10);
SELECT leaderboard.close_periods('cw') AS closed;
COMMIT;
SELECT agent, score, rank FROM cw_standings ORDER BY agent;
SELECT agent, score FROM leaderboard.period_winners WHERE board = 'cw';
SELECT leaderboard.drop_board('cw');
DROP TABLE cw_calls;
