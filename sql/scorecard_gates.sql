-- Gates (min / max on a stat value) and min_rows decide qualified(); an unqualified row
-- still gets its score, and explain() names the metric, the value and the gate.
SET search_path = public, leaderboard;

CREATE TABLE sc_agents (agent text, k kpis);
-- Metrics: conv (converted, boolean), aht (handle seconds), csat (1-5, NULL without a
-- survey), calls (call ids).
INSERT INTO sc_agents VALUES
 -- steady: conv 6/24 = 0.25, aht 7200/24 = 300, csat 36/8 = 4.5, 24 calls
 ('steady', 'rows=24; int n=24 sum=6 min=0 max=1; int n=24 sum=7200 min=120 max=640;
             int n=8 sum=36 min=4 max=5; int n=24 sum=300 min=1 max=24'),
 -- gamer: hangs up fast to lift handle time: aht 1440/24 = 60, conv 0/24 = 0,
 -- csat 14/8 = 1.75, 24 calls
 ('gamer',  'rows=24; int n=24 sum=0 min=0 max=1; int n=24 sum=1440 min=20 max=95;
             int n=8 sum=14 min=1 max=3; int n=24 sum=300 min=1 max=24'),
 -- slow: aht 31200/24 = 1300 (above max 1200), conv 0.25, csat 4.5
 ('slow',   'rows=24; int n=24 sum=6 min=0 max=1; int n=24 sum=31200 min=900 max=2000;
             int n=8 sum=36 min=4 max=5; int n=24 sum=300 min=1 max=24'),
 -- new: good numbers on only 12 calls (below min_rows 20): conv 3/12, aht 3600/12 = 300,
 -- csat 18/4 = 4.5
 ('new',    'rows=12; int n=12 sum=3 min=0 max=1; int n=12 sum=3600 min=120 max=640;
             int n=4 sum=18 min=4 max=5; int n=12 sum=78 min=1 max=12'),
 -- edge: values exactly on the gates (gates are inclusive) and exactly min_rows rows:
 -- aht 1800/20 = 90, csat 24/8 = 3, conv 2/20 = 0.1, 20 calls
 ('edge',   'rows=20; int n=20 sum=2 min=0 max=1; int n=20 sum=1800 min=60 max=130;
             int n=8 sum=24 min=2 max=4; int n=20 sum=210 min=1 max=20');

-- The anti-gaming card: handle time scores 40%, but a handle time under 90 s, a CSAT under
-- 3 or a conversion rate under 5% disqualifies, as does a handle time over 1200 s.
CREATE TABLE sc_card AS SELECT '{"metrics": [
  {"name": "conv",  "stat": "rate",  "weight": 30, "target": 0.25, "min": 0.05},
  {"name": "aht",   "stat": "avg",   "weight": 40, "better": "lower", "range": [180, 900], "min": 90, "max": 1200},
  {"name": "csat",  "stat": "avg",   "weight": 20, "range": [1, 5], "min": 3},
  {"name": "calls", "stat": "count", "weight": 10, "target": 20}],
  "min_rows": 20}'::scorecard AS card;

-- steady: 30*1 + 40*(900-300)/720 + 20*(4.5-1)/4 + 10*1 = 30 + 33.333 + 17.5 + 10 = 90.833,
--   qualified.
-- gamer: conv 0 -> 0, aht 60 -> 1, csat 1.75 -> 0.1875, calls 24/20 -> 1 (cap 1):
--   0 + 40 + 3.75 + 10 = 53.75 -- a score, but unqualified by three gates.
-- slow: 30 + 0 + 17.5 + 10 = 57.5, unqualified (aht above max).
-- new: 30 + 33.333 + 17.5 + 10*12/20 = 86.833, unqualified (12 rows < min_rows 20).
-- edge: conv 2/20 = 0.1 -> 0.4, aht 90 -> 1 (clamped), csat 3 -> 0.5, calls 20/20 -> 1:
--   12 + 40 + 10 + 10 = 72, qualified: a value equal to a gate passes, and rows equal to
--   min_rows pass.
SELECT a.agent, score(a.k, c.card), qualified(a.k, c.card),
       explain(a.k, c.card) -> 'reasons' AS reasons
FROM sc_agents a, sc_card c ORDER BY score(a.k, c.card) DESC;

-- The same gates without the guardrails: the gamer would lead the board on handle time
-- alone, which is what the gates exist to prevent.
SELECT a.agent, score(a.k, '{"metrics": [
  {"name": "conv",  "stat": "rate",  "weight": 0, "target": 0.25},
  {"name": "aht",   "stat": "avg",   "weight": 1, "better": "lower", "range": [180, 900]},
  {"name": "csat",  "stat": "avg",   "weight": 0, "range": [1, 5]},
  {"name": "calls", "stat": "count", "weight": 0, "target": 20}]}') AS aht_only
FROM sc_agents a ORDER BY 2 DESC, 1;

-- A gate on a count: fewer than 20 calls disqualifies, including zero calls (a count is
-- a value even when it is 0, so its gate is checked).
SELECT qualified('rows=19; int n=19 sum=190 min=1 max=19',
                 '{"metrics": [{"name": "calls", "stat": "count", "min": 20}], "scale": 1}') AS calls_19,
       qualified('rows=0; int n=0 sum=0 min=0 max=0',
                 '{"metrics": [{"name": "calls", "stat": "count", "min": 20}], "scale": 1}') AS calls_0,
       explain('rows=0; int n=0 sum=0 min=0 max=0',
               '{"metrics": [{"name": "calls", "stat": "count", "min": 20}], "scale": 1}') -> 'reasons' AS reasons_0;

-- Gates judge the stat they sit on: a max on the max handle time, a min on the min.
SELECT explain('rows=3; int n=3 sum=900 min=10 max=700; int n=3 sum=900 min=10 max=700',
  '{"metrics": [{"name": "longest", "stat": "max", "max": 600},
                {"name": "shortest", "stat": "min", "min": 15}]}') -> 'reasons' AS reasons;

-- min_rows counts rows(), all rows including those where every metric is NULL: 20 rows
-- with only 5 csat values still meet min_rows 20.
SELECT qualified('rows=20; int n=5 sum=20 min=3 max=5',
                 '{"metrics": [{"name": "csat", "stat": "avg", "range": [1, 5]}], "min_rows": 20}');

DROP TABLE sc_agents, sc_card;
