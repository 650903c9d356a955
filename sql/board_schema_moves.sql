-- A board's views and functions stay in the schema they were made in when its source or
-- its standings move to another one (ALTER TABLE ... SET SCHEMA): alter_board(board)
-- makes them again there (not beside the moved table, which would leave the old ones
-- reading the board as it was: a calendar or card they were made with), the top of a
-- scope from the view is still planned as a read of the score index, and drop_board drops
-- them wherever they are.
\set SHOW_CONTEXT never
CREATE SCHEMA mv_a;
CREATE SCHEMA mv_b;
CREATE TABLE mv_a.calls (agent_id int NOT NULL, team_id int NOT NULL, at timestamptz NOT NULL, won boolean NOT NULL);
-- calls of the current month in the board's time zone, whatever the day
INSERT INTO mv_a.calls SELECT 1 + i % 6, i % 2, date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' + i * interval '1 minute',
  i % 4 = 0
FROM generate_series(1, 120) i;
SELECT leaderboard.create_board(name => 'mv', source => 'mv_a.calls', agent => 'agent_id', at => 'at',
  metrics => ARRAY['won', '1 AS calls'], partition_by => ARRAY['team_id'], periods => ARRAY['month'],
  time_zone => 'UTC', calendar => 'Mon-Fri',
  scorecard => '{"metrics": [{"name": "won", "stat": "rate"}]}') IS NOT NULL AS created;
SELECT leaderboard.set_goal('mv', 'calls', 'count', 'month', 100) > 0 AS goal_set;
-- where a board's objects are
CREATE VIEW mv_objects AS
  SELECT n.nspname AS schema, c.relname AS name, c.relkind::text AS kind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname IN ('mv_a', 'mv_b') AND c.relname ~ '^mv_' AND c.relkind IN ('r', 'v')
  UNION ALL
  SELECT n.nspname, p.proname, 'f' FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
  WHERE n.nspname IN ('mv_a', 'mv_b') AND p.proname ~ '^mv_'
  ORDER BY 1, 2;
-- the top of team 1 from the view, as the planner hook reads it, against rank() over the
-- calls (read through a view, which follows the table wherever it moves)
CREATE VIEW mv_calls AS SELECT * FROM mv_a.calls;
CREATE FUNCTION mv_top_differences() RETURNS bigint LANGUAGE sql AS $$
  SELECT count(*) FROM (
    (SELECT rank, agent_id FROM mv_a.mv_current WHERE period = 'month' AND team_id = 1 ORDER BY rank, agent_id LIMIT 3)
    EXCEPT
    (SELECT rank() OVER (ORDER BY avg(won::int) DESC), agent_id FROM mv_calls WHERE team_id = 1 GROUP BY agent_id
     ORDER BY 1, 2 LIMIT 3)) x
$$;
SELECT * FROM mv_objects;

-- the source moves: alter_board makes the views again where they are, with the new calendar
ALTER TABLE mv_a.calls SET SCHEMA mv_b;
SELECT leaderboard.alter_board('mv', calendar => 'Mon-Sun');
SELECT * FROM mv_objects;
SELECT working_days = (SELECT count(*) FROM generate_series(date_trunc('month', now() AT TIME ZONE 'UTC'),
                                                            date_trunc('month', now() AT TIME ZONE 'UTC') + interval '1 month - 1 day',
                                                            interval '1 day'))
  AS every_day_works
FROM mv_a.mv_goals WHERE agent_id = 1;
INSERT INTO mv_b.calls VALUES (1, 1, now(), true), (3, 1, now(), true);
EXPLAIN (COSTS OFF) SELECT rank, agent_id FROM mv_a.mv_current WHERE period = 'month' AND team_id = 1 ORDER BY rank LIMIT 3;
SELECT mv_top_differences() AS differences, (SELECT count(*) FROM leaderboard.verify('mv')) AS verify_differences;

-- the standings move as well: the views stay where they are
ALTER TABLE mv_a.mv_standings SET SCHEMA mv_b;
SELECT leaderboard.alter_board('mv');
SELECT * FROM mv_objects;
INSERT INTO mv_b.calls VALUES (2, 1, now(), true);
EXPLAIN (COSTS OFF) SELECT rank, agent_id FROM mv_a.mv_current WHERE period = 'month' AND team_id = 1 ORDER BY rank LIMIT 3;
SELECT mv_top_differences() AS differences, (SELECT count(*) FROM leaderboard.verify('mv')) AS verify_differences;
SELECT rank, agent_id FROM mv_a.mv_top(team_id => 1, n => 2) ORDER BY rank, agent_id;

-- another role's view of the name reading the standings is not the board's, even with the
-- board's own gone: alter_board makes the board's again where its other views are
CREATE ROLE mv_other;
CREATE SCHEMA aaa AUTHORIZATION mv_other;
GRANT USAGE ON SCHEMA mv_b TO mv_other;
SET ROLE mv_other;
CREATE VIEW aaa.mv_current AS SELECT agent_id FROM mv_b.mv_standings;
RESET ROLE;
DROP VIEW mv_a.mv_current;
SELECT leaderboard._board_schema(b) FROM leaderboard.boards b WHERE name = 'mv';
SELECT leaderboard.alter_board('mv');
SELECT * FROM mv_objects WHERE name = 'mv_current';
DROP SCHEMA aaa CASCADE;
REVOKE USAGE ON SCHEMA mv_b FROM mv_other;
DROP ROLE mv_other;

-- and drop_board drops them all
DROP VIEW mv_objects;
SELECT leaderboard.drop_board('mv');
SELECT count(*) AS left_behind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname IN ('mv_a', 'mv_b') AND c.relname ~ '^mv_';
DROP FUNCTION mv_top_differences();
DROP VIEW mv_calls;
DROP SCHEMA mv_a, mv_b CASCADE;
