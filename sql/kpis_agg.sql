-- kpi_agg over every supported input type, NULL handling, exactness, and agreement with
-- plain SQL aggregates; kpi_merge and the + operator.

-- Every input type. NULL is a missing value for its own metric only: the row still counts.
-- smallint, integer, bigint and boolean (true = 1) are "int" metrics; real, double
-- precision, numeric and interval (in seconds) are "float" metrics.
SELECT leaderboard.kpi_agg(s, i, b, t, r, d, n, iv) AS k
FROM (VALUES
  (1::smallint, 10, 100::bigint, true, 1.5::real, 0.25::float8, 2.5::numeric, interval '1 minute'),
  (NULL, -20, NULL, false, NULL, 0.5, NULL, interval '1 day 0.5 seconds'),
  (-3, NULL, 9000000000, NULL, -2, NULL, 1.25, NULL),
  (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)
) v(s, i, b, t, r, d, n, iv) \gset
SELECT :'k';
SELECT leaderboard.rows(:'k') AS rows,
       i, leaderboard.kpi_count(:'k', i) AS count, leaderboard.kpi_sum(:'k', i) AS sum,
       leaderboard.kpi_avg(:'k', i) AS avg, leaderboard.kpi_min(:'k', i) AS min,
       leaderboard.kpi_max(:'k', i) AS max
FROM generate_series(1, 8) i;

-- A metric with no values has count 0 and sum 0; its avg, min and max are NULL.
SELECT leaderboard.kpi_agg(NULL::int, x) AS k FROM generate_series(1, 3) x \gset
SELECT :'k', leaderboard.kpi_count(:'k', 1) AS count, leaderboard.kpi_sum(:'k', 1) AS sum,
       leaderboard.kpi_avg(:'k', 1) AS avg, leaderboard.kpi_min(:'k', 1) AS min,
       leaderboard.kpi_max(:'k', 1) AS max;

-- Over no rows kpi_agg is NULL, like sum(); with GROUP BY there is no group at all.
SELECT leaderboard.kpi_agg(x) IS NULL AS is_null FROM generate_series(1, 0) x;
SELECT count(*) FROM (SELECT leaderboard.kpi_agg(x) FROM generate_series(1, 0) x GROUP BY x) g;

-- Interval seconds are EXTRACT(epoch FROM ...): months of 30 days, years of 365.25 days.
SELECT leaderboard.kpi_sum(leaderboard.kpi_agg(iv), 1) = sum(extract(epoch FROM iv))::float8 AS same,
       leaderboard.kpi_sum(leaderboard.kpi_agg(iv), 1) AS seconds
FROM (VALUES (interval '1 year 1 month'), (interval '-2 days 3.000001 seconds')) v(iv);

-- Domains over supported types are accepted.
CREATE DOMAIN kpis_test_score AS smallint CHECK (VALUE BETWEEN 1 AND 5);
SELECT leaderboard.kpi_agg(x::kpis_test_score) FROM generate_series(1, 5) x;
DROP DOMAIN kpis_test_score;

-- Integer sums are exact in 64 bits: 2^53 + 1 added three times is not representable in
-- float8 (sum(float8) rounds it), kpi_agg keeps every unit.
SELECT leaderboard.kpi_agg(x) AS k, sum(x) AS exact_sum, sum(x::float8) AS float8_sum
FROM (VALUES (9007199254740993::bigint), (9007199254740993), (9007199254740993)) v(x);
SELECT leaderboard.kpi_agg(x)
FROM (VALUES (9223372036854775807::bigint), (-9223372036854775808), (1)) v(x);

-- Agreement with plain SQL over 20000 generated rows in 50 groups: count, sum, min, max
-- and avg of every metric match per group (float8 sums add in the same order, so they
-- are equal too). Serial plan, so each group sees its rows in the same order.
SET max_parallel_workers_per_gather = 0;
CREATE TABLE kpis_calls AS
SELECT g % 50 AS agent,
       (g * 7919) % 600 + 30 AS handle,
       CASE WHEN g % 3 = 0 THEN (g % 5 + 1)::smallint END AS csat,
       g % 8 = 0 AS converted,
       (g * 104729)::bigint * 100003 AS big,
       CASE WHEN g % 11 > 0 THEN sin(g) * 1000 END AS score
FROM generate_series(1, 20000) g;
WITH k AS (
  SELECT agent, leaderboard.kpi_agg(handle, csat, converted, big, score) AS k
  FROM kpis_calls GROUP BY agent),
s AS (
  SELECT agent, count(*) AS rows,
         count(handle) AS n1, sum(handle) AS s1, min(handle) AS lo1, max(handle) AS hi1, avg(handle) AS a1,
         count(csat) AS n2, sum(csat) AS s2, min(csat) AS lo2, max(csat) AS hi2, avg(csat) AS a2,
         count(converted) AS n3, sum(converted::int) AS s3, min(converted::int) AS lo3,
         max(converted::int) AS hi3, avg(converted::int) AS a3,
         count(big) AS n4, sum(big) AS s4, min(big) AS lo4, max(big) AS hi4,
         count(score) AS n5, sum(score) AS s5, min(score) AS lo5, max(score) AS hi5, avg(score) AS a5
  FROM kpis_calls GROUP BY agent)
SELECT count(*) AS groups,
       count(*) FILTER (WHERE NOT (
         leaderboard.rows(k) = s.rows
         AND leaderboard.kpi_count(k, 1) = n1 AND leaderboard.kpi_sum(k, 1) = s1
         AND leaderboard.kpi_min(k, 1) = lo1 AND leaderboard.kpi_max(k, 1) = hi1
         AND leaderboard.kpi_avg(k, 1) = a1::float8
         AND leaderboard.kpi_count(k, 2) = n2 AND leaderboard.kpi_sum(k, 2) = s2
         AND leaderboard.kpi_min(k, 2) = lo2 AND leaderboard.kpi_max(k, 2) = hi2
         AND leaderboard.kpi_avg(k, 2) = a2::float8
         AND leaderboard.kpi_count(k, 3) = n3 AND leaderboard.kpi_sum(k, 3) = s3
         AND leaderboard.kpi_min(k, 3) = lo3 AND leaderboard.kpi_max(k, 3) = hi3
         AND leaderboard.kpi_avg(k, 3) = a3::float8
         AND leaderboard.kpi_count(k, 4) = n4 AND split_part(split_part(k::text, '; ', 5), ' ', 3) = 'sum=' || s4
         AND leaderboard.kpi_min(k, 4) = lo4 AND leaderboard.kpi_max(k, 4) = hi4
         AND leaderboard.kpi_count(k, 5) = n5 AND leaderboard.kpi_sum(k, 5) = s5
         AND leaderboard.kpi_min(k, 5) = lo5 AND leaderboard.kpi_max(k, 5) = hi5
         AND leaderboard.kpi_avg(k, 5) = a5)) AS differing
FROM k JOIN s USING (agent);

-- kpi_merge of per-group kpis equals kpi_agg over all rows (integer metrics exactly).
SELECT leaderboard.kpi_merge(k)::text = (SELECT leaderboard.kpi_agg(handle, csat, converted, big)::text FROM kpis_calls) AS same
FROM (SELECT leaderboard.kpi_agg(handle, csat, converted, big) AS k FROM kpis_calls GROUP BY agent) g;
RESET max_parallel_workers_per_gather;
DROP TABLE kpis_calls;

-- kpi_merge skips NULLs and is NULL over no rows or only NULLs.
SELECT leaderboard.kpi_merge(k) FROM (VALUES
  ('rows=2; int n=1 sum=5 min=5 max=5'::leaderboard.kpis), (NULL), ('rows=3; int n=2 sum=-1 min=-3 max=2')) v(k);
SELECT leaderboard.kpi_merge(k) IS NULL AS is_null FROM (VALUES (NULL::leaderboard.kpis)) v(k);

-- + merges two accumulators; an "int" metric merged with a "float" one becomes "float",
-- in either order. (The operators live in schema leaderboard: qualify them with
-- OPERATOR(leaderboard.+) or put leaderboard on the search_path.)
SELECT 'rows=2; int n=2 sum=3 min=1 max=2; int n=0 sum=0 min=0 max=0'::leaderboard.kpis
       OPERATOR(leaderboard.+) 'rows=1; float n=1 sum=0.5 min=0.5 max=0.5; float n=0 sum=0 min=0 max=0';
SET search_path = leaderboard, public;
SELECT 'rows=1; float n=1 sum=0.5 min=0.5 max=0.5'::kpis + 'rows=2; int n=2 sum=3 min=1 max=2'::kpis AS merged,
       'rows=1; float n=1 sum=0.5 min=0.5 max=0.5'::kpis + 'rows=2; int n=2 sum=3 min=1 max=2'::kpis
       = 'rows=2; int n=2 sum=3 min=1 max=2'::kpis + 'rows=1; float n=1 sum=0.5 min=0.5 max=0.5'::kpis AS commutes;
RESET search_path;

-- As a window aggregate: a running accumulator.
SELECT x, leaderboard.kpi_agg(x) OVER (ORDER BY x) FROM generate_series(1, 3) x;

-- -0 counts as 0: the result does not depend on whether -0 or 0 comes first
SELECT leaderboard.kpi_agg(x) AS minus_zero_first FROM (VALUES ('-0'::float8), (0::float8)) v(x);
SELECT leaderboard.kpi_agg(x) AS zero_first FROM (VALUES (0::float8), ('-0'::float8)) v(x);
SELECT (SELECT leaderboard.kpi_agg(x) FROM (VALUES ('-0'::float8), (0::float8)) v(x))
     OPERATOR(leaderboard.=) (SELECT leaderboard.kpi_agg(x) FROM (VALUES (0::float8), ('-0'::float8)) v(x)) AS equal;
