-- A scope grown past 1000 ranks stops storing them: the first single-row writer that
-- would move a rank beyond 1000 sets the scope's ranks to NULL, and from then on writers
-- leave them NULL and readers (<board>_current, <board>_explain, <board>_around) rank its
-- rows from the score index. Checked after each kind of write against from-scratch
-- recomputations; a small scope beside it keeps its stored ranks; rebuild() stores them
-- again.
CREATE TABLE lcalls (call_id serial PRIMARY KEY, agent_id int NOT NULL, team_id int NOT NULL,
  at timestamptz NOT NULL DEFAULT now(), won int NOT NULL);
SELECT leaderboard.create_board(name => 'huge', source => 'lcalls', agent => 'agent_id', at => 'at',
  metrics => ARRAY['won'], periods => ARRAY['day', 'month'], partition_by => ARRAY['team_id'],
  scorecard => '{"metrics": [{"name": "won", "stat": "sum", "weight": 1}], "scale": 1, "min_rows": 2}',
  ladder => 'Bronze: 0, Silver: 10, Gold: 20', time_zone => 'UTC') IS NOT NULL AS created;

-- what readers see, against rank() over the stored scores; verify() checks the scores
-- (and that a scope storing no ranks has none)
CREATE VIEW huge_check AS
  SELECT (SELECT count(*) FROM leaderboard.verify('huge')) AS differences,
         (SELECT count(*) FROM (
            SELECT period, period_start, team_id, agent_id, rank FROM huge_current
            EXCEPT ALL
            SELECT period, period_start, team_id, agent_id,
                   CASE WHEN qualified THEN rank() OVER (PARTITION BY scope_id, qualified ORDER BY score DESC) END
            FROM huge_standings WHERE period_start >= date_trunc('month', now() AT TIME ZONE 'UTC')) x) AS wrong_view_ranks,
         (SELECT count(*) FROM huge_explain e JOIN huge_current c USING (period, period_start, team_id, agent_id)
          WHERE e.rank IS DISTINCT FROM c.rank) AS explain_differs,
         (SELECT string_agg(format('%s %s', period, ranks_stored), ', ' ORDER BY period, team_id) FROM huge_scopes) AS scopes,
         (SELECT count(rank) FROM huge_standings) AS stored_ranks;
-- <board>_around by SQL, with ranks recomputed
CREATE FUNCTION huge_around_expected(a int, p text, w int) RETURNS TABLE (ord bigint, agent_id int, rank bigint)
LANGUAGE sql AS $$
  WITH r AS (SELECT s.*, CASE WHEN s.qualified THEN rank() OVER (PARTITION BY s.scope_id, s.qualified ORDER BY s.score DESC) END AS rk
             FROM huge_standings s WHERE s.period = p)
  SELECT row_number() OVER (ORDER BY me.scope_id, x.score DESC, x.agent_id DESC), x.agent_id, x.rk
  FROM r me, LATERAL (
    (SELECT s.* FROM r s WHERE s.scope_id = me.scope_id AND s.qualified
       AND (s.score, s.agent_id) > (me.score, me.agent_id) ORDER BY s.score, s.agent_id LIMIT w)
    UNION ALL SELECT me.*
    UNION ALL
    (SELECT s.* FROM r s WHERE s.scope_id = me.scope_id AND s.qualified
       AND (s.score, s.agent_id) < (me.score, me.agent_id) ORDER BY s.score DESC, s.agent_id DESC LIMIT w)) x
  WHERE me.agent_id = a AND me.period_start = date_trunc(p, now() AT TIME ZONE 'UTC')::date
$$;
CREATE VIEW huge_around_check AS
  SELECT count(*) AS around_differences FROM (
    (SELECT a, p, f.ordinality, f.agent_id, f.rank FROM generate_series(1, 1200, 37) a, unnest(ARRAY['day', 'month']) p,
            LATERAL huge_around(a, p, 3) WITH ORDINALITY f
     EXCEPT ALL
     SELECT a, p, e.* FROM generate_series(1, 1200, 37) a, unnest(ARRAY['day', 'month']) p, LATERAL huge_around_expected(a, p, 3) e)
    UNION ALL
    (SELECT a, p, e.* FROM generate_series(1, 1200, 37) a, unnest(ARRAY['day', 'month']) p, LATERAL huge_around_expected(a, p, 3) e
     EXCEPT ALL
     SELECT a, p, f.ordinality, f.agent_id, f.rank FROM generate_series(1, 1200, 37) a, unnest(ARRAY['day', 'month']) p,
            LATERAL huge_around(a, p, 3) WITH ORDINALITY f)) x;

-- 1100 agents in team 1 and 20 in team 2, three calls each (agent a wins a), in one
-- statement: the rows are inserted ranked, every scope stores its ranks
INSERT INTO lcalls (agent_id, team_id, won)
SELECT a, CASE WHEN a > 1100 THEN 2 ELSE 1 END, CASE WHEN i = 1 THEN a ELSE 0 END FROM generate_series(1, 1120) a, generate_series(1, 3) i;
SELECT * FROM huge_check;

-- a call for an agent ranked past 1000 in team 1: both of its scopes stop storing ranks
SELECT rank FROM huge_standings WHERE agent_id = 50 AND period = 'day';
INSERT INTO lcalls (agent_id, team_id, won) VALUES (50, 1, 0);
SELECT * FROM huge_check;
SELECT * FROM huge_around_check;
SELECT agent_id, score, rank FROM huge_around(50, 'month', 1);
SELECT agent_id, rank FROM huge_current WHERE period = 'day' AND team_id = 1 ORDER BY score DESC, agent_id LIMIT 3;

-- single-row writers, one agent moving to the top, then two agents in one transaction
INSERT INTO lcalls (agent_id, team_id, won) SELECT 17, 1, 10;
INSERT INTO lcalls (agent_id, team_id, won) SELECT 1110, 2, 9;
INSERT INTO lcalls (agent_id, team_id, won) SELECT 1500, 1, 1;
INSERT INTO lcalls (agent_id, team_id, won) SELECT 1500, 1, 1;
INSERT INTO lcalls (agent_id, team_id, won) VALUES (5, 1, 3), (6, 1, 4);
SELECT * FROM huge_check;
SELECT * FROM huge_around_check;

-- corrections (recomputed from the source), a bulk load into the same scopes, a new card
DELETE FROM lcalls WHERE agent_id IN (17, 200);
UPDATE lcalls SET won = 9 WHERE agent_id = 300;
INSERT INTO lcalls (agent_id, team_id, won) SELECT a, 1, a % 7 FROM generate_series(1, 1100) a;
SELECT * FROM huge_check;
SELECT leaderboard.alter_board('huge', scorecard => '{"metrics": [{"name": "won", "stat": "avg", "weight": 1}], "scale": 10, "min_rows": 2}') > 0 AS altered;
SELECT * FROM huge_check;
SELECT * FROM huge_around_check;

-- a rank ladder needs every rank: alter_board() stores them again, and writers keep them
SELECT leaderboard.alter_board('huge', ladder => 'Gold: top 10, Silver: top 50%, Bronze: top 100%') > 0 AS altered;
SELECT * FROM huge_check;
INSERT INTO lcalls (agent_id, team_id, won) VALUES (60, 1, 0);
SELECT * FROM huge_check;
SELECT count(*) FILTER (WHERE tier IS DISTINCT FROM CASE WHEN qualified THEN leaderboard.tier_by_rank(rank, n, 'Gold: top 10, Silver: top 50%, Bronze: top 100%') END) AS wrong_tiers
FROM (SELECT *, count(*) FILTER (WHERE qualified) OVER (PARTITION BY scope_id) AS n FROM huge_standings) s;
SELECT leaderboard.alter_board('huge', ladder => 'Bronze: 0, Silver: 10, Gold: 20') > 0 AS altered;
INSERT INTO lcalls (agent_id, team_id, won) VALUES (60, 1, 0);
SELECT * FROM huge_check;

-- rebuild() stores every scope's ranks again
SELECT leaderboard.rebuild('huge') > 0 AS rebuilt;
SELECT * FROM huge_check;
SELECT * FROM huge_around_check;

DROP VIEW huge_around_check, huge_check;
DROP FUNCTION huge_around_expected(int, text, int);
SELECT leaderboard.drop_board('huge');
DROP TABLE lcalls;
