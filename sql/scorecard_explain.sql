-- explain(kpis, scorecard): the breakdown of a score. Contributions add up to the score,
-- and explain agrees with score() and qualified() on every row.
SET search_path = public, leaderboard;

-- One agent under the contract card, worked by hand:
-- conv  rate 7/25 = 0.28 against 0.25 -> 1.12, cap 1 -> 1;  40 * 1     -> 40 of 100 weight
-- aht   avg 10800/25 = 432 on [180, 900], lower -> (900 - 432)/720 = 0.65 -> 20 * 0.65 = 13
-- csat  2 surveys < min_n 3, skip -> missing, its weight 20 leaves the denominator
-- calls count 25 against 60 -> 0.41667 -> 20 * 0.41667 = 8.3333
-- score = 100 * (40 + 13 + 8.3333) / 80 = 76.667; contributions 50 + 16.25 + 10.4167.
-- 25 rows >= min_rows 20 and aht 432 <= max 1200: qualified.
SELECT jsonb_pretty(explain(
  'rows=25; int n=25 sum=7 min=0 max=1; int n=25 sum=10800 min=95 max=1100;
   int n=2 sum=9 min=4 max=5; int n=25 sum=325 min=1 max=25',
  '{"metrics": [
    {"name": "conv",  "stat": "rate",  "weight": 40, "target": 0.25},
    {"name": "aht",   "stat": "avg",   "weight": 20, "better": "lower", "range": [180, 900], "max": 1200},
    {"name": "csat",  "stat": "avg",   "weight": 20, "range": [1, 5], "if_missing": "skip", "min_n": 3},
    {"name": "calls", "stat": "count", "weight": 20, "target": 60, "cap": 1.2}],
   "scale": 100, "min_rows": 20}'));

-- An unqualified row lists every reason, in card order after min_rows, and keeps its score.
SELECT explain('rows=3; int n=3 sum=0 min=0 max=1; int n=3 sum=150 min=40 max=60; int n=0 sum=0 min=0 max=0',
  '{"metrics": [{"name": "conv", "stat": "rate", "target": 0.25, "min": 0.05},
                {"name": "aht", "stat": "avg", "better": "lower", "range": [180, 900], "min": 90},
                {"name": "csat", "stat": "avg", "range": [1, 5], "if_missing": "disqualify"}],
    "min_rows": 20}') - 'metrics' AS summary;

-- Generated calls: 60 agents with very different volumes (agent k gets about
-- (2k - 1)/3600 of the calls), agents whose id is a multiple of 13 have no surveys.
CREATE TABLE sc_calls AS
SELECT i AS call_id,
       floor(sqrt(abs(hashint4(i)) % 3600))::int + 1 AS agent_id,
       i % 7 AS weekday
FROM generate_series(1, 30000) AS i;
ALTER TABLE sc_calls
  ADD converted boolean, ADD handle_seconds int, ADD csat smallint, ADD resolved_first boolean;
UPDATE sc_calls SET
  converted      = abs(hashint4(call_id + 1)) % 100 < 5 + agent_id % 25,
  handle_seconds = 40 + abs(hashint4(call_id + 2)) % (200 + agent_id * 15),
  csat           = CASE WHEN abs(hashint4(call_id + 3)) % 4 = 0 AND agent_id % 13 <> 0
                        THEN 1 + abs(hashint4(call_id + 4)) % 5 END,
  resolved_first = CASE WHEN agent_id % 17 <> 0 THEN abs(hashint4(call_id + 5)) % 100 < 40 + agent_id % 50 END;

-- Per agent and weekday (a few hundred kpis), under three cards that exercise every
-- normalization, gate and missing rule.
CREATE TABLE sc_rows AS
SELECT c.id AS card_id, g.agent_id, g.weekday, g.k, c.card
FROM (SELECT agent_id, weekday,
             kpi_agg(converted, handle_seconds, csat, call_id, resolved_first) AS k
      FROM sc_calls GROUP BY agent_id, weekday) AS g,
     (VALUES
       (1, '{"metrics": [
          {"name": "conv",  "stat": "rate",  "weight": 30, "target": 0.25, "min": 0.05},
          {"name": "aht",   "stat": "avg",   "weight": 20, "better": "lower", "range": [180, 900], "min": 90, "max": 600},
          {"name": "csat",  "stat": "avg",   "weight": 20, "range": [1, 5], "min_n": 3, "if_missing": "skip", "min": 2.5},
          {"name": "calls", "stat": "count", "weight": 15, "target": 40, "cap": 1.2},
          {"name": "fcr",   "stat": "rate",  "weight": 15, "range": [0.5, 0.9], "if_missing": "disqualify"}],
          "min_rows": 5}'::scorecard),
       (2, '{"metrics": [
          {"name": "conv",  "stat": "sum",   "weight": 1},
          {"name": "aht",   "stat": "avg",   "weight": 0.5, "better": "lower", "target": 240, "cap": 3},
          {"name": "csat",  "stat": "max",   "weight": 2, "if_missing": "skip"},
          {"name": "calls", "stat": "count", "weight": 0},
          {"name": "fcr",   "stat": "min",   "weight": 1.5, "min_n": 10}], "scale": 7}'),
       (3, '{"metrics": [
          {"name": "conv",  "stat": "rate",  "weight": 1, "if_missing": "skip", "min_n": 40},
          {"name": "aht",   "stat": "min",   "weight": 1, "if_missing": "skip", "min_n": 40},
          {"name": "csat",  "stat": "avg",   "weight": 1, "if_missing": "skip", "min_n": 10},
          {"name": "calls", "stat": "count", "weight": 1, "if_missing": "skip", "min_n": 40},
          {"name": "fcr",   "stat": "rate",  "weight": 1, "if_missing": "skip", "min_n": 40}], "scale": 1}'))
     AS c(id, card);

-- Over every row: the contributions add up to the score (within 1e-9); explain's score and
-- qualified are exactly score() and qualified(); a row is qualified exactly when it has no
-- reasons; a metric is missing exactly when its normalized value is null. The spread of
-- scores and qualified rows shows the cards do not collapse to one case.
SELECT card_id, count(*) AS rows,
       count(*) FILTER (WHERE abs(contrib - score(k, card)) > 1e-9) AS sum_off,
       count(*) FILTER (WHERE (e ->> 'score')::float8 <> score(k, card)) AS score_off,
       count(*) FILTER (WHERE (e ->> 'qualified')::bool <> qualified(k, card)) AS qualified_off,
       count(*) FILTER (WHERE (e ->> 'qualified')::bool <> (jsonb_array_length(e -> 'reasons') = 0)) AS reasons_off,
       count(*) FILTER (WHERE missing_off) AS missing_off,
       count(*) FILTER (WHERE qualified(k, card)) AS qualified,
       count(*) FILTER (WHERE missing > 0) AS with_missing,
       round(min(score(k, card))::numeric, 3) AS min_score,
       round(max(score(k, card))::numeric, 3) AS max_score
FROM sc_rows,
     LATERAL explain(k, card) AS e,
     LATERAL (SELECT sum((m ->> 'contribution')::float8) AS contrib,
                     count(*) FILTER (WHERE (m ->> 'missing')::bool) AS missing,
                     bool_or((m ->> 'missing')::bool <> (m -> 'normalized' = 'null')) AS missing_off
              FROM jsonb_array_elements(e -> 'metrics') AS m) AS s
GROUP BY card_id ORDER BY card_id;

-- Card 3 skips every metric with too few values: rows left with nothing are scored 0 and
-- unqualified, with that reason.
SELECT DISTINCT score(k, card), e -> 'reasons' AS reasons
FROM sc_rows, LATERAL explain(k, card) AS e
WHERE card_id = 3 AND rows(k) < 10;

DROP TABLE sc_calls, sc_rows;
