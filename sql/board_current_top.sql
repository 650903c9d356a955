-- <board>_current WHERE period = ... AND <partition columns> = ... ORDER BY rank LIMIT n is
-- planned as a read of one scope from the score index (leaderboard.top_n_plan): compared
-- here, for every scope of every period kind and n from 0 to 9, with the same query
-- planned as before (the setting off), on boards of each rank style, with tied scores,
-- unqualified agents (which ORDER BY rank puts last), a NULL team, and a scope too large
-- to store its ranks; then the query shapes it is made for and those it is not, generic
-- plans with parameters, and privileges.
LOAD 'leaderboard';
CREATE TABLE qcalls (agent_id int NOT NULL, team_id int, at timestamptz NOT NULL, won int NOT NULL, fast int NOT NULL);
INSERT INTO qcalls
SELECT 1 + i % 23, CASE WHEN i % 23 < 3 THEN NULL ELSE (i % 23) % 3 END, now(),
       (i * 7) % 4, i % 5
FROM generate_series(1, 400) i;

CREATE FUNCTION qboard(name text, style text, tie_break text[], partition_by text[]) RETURNS boolean
LANGUAGE sql AS $$
  SELECT leaderboard.create_board(name => name, source => 'qcalls', agent => 'agent_id', at => 'at',
    metrics => ARRAY['won', 'fast'], periods => ARRAY['day', 'month', 'all'], partition_by => partition_by,
    scorecard => '{"metrics": [{"name": "won", "stat": "sum", "weight": 1}, {"name": "fast", "stat": "sum", "weight": 0}],
                   "scale": 1, "min_rows": 18}',
    rank_style => style, tie_break => tie_break, time_zone => 'UTC') IS NOT NULL
$$;
SELECT qboard('qr', 'rank', '{}', ARRAY['team_id']) AS rank_board,
       qboard('qd', 'dense_rank', '{}', ARRAY['team_id']) AS dense_board,
       qboard('qn', 'row_number', ARRAY['fast'], ARRAY['team_id']) AS row_number_board,
       qboard('qf', 'rank', '{}', '{}') AS floor_board;
SELECT count(*) FILTER (WHERE NOT qualified) > 0 AS some_unqualified,
       count(*) FILTER (WHERE qualified) > count(DISTINCT (scope_id, score)) FILTER (WHERE qualified) AS some_ties,
       count(*) FILTER (WHERE team_id IS NULL) > 0 AS a_null_team
FROM qr_standings;

-- A query run as its own statement (the planner sees it at the top), with whether its plan
-- reads the scope through leaderboard._current_top.
CREATE FUNCTION run_top_query(query text, OUT planned boolean, OUT rows text[]) LANGUAGE plpgsql AS $$
DECLARE
  line text;
  r record;
BEGIN
  planned := false;
  FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || query LOOP
    planned := planned OR line LIKE '%Function Scan on _current_top%';
  END LOOP;
  rows := '{}';
  FOR r IN EXECUTE query LOOP
    rows := rows || format('%s %s %s %s %s %s %s %s', r.period, r.period_start, r.agent_id, r.rank, r.score,
                           r.qualified, r.tier, r.kpis);
  END LOOP;
END $$;

-- Whether a query's plan reads through leaderboard._current_top (only its plan is made).
CREATE FUNCTION plans_top_read(query text) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
  line text;
BEGIN
  FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || query LOOP
    IF line LIKE '%Function Scan on _current_top%' THEN
      RETURN true;
    END IF;
  END LOOP;
  RETURN false;
END $$;

-- Each scope and n, planned both ways. Rows tied at the cut (in rank, or unranked) may
-- differ in which of them a LIMIT keeps: those are compared by their ranks and count,
-- the others row for row, in order.
CREATE FUNCTION top_query_differences(board text) RETURNS TABLE (planned bigint, not_planned bigint, differing bigint, rows bigint)
LANGUAGE plpgsql AS $$
DECLARE
  s record;
  n integer;
  q text;
  fast record;
  slow record;
BEGIN
  planned := 0; not_planned := 0; differing := 0; rows := 0;
  FOR s IN EXECUTE format('SELECT DISTINCT period, %s AS team_id FROM %I',
                          CASE WHEN board = 'qf' THEN 'NULL::int' ELSE 'team_id' END, board || '_standings') LOOP
    FOR n IN 0 .. 9 LOOP
      q := format('SELECT * FROM %I WHERE period = %L%s ORDER BY rank LIMIT %s', board || '_current', s.period,
                  CASE WHEN board = 'qf' THEN ''
                       WHEN s.team_id IS NULL THEN ' AND team_id IS NULL'
                       ELSE format(' AND team_id = %s', s.team_id) END, n);
      SET LOCAL leaderboard.top_n_plan = on;
      fast := run_top_query(q);
      SET LOCAL leaderboard.top_n_plan = off;
      slow := run_top_query(q);
      planned := planned + fast.planned::int;
      not_planned := not_planned + slow.planned::int;
      rows := rows + cardinality(fast.rows);
      -- the same row for row, or only where a cut splits a tie
      IF fast.rows IS DISTINCT FROM slow.rows AND (
           cardinality(fast.rows) <> cardinality(slow.rows)
           OR (SELECT array_agg(split_part(x, ' ', 4) ORDER BY o) FROM unnest(fast.rows) WITH ORDINALITY u(x, o))
              IS DISTINCT FROM (SELECT array_agg(split_part(x, ' ', 4) ORDER BY o) FROM unnest(slow.rows) WITH ORDINALITY u(x, o))
           OR EXISTS (SELECT FROM unnest(fast.rows) x WHERE x NOT IN (
                 SELECT y FROM unnest(slow.rows) y UNION ALL
                 SELECT y FROM run_top_query(format('SELECT * FROM %I WHERE period = %L%s', board || '_current', s.period,
                   CASE WHEN board = 'qf' THEN '' WHEN s.team_id IS NULL THEN ' AND team_id IS NULL'
                        ELSE format(' AND team_id = %s', s.team_id) END)) a, unnest(a.rows) y))) THEN
        differing := differing + 1;
      END IF;
    END LOOP;
  END LOOP;
  RETURN NEXT;
END $$;
SELECT 'qr' AS board, * FROM top_query_differences('qr')
UNION ALL SELECT 'qd', * FROM top_query_differences('qd')
UNION ALL SELECT 'qn', * FROM top_query_differences('qn')
UNION ALL SELECT 'qf', * FROM top_query_differences('qf');

-- The ranked rows come first, in rank order, then the unqualified ones (no rank), as
-- ORDER BY rank puts them: a team of 6 agents, 2 of them qualified, asked for 5 rows
SELECT team_id, count(*) FILTER (WHERE qualified) AS qualified, count(*) AS agents
FROM qr_standings WHERE period = 'all' AND team_id = 2 GROUP BY team_id;
SELECT planned, array_length(rows, 1) AS rows FROM run_top_query(
  'SELECT * FROM qr_current WHERE period = ''all'' AND team_id = 2 ORDER BY rank LIMIT 5');
SELECT rank, qualified FROM qr_current WHERE period = 'all' AND team_id = 2 ORDER BY rank LIMIT 5;

-- a scope too large to store its ranks: ranks counted while reading, as the view's window
SET leaderboard.stored_rank_limit = 3;
INSERT INTO qcalls VALUES (23, 1, now(), 0, 1);
RESET leaderboard.stored_rank_limit;
SELECT period, ranks_stored FROM qf_scopes ORDER BY period;
SELECT 'qf' AS board, * FROM top_query_differences('qf');
SELECT rank, agent_id, score FROM qf_current WHERE period = 'all' ORDER BY rank LIMIT 4;

-- the plan: the function's rows in rank order under the query's own WHERE and LIMIT,
-- with nothing sorted
EXPLAIN (COSTS OFF) SELECT rank, agent_id, score FROM qr_current WHERE period = 'day' AND team_id = 1 ORDER BY rank LIMIT 3;
EXPLAIN (COSTS OFF) SELECT rank, agent_id FROM qf_current c WHERE 'month' = c.period ORDER BY c.rank LIMIT 10;

-- the function returns the columns the query reads: all of them for a whole-row
-- reference, and under the query's own names for an alias with column names
SELECT plans_top_read('SELECT (c).rank, (c).agent_id FROM qr_current c WHERE period = ''all'' AND team_id = 1 ORDER BY rank LIMIT 2') AS whole_row_planned;
SELECT (c).rank, (c).agent_id, (c).qualified FROM qr_current c WHERE period = 'all' AND team_id = 1 ORDER BY rank LIMIT 2;
SELECT plans_top_read('SELECT x.r FROM qr_current AS x(p, ps, t, a, k, sc, q, r) WHERE x.p = ''all'' AND x.t = 1 ORDER BY x.r LIMIT 2') AS aliased_planned;
SELECT x.r, x.a FROM qr_current AS x(p, ps, t, a, k, sc, q, r) WHERE x.p = 'all' AND x.t = 1 ORDER BY x.r LIMIT 2;
EXPLAIN (COSTS OFF, VERBOSE) SELECT agent_id FROM qr_current WHERE team_id = 1 AND period = 'all' ORDER BY rank LIMIT 2;

-- Shapes it is not made for keep the plan they had (and their rows): another condition,
-- a missing partition column, an offset, another order, a join, a subquery, a cast column,
-- an equality in another collation than the column's
SELECT q AS query, (run_top_query(q)).planned FROM unnest(ARRAY[
  'SELECT * FROM qr_current WHERE period = ''day'' AND team_id = 1 AND score > 0 ORDER BY rank LIMIT 3',
  'SELECT * FROM qr_current WHERE period = ''day'' ORDER BY rank LIMIT 3',
  'SELECT * FROM qr_current WHERE period = ''day'' AND team_id = 1 ORDER BY rank LIMIT 3 OFFSET 1',
  'SELECT * FROM qr_current WHERE period = ''day'' AND team_id = 1 ORDER BY rank DESC LIMIT 3',
  'SELECT * FROM qr_current WHERE period = ''day'' AND team_id = 1 ORDER BY rank NULLS FIRST LIMIT 3',
  'SELECT * FROM qr_current WHERE period = ''day'' AND team_id = 1 ORDER BY score DESC LIMIT 3',
  'SELECT * FROM qr_current WHERE period = ''day'' AND team_id = 1 ORDER BY rank',
  'SELECT * FROM qr_current WHERE period = ''day'' AND team_id = 1 OR team_id = 2 ORDER BY rank LIMIT 3',
  'SELECT * FROM qr_current WHERE period = ''day'' AND team_id::bigint = 1 ORDER BY rank LIMIT 3',
  'SELECT * FROM qr_current WHERE period = ''day'' COLLATE "C" AND team_id = 1 ORDER BY rank LIMIT 3',
  'SELECT * FROM qr_current WHERE period = ''day'' AND team_id = 1 ORDER BY rank FETCH FIRST 3 ROWS WITH TIES',
  'SELECT * FROM qr_current WHERE period = ''day'' AND team_id = 1 ORDER BY rank LIMIT (random() * 3)::int',
  'SELECT c.* FROM qr_current c JOIN qcalls k ON k.agent_id = c.agent_id WHERE period = ''day'' AND c.team_id = 1 ORDER BY rank LIMIT 3',
  'SELECT * FROM (SELECT * FROM qr_current WHERE period = ''day'' AND team_id = 1 ORDER BY rank LIMIT 3) x'
]) q;
-- and the same with the setting off: none of them
SET leaderboard.top_n_plan = off;
SELECT (run_top_query('SELECT * FROM qr_current WHERE period = ''day'' AND team_id = 1 ORDER BY rank LIMIT 3')).planned;
RESET leaderboard.top_n_plan;

-- Values the view gives no rows for give none: a period kind the board has not, one that
-- is none, a team without rows, a NULL team compared with =
SELECT q AS query, cardinality((run_top_query(q)).rows) AS rows, (run_top_query(q)).planned FROM unnest(ARRAY[
  'SELECT * FROM qr_current WHERE period = ''week'' AND team_id = 1 ORDER BY rank LIMIT 3',
  'SELECT * FROM qr_current WHERE period = ''fortnight'' AND team_id = 1 ORDER BY rank LIMIT 3',
  'SELECT * FROM qr_current WHERE period = ''day'' AND team_id = 7 ORDER BY rank LIMIT 3',
  'SELECT * FROM qr_current WHERE period = ''day'' AND team_id = NULL ORDER BY rank LIMIT 3',
  'SELECT * FROM qr_current WHERE period = ''day'' AND team_id = 1 ORDER BY rank LIMIT 0',
  'SELECT * FROM qr_current WHERE period = ''day'' AND team_id = 1 ORDER BY rank LIMIT ALL'
]) q;

-- Parameters, in a generic plan: made once, right for each value, NULL ones included
SET plan_cache_mode = force_generic_plan;
PREPARE top_of(text, int, bigint) AS
  SELECT rank, agent_id, qualified FROM qr_current WHERE period = $1 AND team_id = $2 ORDER BY rank LIMIT $3;
EXPLAIN (COSTS OFF) EXECUTE top_of('all', 1, 3);
EXECUTE top_of('all', 1, 3);
EXECUTE top_of('all', 1, 1);
EXECUTE top_of('all', NULL, 3);
EXECUTE top_of(NULL, 1, 3);
SELECT count(*) = (SELECT count(*) FROM qr_current WHERE period = 'all' AND team_id = 1) AS limit_null_reads_all
FROM (SELECT 1 FROM qr_current WHERE period = 'all' AND team_id = 1 ORDER BY rank LIMIT NULL) x;
DEALLOCATE top_of;
PREPARE all_of(text, bigint) AS SELECT rank, agent_id FROM qr_current WHERE period = $1 AND team_id = 1 ORDER BY rank LIMIT $2;
SELECT count(*) FROM qr_current WHERE period = 'all' AND team_id = 1;
CREATE TEMP TABLE all_rows AS EXECUTE all_of('all', NULL);
SELECT count(*) AS limit_null_rows FROM all_rows;
DEALLOCATE all_of;
RESET plan_cache_mode;

-- A backend whose first read of a board's view loads the library (the view calls it): a
-- prepared statement without parameters, whose one plan was made before the library was
-- there, is planned again with it
\c
PREPARE floor_top3 AS SELECT rank FROM qf_current WHERE period = 'all' ORDER BY rank LIMIT 3;
EXECUTE floor_top3;
EXPLAIN (COSTS OFF) EXECUTE floor_top3;
EXECUTE floor_top3;
DEALLOCATE floor_top3;

-- A scope is read by the id the backend found it by before; rebuild gives it a new one
-- (deleting its rows under the old), and the next read finds it again
SELECT scope_id AS old_scope FROM qr_scopes WHERE period = 'all' AND team_id = 1 \gset
SELECT rank, agent_id FROM qr_current WHERE period = 'all' AND team_id = 1 ORDER BY rank LIMIT 3;
SELECT leaderboard.rebuild('qr') > 0 AS rebuilt;
SELECT scope_id <> :old_scope AS new_scope_id FROM qr_scopes WHERE period = 'all' AND team_id = 1;
SELECT rank, agent_id FROM qr_current WHERE period = 'all' AND team_id = 1 ORDER BY rank LIMIT 3;
SELECT 'qr' AS board, * FROM top_query_differences('qr');

-- A view that is no longer the board's own (its owner replaced it) is planned as a view
CREATE TABLE qocalls (agent_id int NOT NULL, at timestamptz NOT NULL, won int NOT NULL);
INSERT INTO qocalls SELECT i % 4, now(), i % 2 FROM generate_series(1, 20) i;
SELECT leaderboard.create_board(name => 'qo', source => 'qocalls', agent => 'agent_id', at => 'at',
  metrics => ARRAY['won'], periods => ARRAY['all'], time_zone => 'UTC',
  scorecard => '{"metrics": [{"name": "won", "stat": "sum", "weight": 1}], "scale": 1}') IS NOT NULL AS created;
SELECT (run_top_query('SELECT * FROM qo_current WHERE period = ''all'' ORDER BY rank LIMIT 2')).planned AS board_view;
CREATE OR REPLACE VIEW qo_current AS
  SELECT period, period_start, agent_id, kpis, score, qualified, rank, tier, updated_at FROM qo_standings WHERE rank > 1;
SELECT (run_top_query('SELECT * FROM qo_current WHERE period = ''all'' ORDER BY rank LIMIT 2')).planned AS replaced_view,
       cardinality((run_top_query('SELECT * FROM qo_current WHERE period = ''all'' ORDER BY rank LIMIT 2')).rows) AS rows;
-- alter_board makes the board's view again
SELECT leaderboard.alter_board('qo') AS rescored;
SELECT (run_top_query('SELECT * FROM qo_current WHERE period = ''all'' ORDER BY rank LIMIT 2')).planned AS made_again;
-- a replacement that reads the same tables in the same shape, but other rows, is not the
-- board's view either: the view's query is compared with the one the board makes
DO $$
DECLARE
  q text := (SELECT leaderboard._current_view_sql(b) FROM leaderboard.boards b WHERE b.name = 'qo');
BEGIN
  EXECUTE 'CREATE OR REPLACE VIEW qo_current AS '
    || replace(q, 'WHERE s.scope_id = sc.scope_id)', 'WHERE s.scope_id = sc.scope_id AND s.rank > 1)');
END $$;
SELECT (run_top_query('SELECT * FROM qo_current WHERE period = ''all'' ORDER BY rank LIMIT 2')).planned AS same_shape_other_rows,
       (SELECT min(rank) FROM qo_current) AS best_rank_shown;
SELECT leaderboard.drop_board('qo');

-- Privileges, as the view's: a reader with SELECT on the view gets the read, of the tables
-- as the view reads them (as its owner); one without SELECT on the view gets 42501.
CREATE ROLE top_wall;
CREATE ROLE top_app;
GRANT SELECT ON qr_current TO top_wall, top_app;
GRANT SELECT ON qr_standings, qr_scopes TO top_app;
SET ROLE top_wall;
SELECT planned, cardinality(rows) AS rows FROM run_top_query('SELECT * FROM qr_current WHERE period = ''all'' AND team_id = 1 ORDER BY rank LIMIT 3');
SET ROLE top_app;
SELECT planned, cardinality(rows) AS rows FROM run_top_query('SELECT * FROM qr_current WHERE period = ''all'' AND team_id = 1 ORDER BY rank LIMIT 3');
RESET ROLE;
-- a role granted some columns of the view gets the view's plan (the read returns them all)
CREATE ROLE top_columns;
GRANT SELECT (period, team_id, rank, agent_id) ON qr_current TO top_columns;
SET ROLE top_columns;
SELECT plans_top_read('SELECT rank, agent_id FROM qr_current WHERE period = ''all'' AND team_id = 1 ORDER BY rank LIMIT 3');
SELECT rank, agent_id FROM qr_current WHERE period = 'all' AND team_id = 1 ORDER BY rank LIMIT 3;
RESET ROLE;
DROP OWNED BY top_columns;
DROP ROLE top_columns;
REVOKE SELECT ON qr_current FROM top_app;
SET ROLE top_app;
\set VERBOSITY sqlstate
SELECT * FROM qr_current WHERE period = 'all' AND team_id = 1 ORDER BY rank LIMIT 3;
\set VERBOSITY default
RESET ROLE;
-- a plan made for one role is made again for another
GRANT SELECT ON qr_current TO top_app;
SET plan_cache_mode = force_generic_plan;
PREPARE top_as_role AS SELECT rank, agent_id FROM qr_current WHERE period = 'all' AND team_id = 1 ORDER BY rank LIMIT 2;
EXECUTE top_as_role;
REVOKE SELECT ON qr_standings FROM top_app;
SET ROLE top_app;
EXECUTE top_as_role;
RESET ROLE;
SET ROLE top_wall;
EXECUTE top_as_role;
RESET ROLE;
RESET plan_cache_mode;
DEALLOCATE top_as_role;

-- leaderboard._current_top called directly: only a board's current view, read as the
-- caller may read the board's tables itself or through the view
\set VERBOSITY sqlstate
SELECT * FROM leaderboard._current_top('qcalls', ROW(1), 'all', 3) AS r(rank bigint);
SELECT * FROM leaderboard._current_top(NULL, ROW(1), 'all', 3) AS r(rank bigint);
SELECT * FROM leaderboard._current_top('qr_current', ROW(1, 2), 'all', 3) AS r(rank bigint);
SELECT * FROM leaderboard._current_top('qr_current', ROW('x'::text), 'all', 3) AS r(rank bigint);
SELECT * FROM leaderboard._current_top('qr_current', NULL, 'all', 3) AS r(rank bigint);
CREATE ROLE top_none;
SET ROLE top_none;
SELECT * FROM leaderboard._current_top('qr_current', ROW(1), 'all', 3) AS r(rank bigint);
RESET ROLE;
DROP ROLE top_none;
SET ROLE top_wall;
\set VERBOSITY default
SELECT rank FROM leaderboard._current_top('qr_current', ROW(1), 'all', 3) AS r(rank bigint);
\set VERBOSITY sqlstate
RESET ROLE;
\set VERBOSITY default
SELECT rank, agent_id FROM leaderboard._current_top('qr_current', ROW(1), 'all', 2) AS r(rank bigint, agent_id int);

-- the current period's start the view reads by
SELECT leaderboard._current_period_start('day', 'UTC') = (now() AT TIME ZONE 'UTC')::date AS day_start,
       leaderboard._current_period_start('all', 'UTC') = '-infinity' AS all_start;
\set VERBOSITY sqlstate
SELECT leaderboard._current_period_start('fortnight', 'UTC');
\set VERBOSITY default

SELECT leaderboard.drop_board(b) FROM unnest(ARRAY['qr', 'qd', 'qn', 'qf']) b;
DROP ROLE top_wall;
DROP ROLE top_app;
