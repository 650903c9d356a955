-- Missing metrics: min_n decides when a metric is missing, if_missing what happens then
-- (zero: contributes 0 and keeps its weight; skip: its weight leaves the denominator;
-- disqualify: contributes 0 and the row is unqualified).
SET search_path = public, leaderboard;

-- Two metrics, 50/50: conv (rate 0.2 against 0.25 -> 0.8) and csat (range [1, 5]) with
-- only 2 surveys, avg 4.5, below min_n 3.
-- zero: 100 * (50*0.8 + 50*0) / 100 = 40.
-- skip: 100 * (50*0.8) / 50 = 80.
-- disqualify: 40 like zero, and unqualified.
SELECT mode, score(k, card), qualified(k, card), explain(k, card) -> 'reasons' AS reasons
FROM (VALUES ('rows=10; int n=10 sum=2 min=0 max=1; int n=2 sum=9 min=4 max=5'::kpis)) AS v(k),
LATERAL (SELECT mode, format('{"metrics": [
    {"name": "conv", "stat": "rate", "weight": 50, "target": 0.25},
    {"name": "csat", "stat": "avg",  "weight": 50, "range": [1, 5], "min_n": 3, "if_missing": "%s"}]}',
    mode)::scorecard AS card
  FROM unnest(ARRAY['zero', 'skip', 'disqualify']) AS mode) AS c;

-- With 3 surveys (avg 13/3 -> (13/3 - 1)/4 = 0.8333) csat is present in every mode:
-- 100 * (50*0.8 + 50*0.8333) / 100 = 81.667.
SELECT mode, score(k, card), qualified(k, card)
FROM (VALUES ('rows=10; int n=10 sum=2 min=0 max=1; int n=3 sum=13 min=4 max=5'::kpis)) AS v(k),
LATERAL (SELECT mode, format('{"metrics": [
    {"name": "conv", "stat": "rate", "weight": 50, "target": 0.25},
    {"name": "csat", "stat": "avg",  "weight": 50, "range": [1, 5], "min_n": 3, "if_missing": "%s"}]}',
    mode)::scorecard AS card
  FROM unnest(ARRAY['zero', 'skip', 'disqualify']) AS mode) AS c;

-- The default min_n is 1: an avg without values is missing (default if_missing zero
-- keeps its weight: 100 * 0.8 / 2 = 40) ...
SELECT score('rows=10; int n=10 sum=2 min=0 max=1; int n=0 sum=0 min=0 max=0',
  '{"metrics": [{"name": "conv", "stat": "rate", "target": 0.25},
                {"name": "csat", "stat": "avg", "range": [1, 5]}]}');
-- ... and min_n 0 does not make an avg without values present: it has no value.
SELECT explain('rows=10; int n=10 sum=2 min=0 max=1; int n=0 sum=0 min=0 max=0',
  '{"metrics": [{"name": "conv", "stat": "rate", "target": 0.25},
                {"name": "csat", "stat": "avg", "range": [1, 5], "min_n": 0, "if_missing": "disqualify"}]}')
  -> 'reasons' AS reasons;

-- A count is never missing unless min_n says so (its default min_n is 0): no calls
-- scores 0 against a target; with min_n 1 and disqualify, no calls disqualifies.
SELECT score(k, '{"metrics": [{"name": "calls", "stat": "count", "target": 60}]}') AS count_score,
       qualified(k, '{"metrics": [{"name": "calls", "stat": "count", "target": 60}]}') AS count_qualified,
       qualified(k, '{"metrics": [{"name": "calls", "stat": "count", "target": 60,
                                   "min_n": 1, "if_missing": "disqualify"}]}') AS required_calls
FROM (VALUES ('rows=0; int n=0 sum=0 min=0 max=0'::kpis)) AS v(k);

-- A sum without values is missing by the default min_n 1 too, so a "lower" target does
-- not turn "no data" into the best possible score.
SELECT score('rows=5; int n=0 sum=0 min=0 max=0',
  '{"metrics": [{"name": "transfers", "stat": "sum", "better": "lower", "target": 2, "cap": 1}]}') AS no_data,
       score('rows=5; int n=5 sum=0 min=0 max=0',
  '{"metrics": [{"name": "transfers", "stat": "sum", "better": "lower", "target": 2, "cap": 1}]}') AS zero_transfers;

-- A missing metric's gates are not checked (there is too little data to judge): csat
-- with 1 survey of 1 against min 3 and min_n 3 stays qualified when skipped.
SELECT score(k, card), qualified(k, card)
FROM (VALUES ('rows=10; int n=10 sum=2 min=0 max=1; int n=1 sum=1 min=1 max=1'::kpis,
              '{"metrics": [{"name": "conv", "stat": "rate", "target": 0.25},
                            {"name": "csat", "stat": "avg", "range": [1, 5], "min": 3,
                             "min_n": 3, "if_missing": "skip"}]}'::scorecard)) AS v(k, card);

-- Every weighted metric skipped: nothing is left to score, so the score is 0 and the row
-- is unqualified, with the reason. (A weight-0 metric present does not help.)
SELECT score(k, card), qualified(k, card), explain(k, card) -> 'reasons' AS reasons
FROM (VALUES ('rows=4; int n=0 sum=0 min=0 max=0; int n=4 sum=10 min=1 max=4'::kpis,
              '{"metrics": [{"name": "csat", "stat": "avg", "range": [1, 5], "if_missing": "skip"},
                            {"name": "talk", "stat": "sum", "weight": 0}]}'::scorecard)) AS v(k, card);

-- explain shows a metric missing by min_n with its value and n, normalized null and
-- contribution 0.
SELECT jsonb_pretty(explain('rows=10; int n=10 sum=2 min=0 max=1; int n=2 sum=9 min=4 max=5',
  '{"metrics": [{"name": "conv", "stat": "rate", "weight": 50, "target": 0.25},
                {"name": "csat", "stat": "avg", "weight": 50, "range": [1, 5], "min_n": 3,
                 "if_missing": "disqualify"}]}') -> 'metrics' -> 1);
