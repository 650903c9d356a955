-- scorecard text input and canonical output: what a valid card looks like, the defaults
-- it gets, and that the canonical text re-parses to an equal card.
SET search_path = public, leaderboard;

-- The card of the design contract: every default (cap, min_n, if_missing) is spelled out
-- in the output; a count's min_n defaults to 0 (zero calls is a count, not missing).
SELECT '{"metrics": [
  {"name": "conv",  "stat": "rate",  "weight": 40, "better": "higher", "target": 0.25},
  {"name": "aht",   "stat": "avg",   "weight": 20, "better": "lower",  "range": [180, 900], "max": 1200},
  {"name": "csat",  "stat": "avg",   "weight": 20, "better": "higher", "range": [1, 5], "if_missing": "skip", "min_n": 3},
  {"name": "calls", "stat": "count", "weight": 20, "better": "higher", "target": 60, "cap": 1.2}],
 "scale": 100, "min_rows": 20}'::scorecard;

-- The smallest card: a name and a stat; weight 1, better higher, raw value, scale 100,
-- min_rows 0.
SELECT '{"metrics": [{"name": "calls", "stat": "count"}]}'::scorecard;

-- Every stat keyword is accepted; gates alone, min and max together, min = max.
SELECT '{"metrics": [
  {"name": "calls", "stat": "count", "min": 20},
  {"name": "talk",  "stat": "sum"},
  {"name": "aht",   "stat": "avg", "min": 60, "max": 1200},
  {"name": "short", "stat": "min", "max": 30},
  {"name": "long",  "stat": "max", "min": 5, "max": 5},
  {"name": "fcr",   "stat": "rate", "if_missing": "disqualify"}], "scale": 1}'::scorecard;

-- JSON null means "not given": the default applies.
SELECT '{"metrics": [{"name": "conv", "stat": "rate", "weight": null, "target": 0.2,
  "cap": null, "if_missing": null}], "scale": null, "min_rows": null}'::scorecard;

-- Keys may come in any order, with any whitespace; numbers keep their exact value and
-- print in the shortest form that reads back the same (1e-7, 0.1, 123456789.125, 1e+21).
SELECT '{ "min_rows" : 5 , "scale" : 1e3 , "metrics" : [ { "weight" : 0.1 ,
  "range" : [ 1e-7 , 123456789.125 ] , "stat" : "avg" , "name" : "aht" },
  {"name": "big", "stat": "sum", "weight": 1E21}] }'::scorecard;

-- A weight of 0 is allowed (the metric is shown in explain but does not count) as long
-- as some weight is positive; -0 prints as 0.
SELECT '{"metrics": [{"name": "a", "stat": "sum", "weight": -0},
                     {"name": "b", "stat": "sum", "weight": 2}]}'::scorecard;

-- Names are JSON strings: escapes are decoded on input and re-escaped on output.
SELECT '{"metrics": [{"name": "caf\u0041 \"q\"\\n", "stat": "count"}]}'::scorecard;

-- Round trip: the canonical text re-parses to the same card (same text again) for a set
-- of cards covering every field.
CREATE TABLE sc_cards (id int, card scorecard);
INSERT INTO sc_cards VALUES
 (1, '{"metrics": [{"name": "conv", "stat": "rate", "weight": 40, "target": 0.25},
      {"name": "aht", "stat": "avg", "weight": 20, "better": "lower", "range": [180, 900], "max": 1200},
      {"name": "csat", "stat": "avg", "weight": 20, "range": [1, 5], "if_missing": "skip", "min_n": 3},
      {"name": "calls", "stat": "count", "weight": 20, "target": 60, "cap": 1.2}], "min_rows": 20}'),
 (2, '{"metrics": [{"name": "calls", "stat": "count"}], "scale": 1}'),
 (3, '{"metrics": [{"name": "aht", "stat": "avg", "better": "lower", "target": 300, "cap": 2.5,
      "min": 30, "max": 1800, "min_n": 10, "if_missing": "disqualify"}], "scale": 0.001}'),
 (4, '{"metrics": [{"name": "x", "stat": "max", "weight": 0.30000000000000004, "range": [-1.5, 2.25]},
      {"name": "y", "stat": "min", "weight": 1e-300, "min": -1e300}], "min_rows": 9007199254740991}');
SELECT id, card::text::scorecard::text = card::text AS same_text
FROM sc_cards ORDER BY id;
DROP TABLE sc_cards;

-- A card with the maximum of 32 metrics is accepted.
SELECT length(format('{"metrics": [%s]}',
         string_agg(format('{"name": "m%s", "stat": "sum"}', i), ', '))::scorecard::text) > 0 AS ok
FROM generate_series(1, 32) i;
