-- <board>_current: the current period of each kind is a row per kind joined to the
-- scopes and the standings, so a query naming the kind and partition values finds its
-- scope by the scopes' index with period_start as an index condition, and reads the
-- scope's rows by the standings' (scope_id, score, agent) index. alter_board(name) with nothing to change
-- makes the views again (the step after ALTER EXTENSION UPDATE for boards an older version
-- made) and rescores nothing.
SET search_path = public, leaderboard;
CREATE TABLE cur_calls (call_id int PRIMARY KEY, agent_id int NOT NULL, team_id int NOT NULL,
  at timestamptz NOT NULL, won int NOT NULL);
-- calls of today (minutes ago, in the board's zone) and of the 400 days before
INSERT INTO cur_calls SELECT i, 1 + i % 20, i % 2, now(), i % 3 FROM generate_series(1, 200) i;
INSERT INTO cur_calls SELECT 1000 + i, 1 + i % 20, i % 2, now() - (1 + i % 400) * interval '1 day', i % 3 FROM generate_series(1, 8000) i;
SELECT create_board('cur', 'cur_calls', 'agent_id', 'at', ARRAY['won'],
  '{"metrics": [{"name": "won", "stat": "sum", "weight": 1}]}', periods => ARRAY['day', 'week', 'month', 'all'],
  partition_by => ARRAY['team_id'], time_zone => 'UTC') IS NOT NULL AS created;

ANALYZE cur_standings, cur_scopes;
SET enable_seqscan = off;
CREATE FUNCTION pg_temp.index_conditions(query text) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
  line text;
BEGIN
  FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || query LOOP
    IF line ~ 'Index Cond' THEN
      RETURN NEXT regexp_replace(line, '^.*Index Cond: ', '');
    END IF;
  END LOOP;
END $$;
-- the scope comes by the scopes' index, period_start among its conditions, and its rows
-- by the standings' index on scope_id; twice, as the view reads scopes that store ranks
-- and scopes too large to store them in two branches (the second with its own aliases).
-- This is the view's own plan (a top n is otherwise read through leaderboard._current_top:
-- board_current_top), as readers who may not read the standings get it.
SET leaderboard.top_n_plan = off;
SELECT c ~ '^\(\(period = ''month''::text\) AND \(period_start = ' AS period_start_is_index_condition,
       c ~ 'team_id = 1\)\)$' AS team_is_index_condition
FROM pg_temp.index_conditions($$SELECT rank, agent_id, score FROM cur_current
                                WHERE period = 'month' AND team_id = 1 ORDER BY rank LIMIT 10$$) c
WHERE c ~ '^\(\(period =';
SELECT count(*) AS rows_by_scope_id FROM pg_temp.index_conditions($$SELECT rank, agent_id, score FROM cur_current
                                WHERE period = 'month' AND team_id = 1 ORDER BY rank LIMIT 10$$) c
WHERE c = '(scope_id = sc.scope_id)';
RESET leaderboard.top_n_plan;
RESET enable_seqscan;

-- every period kind, 'all' included, and the same rows as the standings' current periods
SELECT period, count(*) AS agents FROM cur_current GROUP BY period ORDER BY period;
SELECT count(*) AS differences FROM (
  (SELECT period, period_start, team_id, agent_id, score, rank FROM cur_current
   EXCEPT ALL
   SELECT period, period_start, team_id, agent_id, score, rank FROM cur_standings
   WHERE period_start = CASE period WHEN 'all' THEN '-infinity'::date
                                    ELSE date_trunc(period, now() AT TIME ZONE 'UTC')::date END)
  UNION ALL
  (SELECT period, period_start, team_id, agent_id, score, rank FROM cur_standings
   WHERE period_start = CASE period WHEN 'all' THEN '-infinity'::date
                                    ELSE date_trunc(period, now() AT TIME ZONE 'UTC')::date END
   EXCEPT ALL
   SELECT period, period_start, team_id, agent_id, score, rank FROM cur_current)) d;

-- a scope too large to store ranks is ranked by a window over its rows: the same ranks as
-- rank() over the scope, also when the query asks for one agent
SET leaderboard.stored_rank_limit = 3;
-- one call of the team's last agent: applied directly, its rank passes the limit
INSERT INTO cur_calls SELECT 20000, agent_id, 1, now() - interval '2 minutes', 0
FROM cur_standings WHERE period = 'month' AND team_id = 1 AND period_start = date_trunc('month', now() AT TIME ZONE 'UTC')::date
ORDER BY score, agent_id LIMIT 1;
RESET leaderboard.stored_rank_limit;
SELECT count(*) FILTER (WHERE rank IS NULL) AS stored_ranks_dropped FROM cur_standings
WHERE period = 'month' AND team_id = 1 AND period_start = date_trunc('month', now() AT TIME ZONE 'UTC')::date;
SELECT count(*) AS wrong_ranks FROM cur_current c
JOIN (SELECT agent_id, CASE WHEN qualified THEN rank() OVER (ORDER BY qualified DESC, score DESC) END AS rank
      FROM cur_standings WHERE period = 'month' AND team_id = 1
        AND period_start = date_trunc('month', now() AT TIME ZONE 'UTC')::date) e USING (agent_id)
WHERE c.period = 'month' AND c.team_id = 1 AND c.rank IS DISTINCT FROM e.rank;
SELECT (SELECT rank FROM cur_current WHERE period = 'month' AND team_id = 1 AND agent_id = a.agent_id)
         = a.rank AS one_agent_ranked_in_its_scope
FROM (SELECT agent_id, rank FROM cur_current WHERE period = 'month' AND team_id = 1 ORDER BY rank DESC NULLS LAST LIMIT 1) a;

-- a view replaced by hand is made again by alter_board(name), which rescores nothing
CREATE OR REPLACE VIEW cur_current AS SELECT period, period_start, team_id, agent_id, kpis, score, qualified, rank, tier, updated_at
  FROM cur_standings WHERE false;
SELECT count(*) AS rows_while_replaced FROM cur_current;
SELECT alter_board('cur') AS rows_rescored;
SELECT count(*) AS rows_again FROM cur_current;

SELECT drop_board('cur');
DROP TABLE cur_calls;
