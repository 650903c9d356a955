-- score / qualified over kpi_agg: equal to an independent SQL recomputation of the same
-- formula on generated calls, and the same in a parallel plan as in a serial one.
SET search_path = public, leaderboard;

-- 40000 generated calls for 80 agents with very different volumes (agent k gets about
-- (2k - 1)/6400 of the calls); agents whose id is a multiple of 13 have no surveys,
-- multiples of 17 no first-call-resolution flag.
CREATE TABLE sc_calls AS
SELECT i AS call_id,
       floor(sqrt(abs(hashint4(i)) % 6400))::int + 1 AS agent_id
FROM generate_series(1, 40000) AS i;
ALTER TABLE sc_calls
  ADD converted boolean, ADD handle_seconds int, ADD csat smallint, ADD resolved_first boolean;
UPDATE sc_calls SET
  converted      = abs(hashint4(call_id + 1)) % 100 < 3 + agent_id % 25,
  handle_seconds = 40 + abs(hashint4(call_id + 2)) % (200 + agent_id * 12),
  csat           = CASE WHEN abs(hashint4(call_id + 3)) % 4 = 0 AND agent_id % 13 <> 0
                        THEN 1 + abs(hashint4(call_id + 4)) % 5 END,
  resolved_first = CASE WHEN agent_id % 17 <> 0 THEN abs(hashint4(call_id + 5)) % 100 < 40 + agent_id % 50 END;
ANALYZE sc_calls;

\set card '{"metrics": [{"name": "conv", "stat": "rate", "weight": 30, "target": 0.25, "min": 0.05}, {"name": "aht", "stat": "avg", "weight": 20, "better": "lower", "range": [180, 900], "min": 90, "max": 800}, {"name": "csat", "stat": "avg", "weight": 20, "range": [1, 5], "min_n": 5, "if_missing": "skip", "min": 2.5}, {"name": "calls", "stat": "count", "weight": 15, "target": 600, "cap": 1.2}, {"name": "fcr", "stat": "rate", "weight": 15, "range": [0.5, 0.9], "if_missing": "disqualify"}], "min_rows": 100}'

-- The extension's score and qualified per agent, in a serial plan.
SET max_parallel_workers_per_gather = 0;
CREATE TABLE sc_ext AS
SELECT agent_id,
       score(kpi_agg(converted, handle_seconds, csat, call_id, resolved_first), :'card'),
       qualified(kpi_agg(converted, handle_seconds, csat, call_id, resolved_first), :'card')
FROM sc_calls GROUP BY agent_id;
RESET max_parallel_workers_per_gather;

-- The same card (see :card above) written out in plain SQL, from plain aggregates.
CREATE TABLE sc_hand AS
WITH s AS (
  SELECT agent_id, count(*) AS nrows,
         count(converted) AS conv_n, sum(converted::int)::float8 / count(converted) AS conv,
         count(handle_seconds) AS aht_n, sum(handle_seconds)::float8 / count(handle_seconds) AS aht,
         count(csat) AS csat_n, sum(csat)::float8 / nullif(count(csat), 0) AS csat,
         count(call_id) AS calls,
         count(resolved_first) AS fcr_n,
         sum(resolved_first::int)::float8 / nullif(count(resolved_first), 0) AS fcr
  FROM sc_calls GROUP BY agent_id),
n AS (
  SELECT *,
         least(conv / 0.25, 1) AS conv_norm,
         greatest(0, least(1, (900 - aht) / (900 - 180))) AS aht_norm,
         CASE WHEN csat_n >= 5 THEN greatest(0, least(1, (csat - 1) / (5 - 1))) END AS csat_norm,
         least(calls / 600.0, 1.2) AS calls_norm,
         CASE WHEN fcr_n >= 1 THEN greatest(0, least(1, (fcr - 0.5) / (0.9 - 0.5))) END AS fcr_norm
  FROM s)
SELECT agent_id,
       100 * (30 * conv_norm + 20 * aht_norm + 20 * coalesce(csat_norm, 0)
              + 15 * calls_norm + 15 * coalesce(fcr_norm, 0))
           / (30 + 20 + CASE WHEN csat_norm IS NULL THEN 0 ELSE 20 END + 15 + 15) AS score,
       nrows >= 100 AND conv >= 0.05 AND aht BETWEEN 90 AND 800
         AND (csat_n < 5 OR csat >= 2.5) AND fcr_n >= 1 AS qualified
FROM n;

-- Zero rows differ beyond 1e-9 in score or at all in qualified; both sides cover every
-- agent, and the data spreads over qualified and unqualified agents.
SELECT count(*) AS agents,
       count(*) FILTER (WHERE abs(e.score - h.score) > 1e-9) AS score_differs,
       count(*) FILTER (WHERE e.qualified <> h.qualified) AS qualified_differs,
       count(*) FILTER (WHERE e.qualified) AS qualified,
       (SELECT count(*) FROM sc_hand) AS hand_agents
FROM sc_ext e JOIN sc_hand h USING (agent_id);

-- The same in a parallel plan: Partial Aggregate in workers, score over the finalized kpis.
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF)
SELECT agent_id,
       score(kpi_agg(converted, handle_seconds, csat, call_id, resolved_first), :'card'),
       qualified(kpi_agg(converted, handle_seconds, csat, call_id, resolved_first), :'card')
FROM sc_calls GROUP BY agent_id;
CREATE TABLE sc_parallel AS
SELECT agent_id,
       score(kpi_agg(converted, handle_seconds, csat, call_id, resolved_first), :'card'),
       qualified(kpi_agg(converted, handle_seconds, csat, call_id, resolved_first), :'card')
FROM sc_calls GROUP BY agent_id;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;

-- Parallel equals serial exactly (integer and boolean metrics sum exactly, in any order).
SELECT count(*) AS agents,
  (SELECT count(*) FROM (SELECT * FROM sc_parallel EXCEPT SELECT * FROM sc_ext) d) AS only_parallel,
  (SELECT count(*) FROM (SELECT * FROM sc_ext EXCEPT SELECT * FROM sc_parallel) d) AS only_serial
FROM sc_parallel;

DROP TABLE sc_calls, sc_ext, sc_hand, sc_parallel;
