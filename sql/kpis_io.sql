-- Text and binary I/O of leaderboard.kpis, and its size.

-- The text form: rows, then per metric its representation, count, sum, min and max.
SELECT 'rows=12; int n=10 sum=42 min=1 max=9; float n=3 sum=4.5 min=0.5 max=2.5'::leaderboard.kpis;

-- Whitespace around tokens is free; output is canonical.
SELECT '  rows = 5 ;int   n=2 sum = -3 min=-4 max=1;float n=1 sum=+2.50 min=2.5 max=25e-1  '::leaderboard.kpis;

-- Empty metrics print zeros; every value reads back to the same kpis.
SELECT t, t::leaderboard.kpis::text = t AS round_trips
FROM (VALUES
  ('rows=0; int n=0 sum=0 min=0 max=0'),
  ('rows=7; int n=0 sum=0 min=0 max=0; float n=0 sum=0 min=0 max=0'),
  ('rows=1; float n=1 sum=-0 min=-0 max=-0'),
  ('rows=2; float n=2 sum=5e-324 min=0 max=5e-324'),
  ('rows=2; float n=2 sum=1.7976931348623157e+308 min=0 max=1.7976931348623157e+308'),
  ('rows=3; float n=3 sum=0.30000000000000004 min=0.1 max=0.1'),
  ('rows=9223372036854775807; int n=9223372036854775807 sum=-9223372036854775807 min=-1 max=-1'),
  ('rows=2; int n=2 sum=9223372036854775807 min=4611686018427387903 max=4611686018427387904')
) v(t);

-- 32 metrics is the most a kpis holds.
SELECT leaderboard.rows(('rows=1' || repeat('; int n=1 sum=1 min=1 max=1', 32))::leaderboard.kpis);

-- float8 values print in their shortest exact form: 10000 random doubles over a wide
-- range of magnitudes all read back bit for bit (compared as float8, then as text).
SELECT count(*) AS doubles,
       count(*) FILTER (WHERE leaderboard.kpi_sum(k::text::leaderboard.kpis, 1) = x
                        AND k::text::leaderboard.kpis::text = k::text) AS exact
FROM (SELECT (random() - 0.5) * 10 ^ (random() * 600 - 300) AS x FROM generate_series(1, 10000)) r,
     LATERAL (SELECT leaderboard.kpi_agg(x) AS k) s;

-- A value of k metrics takes exactly 16 + 32·k bytes, computed or stored.
CREATE TABLE kpis_sizes (k leaderboard.kpis);
INSERT INTO kpis_sizes
SELECT leaderboard.kpi_agg(g, g) FROM generate_series(1, 3) g
UNION ALL SELECT leaderboard.kpi_agg(g) FROM generate_series(1, 3) g
UNION ALL SELECT ('rows=1' || repeat('; float n=1 sum=1 min=1 max=1', 32))::leaderboard.kpis;
SELECT (k::text::leaderboard.kpis IS NOT NULL) AS valid,
       pg_column_size(k) AS stored, 16 + 32 * (length(k::text) - length(replace(k::text, ';', ''))) AS expected
FROM kpis_sizes ORDER BY 2;
SELECT pg_column_size(leaderboard.kpi_agg(g, g, g)) AS computed FROM generate_series(1, 3) g;
DROP TABLE kpis_sizes;

-- Binary COPY round trip is exact: every kind of metric, empty metrics, extreme values,
-- unknown extremes.
CREATE TABLE kpis_orig (id int, k leaderboard.kpis);
INSERT INTO kpis_orig
SELECT g % 5, leaderboard.kpi_agg(g, g::float8 / 7, g % 3 = 0, CASE WHEN g % 4 = 0 THEN g::numeric / 3 END,
                                  g * interval '1.5 seconds', NULL::bigint)
FROM generate_series(1, 1000) g GROUP BY g % 5;
INSERT INTO kpis_orig VALUES
  (10, 'rows=9223372036854775807; int n=1 sum=-9223372036854775808 min=-9223372036854775808 max=-9223372036854775808; float n=2 sum=5e-324 min=-0 max=5e-324'),
  (11, NULL),
  (12, 'rows=5; int n=3 sum=12 min=? max=?; float n=2 sum=2.5 min=? max=?');
COPY kpis_orig TO '/tmp/lb_kpis.bin' (FORMAT binary);
CREATE TABLE kpis_copy (id int, k leaderboard.kpis);
COPY kpis_copy FROM '/tmp/lb_kpis.bin' (FORMAT binary);
SELECT count(*) AS rows_copied,
       count(*) FILTER (WHERE o.k::text = c.k::text) AS same_text,
       count(*) FILTER (WHERE o.k OPERATOR(leaderboard.=) c.k) AS equal,
       count(*) FILTER (WHERE o.k IS NULL AND c.k IS NULL) AS both_null
FROM kpis_orig o JOIN kpis_copy c USING (id);

-- The binary form: version 1, metric count, fractional bitmask, rows, then per metric
-- count, sum, min, max.
SELECT leaderboard.kpis_send('rows=3; int n=2 sum=5 min=2 max=3; float n=1 sum=0.5 min=0.5 max=0.5');
DROP TABLE kpis_orig, kpis_copy;

-- The hash opclass lets kpis take part in DISTINCT, GROUP BY and set operations
-- (no ordering: kpis values have no meaningful order).
SELECT k::text FROM (SELECT DISTINCT k FROM (VALUES
  ('rows=1; int n=1 sum=1 min=1 max=1'::leaderboard.kpis),
  ('rows=1;  int n=1 sum=1 min=1 max=1'),
  ('rows=1; float n=1 sum=1 min=1 max=1')) v(k)) d ORDER BY 1;

-- Unknown extremes: a board forgets a min and max no card reads when a correction takes
-- out the value that held one. They print as "?", read back, stay unknown through merges
-- (the merged extreme could lie in the unknown part), and read as NULL; a card's min or
-- max stat over them is missing, never a wrong value.
SELECT t, t::leaderboard.kpis::text = t AS round_trips,
       leaderboard.kpi_min(t::leaderboard.kpis, 1) AS min1, leaderboard.kpi_max(t::leaderboard.kpis, 1) AS max1,
       leaderboard.kpi_sum(t::leaderboard.kpis, 1) AS sum1, leaderboard.kpi_count(t::leaderboard.kpis, 1) AS n1
FROM (VALUES
  ('rows=3; int n=3 sum=12 min=? max=?; int n=3 sum=3 min=1 max=1'),
  ('rows=2; float n=2 sum=2.5 min=? max=?')
) v(t);
SELECT k::text AS merged FROM (VALUES
  ('rows=3; int n=3 sum=12 min=? max=?'::leaderboard.kpis OPERATOR(leaderboard.+) 'rows=1; int n=1 sum=100 min=100 max=100'),
  ('rows=1; int n=1 sum=100 min=100 max=100'::leaderboard.kpis OPERATOR(leaderboard.+) 'rows=3; int n=3 sum=12 min=? max=?'),
  ('rows=3; int n=3 sum=12 min=? max=?'::leaderboard.kpis OPERATOR(leaderboard.+) 'rows=1; int n=0 sum=0 min=0 max=0'),
  ('rows=3; int n=3 sum=12 min=? max=?'::leaderboard.kpis OPERATOR(leaderboard.+) 'rows=1; float n=1 sum=0.5 min=0.5 max=0.5')
) v(k);
SELECT leaderboard.kpi_merge(k)::text AS merged_agg FROM (VALUES
  ('rows=1; int n=1 sum=4 min=4 max=4'::leaderboard.kpis), ('rows=3; int n=3 sum=12 min=? max=?'), ('rows=1; int n=1 sum=9 min=9 max=9')) v(k);
SELECT leaderboard.explain('rows=3; int n=3 sum=12 min=? max=?',
  '{"metrics": [{"name": "aht", "stat": "max", "weight": 1, "range": [0, 10]}]}') -> 'metrics' -> 0 ->> 'missing' AS max_missing,
       leaderboard.score('rows=3; int n=3 sum=12 min=? max=?',
  '{"metrics": [{"name": "aht", "stat": "avg", "weight": 1, "range": [0, 10]}]}') AS avg_score;
