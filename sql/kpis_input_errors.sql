-- Malformed kpis input: text (22P02, 22003 for out-of-range numbers) and binary (22P03).

-- Each text input is refused with its SQLSTATE and the reason.
CREATE FUNCTION pg_temp.kpis_input_error(t text, with_message bool DEFAULT false)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  detail text;
BEGIN
  PERFORM t::leaderboard.kpis;
  RETURN 'accepted';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL;
  RETURN SQLSTATE || ' ' || CASE WHEN with_message THEN SQLERRM ELSE detail END;
END $$;

-- Syntax.
SELECT left(t, 50) AS input, pg_temp.kpis_input_error(t) AS error FROM (VALUES
  (''),
  ('   '),
  ('rows=1'),
  ('rows=1;'),
  ('rows=1; '),
  ('rows 1; int n=1 sum=1 min=1 max=1'),
  ('row=1; int n=1 sum=1 min=1 max=1'),
  ('rows=; int n=1 sum=1 min=1 max=1'),
  ('rows=x; int n=1 sum=1 min=1 max=1'),
  ('rows=1.0; int n=1 sum=1 min=1 max=1'),
  ('rows=1 int n=1 sum=1 min=1 max=1'),
  ('rows=1; integer n=1 sum=1 min=1 max=1'),
  ('rows=1; INT n=1 sum=1 min=1 max=1'),
  ('rows=1; intn=1 sum=1 min=1 max=1'),
  ('rows=1; n=1 sum=1 min=1 max=1'),
  ('rows=1; int n=1 min=1 sum=1 max=1'),
  ('rows=1; int n=1 sum=1 min=1'),
  ('rows=1; int n=1 sum=1 min=1 max='),
  ('rows=1; int n=1 sum=1min=1 max=1'),
  ('rows=1; int n=1 sum=1 min=1 max=1x'),
  ('rows=1; int n=1 sum=1 min=1 max=1;'),
  ('rows=1; int n=1 sum=1 min=1 max=1;;'),
  ('rows=1; int n=1 sum=1.0 min=1 max=1'),
  ('rows=1; int n=1 sum=1e0 min=1 max=1'),
  ('rows=1; float n=1.5 sum=1 min=1 max=1'),
  ('rows=1; float n=1 sum=NaN min=1 max=1'),
  ('rows=1; float n=1 sum=Infinity min=1 max=1'),
  ('rows=1; float n=1 sum=-inf min=1 max=1'),
  ('rows=1; float n=1 sum=0x1p0 min=1 max=1'),
  ('rows=1; float n=1 sum=. min=1 max=1'),
  ('rows=1; float n=1 sum=1e min=1 max=1'),
  ('rows=1; float n=1 sum=- min=1 max=1'),
  ('rows=1; int n=1 sum=1 min=1 max=1 extra'),
  ('rows=1' || repeat('; int n=1 sum=1 min=1 max=1', 33))
) v(t);

-- Values that parse but cannot be the state of any aggregation.
SELECT t AS input, pg_temp.kpis_input_error(t) AS error FROM (VALUES
  ('rows=-1; int n=0 sum=0 min=0 max=0'),
  ('rows=1; int n=-1 sum=0 min=0 max=0'),
  ('rows=1; int n=2 sum=2 min=1 max=1'),
  ('rows=1; int n=0 sum=1 min=0 max=0'),
  ('rows=1; float n=0 sum=0 min=0 max=0.5'),
  ('rows=2; int n=2 sum=3 min=2 max=1'),
  ('rows=2; float n=2 sum=3 min=2 max=1'),
  ('rows=2; int n=2 sum=5 min=1 max=2'),
  ('rows=2; int n=2 sum=1 min=1 max=2'),
  ('rows=1; float n=1 sum=1 min=1 max=2'),
  ('rows=2; float n=2 sum=1 min=0 max=2'),
  ('rows=2; float n=2 sum=-1 min=-2 max=0'),
  ('rows=1; int n=1 sum=1 min=1 max=1; int n=2 sum=2 min=1 max=1')
) v(t);

-- Numbers out of range are 22003, as for bigint and double precision input.
SELECT t AS input, pg_temp.kpis_input_error(t, true) AS error FROM (VALUES
  ('rows=9223372036854775808; int n=0 sum=0 min=0 max=0'),
  ('rows=1; int n=1 sum=-9223372036854775809 min=0 max=0'),
  ('rows=1; float n=1 sum=1e309 min=1e309 max=1e309'),
  ('rows=1; float n=1 sum=1e-400 min=1e-400 max=1e-400')
) v(t);

-- The error message quotes the whole input.
\set VERBOSITY default
SELECT 'rows=1; int n=1 sum=one min=1 max=1'::leaderboard.kpis;
SELECT 'rows=1; int n=1 sum=1 min=2 max=2'::leaderboard.kpis;

-- Binary input: each crafted value is written as a bytea field with binary COPY and read
-- back as kpis, so kpis_recv sees exactly these bytes. The first one is valid.
CREATE TABLE kpis_recv_test (k leaderboard.kpis);
CREATE FUNCTION pg_temp.kpis_recv_error(b bytea) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  detail text;
BEGIN
  EXECUTE format('COPY (SELECT %L::bytea) TO %L (FORMAT binary)', b, '/tmp/lb_kpis_recv.bin');
  COPY kpis_recv_test FROM '/tmp/lb_kpis_recv.bin' (FORMAT binary);
  RETURN 'accepted';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL;
  RETURN SQLSTATE || ' ' || detail;
END $$;
SELECT what, pg_temp.kpis_recv_error(b::bytea) AS error FROM (VALUES
  ('valid: rows=3; int n=2 sum=5 min=2 max=3',
   '\x01010000000000000000000000030000000000000002000000000000000500000000000000020000000000000003'),
  ('empty', '\x'),
  ('truncated header', '\x0101000000000000000000'),
  ('version 2', '\x02010000000000000000000000030000000000000002000000000000000500000000000000020000000000000003'),
  ('no metrics', '\x0100000000000000000000000003'),
  ('33 metrics', '\x0121000000000000000000000003'),
  ('truncated metric', '\x010100000000000000000000000300000000000000020000000000000005000000000000000200000000000000'),
  ('trailing byte', '\x0101000000000000000000000003000000000000000200000000000000050000000000000002000000000000000300'),
  ('fractional bit beyond the metrics', '\x01010000000200000000000000030000000000000002000000000000000500000000000000020000000000000003'),
  ('count above rows', '\x01010000000000000000000000010000000000000002000000000000000500000000000000020000000000000003'),
  ('min above max', '\x01010000000000000000000000030000000000000002000000000000000500000000000000030000000000000002'),
  ('NaN float', '\x010100000001000000000000000100000000000000017ff80000000000007ff80000000000007ff8000000000000'),
  ('infinite float', '\x010100000001000000000000000100000000000000017ff00000000000007ff00000000000007ff0000000000000')
) v(what, b);
SELECT k FROM kpis_recv_test;
TRUNCATE kpis_recv_test;
-- Unknown extremes ("min=? max=?", what a board stores once it forgot them) are both
-- unknown or both known, and take at least two values.
SELECT t AS input, pg_temp.kpis_input_error(t) AS error FROM (VALUES
  ('rows=2; int n=2 sum=3 min=? max=2'),
  ('rows=2; int n=2 sum=3 min=1 max=?'),
  ('rows=2; int n=2 sum=3 min=?max=?'),
  ('rows=2; int n=2 sum=3 min=?? max=?'),
  ('rows=2; int n=1 sum=3 min=? max=?'),
  ('rows=2; int n=0 sum=0 min=? max=?'),
  ('rows=2; float n=2 sum=x min=? max=?'),
  ('rows=2; int n=2 sum=3 min=? max=?')
) v(t);
-- binary: the unknown marker is exactly (INT64_MAX, INT64_MIN), or (+Infinity, -Infinity)
SELECT what, pg_temp.kpis_recv_error(b::bytea) AS error FROM (VALUES
  ('unknown int extremes', '\x010100000000000000000000000300000000000000020000000000000005' || '7fffffffffffffff8000000000000000'),
  ('unknown float extremes', '\x010100000001000000000000000300000000000000024014000000000000' || '7ff0000000000000fff0000000000000'),
  ('min above max, not the marker', '\x010100000000000000000000000300000000000000020000000000000005' || '7ffffffffffffffe8000000000000000'),
  ('unknown extremes of one value', '\x010100000000000000000000000300000000000000010000000000000005' || '7fffffffffffffff8000000000000000')
) v(what, b);
SELECT k FROM kpis_recv_test;
DROP TABLE kpis_recv_test;

-- a metric with no values has sum, min and max 0, not -0
SELECT pg_temp.kpis_input_error('rows=2; float n=0 sum=-0 min=-0 max=0') AS minus_zeros,
       pg_temp.kpis_input_error('rows=2; float n=0 sum=0 min=0 max=0') AS zeros;
