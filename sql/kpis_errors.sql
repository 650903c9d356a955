-- Errors of kpi_agg, kpi_merge, + and the accessors, each with its SQLSTATE.
\set VERBOSITY sqlstate

-- Unsupported argument types fail with 42804 at the first row, even when the value is NULL.
SELECT leaderboard.kpi_agg(x::text) FROM generate_series(1, 3) x;
SELECT leaderboard.kpi_agg(x, current_date) FROM generate_series(1, 3) x;
SELECT leaderboard.kpi_agg(x, NULL::timestamptz) FROM generate_series(1, 3) x;
SELECT leaderboard.kpi_agg(x, 'untyped') FROM generate_series(1, 3) x;
-- ... and the message names the type.
\set VERBOSITY default
SELECT leaderboard.kpi_agg(x, current_date) FROM generate_series(1, 3) x;
\set VERBOSITY sqlstate

-- 1 to 32 metrics: 33 arguments are 22023; an explicit VARIADIC array is not supported.
SELECT leaderboard.kpi_agg(VARIADIC ARRAY[1, 2]);
SELECT leaderboard.rows(leaderboard.kpi_agg(x,x,x,x,x,x,x,x,x,x,x,x,x,x,x,x,x,x,x,x,x,x,x,x,x,x,x,x,x,x,x,x))
FROM generate_series(1, 2) x;
SELECT leaderboard.kpi_agg(x,x,x,x,x,x,x,x,x,x,x,x,x,x,x,x,x,x,x,x,x,x,x,x,x,x,x,x,x,x,x,x,x)
FROM generate_series(1, 2) x;

-- NaN and ±Infinity are 22023, for every fractional type.
SELECT leaderboard.kpi_agg(x) FROM (VALUES (1::float8), ('NaN')) v(x);
SELECT leaderboard.kpi_agg(x) FROM (VALUES (1::float8), ('Infinity')) v(x);
SELECT leaderboard.kpi_agg(x) FROM (VALUES (1::real), ('-Infinity')) v(x);
SELECT leaderboard.kpi_agg(x) FROM (VALUES (1::numeric), ('NaN')) v(x);
SELECT leaderboard.kpi_agg(x) FROM (VALUES (1::numeric), ('Infinity')) v(x);
\set VERBOSITY default
SELECT leaderboard.kpi_agg(1, x) FROM (VALUES (1::float8), ('NaN')) v(x);
\set VERBOSITY sqlstate

-- Overflow is 22003: an integer sum leaving int64, a float8 sum becoming infinite or a
-- numeric beyond float8, while aggregating or merging.
SELECT leaderboard.kpi_agg(x) FROM (VALUES (9223372036854775807::bigint), (1)) v(x);
SELECT leaderboard.kpi_agg(x) FROM (VALUES (-9223372036854775808::bigint), (-1)) v(x);
SELECT leaderboard.kpi_agg(x) FROM (VALUES (1.7976931348623157e308::float8), (1e308)) v(x);
SELECT leaderboard.kpi_agg(x) FROM (VALUES (1e308::numeric), (1e308)) v(x);
SELECT leaderboard.kpi_agg(x) FROM (VALUES (1e400::numeric)) v(x);
SELECT 'rows=1; int n=1 sum=9223372036854775807 min=9223372036854775807 max=9223372036854775807'::leaderboard.kpis
       OPERATOR(leaderboard.+) 'rows=1; int n=1 sum=1 min=1 max=1';
SELECT 'rows=1; float n=1 sum=1e308 min=1e308 max=1e308'::leaderboard.kpis
       OPERATOR(leaderboard.+) 'rows=1; float n=1 sum=1e308 min=1e308 max=1e308';
-- A count never exceeds the row count, so counts merged past int64 overflow the row
-- count first: 22003 for kpi_merge and +.
SELECT leaderboard.kpi_merge(k) FROM (VALUES
  ('rows=9223372036854775807; int n=9223372036854775807 sum=0 min=0 max=0'::leaderboard.kpis),
  ('rows=1; int n=1 sum=0 min=0 max=0')) v(k);
\set VERBOSITY default
SELECT 'rows=4611686018427387904; int n=4611686018427387904 sum=0 min=0 max=0'::leaderboard.kpis
       OPERATOR(leaderboard.+) 'rows=4611686018427387904; int n=4611686018427387904 sum=0 min=0 max=0';
\set VERBOSITY sqlstate
-- Right up to the limits, merging works.
SELECT 'rows=9223372036854775806; int n=9223372036854775806 sum=9223372036854775806 min=0 max=1'::leaderboard.kpis
       OPERATOR(leaderboard.+) 'rows=1; int n=1 sum=1 min=1 max=1';

-- Different metric counts cannot be merged: 22023 for + and kpi_merge.
SELECT 'rows=1; int n=1 sum=1 min=1 max=1'::leaderboard.kpis
       OPERATOR(leaderboard.+) 'rows=1; int n=1 sum=1 min=1 max=1; int n=1 sum=1 min=1 max=1';
SELECT leaderboard.kpi_merge(k) FROM (
  SELECT leaderboard.kpi_agg(x) AS k FROM generate_series(1, 3) x
  UNION ALL SELECT leaderboard.kpi_agg(x, x) FROM generate_series(1, 3) x) s;
\set VERBOSITY default
SELECT 'rows=1; int n=1 sum=1 min=1 max=1'::leaderboard.kpis
       OPERATOR(leaderboard.+) 'rows=1; int n=1 sum=1 min=1 max=1; int n=1 sum=1 min=1 max=1';
\set VERBOSITY sqlstate

-- Metric numbers run from 1 to k; anything else is 22023 for every accessor.
SELECT leaderboard.kpi_count('rows=1; int n=1 sum=1 min=1 max=1', 0);
SELECT leaderboard.kpi_sum('rows=1; int n=1 sum=1 min=1 max=1', 2);
SELECT leaderboard.kpi_avg('rows=1; int n=1 sum=1 min=1 max=1', -1);
SELECT leaderboard.kpi_min('rows=1; int n=1 sum=1 min=1 max=1', 33);
SELECT leaderboard.kpi_max('rows=1; int n=1 sum=1 min=1 max=1', 2147483647);
\set VERBOSITY default
SELECT leaderboard.kpi_sum('rows=1; int n=1 sum=1 min=1 max=1', 2);

-- Accessors are STRICT: a NULL kpis or metric number gives NULL.
SELECT leaderboard.kpi_sum(NULL, 1) IS NULL AS a, leaderboard.kpi_sum('rows=1; int n=1 sum=1 min=1 max=1', NULL) IS NULL AS b,
       leaderboard.rows(NULL) IS NULL AS c;
