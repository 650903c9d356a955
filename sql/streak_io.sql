-- leaderboard.streak: text form, canonical output, malformed input, binary I/O and size.
SET datestyle = 'ISO, YMD';  -- for the date columns; the types' own text is always ISO
CREATE FUNCTION pg_temp.try(stmt text, OUT state text, OUT message text, OUT detail text)
LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE stmt;
  state := 'ok';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT,
                          detail = PG_EXCEPTION_DETAIL;
END $$;

-- Text form: a calendar, a colon, then the met days as dates or ranges (a range marks
-- every working day in it). Output lists one item per run of met working days, so
-- 2026-10-02 (Fri) .. 2026-10-05 (Mon) is one run under Mon-Fri; items are sorted and
-- merged, and non-working days (weekends, holidays) are never met.
SELECT input, input::leaderboard.streak AS canonical
FROM (VALUES ('Mon-Sun:'), ('Mon-Fri:   '),
             ('Mon-Sun: 2026-10-01..2026-10-03, 2026-10-05'),
             ('Mon-Fri: 2026-10-02, 2026-10-05'),
             ('Mon-Fri: 2026-10-05..2026-10-06, 2026-10-01..2026-10-02, 2026-10-02'),
             ('mon-fri:2026-10-03,2026-10-04'),
             ('Mon-Fri: 2026-10-01 .. 2026-10-31'),
             ('Mon-Fri; holidays 2026-12-25: 2026-12-21..2026-12-31'),
             ('Sun-Thu: 2026-10-01..2026-10-04'),
             ('Mon-Sun: 0001-01-01'), ('Mon-Sun: 9999-12-31')) AS v(input);

-- The canonical text reads back as the same streak (text round trip).
SELECT s::text::leaderboard.streak OPERATOR(leaderboard.=) s AS round_trip,
       s::text::leaderboard.streak::text = s::text AS same_text
FROM (VALUES ('Mon-Fri; holidays 2026-12-25: 2026-12-21..2026-12-31, 2027-01-05'::leaderboard.streak),
             ('Mon-Sun:'), ('Wed, Sat-Mon: 2026-10-01..2026-11-30')) AS v(s);

-- Malformed input fails with 22P02 quoting the input; a span of more than 100 years
-- (36525 days) fails with 54000.
SELECT input, e.state, position(input IN e.message) > 0 AS quoted, e.detail
FROM (VALUES
  ('Mon-Fri 2026-10-01'), ('Mon-Fry: 2026-10-01'), (': 2026-10-01'),
  ('Mon-Fri: 2026-10-32'), ('Mon-Fri: 2026-10-01..2026-09-30'), ('Mon-Fri: 2026-10-01,'),
  ('Mon-Fri: 2026-10-01,,2026-10-02'), ('Mon-Fri: 2026-10-01...2026-10-03'),
  ('Mon-Fri: 2026-10-01..'), ('Mon-Fri: infinity'), ('Mon-Sun: 0000-12-31'),
  ('Mon-Sun: 10000-01-01'), ('Mon-Sun: 2026-10-01; 2026-10-02'),
  ('Mon-Sun: 2000-01-01, 2100-01-01')) AS v(input),
  pg_temp.try(format('SELECT %L::leaderboard.streak', input)) AS e;

-- 100 years exactly is the limit: 36525 days from the first to the last met day.
SELECT leaderboard.met_days(('Mon-Sun: 2000-01-01, ' || (date '2000-01-01' + 36524)::text)::leaderboard.streak) AS at_limit;

-- Binary form: version byte 1, the calendar (working-days byte, int32 holiday count,
-- int32 holidays), int32 first met day (days since 2000-01-01), int32 span in days, then
-- the bitmap, bit i of byte i / 8 for day first + i.
SELECT leaderboard.streak_send('Mon-Sun: 2000-01-01..2000-01-03, 2000-01-10');

-- Binary COPY round trip.
CREATE TABLE streak_io (id int, s leaderboard.streak);
INSERT INTO streak_io VALUES (1, 'Mon-Sun:'), (2, 'Mon-Fri; holidays 2026-12-25: 2026-12-21..2026-12-31'),
  (3, 'Sun-Thu: 2026-10-01..2026-11-30, 2027-02-01'), (4, 'Mon-Sun: 0001-01-01'), (5, NULL),
  (6, ('Mon-Sun: 2000-01-01, ' || (date '2000-01-01' + 36524)::text)::leaderboard.streak);
COPY streak_io TO '/tmp/lb_streak_io.bin' (FORMAT binary);
CREATE TABLE streak_io_back (LIKE streak_io);
COPY streak_io_back FROM '/tmp/lb_streak_io.bin' (FORMAT binary);
SELECT a.id, b.s OPERATOR(leaderboard.=) a.s AS equal, left(b.s::text, 60) AS s
FROM streak_io a JOIN streak_io_back b USING (id) ORDER BY a.id;

-- Malformed binary input fails with 22P03 (54000 for more than 100 years): every
-- truncation, trailing bytes, and every field a canonical value cannot have. The bytes
-- are written as a bytea column and read back into a streak column.
CREATE FUNCTION pg_temp.recv(b bytea) RETURNS text LANGUAGE plpgsql AS $$
DECLARE r text; d text;
BEGIN
  EXECUTE format('COPY (SELECT %L::bytea) TO %L (FORMAT binary)', b, '/tmp/lb_streak_raw.bin');
  CREATE TEMP TABLE streak_raw (s leaderboard.streak);
  BEGIN
    EXECUTE format('COPY streak_raw FROM %L (FORMAT binary)', '/tmp/lb_streak_raw.bin');
    SELECT s::text INTO r FROM streak_raw;
  EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS r = RETURNED_SQLSTATE, d = PG_EXCEPTION_DETAIL;
    r := r || ' ' || SQLERRM || ': ' || d;
  END;
  DROP TABLE streak_raw;
  RETURN r;
END $$;
-- 2026-12-21..2026-12-31 minus the holiday: first day 9851, 11 days, bitmap ef 07.
CREATE TEMP TABLE good AS
  SELECT leaderboard.streak_send('Mon-Sun; holidays 2026-12-25: 2026-12-21..2026-12-31') AS b;
SELECT b, pg_temp.recv(b) AS good FROM good;
SELECT n AS bytes_kept, pg_temp.recv(substring(b FROM 1 FOR n)) AS truncated
FROM good, generate_series(0, length(b) - 1) n;
SELECT what, pg_temp.recv(x)
FROM good, LATERAL (VALUES
  ('trailing byte', b || '\x00'::bytea),
  ('version 2', set_byte(b, 0, 2)),
  ('empty week', set_byte(b, 1, 0)),
  ('holiday out of order', overlay(b PLACING '\x00000002' FROM 3 FOR 4) || '\x00'::bytea),
  ('negative span', overlay(b PLACING '\xffffffff' FROM 15 FOR 4)),
  ('span of 36526 days', overlay(b PLACING '\x00008eae' FROM 15 FOR 4)),
  ('first day not met', set_byte(b, 18, 238)),
  ('last day not met', set_byte(b, 19, 3)),
  ('bit past the last day', set_byte(b, 19, 15)),
  ('holiday marked met', set_byte(b, 18, 255)),
  ('first day out of range', overlay(b PLACING '\x7fffff00' FROM 11 FOR 4)),
  ('empty with a first day', '\x017f00000000000000010000000000'::bytea)) AS v(what, x);
-- A non-working weekday marked met: Saturday 2026-10-03 under Mon-Fri.
SELECT pg_temp.recv(set_byte(leaderboard.streak_send('Mon-Fri: 2026-10-01..2026-10-05'), 14, 31)) AS weekend_met;

-- Size on disk: 20 bytes, 4 per holiday, and one bit per day of the span (about 46 bytes a
-- year): a year of daily streaks under Mon-Sun takes 66 bytes, under Mon-Fri with ten
-- holidays 106, and a streak spanning 100 years 4586.
SELECT pg_column_size('Mon-Sun:'::leaderboard.streak) AS empty,
       pg_column_size('Mon-Sun: 2026-01-01..2026-12-31'::leaderboard.streak) AS year,
       pg_column_size('Mon-Fri; holidays 2026-01-01, 2026-01-19, 2026-02-16, 2026-05-25, 2026-06-19, 2026-07-03, 2026-09-07, 2026-11-26, 2026-11-27, 2026-12-25: 2026-01-02..2026-12-31'::leaderboard.streak) AS year_mon_fri,
       pg_column_size(('Mon-Sun: 2000-01-01, ' || (date '2000-01-01' + 36524)::text)::leaderboard.streak) AS century;

DROP TABLE streak_io, streak_io_back;
RESET datestyle;
