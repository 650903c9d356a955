-- scorecard input validation: every malformed card is rejected at input with 22P02 and a
-- message naming the field (and the metric, by name or by position).
SET search_path = public, leaderboard;

CREATE FUNCTION pg_temp.try(card text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  PERFORM card::leaderboard.scorecard;
  RETURN 'ok';
EXCEPTION WHEN others THEN
  RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

-- Not JSON at all, and truncated JSON.
SELECT pg_temp.try('conv 40, aht 20');
SELECT pg_temp.try('{"metrics": [{"name": "calls", "stat": "count"}]');
-- Valid JSON that is not an object.
SELECT pg_temp.try('[{"name": "calls", "stat": "count"}]');
SELECT pg_temp.try('"calls"');
-- Unknown top-level field (a typo must not be ignored).
SELECT pg_temp.try('{"metrics": [{"name": "calls", "stat": "count"}], "scales": 100}');
-- A top-level field given twice (jsonb would silently keep the last one).
SELECT pg_temp.try('{"metrics": [{"name": "calls", "stat": "count"}], "scale": 1, "scale": 100}');
-- "metrics" missing, null, empty, or not an array.
SELECT pg_temp.try('{"scale": 100}');
SELECT pg_temp.try('{"metrics": null}');
SELECT pg_temp.try('{"metrics": []}');
SELECT pg_temp.try('{"metrics": {"name": "calls", "stat": "count"}}');
-- A metric that is not an object.
SELECT pg_temp.try('{"metrics": ["calls"]}');
-- More than 32 metrics.
SELECT pg_temp.try(format('{"metrics": [%s]}',
         string_agg(format('{"name": "m%s", "stat": "sum"}', i), ', ')))
FROM generate_series(1, 33) i;
-- Unknown metric field: the metric is named even when "name" comes later.
SELECT pg_temp.try('{"metrics": [{"wieght": 2, "name": "aht", "stat": "avg"}]}');
-- A metric field given twice.
SELECT pg_temp.try('{"metrics": [{"name": "aht", "stat": "avg", "weight": 1, "weight": 2}]}');
-- Name missing (the metric is then named by its position), empty, not a string, too long.
SELECT pg_temp.try('{"metrics": [{"name": "calls", "stat": "count"}, {"stat": "avg"}]}');
SELECT pg_temp.try('{"metrics": [{"name": "", "stat": "avg"}]}');
SELECT pg_temp.try('{"metrics": [{"name": 7, "stat": "avg"}]}');
SELECT pg_temp.try(format('{"metrics": [{"name": "%s", "stat": "avg"}]}', repeat('x', 64)));
-- Duplicate names.
SELECT pg_temp.try('{"metrics": [{"name": "aht", "stat": "avg"}, {"name": "calls", "stat": "count"},
                                 {"name": "aht", "stat": "max"}]}');
-- "stat" missing, unknown, not a string.
SELECT pg_temp.try('{"metrics": [{"name": "aht"}]}');
SELECT pg_temp.try('{"metrics": [{"name": "aht", "stat": "median"}]}');
SELECT pg_temp.try('{"metrics": [{"name": "aht", "stat": 2}]}');
-- Unknown "better" and "if_missing".
SELECT pg_temp.try('{"metrics": [{"name": "aht", "stat": "avg", "better": "smaller", "range": [1, 2]}]}');
SELECT pg_temp.try('{"metrics": [{"name": "csat", "stat": "avg", "if_missing": "ignore"}]}');
-- Negative weight; all weights zero.
SELECT pg_temp.try('{"metrics": [{"name": "aht", "stat": "avg", "weight": -1}]}');
SELECT pg_temp.try('{"metrics": [{"name": "aht", "stat": "avg", "weight": 0},
                                 {"name": "calls", "stat": "count", "weight": 0}]}');
-- "range" not an array, not two elements, not numbers; lo = hi and lo > hi.
SELECT pg_temp.try('{"metrics": [{"name": "aht", "stat": "avg", "range": 900}]}');
SELECT pg_temp.try('{"metrics": [{"name": "aht", "stat": "avg", "range": [180, 600, 900]}]}');
SELECT pg_temp.try('{"metrics": [{"name": "aht", "stat": "avg", "range": ["180", 900]}]}');
SELECT pg_temp.try('{"metrics": [{"name": "aht", "stat": "avg", "range": [900, 900]}]}');
SELECT pg_temp.try('{"metrics": [{"name": "aht", "stat": "avg", "better": "lower", "range": [900, 180]}]}');
-- "target" of 0 and below 0.
SELECT pg_temp.try('{"metrics": [{"name": "calls", "stat": "count", "target": 0}]}');
SELECT pg_temp.try('{"metrics": [{"name": "calls", "stat": "count", "target": -60}]}');
-- "cap" of 0, below 0, and without a target.
SELECT pg_temp.try('{"metrics": [{"name": "calls", "stat": "count", "target": 60, "cap": 0}]}');
SELECT pg_temp.try('{"metrics": [{"name": "calls", "stat": "count", "target": 60, "cap": -1}]}');
SELECT pg_temp.try('{"metrics": [{"name": "csat", "stat": "avg", "range": [1, 5], "cap": 1.2}]}');
-- "range" and "target" together.
SELECT pg_temp.try('{"metrics": [{"name": "aht", "stat": "avg", "range": [180, 900], "target": 300}]}');
-- Gate "min" above gate "max".
SELECT pg_temp.try('{"metrics": [{"name": "aht", "stat": "avg", "min": 1200, "max": 60}]}');
-- "min_n" negative, fractional.
SELECT pg_temp.try('{"metrics": [{"name": "csat", "stat": "avg", "min_n": -1}]}');
SELECT pg_temp.try('{"metrics": [{"name": "csat", "stat": "avg", "min_n": 2.5}]}');
-- Non-numeric values where numbers belong.
SELECT pg_temp.try('{"metrics": [{"name": "conv", "stat": "rate", "weight": "40"}]}');
SELECT pg_temp.try('{"metrics": [{"name": "conv", "stat": "rate", "target": true}]}');
SELECT pg_temp.try('{"metrics": [{"name": "aht", "stat": "avg", "max": [1200]}]}');
SELECT pg_temp.try('{"metrics": [{"name": "calls", "stat": "count"}], "scale": "100"}');
-- Numbers beyond float8 are rejected, not turned into Infinity.
SELECT pg_temp.try('{"metrics": [{"name": "aht", "stat": "avg", "max": 1e400}]}');
-- "scale" of 0, below 0, and NaN (JSON has no NaN literal, and the string is no number).
SELECT pg_temp.try('{"metrics": [{"name": "calls", "stat": "count"}], "scale": 0}');
SELECT pg_temp.try('{"metrics": [{"name": "calls", "stat": "count"}], "scale": -100}');
SELECT pg_temp.try('{"metrics": [{"name": "calls", "stat": "count"}], "scale": NaN}');
SELECT pg_temp.try('{"metrics": [{"name": "calls", "stat": "count"}], "scale": "NaN"}');
-- "min_rows" negative, fractional.
SELECT pg_temp.try('{"metrics": [{"name": "calls", "stat": "count"}], "min_rows": -1}');
SELECT pg_temp.try('{"metrics": [{"name": "calls", "stat": "count"}], "min_rows": 0.5}');
-- "better": "lower" on a raw stat would silently rank the worst first: it needs a range
-- or a target.
SELECT pg_temp.try('{"metrics": [{"name": "aht", "stat": "avg", "better": "lower"}]}');

-- The full error of a few cases, with detail and hint.
SELECT '{"metrics": [{"name": "aht", "stat": "avg", "better": "lower", "range": [900, 180]}]}'::scorecard;
SELECT '{"metrics": [{"name": "calls", "stat": "count", "target": 0}]}'::scorecard;
SELECT '{"metrics": [{"name": "csat", "stat": "avg", "if_missing": "ignore"}]}'::scorecard;
SELECT '{"metrics": [{"name": "calls", "stat": "count"}], "metric": []}'::scorecard;
SELECT 'conv 40, aht 20'::scorecard;

-- "min_n" and "min_rows" up to 2^53 - 1, which JSON numbers hold exactly: 2^53 is refused
-- (2^53 + 1 reads as it), and the largest reads back as itself
SELECT pg_temp.try('{"metrics": [{"name": "csat", "stat": "avg", "min_n": 9007199254740992}]}');
SELECT pg_temp.try('{"metrics": [{"name": "calls", "stat": "count"}], "min_rows": 9007199254740993}');
SELECT '{"metrics": [{"name": "csat", "stat": "avg", "min_n": 9007199254740991}], "min_rows": 9007199254740991}'::leaderboard.scorecard;
-- a number that underflows to 0 is out of range, as float8 input says (a denormal is kept)
SELECT pg_temp.try('{"metrics": [{"name": "x", "stat": "avg", "min": 1e-400}]}');
SELECT pg_temp.try('{"metrics": [{"name": "x", "stat": "avg", "min": 1e-310}]}') AS denormal;
