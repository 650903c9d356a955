-- longest, longest_start, met_days, current, streak_calendar, + and streak_merge on
-- hand-checkable streaks. October 2026: Thu 1, Fri 2, Sat 3, Sun 4, Mon 5, Tue 6, Wed 7,
-- Thu 8, Fri 9, Sat 10, Sun 11, Mon 12, Tue 13. December 2026: Mon 21 ... Fri 25 (a
-- holiday below), Sat 26, Sun 27, Mon 28 ... Thu 31.
SET datestyle = 'ISO, YMD';  -- for the date columns; the types' own text is always ISO
SET search_path = leaderboard, public;
CREATE FUNCTION pg_temp.try(stmt text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE st text; msg text; det text;
BEGIN
  EXECUTE stmt;
  RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL;
  RETURN st || ': ' || msg || CASE WHEN det <> '' THEN ' (' || det || ')' ELSE '' END;
END $$;

-- Streaks count working days: the weekend inside Fri 2 .. Mon 5 neither breaks nor extends
-- the run Thu 1 .. Tue 6 (4 days); Wed 7 is not met, so Thu 8 .. Fri 9 is a new run.
-- A holiday inside a run does not break it either; without the holiday, Fri 25 is an unmet
-- working day and splits December into two runs of 4 (ties go to the earliest run).
SELECT s, longest(s), longest_start(s), met_days(s)
FROM (VALUES ('Mon-Fri: 2026-10-01..2026-10-06, 2026-10-08..2026-10-09'::streak),
             ('Mon-Sun: 2026-10-01..2026-10-06, 2026-10-08..2026-10-09'),
             ('Mon-Fri; holidays 2026-12-25: 2026-12-21..2026-12-24, 2026-12-28..2026-12-31'),
             ('Mon-Fri: 2026-12-21..2026-12-24, 2026-12-28..2026-12-31'),
             ('Mon-Sun: 2026-10-01..2026-10-03, 2026-10-10..2026-10-12'),
             ('Mon-Sun: 2026-10-01, 2026-10-10..2026-10-12'),
             ('Sun-Thu: 2026-10-01, 2026-10-04..2026-10-06'),
             ('Mon-Sun:')) AS v(s);

-- current(s, as_of): the run ending on as_of when as_of is met, else on the working day
-- before as_of (today is not over), counted in working days; days after as_of are ignored.
SELECT as_of, to_char(as_of, 'Dy') AS dow,
       current('Mon-Fri: 2026-10-01..2026-10-06, 2026-10-08..2026-10-09'::streak, as_of)
FROM unnest(ARRAY['2026-09-30', '2026-10-01', '2026-10-02', '2026-10-03', '2026-10-04',
                  '2026-10-05', '2026-10-06', '2026-10-07', '2026-10-08', '2026-10-09',
                  '2026-10-10', '2026-10-11', '2026-10-12', '2026-10-13', '2027-01-01']::date[]) AS as_of;

-- Across a holiday weekend the streak is still current on the next working day: on Mon 28
-- the working day before is Thu 24 (Fri 25 is a holiday); on Tue 29 it is over.
SELECT as_of, current('Mon-Fri; holidays 2026-12-25: 2026-12-21..2026-12-24'::streak, as_of)
FROM unnest(ARRAY['2026-12-24', '2026-12-25', '2026-12-26', '2026-12-28', '2026-12-29']::date[]) AS as_of;

-- as_of at the ends of the date range gives 0; an infinite as_of is an error (22008).
SELECT current('Mon-Sun: 2026-10-01'::streak, '5874897-12-31') AS far_future,
       current('Mon-Sun: 2026-10-01'::streak, '4714-11-24 BC') AS far_past,
       current('Mon-Sun: 0001-01-01'::streak, '0001-01-02') AS first_day_of_range,
       current('Mon-Sun: 9999-12-31'::streak, '9999-12-31') AS last_day_of_range,
       current('Mon-Sun: 9999-12-31'::streak, '10000-01-01') AS after_range;
SELECT pg_temp.try($$SELECT current('Mon-Sun: 2026-10-01'::streak, 'infinity')$$) AS infinity,
       pg_temp.try($$SELECT current('Mon-Sun: 2026-10-01'::streak, '-infinity')$$) AS minus_infinity;

-- An empty streak: nothing met.
SELECT longest(s), longest_start(s), met_days(s), current(s, '2026-10-01')
FROM (SELECT 'Mon-Fri:'::streak AS s) v;

-- streak_calendar returns the calendar a streak counts in.
SELECT streak_calendar('Mon-Fri; holidays 2026-12-25: 2026-12-21'::streak);

-- streak + streak is the union of the met days (runs joining up), commutative, with the
-- empty streak as identity.
SELECT a + b AS sum, longest(a + b), (a + b) = (b + a) AS commutative,
       (a + 'Mon-Fri:'::streak) = a AS identity
FROM (SELECT 'Mon-Fri: 2026-10-01..2026-10-02'::streak AS a,
             'Mon-Fri: 2026-10-05..2026-10-06, 2026-10-09'::streak AS b) v;

-- Streaks with different calendars cannot be merged: 22023.
SELECT pg_temp.try($$SELECT 'Mon-Fri: 2026-10-01'::streak + 'Mon-Sun: 2026-10-02'::streak$$);

-- streak_merge aggregates the union; NULLs are skipped; no rows (or only NULLs) give NULL.
CREATE TABLE streak_parts (team int, s streak);
INSERT INTO streak_parts VALUES
  (1, 'Mon-Fri: 2026-10-01'), (1, 'Mon-Fri: 2026-10-02, 2026-10-06'), (1, NULL), (1, 'Mon-Fri: 2026-10-05'),
  (2, 'Mon-Fri; holidays 2026-12-25: 2026-12-24'), (2, 'Mon-Fri; holidays 2026-12-25: 2026-12-28'),
  (3, NULL);
SELECT team, streak_merge(s), longest(streak_merge(s)) FROM streak_parts GROUP BY team ORDER BY team;
SELECT streak_merge(s) IS NULL AS no_rows FROM streak_parts WHERE false;
INSERT INTO streak_parts VALUES (2, 'Mon-Fri: 2026-12-29');
SELECT pg_temp.try('SELECT team, streak_merge(s) FROM streak_parts GROUP BY team');
DROP TABLE streak_parts;

-- Equality compares calendars and met days.
SELECT 'Mon-Fri: 2026-10-02, 2026-10-05'::streak = 'Mon-Fri: 2026-10-02..2026-10-05'::streak AS same_days,
       'Mon-Fri: 2026-10-02'::streak <> 'Mon-Sun: 2026-10-02'::streak AS other_calendar;
RESET search_path;
RESET datestyle;
