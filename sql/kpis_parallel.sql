-- kpi_agg and kpi_merge run in parallel plans (Partial Aggregate in the workers, combined
-- in the leader) and give the same results as the serial plan.
CREATE TABLE kpis_par AS
SELECT g % 500 AS agent,
       ((g::bigint * 7919) % 600 + 30)::int AS handle,
       CASE WHEN g % 3 = 0 THEN (g % 5 + 1)::smallint END AS csat,
       g % 8 = 0 AS converted,
       g::bigint * 1000003 AS big,
       (g % 1000) * 0.25::float8 AS quarter,        -- exact in float8, so any order sums equal
       CASE WHEN g % 7 > 0 THEN g % 90 * interval '1 second' END AS wait
FROM generate_series(1, 300000) g;
ANALYZE kpis_par;

SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;

-- Grouped and plain aggregation both plan a Partial Aggregate under a Gather.
EXPLAIN (COSTS OFF)
SELECT agent, leaderboard.kpi_agg(handle, csat, converted, big, quarter, wait) FROM kpis_par GROUP BY agent;
EXPLAIN (COSTS OFF)
SELECT leaderboard.kpi_agg(handle, csat, converted, big, quarter, wait) FROM kpis_par;

CREATE TABLE kpis_par_parallel AS
SELECT agent, leaderboard.kpi_agg(handle, csat, converted, big, quarter, wait) AS k FROM kpis_par GROUP BY agent;
CREATE TABLE kpis_par_total_parallel AS
SELECT leaderboard.kpi_agg(handle, csat, converted, big, quarter, wait) AS k FROM kpis_par;

-- kpi_merge of the per-agent kpis in parallel too.
ANALYZE kpis_par_parallel;
EXPLAIN (COSTS OFF) SELECT leaderboard.kpi_merge(k) FROM kpis_par_parallel;
CREATE TABLE kpis_merge_parallel AS SELECT leaderboard.kpi_merge(k) AS k FROM kpis_par_parallel;

SET max_parallel_workers_per_gather = 0;
EXPLAIN (COSTS OFF)
SELECT agent, leaderboard.kpi_agg(handle, csat, converted, big, quarter, wait) FROM kpis_par GROUP BY agent;
CREATE TABLE kpis_par_serial AS
SELECT agent, leaderboard.kpi_agg(handle, csat, converted, big, quarter, wait) AS k FROM kpis_par GROUP BY agent;

-- Same kpis per agent, bit for bit, and for the whole table.
SELECT count(*) AS agents, count(*) FILTER (WHERE p.k::text = s.k::text) AS equal
FROM kpis_par_parallel p FULL JOIN kpis_par_serial s USING (agent);
SELECT t.k::text = (SELECT leaderboard.kpi_agg(handle, csat, converted, big, quarter, wait)::text FROM kpis_par) AS total_equal,
       m.k::text = t.k::text AS merge_equal, leaderboard.rows(t.k) AS rows
FROM kpis_par_total_parallel t, kpis_merge_parallel m;
SELECT k FROM kpis_par_total_parallel;

RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
DROP TABLE kpis_par, kpis_par_parallel, kpis_par_serial, kpis_par_total_parallel, kpis_merge_parallel;
