-- leaderboard.calendar: text form, canonical output, malformed input and binary I/O.
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

-- Weekdays are listed or given as ranges, in any case, with spaces anywhere between
-- tokens; ranges run forward and wrap after Sunday. The canonical form lists runs of
-- working days Monday first, a run of two or more days as a range, and the holidays sorted.
SELECT input, input::leaderboard.calendar AS canonical
FROM (VALUES ('Mon-Fri'), ('  mon - FRI '), ('Monday, Tuesday, Thursday'), ('Mon,Tue,Thu'),
             ('Sun-Thu'), ('Fri-Mon'), ('Thu, Sun, Fri, Sat, Mon'), ('Sat-Fri'), ('Mon-Sun'),
             ('Mon, Wed, Fri'), ('Sat, Sun'), ('Wed'),
             ('Mon-Fri; holidays 2027-01-01, 2026-12-25'),
             ('Mon-Fri;holidays 2026-12-24,2026-12-25 , 2026-12-31'),
             ('Sun-Sat; Holidays 2024-02-29'),
             ('Mon-Fri; holidays 0001-01-01, 9999-12-31')) AS v(input);

-- A holiday on a non-working weekday changes nothing, so the canonical form leaves it out
-- (2026-12-26 is a Saturday) and such calendars are equal.
SELECT 'Mon-Fri; holidays 2026-12-25, 2026-12-26'::leaderboard.calendar AS canonical,
       'Mon-Fri; holidays 2026-12-25, 2026-12-26'::leaderboard.calendar
         OPERATOR(leaderboard.=) 'Mon-Fri; holidays 2026-12-25'::leaderboard.calendar AS equal,
       'Mon-Fri; holidays 2026-12-26'::leaderboard.calendar
         OPERATOR(leaderboard.=) 'Mon-Fri'::leaderboard.calendar AS weekend_only_equal;

-- Equality compares working days, not spelling; <> is its negation.
SELECT 'Sun-Thu'::leaderboard.calendar OPERATOR(leaderboard.=) 'Sun, Mon-Thu'::leaderboard.calendar AS same,
       'Sun-Thu'::leaderboard.calendar OPERATOR(leaderboard.<>) 'Mon-Thu'::leaderboard.calendar AS differ;

-- The text forms do not depend on DateStyle: holidays are read and printed as ISO dates.
SET datestyle = 'SQL, DMY';
SELECT 'Mon-Fri; holidays 2026-12-25'::leaderboard.calendar AS sql_dmy;
SET datestyle = 'ISO, YMD';

-- The canonical text reads back as the same calendar (text round trip).
SELECT c::text, c::text::leaderboard.calendar::text = c::text AS round_trip,
       c::text::leaderboard.calendar OPERATOR(leaderboard.=) c AS equal
FROM (VALUES ('Wed, Sat-Mon'::leaderboard.calendar), ('Mon-Tue, Thu'),
             ('Mon-Fri; holidays 2026-12-25, 2027-01-01'), ('Mon-Sun')) AS v(c);

-- Malformed input fails with 22P02 (54000 for too many holidays), quoting the input.
SELECT input, e.state, position(input IN e.message) > 0 AS quoted, e.detail
FROM (VALUES
  -- unknown weekday
  ('Mon-Fry'), ('Mo-Fr'), ('Weekdays'),
  -- bad date
  ('Mon-Fri; holidays 2026-02-29'), ('Mon-Fri; holidays 2026-13-01'),
  ('Mon-Fri; holidays 26-12-25'), ('Mon-Fri; holidays 2026-1-5'),
  ('Mon-Fri; holidays infinity'), ('Mon-Fri; holidays 0000-12-31'),
  ('Mon-Fri; holidays 10000-01-01'), ('Mon-Fri; holidays 2026-12-25 2027-01-01'),
  -- empty working week
  (''), ('   '), ('; holidays 2026-12-25'), ('holidays 2026-12-25'),
  -- duplicates
  ('Mon, Mon'), ('Mon-Fri, Wed'), ('Fri-Mon, Sun'),
  ('Mon-Fri; holidays 2026-12-25, 2026-12-25'),
  ('Mon-Fri; holidays 2026-12-25; holidays 2027-01-01'),
  -- garbage
  ('Mon-'), ('Mon--Fri'), ('Mon Fri'), ('Mon,,Tue'), ('Mon-Fri,'), ('Mon-Fri;'),
  ('Mon-Fri;; holidays 2026-12-25'), ('Mon-Fri; holidays'), ('Mon-Fri; holidays 2026-12-25,'),
  ('Mon-Mon'), ('Mon-Fri-Sat'), ('1-5'), ('Mon-Fri; Sat'), ('Mon-Fri: 2026-10-01')
) AS v(input), pg_temp.try(format('SELECT %L::leaderboard.calendar', input)) AS e;

-- The full error of one bad input: message, detail and hint.
SELECT 'Mon-Fry'::leaderboard.calendar;

-- At most 10000 holidays (54000 beyond).
SELECT e.state, e.message, e.detail
FROM (SELECT 'Mon-Sun; holidays ' || string_agg(d::date::text, ', ') AS input
      FROM generate_series(date '2000-01-01', date '2000-01-01' + 10000, interval '1 day') d) v,
     pg_temp.try(format('SELECT %L::leaderboard.calendar', input)) AS e;
SELECT (('Mon-Sun; holidays ' || string_agg(d::date::text, ', '))::leaderboard.calendar)::text LIKE 'Mon-Sun; holidays 2000-01-01, %' AS ten_thousand_ok
FROM generate_series(date '2000-01-01', date '2000-01-01' + 9999, interval '1 day') d;

-- Binary form: version byte 1, working-days byte (bit 0 = Monday), int32 holiday count,
-- int32 days since 2000-01-01 per holiday (9855 = 0x267f).
SELECT leaderboard.calendar_send('Mon-Fri; holidays 2026-12-25'), date '2026-12-25' - date '2000-01-01' AS day;

-- Binary COPY round trip (2027-01-01 is a Friday, not a working day under Sun-Thu).
CREATE TABLE cal_io (id int, c leaderboard.calendar);
INSERT INTO cal_io VALUES (1, 'Mon-Fri'), (2, 'Sun-Thu; holidays 2026-12-24, 2027-01-01'),
  (3, 'Mon-Sun'), (4, 'Wed, Sat-Mon; holidays 2026-10-03'), (5, NULL);
COPY cal_io TO '/tmp/lb_streak_cal_io.bin' (FORMAT binary);
CREATE TABLE cal_io_back (LIKE cal_io);
COPY cal_io_back FROM '/tmp/lb_streak_cal_io.bin' (FORMAT binary);
SELECT a.id, a.c, b.c::text = a.c::text AS same_text
FROM cal_io a JOIN cal_io_back b USING (id) ORDER BY a.id;

-- Malformed binary input: every truncation, trailing bytes and bad fields fail with 22P03
-- (54000 for too many holidays). The bytes are written as a bytea column and read back
-- into a calendar column, so calendar_recv sees exactly them.
CREATE FUNCTION pg_temp.recv(b bytea) RETURNS text LANGUAGE plpgsql AS $$
DECLARE r text; d text;
BEGIN
  EXECUTE format('COPY (SELECT %L::bytea) TO %L (FORMAT binary)', b, '/tmp/lb_streak_cal_raw.bin');
  CREATE TEMP TABLE cal_raw (c leaderboard.calendar);
  BEGIN
    EXECUTE format('COPY cal_raw FROM %L (FORMAT binary)', '/tmp/lb_streak_cal_raw.bin');
    SELECT c::text INTO r FROM cal_raw;
  EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS r = RETURNED_SQLSTATE, d = PG_EXCEPTION_DETAIL;
    r := r || ' ' || SQLERRM || ': ' || d;
  END;
  DROP TABLE cal_raw;
  RETURN r;
END $$;
CREATE TEMP TABLE good AS SELECT leaderboard.calendar_send('Mon-Fri; holidays 2026-12-25') AS b;
SELECT pg_temp.recv(b) AS good FROM good;
SELECT n AS bytes_kept, pg_temp.recv(substring(b FROM 1 FOR n)) AS truncated
FROM good, generate_series(0, length(b) - 1) n;
SELECT what, pg_temp.recv(x)
FROM good, LATERAL (VALUES
  ('trailing byte', b || '\x00'::bytea),
  ('version 2', set_byte(b, 0, 2)),
  ('empty week', set_byte(b, 1, 0)),
  ('bit past Sunday', set_byte(b, 1, 255)),
  ('negative count', overlay(b PLACING '\xffffffff' FROM 3 FOR 4)),
  ('too many holidays', overlay(b PLACING '\x00002711' FROM 3 FOR 4)),
  ('not ascending', overlay(b PLACING '\x00000002' FROM 3 FOR 4) || '\x0000267f'::bytea),
  ('holiday on Saturday 2026-12-26', set_byte(b, 9, 128)),
  ('holiday out of range', overlay(b PLACING '\x7fffffff' FROM 7 FOR 4))) AS v(what, x);

DROP TABLE cal_io, cal_io_back;
RESET datestyle;
