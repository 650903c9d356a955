-- <board>_top(partition values, period, n) reads one scope best first from the score
-- index: compared here, for every scope of every period kind and n from 0 to 8, with the
-- rows ranked n or better that <board>_current gives, on boards of each rank style, with
-- tied scores, unqualified agents, a NULL team, and a scope too large to store its ranks.
CREATE TABLE tcalls (agent_id int NOT NULL, team_id int, at timestamptz NOT NULL, won int NOT NULL, fast int NOT NULL);
INSERT INTO tcalls
SELECT 1 + i % 23, CASE WHEN i % 23 < 3 THEN NULL ELSE (i % 23) % 3 END, now(),
       (i * 7) % 4, i % 5
FROM generate_series(1, 400) i;

CREATE FUNCTION top_board(name text, style text, tie_break text[], partition_by text[]) RETURNS boolean
LANGUAGE sql AS $$
  SELECT leaderboard.create_board(name => name, source => 'tcalls', agent => 'agent_id', at => 'at',
    metrics => ARRAY['won', 'fast'], periods => ARRAY['day', 'month', 'all'], partition_by => partition_by,
    scorecard => '{"metrics": [{"name": "won", "stat": "sum", "weight": 1}, {"name": "fast", "stat": "sum", "weight": 0}],
                   "scale": 1, "min_rows": 18}',
    rank_style => style, tie_break => tie_break, time_zone => 'UTC') IS NOT NULL
$$;
SELECT top_board('tr', 'rank', '{}', ARRAY['team_id']) AS rank_board,
       top_board('td', 'dense_rank', '{}', ARRAY['team_id']) AS dense_board,
       top_board('tn', 'row_number', ARRAY['fast'], ARRAY['team_id']) AS row_number_board,
       top_board('tf', 'rank', '{}', '{}') AS floor_board;
SELECT count(*) FILTER (WHERE NOT qualified) > 0 AS some_unqualified,
       count(*) FILTER (WHERE qualified) > count(DISTINCT (scope_id, score)) FILTER (WHERE qualified) AS some_ties,
       count(*) FILTER (WHERE team_id IS NULL) > 0 AS a_null_team
FROM tr_standings;

-- each board's _top against its _current, for every scope and n: the same rows and ranks,
-- in rank order
CREATE FUNCTION top_differences(board text) RETURNS TABLE (unexpected bigint, missing bigint, out_of_order bigint, compared bigint)
LANGUAGE plpgsql AS $$
DECLARE
  partitioned boolean := board <> 'tf';
  got text := CASE WHEN board <> 'tf'
    THEN format('SELECT s.period, s.team_id, n, t.ordinality, t.rank, t.agent_id FROM scopes s, generate_series(0, 8) n, LATERAL %I(s.team_id, s.period, n) WITH ORDINALITY t', board || '_top')
    ELSE format('SELECT s.period, s.team_id, n, t.ordinality, t.rank, t.agent_id FROM scopes s, generate_series(0, 8) n, LATERAL %I(s.period, n) WITH ORDINALITY t', board || '_top') END;
BEGIN
  EXECUTE format('CREATE TEMP TABLE scopes ON COMMIT DROP AS SELECT DISTINCT period, %s AS team_id FROM %I',
                 CASE WHEN partitioned THEN 'team_id' ELSE 'NULL::int' END, board || '_current');
  EXECUTE format('CREATE TEMP TABLE got ON COMMIT DROP AS %s', got);
  EXECUTE format('CREATE TEMP TABLE expected ON COMMIT DROP AS
    SELECT c.period, %s AS team_id, n, c.rank, c.agent_id FROM %I c, generate_series(0, 8) n
    WHERE c.rank <= n', CASE WHEN partitioned THEN 'c.team_id' ELSE 'NULL::int' END, board || '_current');
  RETURN QUERY SELECT
    (SELECT count(*) FROM (SELECT period, team_id, n, rank, agent_id FROM got EXCEPT ALL SELECT * FROM expected) x),
    (SELECT count(*) FROM (SELECT * FROM expected EXCEPT ALL SELECT period, team_id, n, rank, agent_id FROM got) x),
    (SELECT count(*) FROM got g JOIN got h ON (g.period, g.n) = (h.period, h.n) AND g.team_id IS NOT DISTINCT FROM h.team_id
       AND g.ordinality < h.ordinality AND g.rank > h.rank),
    (SELECT count(*) FROM got);
  DROP TABLE scopes, got, expected;
END $$;
SELECT 'tr' AS board, * FROM top_differences('tr')
UNION ALL SELECT 'td', * FROM top_differences('td')
UNION ALL SELECT 'tn', * FROM top_differences('tn')
UNION ALL SELECT 'tf', * FROM top_differences('tf');

-- ties at rank n are all in: rank() and dense_rank() may give more than n rows,
-- row_number() exactly n (its tie_break orders the tie)
SELECT (SELECT count(*) FROM tf_top('all', 1)) AS rank_rows_for_1,
       (SELECT count(*) FROM tf_current WHERE period = 'all' AND rank = 1) AS tied_at_1,
       (SELECT count(*) FROM tn_top(1, 'all', 3)) AS row_number_rows_for_3;

-- a scope too large to store its ranks: ranks counted while reading, the same as stored
-- (a single-row writer's change that would put a rank past the limit stops the storing)
SET leaderboard.stored_rank_limit = 3;
INSERT INTO tcalls VALUES (23, 1, now(), 0, 1);
RESET leaderboard.stored_rank_limit;
SELECT period, ranks_stored FROM tf_scopes ORDER BY period;
SELECT rank, agent_id, score FROM tf_top('all', 4);
SELECT 'tf' AS board, * FROM top_differences('tf');
SELECT 'tr' AS board, * FROM top_differences('tr');

-- the planner inlines the function into the caller's query
EXPLAIN (COSTS OFF) SELECT * FROM tr_top(1, 'day', 3);
-- by default this month and ten rows; the NULL team is a scope of its own
SELECT count(*) = (SELECT count(*) FROM tr_current WHERE period = 'month' AND team_id = 2 AND rank <= 10) AS default_month_10
FROM tr_top(2);
SELECT count(*) > 0 AS null_team_rows FROM tr_top(NULL);
-- no such scope, a NULL period or n: no rows; a negative n and an unknown period kind are errors
SELECT count(*) AS rows FROM tr_top(7);
SELECT count(*) AS rows FROM tr_top(1, NULL);
SELECT count(*) AS rows FROM tr_top(1, 'day', NULL);
SELECT count(*) AS rows FROM tr_top(1, 'week');
-- (each error with its SQLSTATE and hint)
CREATE FUNCTION top_error(q text) RETURNS text LANGUAGE plpgsql AS $f$
DECLARE
  state text;
  message text;
  hint text;
BEGIN
  EXECUTE q;
  RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT, hint = PG_EXCEPTION_HINT;
  RETURN state || ': ' || message || coalesce(nullif(' HINT: ' || hint, ' HINT: '), '');
END $f$;
SELECT top_error($$SELECT count(*) FROM tr_top(1, 'day', -1)$$) AS negative_n,
       top_error($$SELECT count(*) FROM tr_top(1, 'fortnight')$$) AS unknown_period;

-- called directly, leaderboard._top() takes partition values of the scopes' types, one per
-- partition column, a known rank style, and tables shaped like a board's
SELECT e.input, top_error(format($$SELECT count(*) FROM leaderboard._top(%s, 'day', 3)
                                  AS r(rank bigint, agent_id int, score float8, tier text, period_start date)$$, e.args)) AS error
FROM (VALUES
  ('a value of another type', $$'tr_standings', 'tr_scopes', 'UTC', 'rank', 'agent_id', '{team_id}', ROW(1::bigint)$$),
  ('two values for one column', $$'tr_standings', 'tr_scopes', 'UTC', 'rank', 'agent_id', '{team_id}', ROW(1, 2)$$),
  ('no values', $$'tr_standings', 'tr_scopes', 'UTC', 'rank', 'agent_id', '{team_id}', NULL$$),
  ('an unknown rank style', $$'tr_standings', 'tr_scopes', 'UTC', 'ntile', 'agent_id', '{team_id}', ROW(1)$$),
  ('a NULL table', $$'tr_standings', NULL, 'UTC', 'rank', 'agent_id', '{team_id}', ROW(1)$$),
  ('standings for scopes', $$'tr_standings', 'tr_standings', 'UTC', 'rank', 'agent_id', '{team_id}', ROW(1)$$)) e(input, args);
-- a result column the standings lack is 42703, for _top and _around alike, and _around
-- takes a known rank style only
SELECT top_error($$SELECT count(*) FROM leaderboard._top('tr_standings', 'tr_scopes', 'UTC', 'rank', 'agent_id',
                   '{team_id}', ROW(1), 'day', 3) AS r(rank bigint, agent_id int, zz int)$$) AS top_unknown_column,
       top_error($$SELECT count(*) FROM leaderboard._around('tr_standings', 'UTC', 1, 'day', 1, 'agent_id')
                   AS r(agent_id int, zz int)$$) AS around_unknown_column,
       top_error($$SELECT count(*) FROM leaderboard._around('tr_standings', 'UTC', 1, 'day', 1, 'agent_id', 'ntile')
                   AS r(agent_id int, rank bigint)$$) AS around_unknown_style;

-- the index a read found is remembered by the backend, and forgotten when the table's
-- indexes change: a dropped one is missing, a new one is found
SELECT count(*) AS rows FROM tr_top(1, 'all', 3);
DROP INDEX tr_standings_scope_id_score_agent_id_idx;
SELECT count(*) AS rows FROM tr_top(1, 'all', 3);
CREATE INDEX tr_score ON tr_standings (scope_id, score, agent_id);
SELECT count(*) AS rows FROM tr_top(1, 'all', 3);

-- a partition column named n and an agent column named rk, names the board's own
-- statements used for their columns: the count argument is then top_n, and every write
-- path (statements forced) and a rank ladder keep the board exact
CREATE TABLE ncalls (rk int NOT NULL, n int, at timestamptz NOT NULL, won int NOT NULL);
INSERT INTO ncalls SELECT i % 5, i % 2, now(), i % 3 FROM generate_series(1, 40) i;
SELECT leaderboard.create_board(name => 'tnn', source => 'ncalls', agent => 'rk', at => 'at',
  metrics => ARRAY['won'], periods => ARRAY['all'], partition_by => ARRAY['n'],
  ladder => 'Top: top 50%, Rest: top 100%',
  scorecard => '{"metrics": [{"name": "won", "stat": "sum", "weight": 1}], "scale": 1}') IS NOT NULL AS created;
SELECT pg_get_function_identity_arguments('tnn_top'::regproc) AS arguments;
SELECT rank, rk, score, tier FROM tnn_top(n => 1, period => 'all', top_n => 2);
SET leaderboard.direct_apply_max_groups = 0;
INSERT INTO ncalls SELECT i % 7, i % 3, now(), i % 2 FROM generate_series(1, 30) i;
UPDATE ncalls SET won = won + 1 WHERE rk = 2;
DELETE FROM ncalls WHERE rk = 3 AND n = 1;
RESET leaderboard.direct_apply_max_groups;
INSERT INTO ncalls VALUES (4, 1, now(), 3);
SELECT count(*) AS verify_rows FROM leaderboard.verify('tnn');
SELECT leaderboard.drop_board('tnn');
DROP TABLE ncalls;

-- a function of that name made first keeps create_board from making the board
CREATE FUNCTION tx_top(team_id int, period text, n int) RETURNS int LANGUAGE sql AS 'SELECT 1';
\set VERBOSITY terse
SELECT top_board('tx', 'rank', '{}', ARRAY['team_id']);
\set VERBOSITY default
DROP FUNCTION tx_top(int, text, int);
-- drop_board drops it
SELECT count(*) AS verify_rows FROM leaderboard.boards b, leaderboard.verify(b.name) v;
SELECT leaderboard.drop_board(b) FROM unnest(ARRAY['tr', 'td', 'tn', 'tf']) b;
SELECT count(*) AS top_functions_left FROM pg_proc WHERE proname LIKE 't__top';
DROP TABLE tcalls;
DROP FUNCTION top_board(text, text, text[], text[]), top_differences(text), top_error(text);
