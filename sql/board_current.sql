-- <board>_current reads the current period of each kind through the standings indexes:
-- the period and its period_start (computed from now() once, not per row) are index
-- conditions, and the README's top-10 query is an index scan. What it returns equals a
-- from-scratch rank() over the source's calls of the current periods, on a team board
-- and on a floor-wide board.
CREATE TABLE ccalls (call_id serial PRIMARY KEY, agent_id int NOT NULL, team_id int NOT NULL,
  at timestamptz NOT NULL DEFAULT now(), won int NOT NULL);
SELECT leaderboard.create_board(name => 'cur', source => 'ccalls', agent => 'agent_id', at => 'at',
  metrics => ARRAY['won'], periods => ARRAY['day', 'week', 'month', 'all'], partition_by => ARRAY['team_id'],
  scorecard => '{"metrics": [{"name": "won", "stat": "sum", "weight": 1}], "scale": 1, "min_rows": 2}',
  time_zone => 'UTC') IS NOT NULL AS created;
SELECT leaderboard.create_board(name => 'curfloor', source => 'ccalls', agent => 'agent_id', at => 'at',
  metrics => ARRAY['won'], periods => ARRAY['day', 'month'],
  scorecard => '{"metrics": [{"name": "won", "stat": "sum", "weight": 1}], "scale": 1, "min_rows": 2}',
  time_zone => 'UTC') IS NOT NULL AS created;

-- 40 teams of 30 agents: three calls each now (ties: agent a wins a % 17), one more for
-- some (unqualified agents with one call), and calls of 70 to 129 days ago in past periods
INSERT INTO ccalls (agent_id, team_id, won)
SELECT a, a % 40, CASE WHEN i = 1 THEN a % 17 ELSE 0 END FROM generate_series(1, 1200) a, generate_series(1, 3) i;
INSERT INTO ccalls (agent_id, team_id, won) SELECT a, a % 40, 5 FROM generate_series(1201, 1230) a;
INSERT INTO ccalls (agent_id, team_id, at, won)
SELECT a, a % 40, now() - (70 + a % 60) * interval '1 day', a % 13 FROM generate_series(1, 1200) a, generate_series(1, 2) i;
ANALYZE cur_standings;
ANALYZE curfloor_standings;

-- the README's query: period and period_start are index conditions
EXPLAIN (costs off)
SELECT rank, agent_id, score, tier FROM cur_current WHERE period = 'month' AND team_id = 7 ORDER BY rank LIMIT 10;
-- the same on the floor-wide board
EXPLAIN (costs off)
SELECT rank, agent_id, score, tier FROM curfloor_current WHERE period = 'day' ORDER BY rank LIMIT 10;
-- 'all' has the fixed period_start -infinity; an agent's rows of every period kind
EXPLAIN (costs off) SELECT agent_id, score FROM cur_current WHERE period = 'all' AND team_id = 7;
EXPLAIN (costs off) SELECT period, rank FROM cur_current WHERE agent_id = 7;

-- from scratch: the source's calls of the current period of each kind, ranked
CREATE FUNCTION cur_expected(floor boolean)
RETURNS TABLE (period text, period_start date, team_id int, agent_id int, score float8, qualified boolean, rank bigint)
LANGUAGE sql AS $$
  SELECT g.period, g.period_start, g.team_id, g.agent_id, g.score, g.qualified,
         CASE WHEN g.qualified THEN rank() OVER (PARTITION BY g.team_id, g.period, g.qualified ORDER BY g.score DESC) END
  FROM (SELECT p.period, CASE p.period WHEN 'all' THEN '-infinity'::date
                         ELSE date_trunc(p.period, now() AT TIME ZONE 'UTC')::date END AS period_start,
               CASE WHEN floor THEN NULL ELSE c.team_id END AS team_id, c.agent_id,
               sum(c.won)::float8 AS score, count(*) >= 2 AS qualified
        FROM unnest(CASE WHEN floor THEN ARRAY['day', 'month'] ELSE ARRAY['day', 'week', 'month', 'all'] END) p(period)
        JOIN ccalls c ON p.period = 'all'
                      OR date_trunc(p.period, c.at AT TIME ZONE 'UTC') = date_trunc(p.period, now() AT TIME ZONE 'UTC')
        GROUP BY 1, 2, 3, 4) g
$$;
CREATE VIEW cur_check AS
  SELECT (SELECT count(*) FROM (
            (SELECT period, period_start, team_id, agent_id, score, qualified, rank FROM cur_current
             EXCEPT ALL SELECT * FROM cur_expected(false))
            UNION ALL
            (SELECT * FROM cur_expected(false)
             EXCEPT ALL SELECT period, period_start, team_id, agent_id, score, qualified, rank FROM cur_current)) x)
           AS team_differences,
         (SELECT count(*) FROM (
            (SELECT period, period_start, NULL::int, agent_id, score, qualified, rank FROM curfloor_current
             EXCEPT ALL SELECT * FROM cur_expected(true))
            UNION ALL
            (SELECT * FROM cur_expected(true)
             EXCEPT ALL SELECT period, period_start, NULL::int, agent_id, score, qualified, rank FROM curfloor_current)) x)
           AS floor_differences,
         (SELECT count(*) FROM cur_current) > 0 AS team_rows,
         (SELECT count(*) FROM curfloor_current) > 0 AS floor_rows;
-- the top 10 of every team and of the floor, as the README reads them: the ranks 1 to 10
-- of the recomputation, in rank order
CREATE VIEW cur_top_check AS
  SELECT count(*) FILTER (WHERE NOT t.ok) AS wrong_top_rows, count(*) FILTER (WHERE t.ok) > 0 AS top_rows
  FROM (SELECT e.rank IS NOT DISTINCT FROM y.rank AND y.rank <= 10
               AND y.rank >= coalesce(lag(y.rank) OVER (PARTITION BY y.floor, y.period, y.team ORDER BY y.ord), 1) AS ok
        FROM (SELECT false AS floor, k.period, k2.team, x.*
              FROM unnest(ARRAY['day', 'week', 'month', 'all']) k(period), generate_series(0, 39) k2(team),
                   LATERAL (SELECT c.agent_id, c.rank, row_number() OVER () AS ord FROM (
                              SELECT rank, agent_id, score, tier FROM cur_current
                              WHERE period = k.period AND team_id = k2.team ORDER BY rank LIMIT 10) c) x
              UNION ALL
              SELECT true, k.period, NULL, x.*
              FROM unnest(ARRAY['day', 'month']) k(period),
                   LATERAL (SELECT c.agent_id, c.rank, row_number() OVER () AS ord FROM (
                              SELECT rank, agent_id, score, tier FROM curfloor_current
                              WHERE period = k.period ORDER BY rank LIMIT 10) c) x) y
        LEFT JOIN (SELECT false AS floor, * FROM cur_expected(false) UNION ALL SELECT true, * FROM cur_expected(true)) e
          ON e.floor = y.floor AND e.period = y.period AND e.team_id IS NOT DISTINCT FROM y.team AND e.agent_id = y.agent_id) t;
SELECT * FROM cur_check;
SELECT * FROM cur_top_check;

-- single-row writers: the floor scopes (1200 qualified agents) stop storing ranks when
-- agent 34 (rank 1131) gets a call, and the views then compute them when read
INSERT INTO ccalls (agent_id, team_id, won) VALUES (5, 5, 40);
INSERT INTO ccalls (agent_id, team_id, won) VALUES (1201, 1, 0);
INSERT INTO ccalls (agent_id, team_id, won) VALUES (34, 34, 0);
SELECT period, ranks_stored FROM curfloor_scopes WHERE period_start > now() - interval '40 days' ORDER BY 1;
SELECT * FROM cur_check;
SELECT * FROM cur_top_check;
SELECT count(*) AS verify_team FROM leaderboard.verify('cur');
SELECT count(*) AS verify_floor FROM leaderboard.verify('curfloor');
