-- Scores equal in exact arithmetic tie on every board, whatever float8 noise their
-- computation picks up: boards store scores at 12 significant digits, and every rank
-- (stored, moved by a single-row writer, or computed when read in a scope too large to
-- store ranks), rank tier and verify() works from the stored score. Checked for rank,
-- dense_rank, row_number with a tie-break chain and a rank ladder, through INSERT,
-- UPDATE, DELETE, alter_board and rebuild, against ranks computed from the calls in
-- exact numeric arithmetic.

-- the precision: 12 significant digits, NaN and the infinities unchanged, -0 as 0
SELECT x::text, leaderboard._rank_precision(x)::text
FROM unnest(ARRAY['35', '35.00000000000001', '34.999999999999986', '46.666666666666664', '-46.666666666666664',
                  '-0', '1.7976931348623157e308', '5e-324', 'NaN', 'Infinity', '-Infinity']::float8[]) x;
-- monotonic: no two doubles change order, around a decade and around half a unit of the
-- 12th digit, stepping one ulp at a time
SELECT bool_and(r <= next_r) AS monotonic, count(DISTINCT r) AS distinct_rounded
FROM (SELECT leaderboard._rank_precision(x) AS r, lead(leaderboard._rank_precision(x)) OVER (ORDER BY x) AS next_r
      FROM (SELECT b * (1 + k * 2.220446049250313e-16) AS x
            FROM unnest(ARRAY[9.999999999995, 10, 99.9999999999995, 12.3456789012345, -10.00000000000005]::float8[]) b,
                 generate_series(-40, 40) k) v) w;

CREATE TABLE tcalls (call_id serial PRIMARY KEY, agent_id int NOT NULL, team_id int NOT NULL,
  at timestamptz NOT NULL DEFAULT now(), converted boolean NOT NULL, aht int NOT NULL, csat numeric NOT NULL);
-- score = 100 * (conv + (400 - aht) / 200 + 2 * (csat - 1) / 4) / 4: a conversion rate of
-- 0.3 with 280 s scores what 0.4 with 300 s does
CREATE TABLE tcard (card jsonb);
INSERT INTO tcard VALUES ('{"metrics": [{"name": "conv", "stat": "rate", "weight": 1, "target": 1},
  {"name": "aht", "stat": "avg", "weight": 1, "better": "lower", "range": [200, 400]},
  {"name": "csat", "stat": "avg", "weight": 2, "range": [1, 5]}], "scale": 100, "min_rows": 5}');

-- The ties, first without a board: per agent a, 10, 20 or 30 calls with conversion 0.3
-- at 280 s + d or 0.4 at 300 s + d, and one survey score (2.4, 3.8 or 4.6, a float
-- metric) on every call. score() splits the groups that tie in exact arithmetic: two
-- agents of a group can differ in the last bits.
CREATE FUNCTION tcalls_of(first int, last int, team int) RETURNS TABLE (agent_id int, team_id int, converted boolean, aht int, csat numeric)
LANGUAGE sql AS $$
  SELECT a, team, i <= n * conv, aht, csat
  FROM (SELECT a, 10 * (1 + a % 3) AS n, CASE WHEN a / 3 % 2 = 0 THEN 0.3 ELSE 0.4 END AS conv,
               CASE WHEN a / 3 % 2 = 0 THEN 280 ELSE 300 END + 10 * (a / 6 % 4) AS aht,
               (ARRAY[2.4, 3.8, 4.6])[1 + a / 24 % 3] AS csat
        FROM generate_series(first, last) a) g, generate_series(1, n) i
$$;
SELECT round(100 * (avg(converted::int) + (400 - avg(aht)) / 200 + 2 * (avg(csat) - 1) / 4) / 4, 12) AS exact,
       count(*) AS calls, avg(converted::int) AS conv, avg(aht) AS aht, avg(csat) AS csat,
       leaderboard.score(leaderboard.kpi_agg(converted, aht, csat), (SELECT card::text::leaderboard.scorecard FROM tcard))::text AS float8_score
FROM tcalls_of(0, 23, 1) GROUP BY agent_id HAVING agent_id IN (0, 3, 1, 2, 13, 14) ORDER BY 1 DESC, 6;
-- the same on a two-metric card over 10 calls: 0.3 with 280 s and 0.4 with 300 s both
-- score 45 (0.3 + 0.6 = 0.4 + 0.5); _board_score(), what boards store, ties them
SELECT conv, aht, leaderboard.score(k, c)::text AS float8_score, leaderboard._board_score(k, c) AS board_score
FROM (SELECT conv, aht, leaderboard.kpi_agg(i <= 10 * conv, aht) AS k,
             '{"metrics": [{"name": "conv", "stat": "rate", "weight": 1, "target": 1},
                           {"name": "aht", "stat": "avg", "weight": 1, "better": "lower", "range": [200, 400]}],
               "scale": 100}'::leaderboard.scorecard AS c
      FROM (VALUES (0.3, 280), (0.4, 300)) v(conv, aht), generate_series(1, 10) i GROUP BY conv, aht) x ORDER BY conv;
SELECT count(DISTINCT exact) AS exact_scores, count(DISTINCT f) AS float8_scores,
       count(DISTINCT leaderboard._rank_precision(f)) AS scores_at_12_digits
FROM (SELECT round(100 * (avg(converted::int) + (400 - avg(aht)) / 200 + 2 * (avg(csat) - 1) / 4) / 4, 12) AS exact,
             leaderboard.score(leaderboard.kpi_agg(converted, aht, csat), (SELECT card::text::leaderboard.scorecard FROM tcard)) AS f
      FROM tcalls_of(1, 1100, 1) GROUP BY agent_id) s;

-- four boards over the calls: rank (whose large scopes rank when read), dense_rank,
-- row_number ordering ties by survey score, then conversion, then agent, and a rank ladder
SELECT leaderboard.create_board(name => 'tie_rank', source => 'tcalls', agent => 'agent_id', at => 'at',
  metrics => ARRAY['converted AS conv', 'aht', 'csat'], scorecard => (SELECT card FROM tcard),
  periods => ARRAY['all'], partition_by => ARRAY['team_id'], time_zone => 'UTC') IS NOT NULL AS created;
SELECT leaderboard.create_board(name => 'tie_dense', source => 'tcalls', agent => 'agent_id', at => 'at',
  metrics => ARRAY['converted AS conv', 'aht', 'csat'], scorecard => (SELECT card FROM tcard),
  periods => ARRAY['all'], partition_by => ARRAY['team_id'], time_zone => 'UTC', rank_style => 'dense_rank') IS NOT NULL AS created;
SELECT leaderboard.create_board(name => 'tie_rownum', source => 'tcalls', agent => 'agent_id', at => 'at',
  metrics => ARRAY['converted AS conv', 'aht', 'csat'], scorecard => (SELECT card FROM tcard),
  periods => ARRAY['all'], partition_by => ARRAY['team_id'], time_zone => 'UTC',
  rank_style => 'row_number', tie_break => ARRAY['csat', 'conv']) IS NOT NULL AS created;
SELECT leaderboard.create_board(name => 'tie_ladder', source => 'tcalls', agent => 'agent_id', at => 'at',
  metrics => ARRAY['converted AS conv', 'aht', 'csat'], scorecard => (SELECT card FROM tcard),
  periods => ARRAY['all'], partition_by => ARRAY['team_id'], time_zone => 'UTC',
  ladder => 'Gold: top 10%, Silver: top 30%, Bronze: top 100%') IS NOT NULL AS created;

-- The reference, from the calls in numeric arithmetic (exact for these rates and averages;
-- rounded to 12 decimals where a division does not end): scores, qualification, and
-- ranks of every style.
CREATE VIEW exact AS
  SELECT e.*,
         CASE WHEN e.qualified THEN rank() OVER w END AS rank,
         CASE WHEN e.qualified THEN dense_rank() OVER w END AS dense_rank,
         CASE WHEN e.qualified THEN row_number() OVER (PARTITION BY e.team_id, e.qualified
                                                       ORDER BY e.score DESC, e.csat DESC, e.conv DESC, e.agent_id) END AS row_number,
         count(*) FILTER (WHERE e.qualified) OVER (PARTITION BY e.team_id) AS n
  FROM (SELECT team_id, agent_id, count(*) >= 5 AS qualified, avg(converted::int) AS conv, avg(csat) AS csat,
               round(100 * (avg(converted::int) + (400 - avg(aht)) / 200 + 2 * (avg(csat) - 1) / 4) / 4, 12) AS score
        FROM tcalls GROUP BY team_id, agent_id) e
  WINDOW w AS (PARTITION BY e.team_id, e.qualified ORDER BY e.score DESC);
-- Per board: ranks (and tiers) as readers see them in <board>_current that differ from the
-- reference, groups of exactly equal scores stored as more than one value, rows of the
-- explain view whose score is not the stored one, and verify() rows.
CREATE FUNCTION tie_check(name text, ref text) RETURNS TABLE (board text, wrong_ranks bigint, wrong_tiers bigint,
  split_ties bigint, explain_differs bigint, verify_rows bigint)
LANGUAGE plpgsql AS $$
BEGIN
  RETURN QUERY EXECUTE format($q$
    SELECT %5$L,
      (SELECT count(*) FROM %1$I c FULL JOIN exact e USING (team_id, agent_id) WHERE c.rank IS DISTINCT FROM e.%3$I),
      (SELECT count(*) FROM %1$I c JOIN exact e USING (team_id, agent_id)
       WHERE %4$L IS NOT NULL AND c.tier IS DISTINCT FROM CASE WHEN e.qualified THEN leaderboard.tier_by_rank(e.rank, e.n, %4$L) END),
      (SELECT count(*) FROM (SELECT 1 FROM %1$I c JOIN exact e USING (team_id, agent_id)
                             GROUP BY team_id, e.score HAVING count(DISTINCT c.score) > 1) x),
      (SELECT count(*) FROM %2$I x WHERE (x.explanation ->> 'score')::float8 <> x.score),
      (SELECT count(*) FROM leaderboard.verify(%5$L))$q$,
    name || '_current', name || '_explain', ref,
    (SELECT b.ladder::text FROM leaderboard.boards b WHERE b.name = tie_check.name), name);
END $$;
CREATE VIEW ties AS
  SELECT * FROM tie_check('tie_rank', 'rank') UNION ALL SELECT * FROM tie_check('tie_dense', 'dense_rank')
  UNION ALL SELECT * FROM tie_check('tie_rownum', 'row_number') UNION ALL SELECT * FROM tie_check('tie_ladder', 'rank');

-- INSERT: 60 agents in team 1, and 1100 in team 2 (a scope large enough to stop storing
-- ranks), plus two agents with too few calls to qualify; one statement
INSERT INTO tcalls (agent_id, team_id, converted, aht, csat)
SELECT * FROM tcalls_of(1, 60, 1) UNION ALL SELECT * FROM tcalls_of(1001, 2100, 2)
UNION ALL SELECT a, 1, true, 250, 5 FROM generate_series(61, 62) a, generate_series(1, 3);
SELECT * FROM ties;
-- the ties as stored, and as score() gives them unrounded
SELECT s.score, count(*) AS agents, min(s.rank) AS rank,
       count(DISTINCT leaderboard.score(s.kpis, (SELECT card::text::leaderboard.scorecard FROM tcard))) AS unrounded_scores
FROM tie_rank_standings s WHERE s.team_id = 1 AND s.qualified GROUP BY s.score ORDER BY 1 DESC;

-- single-row writers (the rank board applies them directly, moving ranks by one): a new
-- agent reaching a tie in its tenth call, in team 1 and at the bottom of team 2, where the
-- scope then stops storing ranks and readers rank from the score index
INSERT INTO tcalls (agent_id, team_id, converted, aht, csat) SELECT 63, 1, i <= 3, 280, 4.6 FROM generate_series(1, 9) i;
INSERT INTO tcalls (agent_id, team_id, converted, aht, csat) VALUES (63, 1, false, 280, 4.6);
INSERT INTO tcalls (agent_id, team_id, converted, aht, csat) SELECT 2101, 2, i <= 3, 310, 2.4 FROM generate_series(1, 9) i;
INSERT INTO tcalls (agent_id, team_id, converted, aht, csat) VALUES (2101, 2, false, 310, 2.4);
SELECT * FROM ties;
SELECT team_id, ranks_stored FROM tie_rank_scopes ORDER BY team_id;
SELECT e.score, e.rank FROM exact e WHERE e.agent_id IN (63, 2101) ORDER BY e.agent_id;
-- around-me in the scope storing no ranks: neighbours ranked as the reference ranks them
SELECT count(*) AS around_rows, count(*) FILTER (WHERE a.rank IS DISTINCT FROM e.rank) AS wrong_around_ranks
FROM unnest(ARRAY[2101, 1002, 1500, 2100]) me, LATERAL tie_rank_around(me, 'all', 3) a
JOIN exact e ON e.team_id = 2 AND e.agent_id = a.agent_id;

-- UPDATE: every call of agent 5 (0.4 at 300 s, scoring 40) to 320 s joins the agents
-- scoring 37.5; one call of agent 7 moved to agent 8
UPDATE tcalls SET aht = 320 WHERE agent_id = 5;
UPDATE tcalls SET agent_id = 8 WHERE call_id = (SELECT min(call_id) FROM tcalls WHERE agent_id = 7);
SELECT * FROM ties;

-- DELETE: a third of the calls of agents 2, 1004 and 1010 (30 calls each), keeping their
-- rates and averages: their scores stay the same in exact arithmetic, not in float8
DELETE FROM tcalls WHERE call_id IN (
  SELECT call_id FROM (SELECT call_id, row_number() OVER (PARTITION BY agent_id, converted ORDER BY call_id) AS i,
                              count(*) OVER (PARTITION BY agent_id, converted) AS n
                       FROM tcalls WHERE agent_id IN (2, 1004, 1010)) x WHERE i <= n / 3);
SELECT agent_id, count(*) AS calls FROM tcalls WHERE agent_id IN (2, 1004, 1010) GROUP BY agent_id ORDER BY 1;
SELECT * FROM ties;

-- alter_board: the same card with every weight tripled scores the same in exact
-- arithmetic, with other float8 noise; the ladder board also gets a new ladder (the boards
-- in name order, as admin calls of several boards in one transaction must go)
SELECT leaderboard.alter_board(b, scorecard => (SELECT jsonb_set(jsonb_set(jsonb_set(card, '{metrics,0,weight}', '3'),
                                  '{metrics,1,weight}', '3'), '{metrics,2,weight}', '6') FROM tcard)) >= 0 AS altered
FROM unnest(ARRAY['tie_dense', 'tie_ladder', 'tie_rank', 'tie_rownum']) b;
SELECT leaderboard.alter_board('tie_ladder', ladder => 'Gold: top 20%, Silver: top 50%, Bronze: top 100%') > 0 AS altered;
SELECT * FROM ties;

-- rebuild: every scope stores its ranks again
SELECT leaderboard.rebuild(b) > 0 AS rebuilt FROM unnest(ARRAY['tie_dense', 'tie_ladder', 'tie_rank', 'tie_rownum']) b;
SELECT * FROM ties;
SELECT team_id, ranks_stored FROM tie_rank_scopes ORDER BY team_id;

-- the ad hoc score() and explain() stay unrounded; the board's explain view shows the
-- stored score, which its contributions add up to within float8 rounding
SELECT s.score AS stored, leaderboard.score(s.kpis, (SELECT card::text::leaderboard.scorecard FROM tcard))::text AS unrounded,
       x.explanation ->> 'score' AS explained,
       abs((SELECT sum((m ->> 'contribution')::float8) FROM jsonb_array_elements(x.explanation -> 'metrics') m) - s.score) < 1e-9 AS adds_up
FROM tie_rank_standings s JOIN tie_rank_explain x USING (team_id, agent_id) WHERE s.agent_id IN (1, 13, 14, 63) ORDER BY s.agent_id;

DROP VIEW ties;
DROP FUNCTION tie_check(text, text);
DROP VIEW exact;
SELECT leaderboard.drop_board(b) FROM unnest(ARRAY['tie_dense', 'tie_ladder', 'tie_rank', 'tie_rownum']) b;
DROP FUNCTION tcalls_of(int, int, int);
DROP TABLE tcalls, tcard;

-- A stat equal in exact arithmetic to a gate or a range end, whatever order its values
-- were added in: the same calls in one statement or in two leave sums of 11.1 and
-- 11.100000000000001, an average of 3.7 either side of a gate of 3.7 and of a range's
-- lower end 0.3. At the precision boards rank at they are one value: both agents pass the
-- gate and tie, both score exactly 0 at the range's end and tie; verify() and rebuild()
-- agree. (Before, one agent passed and the other did not, and one scored 7.9e-15.)
CREATE TABLE gcalls (agent int NOT NULL, at timestamptz NOT NULL DEFAULT '2026-10-05 12:00+00', csat numeric);
SELECT leaderboard.create_board(name => 'gate_eq', source => 'gcalls', agent => 'agent', at => 'at',
  metrics => ARRAY['csat'], periods => ARRAY['all'], time_zone => 'UTC', filter => 'agent <= 2',
  scorecard => '{"metrics": [{"name": "csat", "stat": "avg", "range": [1, 5], "min": 3.7}]}') IS NOT NULL AS created;
SELECT leaderboard.create_board(name => 'lo_eq', source => 'gcalls', agent => 'agent', at => 'at',
  metrics => ARRAY['csat'], periods => ARRAY['all'], time_zone => 'UTC', filter => 'agent > 2',
  scorecard => '{"metrics": [{"name": "csat", "stat": "avg", "range": [0.3, 1]}]}') IS NOT NULL AS created;
INSERT INTO gcalls (agent, csat) VALUES (1, 4.7);
INSERT INTO gcalls (agent, csat) VALUES (1, 1.4), (1, 5.0);
INSERT INTO gcalls (agent, csat) VALUES (2, 4.7), (2, 1.4), (2, 5.0);
INSERT INTO gcalls (agent, csat) VALUES (3, 0.3), (3, 0.3), (3, 0.3);
INSERT INTO gcalls (agent, csat) VALUES (4, 0.3);
INSERT INTO gcalls (agent, csat) VALUES (4, 0.2), (4, 0.4);
-- the sums differ in their last bits; the stats, gates, scores and ranks do not
SELECT agent, leaderboard.kpi_sum(kpis, 1) = 11.1 AS sum_exactly_11_1, qualified, score, rank
FROM gate_eq_standings ORDER BY agent;
SELECT agent, score, rank FROM lo_eq_standings ORDER BY agent;
SELECT (SELECT count(*) FROM leaderboard.verify('gate_eq')) + (SELECT count(*) FROM leaderboard.verify('lo_eq')) AS differences;
SELECT leaderboard.rebuild('gate_eq') > 0 AS rebuilt, leaderboard.rebuild('lo_eq') > 0 AS rebuilt;
SELECT agent, qualified, score, rank FROM gate_eq_standings ORDER BY agent;
SELECT agent, score, rank FROM lo_eq_standings ORDER BY agent;
-- and the ad hoc functions say the same of either sum
SELECT leaderboard.qualified(k, c) AS qualified, leaderboard.score(k, c) AS score
FROM unnest(ARRAY['rows=3; float n=3 sum=11.100000000000001 min=1.4 max=5'::leaderboard.kpis,
                  'rows=3; float n=3 sum=11.1 min=1.4 max=5'::leaderboard.kpis,
                  'rows=3; float n=3 sum=11.099999999999998 min=1.4 max=5'::leaderboard.kpis]) k,
     (SELECT '{"metrics": [{"name": "csat", "stat": "avg", "range": [3.7, 5], "min": 3.7}]}'::leaderboard.scorecard) x(c);
-- counts, sums of integers and extremes carry no float noise and meet gates exactly; a
-- range narrower than a stat's noise is read as it is
SELECT leaderboard.qualified('rows=1; int n=1 sum=4999999999995 min=4999999999995 max=4999999999995',
         '{"metrics": [{"name": "m", "stat": "sum", "min": 5000000000000}]}') AS int_sum_passes,
       leaderboard.qualified('rows=1; float n=1 sum=4999999999995 min=4999999999995 max=4999999999995',
         '{"metrics": [{"name": "m", "stat": "sum", "min": 5000000000000}]}') AS float_sum_passes,
       leaderboard.qualified('rows=1; float n=1 sum=4999999999995 min=4999999999995 max=4999999999995',
         '{"metrics": [{"name": "m", "stat": "max", "min": 5000000000000}]}') AS max_passes,
       leaderboard.score('rows=1; float n=1 sum=1e15 min=1e15 max=1e15',
         '{"metrics": [{"name": "m", "stat": "avg", "range": [999999999999000, 1000000000001000]}]}') AS narrow_range_score;
SELECT leaderboard.drop_board('gate_eq'), leaderboard.drop_board('lo_eq');
DROP TABLE gcalls;
