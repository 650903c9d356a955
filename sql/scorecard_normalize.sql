-- score(kpis, scorecard): each normalization on hand-made kpis, with the expected
-- numbers worked out in the comments. Card entry i reads kpis metric i.
SET search_path = public, leaderboard;

-- range, better higher: csat avg (2+3+4+5)/4 = 3.5 on [1, 5] -> (3.5 - 1)/4 = 0.625 -> 62.5.
SELECT score('rows=4; int n=4 sum=14 min=2 max=5',
             '{"metrics": [{"name": "csat", "stat": "avg", "range": [1, 5]}]}');
-- range clamps to [0, 1]: avg 4.5 on [1, 4] -> 1 (100); avg 1.5 on [2, 5] -> 0 (0).
SELECT score('rows=2; int n=2 sum=9 min=4 max=5',
             '{"metrics": [{"name": "csat", "stat": "avg", "range": [1, 4]}]}') AS above_hi,
       score('rows=2; int n=2 sum=3 min=1 max=2',
             '{"metrics": [{"name": "csat", "stat": "avg", "range": [2, 5]}]}') AS below_lo;
-- range, better lower: aht avg 540 on [180, 900] -> (900 - 540)/720 = 0.5 -> 50;
-- avg 120 -> (900 - 120)/720 > 1 -> 1 (100); avg 1000 -> < 0 -> 0.
SELECT score('rows=3; int n=3 sum=1620 min=300 max=800',
             '{"metrics": [{"name": "aht", "stat": "avg", "better": "lower", "range": [180, 900]}]}') AS mid,
       score('rows=3; int n=3 sum=360 min=100 max=140',
             '{"metrics": [{"name": "aht", "stat": "avg", "better": "lower", "range": [180, 900]}]}') AS fast,
       score('rows=3; int n=3 sum=3000 min=900 max=1100',
             '{"metrics": [{"name": "aht", "stat": "avg", "better": "lower", "range": [180, 900]}]}') AS slow;
-- target, better higher: conv rate 2/10 = 0.2 against 0.25 -> 0.8 -> 80; rate 4/10 = 0.4
-- -> 1.6, capped at the default cap 1 -> 100.
SELECT score('rows=10; int n=10 sum=2 min=0 max=1',
             '{"metrics": [{"name": "conv", "stat": "rate", "target": 0.25}]}') AS below_target,
       score('rows=10; int n=10 sum=4 min=0 max=1',
             '{"metrics": [{"name": "conv", "stat": "rate", "target": 0.25}]}') AS above_target;
-- cap > 1 lets a score exceed scale: calls count 66 against 60 -> 1.1 -> 110 (shown as
-- 110.00000000000001: 66/60 has no exact binary form); count 90 -> 1.5, capped at 1.2 -> 120.
SELECT score('rows=66; int n=66 sum=2211 min=1 max=66',
             '{"metrics": [{"name": "calls", "stat": "count", "target": 60, "cap": 1.2}]}') AS count_66,
       score('rows=90; int n=90 sum=4095 min=1 max=90',
             '{"metrics": [{"name": "calls", "stat": "count", "target": 60, "cap": 1.2}]}') AS count_90;
-- target, better lower: aht avg 400 against 300 -> 300/400 = 0.75 -> 75; avg 120 ->
-- 2.5, capped at 2 -> 200; avg 0 (every call 0 s) -> the cap -> 200.
SELECT score('rows=2; int n=2 sum=800 min=350 max=450',
             '{"metrics": [{"name": "aht", "stat": "avg", "better": "lower", "target": 300, "cap": 2}]}') AS slow,
       score('rows=2; int n=2 sum=240 min=100 max=140',
             '{"metrics": [{"name": "aht", "stat": "avg", "better": "lower", "target": 300, "cap": 2}]}') AS fast,
       score('rows=2; int n=2 sum=0 min=0 max=0',
             '{"metrics": [{"name": "aht", "stat": "avg", "better": "lower", "target": 300, "cap": 2}]}') AS zero;
-- Neither range nor target: the raw stat is the normalized value (scale 1 for raw
-- boards): sum of talk seconds 12345.5, count 7, min 0.5, max 9000.
SELECT score('rows=7; float n=7 sum=12345.5 min=0.5 max=9000',
             '{"metrics": [{"name": "talk", "stat": "sum"}], "scale": 1}') AS talk_sum,
       score('rows=7; float n=7 sum=12345.5 min=0.5 max=9000',
             '{"metrics": [{"name": "talk", "stat": "count"}], "scale": 1}') AS talk_count,
       score('rows=7; float n=7 sum=12345.5 min=0.5 max=9000',
             '{"metrics": [{"name": "talk", "stat": "min"}], "scale": 1}') AS talk_min,
       score('rows=7; float n=7 sum=12345.5 min=0.5 max=9000',
             '{"metrics": [{"name": "talk", "stat": "max"}], "scale": 1}') AS talk_max;
-- count is the metric's non-null count, not rows(): 10 rows, 4 surveys -> 4.
SELECT score('rows=10; int n=4 sum=17 min=3 max=5',
             '{"metrics": [{"name": "surveys", "stat": "count"}], "scale": 1}');
-- rate is the share of true among the non-null values of a boolean: 3 of 12 -> 0.25.
SELECT score('rows=12; int n=12 sum=3 min=0 max=1',
             '{"metrics": [{"name": "fcr", "stat": "rate"}], "scale": 1}');

-- The weighted mean of the contract card: conv 9/30 = 0.3 -> capped 1, aht avg 540 ->
-- 0.5, csat avg 20/5 = 4 -> 0.75, calls 30/60 -> 0.5;
-- 100 * (40*1 + 20*0.5 + 20*0.75 + 20*0.5) / 100 = 75.
SELECT score('rows=30; int n=30 sum=9 min=0 max=1; int n=30 sum=16200 min=95 max=1400;
              int n=5 sum=20 min=3 max=5; int n=30 sum=465 min=1 max=30',
  '{"metrics": [
    {"name": "conv",  "stat": "rate",  "weight": 40, "better": "higher", "target": 0.25},
    {"name": "aht",   "stat": "avg",   "weight": 20, "better": "lower",  "range": [180, 900], "max": 1500},
    {"name": "csat",  "stat": "avg",   "weight": 20, "better": "higher", "range": [1, 5], "if_missing": "skip", "min_n": 3},
    {"name": "calls", "stat": "count", "weight": 20, "better": "higher", "target": 60, "cap": 1.2}],
   "scale": 100, "min_rows": 20}');
-- Weights are relative: the same card with weights 4/2/2/2 and scale 10 gives 7.5.
SELECT score('rows=30; int n=30 sum=9 min=0 max=1; int n=30 sum=16200 min=95 max=1400;
              int n=5 sum=20 min=3 max=5; int n=30 sum=465 min=1 max=30',
  '{"metrics": [
    {"name": "conv",  "stat": "rate",  "weight": 4, "target": 0.25},
    {"name": "aht",   "stat": "avg",   "weight": 2, "better": "lower",  "range": [180, 900]},
    {"name": "csat",  "stat": "avg",   "weight": 2, "range": [1, 5], "min_n": 3},
    {"name": "calls", "stat": "count", "weight": 2, "target": 60, "cap": 1.2}],
   "scale": 10}');
-- A weight-0 metric is shown but does not count: conv (0.8) alone decides -> 80.
SELECT score('rows=10; int n=10 sum=2 min=0 max=1; int n=10 sum=50 min=1 max=9',
  '{"metrics": [{"name": "conv", "stat": "rate", "target": 0.25},
                {"name": "talk", "stat": "sum", "weight": 0}]}');

-- Ad hoc, the card and the kpis must have the same number of metrics (22023, naming
-- both counts): 2 card metrics against 1 and against 3 kpis metrics.
\set VERBOSITY default
SELECT score('rows=1; int n=1 sum=1 min=1 max=1',
  '{"metrics": [{"name": "conv", "stat": "rate"}, {"name": "calls", "stat": "count"}]}');
DO $$
BEGIN
  PERFORM leaderboard.qualified('rows=1; int n=1 sum=1 min=1 max=1; int n=0 sum=0 min=0 max=0; int n=0 sum=0 min=0 max=0',
    '{"metrics": [{"name": "conv", "stat": "rate"}, {"name": "calls", "stat": "count"}]}');
EXCEPTION WHEN invalid_parameter_value THEN
  RAISE NOTICE 'qualified: % %', SQLSTATE, SQLERRM;
END $$;
DO $$
BEGIN
  PERFORM leaderboard.explain('rows=1; int n=1 sum=1 min=1 max=1',
    '{"metrics": [{"name": "conv", "stat": "rate"}, {"name": "calls", "stat": "count"}]}');
EXCEPTION WHEN invalid_parameter_value THEN
  RAISE NOTICE 'explain: % %', SQLSTATE, SQLERRM;
END $$;

-- a range wider than the largest double (its width overflows) normalizes as any other:
-- 2.5 is half way from -1e308 to 1e308, 9e307 at 0.95
SELECT leaderboard.score('rows=2; int n=2 sum=5 min=2 max=3',
         '{"metrics": [{"name": "x", "stat": "avg", "range": [-1e308, 1e308]}]}') AS middle,
       leaderboard.score('rows=2; int n=2 sum=5 min=2 max=3',
         '{"metrics": [{"name": "x", "stat": "avg", "better": "lower", "range": [-1e308, 1e308]}]}') AS middle_lower,
       leaderboard.score('rows=1; float n=1 sum=9e307 min=9e307 max=9e307',
         '{"metrics": [{"name": "x", "stat": "avg", "range": [-1e308, 1e308]}]}') AS high;
