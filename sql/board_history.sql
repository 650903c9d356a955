-- History: <board>_movement compares each row with the agent's row in the same partition
-- in the previous period of the same kind (NULL when there is none); <board>_badges gives,
-- for closed periods, Top Performer (the recorded winners), Fast Climber (largest positive
-- rank gain in the scope) and Most Improved (largest positive score gain), ties included.
-- Every expected value is recomputed here from the calls: score = sum of wins (a card
-- summing one metric at scale 1), rank() over each (period, period_start, team).
CREATE TABLE hcalls (agent text NOT NULL, team int, at date NOT NULL, won int NOT NULL);
INSERT INTO hcalls VALUES
  -- January: x 5, y 3, z 3 (tie for 2nd), team 2: p 1
  ('x', 1, '2024-01-10', 5), ('y', 1, '2024-01-11', 3), ('z', 1, '2024-01-12', 3), ('p', 2, '2024-01-12', 1),
  -- February: w 9 (new: no movement), y 7 and z 7 (still 2nd, both 4 up: a tie for Most
  -- Improved), x 2 (falls to 4th), team 2: p 4
  ('y', 1, '2024-02-03', 7), ('z', 1, '2024-02-04', 7), ('x', 1, '2024-02-05', 2), ('w', 1, '2024-02-06', 9),
  ('p', 2, '2024-02-07', 4),
  -- March: x 11 (4th to 1st), w 1, team 2: p 4 (no gain: no badge but Top Performer there);
  -- x on two days in a row for a day's movement
  ('x', 1, '2024-03-01', 10), ('w', 1, '2024-03-02', 1), ('p', 2, '2024-03-02', 4),
  ('x', 1, '2024-03-02', 1);
SELECT leaderboard.create_board(name => 'hb', source => 'hcalls', agent => 'agent', at => 'at',
  metrics => ARRAY['won'], scorecard => '{"metrics": [{"name": "won", "stat": "sum"}], "scale": 1}',
  periods => ARRAY['day', 'month', 'all'], partition_by => ARRAY['team'], time_zone => 'UTC') IS NOT NULL AS created;

CREATE VIEW expected_rows AS
  SELECT period, period_start, team, agent, score,
         rank() OVER (PARTITION BY period, period_start, team ORDER BY score DESC) AS rank
  FROM (SELECT 'month' AS period, date_trunc('month', at)::date AS period_start, team, agent, sum(won)::float8 AS score
        FROM hcalls GROUP BY 2, 3, 4
        UNION ALL
        SELECT 'day', at, team, agent, sum(won) FROM hcalls GROUP BY 2, 3, 4) g;
CREATE VIEW expected_movement AS
  SELECT e.period, e.period_start, e.team, e.agent, e.score, e.rank, p.score AS previous_score, p.rank AS previous_rank,
         p.rank - e.rank AS rank_change, e.score - p.score AS score_change
  FROM expected_rows e LEFT JOIN expected_rows p ON p.period = e.period AND p.team = e.team AND p.agent = e.agent
   AND p.period_start = CASE e.period WHEN 'day' THEN e.period_start - 1 ELSE (e.period_start - interval '1 month')::date END;

-- movement, row by row as recomputed
SELECT (SELECT count(*) FROM (SELECT period, period_start, team, agent, score, rank, previous_score, previous_rank, rank_change, score_change
                              FROM hb_movement WHERE period <> 'all' EXCEPT SELECT * FROM expected_movement) x) AS unexpected,
       (SELECT count(*) FROM (SELECT * FROM expected_movement EXCEPT
                              SELECT period, period_start, team, agent, score, rank, previous_score, previous_rank, rank_change, score_change
                              FROM hb_movement WHERE period <> 'all') x) AS missing;
SELECT period_start, team, agent, rank, previous_rank, rank_change, score_change
FROM hb_movement WHERE period = 'month' ORDER BY period_start, team, agent;
SELECT agent, previous_rank, rank_change FROM hb_movement WHERE period = 'all' ORDER BY agent;
SELECT agent, score, previous_score, score_change FROM hb_movement WHERE period = 'day' AND period_start = '2024-03-02' ORDER BY agent;

-- no badge before a close
SELECT count(*) AS badges_before_close FROM hb_badges;
SELECT leaderboard.close_periods('hb') > 0 AS closed;
CREATE VIEW expected_badges AS
  SELECT 'Top Performer' AS badge, period, period_start, team, agent FROM expected_rows WHERE rank = 1
  UNION ALL
  SELECT 'Fast Climber', period, period_start, team, agent FROM (
    SELECT m.*, max(rank_change) OVER (PARTITION BY period, period_start, team) AS best FROM expected_movement m) x
  WHERE rank_change > 0 AND rank_change = best
  UNION ALL
  SELECT 'Most Improved', period, period_start, team, agent FROM (
    SELECT m.*, max(score_change) OVER (PARTITION BY period, period_start, team) AS best FROM expected_movement m) x
  WHERE score_change > 0 AND score_change = best;
SELECT (SELECT count(*) FROM (SELECT badge, period, period_start, team, agent FROM hb_badges EXCEPT SELECT * FROM expected_badges) x) AS unexpected,
       (SELECT count(*) FROM (SELECT * FROM expected_badges EXCEPT SELECT badge, period, period_start, team, agent FROM hb_badges) x) AS missing;
SELECT badge, period_start, team, agent, score, rank_change, score_change
FROM hb_badges WHERE period = 'month' ORDER BY period_start, team, badge, agent;
-- a badge is for closed periods only: 'all' never closes
SELECT count(*) AS all_badges FROM hb_badges WHERE period = 'all';

SELECT leaderboard.drop_board('hb');

-- Most Improved needs the agent qualified in both periods: a score gain from a period
-- where the agent was unqualified (min_rows 3: one call in January) is no improvement
CREATE TABLE hq (agent int NOT NULL, at date NOT NULL, ok boolean NOT NULL);
INSERT INTO hq SELECT 1, '2024-01-10', false;
INSERT INTO hq SELECT a, '2024-01-10', k <= a - 1 FROM unnest(ARRAY[2, 3]) a, generate_series(1, 4) k;
INSERT INTO hq SELECT 1, '2024-02-10', true FROM generate_series(1, 4);
INSERT INTO hq SELECT a, '2024-02-10', k % 2 = 0 FROM unnest(ARRAY[2, 3]) a, generate_series(1, 4) k;
SELECT leaderboard.create_board(name => 'hq', source => 'hq', agent => 'agent', at => 'at', metrics => ARRAY['ok'],
  scorecard => '{"metrics": [{"name": "ok", "stat": "rate"}], "min_rows": 3}', periods => ARRAY['month'],
  time_zone => 'UTC') IS NOT NULL AS created;
SELECT leaderboard.close_periods('hq') AS closed;
SELECT period_start, agent, score, rank, previous_score, rank_change, score_change FROM hq_movement ORDER BY 1, 2;
-- agent 1 gained most (0 to 100) but was unqualified in January: agent 2 (25 to 50) is
-- Most Improved
SELECT badge, period_start, agent, rank_change, score_change FROM hq_badges WHERE badge <> 'Top Performer' ORDER BY 1, 2, 3;
SELECT leaderboard.drop_board('hq');
DROP TABLE hq;

-- Partition columns of array and composite types: the badges read the winners' partition
-- values back as the standings' columns (JSON arrays and objects included)
CREATE TYPE hist_place AS (city text, floor int);
CREATE TABLE hist_arr (agent int NOT NULL, at timestamptz NOT NULL, grp int[], pl hist_place, won boolean);
INSERT INTO hist_arr SELECT 1 + i % 3, '2026-10-05 10:00+00'::timestamptz + i * interval '1 min', ARRAY[0, i % 2],
  ROW('oslo', i % 2)::hist_place, i % 3 = 0 FROM generate_series(1, 30) i;
SELECT leaderboard.create_board(name => 'hist_arr', source => 'hist_arr', agent => 'agent', at => 'at', metrics => ARRAY['won'],
  partition_by => ARRAY['grp', 'pl'], periods => ARRAY['month'], time_zone => 'UTC', grace => '0',
  scorecard => '{"metrics": [{"name": "won", "stat": "rate"}]}') IS NOT NULL AS created;
SELECT leaderboard.close_periods('hist_arr') AS closed;
SELECT badge, period_start, grp, pl, agent FROM hist_arr_badges ORDER BY grp, pl;
SELECT grp, pl, agent, rank FROM hist_arr_standings WHERE rank = 1 ORDER BY grp, pl;
-- a goal cannot name such a value (0A000); it can be set for every partition
\set VERBOSITY terse
SELECT leaderboard.set_goal('hist_arr', 'won', 'count', 'month', 5, partition => '{"grp": [0, 1]}');
SELECT leaderboard.set_goal('hist_arr', 'won', 'count', 'month', 5, partition => '{"grp": "{0,1}"}');
\set VERBOSITY default
SELECT leaderboard.set_goal('hist_arr', 'won', 'count', 'month', 5) > 0 AS goal_set;
SELECT leaderboard.drop_board('hist_arr');
DROP TABLE hist_arr;
DROP TYPE hist_place;
