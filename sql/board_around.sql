-- <board>_around(agent, period, width) reads the standings indexes directly: compared here
-- with the same neighbours computed by SQL, in order, for every agent, period kind and
-- width from 0 to 3, on standings with tied scores, unqualified agents and agents in two
-- teams (two scopes each).
CREATE TABLE acalls (agent_id int NOT NULL, team_id int, at timestamptz NOT NULL, won int NOT NULL);
INSERT INTO acalls
SELECT 1 + i % 15, CASE WHEN i % 11 = 0 THEN 2 ELSE 1 + (i % 15) % 2 END, now(), (i * 7) % 4
FROM generate_series(1, 160) i;
SELECT leaderboard.create_board(name => 'nb', source => 'acalls', agent => 'agent_id', at => 'at',
  metrics => ARRAY['won'], periods => ARRAY['day', 'month', 'all'], partition_by => ARRAY['team_id'],
  scorecard => '{"metrics": [{"name": "won", "stat": "sum", "weight": 1}], "scale": 1, "min_rows": 6}',
  time_zone => 'Asia/Kolkata') IS NOT NULL AS created;
SELECT count(*) FILTER (WHERE NOT qualified) > 0 AS some_unqualified,
       count(*) > count(DISTINCT (scope_id, score)) AS some_ties,
       (SELECT count(*) FROM (SELECT agent_id FROM nb_standings WHERE period = 'all'
                              GROUP BY 1 HAVING count(*) > 1) x) > 0 AS agents_in_two_teams
FROM nb_standings;

-- the neighbours by SQL: the agent's rows in the current period, width qualified rows
-- above and below each by (score, agent), per scope in scope order
CREATE FUNCTION nb_expected(a int, p text, w int) RETURNS TABLE (ord bigint, team_id int, agent_id int, rank bigint)
LANGUAGE sql AS $$
  SELECT row_number() OVER (ORDER BY me.scope_id, x.score DESC, x.agent_id DESC), x.team_id, x.agent_id, x.rank
  FROM nb_standings me, LATERAL (
    (SELECT s.* FROM nb_standings s WHERE s.scope_id = me.scope_id AND s.qualified
       AND (s.score, s.agent_id) > (me.score, me.agent_id) ORDER BY s.score, s.agent_id LIMIT w)
    UNION ALL SELECT me.*
    UNION ALL
    (SELECT s.* FROM nb_standings s WHERE s.scope_id = me.scope_id AND s.qualified
       AND (s.score, s.agent_id) < (me.score, me.agent_id) ORDER BY s.score DESC, s.agent_id DESC LIMIT w)) x
  WHERE me.agent_id = a AND me.period = p
    AND me.period_start = CASE p WHEN 'all' THEN '-infinity'::date ELSE date_trunc(p, now() AT TIME ZONE 'Asia/Kolkata')::date END
$$;
CREATE TEMP TABLE around_cases AS
SELECT a, p, w FROM generate_series(0, 16) a, unnest(ARRAY['day', 'month', 'all', 'week']) p, generate_series(0, 3) w;
SELECT (SELECT count(*) FROM around_cases c, LATERAL nb_around(c.a, c.p, c.w) WITH ORDINALITY f
        WHERE f.ordinality IS NOT NULL) AS rows_returned,
       (SELECT count(*) FROM (
          SELECT c.a, c.p, c.w, f.ordinality, f.team_id, f.agent_id, f.rank FROM around_cases c, LATERAL nb_around(c.a, c.p, c.w) WITH ORDINALITY f
          EXCEPT ALL
          SELECT c.a, c.p, c.w, e.* FROM around_cases c, LATERAL nb_expected(c.a, c.p, c.w) e) x) AS unexpected,
       (SELECT count(*) FROM (
          SELECT c.a, c.p, c.w, e.* FROM around_cases c, LATERAL nb_expected(c.a, c.p, c.w) e
          EXCEPT ALL
          SELECT c.a, c.p, c.w, f.ordinality, f.team_id, f.agent_id, f.rank FROM around_cases c, LATERAL nb_around(c.a, c.p, c.w) WITH ORDINALITY f) x) AS missing;

-- one agent's neighbours, by default this month and five each way
SELECT team_id, agent_id, score, qualified, rank FROM nb_around(3);
-- the planner inlines the function: no call of nb_around() is left in the plan
EXPLAIN (COSTS OFF) SELECT * FROM nb_around(3, 'day', 1);
-- NULL arguments give no rows; a negative width and an unknown period kind are errors
SELECT count(*) AS rows FROM nb_around(NULL, 'day', 1);
SELECT count(*) AS rows FROM nb_around(3, NULL, 1);
SELECT count(*) AS rows FROM nb_around(3, 'day', -1);
SELECT count(*) AS rows FROM nb_around(3, 'fortnight', 1);
SELECT count(*) AS rows FROM nb_around(3, 'hour', 1);

-- called directly, leaderboard._around() reads only a table shaped like a board's
-- standings, with the agent as the agent column's type
SELECT count(*) FROM leaderboard._around('nb_standings', 'UTC', 3::bigint, 'day', 1, 'agent_id')
  AS r(agent_id int, rank bigint);
SELECT count(*) FROM leaderboard._around('acalls', 'UTC', 3, 'day', 1, 'agent_id')
  AS r(agent_id int);
SELECT count(*) FROM leaderboard._around('nb_standings', 'UTC', 3, 'day', 1, 'agent_id')
  AS r(agent_id text);
SELECT count(*) > 0 AS rows FROM leaderboard._around('nb_standings', 'Asia/Kolkata', 3, 'day', 1, 'agent_id')
  AS r(agent_id int, rank bigint);
DROP FUNCTION nb_expected(int, text, int);
SELECT leaderboard.drop_board('nb');
DROP TABLE acalls;

-- A row_number board ranks tied scores by its tie-break chain and then the agent, not in
-- the order of the score index: its neighbours are the rows ranked next to the agent.
-- Every agent, widths 0 to 3, against the rows of its scope whose rank is within width
-- of its own, ranks recomputed from the calls with row_number()
CREATE TABLE arn_calls (agent_id int NOT NULL, team_id int NOT NULL, started_at timestamptz NOT NULL DEFAULT now(),
                        converted boolean NOT NULL);
INSERT INTO arn_calls (agent_id, team_id, converted)
SELECT a, a % 2, k <= 1 + a % 3 FROM generate_series(1, 24) a, generate_series(1, 4 + a % 2) k;
SELECT leaderboard.create_board(name => 'arn', source => 'arn_calls', agent => 'agent_id', at => 'started_at',
  metrics => ARRAY['converted AS conv', '1 AS calls'],
  scorecard => '{"metrics": [{"name": "conv", "stat": "sum", "weight": 1}, {"name": "calls", "stat": "count", "weight": 0}], "scale": 1}',
  periods => ARRAY['month'], partition_by => ARRAY['team_id'], rank_style => 'row_number', tie_break => ARRAY['calls'],
  time_zone => 'UTC') IS NOT NULL AS created;
CREATE TEMP TABLE arn_expected AS
  SELECT team_id, agent_id, row_number() OVER (PARTITION BY team_id ORDER BY sum(converted::int) DESC, count(*) DESC, agent_id) AS rank
  FROM arn_calls WHERE started_at >= date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' GROUP BY 1, 2;
SELECT count(*) AS ranks_differing FROM arn_expected e JOIN arn_current c USING (team_id, agent_id)
WHERE c.period = 'month' AND c.rank IS DISTINCT FROM e.rank;
SELECT count(*) AS around_differing FROM (
  (SELECT me.agent_id, w, a.agent_id AS neighbour, a.rank
   FROM arn_expected me, generate_series(0, 3) w, arn_around(me.agent_id, 'month', w) a
   EXCEPT
   SELECT me.agent_id, w, e.agent_id, e.rank
   FROM arn_expected me, generate_series(0, 3) w, arn_expected e
   WHERE e.team_id = me.team_id AND e.rank BETWEEN me.rank - w AND me.rank + w)
  UNION ALL
  (SELECT me.agent_id, w, e.agent_id, e.rank
   FROM arn_expected me, generate_series(0, 3) w, arn_expected e
   WHERE e.team_id = me.team_id AND e.rank BETWEEN me.rank - w AND me.rank + w
   EXCEPT
   SELECT me.agent_id, w, a.agent_id, a.rank
   FROM arn_expected me, generate_series(0, 3) w, arn_around(me.agent_id, 'month', w) a)) d;
-- rows come by rank
SELECT agent_id, score, rank FROM arn_around(7, 'month', 2);
-- an unqualified agent (fewer calls than min_rows) has no rank and comes after every
-- qualified row: its neighbours are the lowest-ranked rows scoring at least its score
-- and the best-ranked scoring less
CREATE TABLE arq_calls (agent_id int NOT NULL, at timestamptz NOT NULL DEFAULT now(), conv boolean NOT NULL);
INSERT INTO arq_calls (agent_id, conv)
SELECT a, k <= CASE WHEN a > 6 THEN 0 ELSE 1 END FROM generate_series(1, 8) a,
       generate_series(1, CASE WHEN a = 4 THEN 1 ELSE 2 + a % 3 END) k;
SELECT leaderboard.create_board(name => 'arq', source => 'arq_calls', agent => 'agent_id', at => 'at',
  metrics => ARRAY['conv', '1 AS calls'],
  scorecard => '{"metrics": [{"name": "conv", "stat": "sum", "weight": 1}, {"name": "calls", "stat": "count", "weight": 0}], "scale": 1, "min_rows": 2}',
  periods => ARRAY['month'], rank_style => 'row_number', tie_break => ARRAY['calls'], time_zone => 'UTC') IS NOT NULL AS created;
SELECT agent_id, score, qualified, rank FROM arq_current ORDER BY rank NULLS LAST, agent_id;
SELECT agent_id, score, qualified, rank FROM arq_around(4, 'month', 1);
SELECT agent_id, score, qualified, rank FROM arq_around(4, 'month', 2);
SELECT leaderboard.drop_board('arq');
DROP TABLE arq_calls;
SELECT leaderboard.drop_board('arn');
DROP TABLE arn_calls;
