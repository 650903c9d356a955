-- A score is scale * sum(weight * normalized) / sum(weight). Weights whose sum, or whose
-- sum times the scale, is beyond double precision would make every score NaN (which sorts
-- above every number, so it would rank first) or Infinity: such cards are refused at
-- input (22003; binary input runs the same checks). A score that still overflows (a raw
-- stat times a large weight) is an error, never a NaN or an Infinity.
SET search_path = public, leaderboard;
\set SHOW_CONTEXT never
CREATE FUNCTION pg_temp.try(card text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  PERFORM card::leaderboard.scorecard;
  RETURN 'ok';
EXCEPTION WHEN others THEN
  RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
-- each weight is a finite number, their sum is not
SELECT pg_temp.try('{"metrics": [{"name": "conv", "stat": "rate", "weight": 1e308}, {"name": "calls", "stat": "count", "weight": 1e308, "target": 10}]}');
-- the sum fits, the scale times the sum does not
SELECT pg_temp.try('{"metrics": [{"name": "calls", "stat": "count", "weight": 1e300, "target": 10}], "scale": 1e10}');
-- the largest cards that fit are accepted, and score finite numbers
SELECT pg_temp.try('{"metrics": [{"name": "conv", "stat": "rate", "weight": 8e307}, {"name": "calls", "stat": "count", "weight": 8e307, "target": 10}], "scale": 1}');
SELECT score(kpi_agg(c, n), '{"metrics": [{"name": "conv", "stat": "rate", "weight": 8e307}, {"name": "calls", "stat": "count", "weight": 8e307, "target": 10}], "scale": 1}')
FROM (VALUES (true, 1), (false, 2)) v(c, n);
-- A raw stat times its weight can still pass double precision: the score is an error.
SELECT score(kpi_agg(x), '{"metrics": [{"name": "x", "stat": "sum", "weight": 1e300}], "scale": 1}')
FROM (VALUES (1e10::float8)) v(x);
-- raw stats of both signs overflowing would give Infinity - Infinity, a NaN
SELECT score(kpi_agg(x, y), '{"metrics": [{"name": "x", "stat": "sum", "weight": 1e300}, {"name": "y", "stat": "sum", "weight": 1e300}], "scale": 1}')
FROM (VALUES (1e10::float8, -1e10::float8)) v(x, y);
SELECT explain(kpi_agg(x), '{"metrics": [{"name": "x", "stat": "sum", "weight": 1e300}], "scale": 1}') IS NOT NULL
FROM (VALUES (1e10::float8)) v(x);

-- On a board: the card is refused before anything is created.
CREATE TABLE overflow_calls (call_id bigint PRIMARY KEY, agent_id int NOT NULL, started_at timestamptz NOT NULL,
  handle_seconds int NOT NULL);
INSERT INTO overflow_calls VALUES (1, 1, '2026-10-05 13:00+00', 100), (2, 2, '2026-10-05 14:00+00', 300);
SELECT create_board('overflow', 'overflow_calls', 'agent_id', 'started_at', ARRAY['handle_seconds AS aht', '1 AS calls'],
  '{"metrics": [{"name": "aht", "stat": "avg", "weight": 1e308, "range": [0, 600]}, {"name": "calls", "stat": "count", "weight": 1e308, "target": 10}]}',
  periods => ARRAY['day'], time_zone => 'UTC');
SELECT count(*) AS boards FROM leaderboard.boards WHERE name = 'overflow';
SELECT to_regclass('overflow_standings') AS standings;
