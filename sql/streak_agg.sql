-- streak_agg(day, met [, calendar]): which rows count, NULLs, order independence,
-- calendars, date range ends and the span limit.
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

CREATE TABLE streak_rows (agent int, day date, met boolean);
INSERT INTO streak_rows VALUES
  -- agent 1: a day is met when any of its rows is (Oct 1, Oct 2); a NULL met is not met
  -- (Oct 3); a row without a day is ignored, met or not
  (1, '2026-10-01', false), (1, '2026-10-01', true), (1, '2026-10-02', NULL),
  (1, '2026-10-02', true), (1, '2026-10-03', NULL), (1, '2026-10-03', false),
  (1, NULL, true), (1, '2026-10-04', true),
  -- agent 2: rows, none met: an empty streak
  (2, '2026-10-01', false), (2, '2026-10-02', NULL),
  -- agent 3: only rows without a day: as if there were no rows, NULL
  (3, NULL, true), (3, NULL, false);
SELECT agent, streak_agg(day, met), longest(streak_agg(day, met)), met_days(streak_agg(day, met))
FROM streak_rows GROUP BY agent ORDER BY agent;
-- No rows at all: NULL, like sum().
SELECT streak_agg(day, met) IS NULL AS no_rows FROM streak_rows WHERE false;

-- A met non-working day neither breaks nor extends a streak and is not a met day: the
-- Saturday row changes nothing under Mon-Fri. Fri 2 and Mon 5 are one run of 2.
SELECT with_saturday, streak_agg(day, met, 'Mon-Fri') AS s,
       longest(streak_agg(day, met, 'Mon-Fri')), met_days(streak_agg(day, met, 'Mon-Fri')),
       current(streak_agg(day, met, 'Mon-Fri'), '2026-10-04') AS current_on_sunday
FROM (VALUES (true), (false)) w(with_saturday),
     LATERAL (SELECT * FROM (VALUES ('2026-10-02'::date, true), ('2026-10-03', true), ('2026-10-05', true)) r(day, met)
              WHERE with_saturday OR day <> '2026-10-03') r
GROUP BY with_saturday ORDER BY with_saturday;

-- Holidays: met holidays are ignored like weekends; an unmet holiday does not break.
SELECT streak_agg(d::date, d::date <> '2026-12-25', 'Mon-Fri; holidays 2026-12-25') AS with_holiday,
       streak_agg(d::date, d::date <> '2026-12-25', 'Mon-Fri') AS without_holiday
FROM generate_series(date '2026-12-21', date '2026-12-31', interval '1 day') d;

-- Order independence: the same rows fed sorted, reverse-sorted and shuffled give equal
-- streaks for every agent. Days spread over 60 years make the bitmap grow both ways.
SELECT setseed(0.17);
CREATE TABLE streak_shuffle AS
  SELECT 1 + (random() * 19)::int AS agent,
         CASE WHEN g % 3 = 0 THEN date '1990-01-01' + (random() * 21900)::int
              ELSE date '2026-01-01' + (random() * 120)::int END AS day,
         random() < 0.7 AS met
  FROM generate_series(1, 4000) g;
WITH sorted AS (SELECT agent, streak_agg(day, met, 'Mon-Fri; holidays 2026-01-01') s
                FROM (SELECT * FROM streak_shuffle ORDER BY day, met) x GROUP BY agent),
     reversed AS (SELECT agent, streak_agg(day, met, 'Mon-Fri; holidays 2026-01-01') s
                  FROM (SELECT * FROM streak_shuffle ORDER BY day DESC, met DESC) x GROUP BY agent),
     shuffled AS (SELECT agent, streak_agg(day, met, 'Mon-Fri; holidays 2026-01-01') s
                  FROM (SELECT * FROM streak_shuffle ORDER BY random()) x GROUP BY agent)
SELECT count(*) AS agents,
       count(*) FILTER (WHERE a.s = b.s AND a.s = c.s) AS equal,
       sum(met_days(a.s)) AS met_days
FROM sorted a JOIN reversed b USING (agent) JOIN shuffled c USING (agent);
-- ... and met_days agrees with counting distinct met working days in SQL.
SELECT count(*) FILTER (WHERE met_days(s) <> n) AS differing
FROM (SELECT agent, streak_agg(day, met, 'Mon-Fri; holidays 2026-01-01') s,
             count(DISTINCT day) FILTER (WHERE met AND extract(isodow FROM day) < 6
                                         AND day <> '2026-01-01') n
      FROM streak_shuffle GROUP BY agent) x;

-- The calendar may come from a column: equal calendars in separate rows are one calendar;
-- different calendars in one group are an error (22023), and so is a NULL calendar (22004).
CREATE TABLE streak_cals (day date, met boolean, cal calendar);
INSERT INTO streak_cals VALUES ('2026-10-01', true, 'Mon-Fri'), ('2026-10-02', true, 'Mon - Fri'),
  ('2026-10-05', true, 'Monday-Friday');
SELECT streak_agg(day, met, cal) FROM streak_cals;
SELECT pg_temp.try($$SELECT streak_agg(day, met, cal) FROM (SELECT * FROM streak_cals UNION ALL SELECT '2026-10-06', false, 'Mon-Sat') x$$) AS mixed,
       pg_temp.try($$SELECT streak_agg(day, met, NULL::calendar) FROM streak_cals$$) AS null_first,
       pg_temp.try($$SELECT streak_agg(day, met, cal) FROM (SELECT * FROM streak_cals UNION ALL SELECT '2026-10-06', false, NULL) x$$) AS null_later;

-- Days must be finite dates from 0001-01-01 to 9999-12-31, met or not (22008); both ends
-- themselves work.
SELECT d, pg_temp.try(format('SELECT streak_agg(%L::date, false)', d))
FROM unnest(ARRAY['4713-01-01 BC', '4714-11-24 BC', '0001-12-31 BC', '10000-01-01',
                  '5874897-12-31', 'infinity', '-infinity']) AS d;
SELECT streak_agg(d, true), longest(streak_agg(d, true)), current(streak_agg(d, true), '9999-12-31')
FROM unnest(ARRAY['0001-01-01', '9999-12-31']::date[]) AS d GROUP BY d ORDER BY d;

-- A streak spans at most 36525 days (100 years) from the first to the last met day:
-- 54000 beyond, whichever comes first. Unmet days do not count towards the span.
SELECT met_days(streak_agg(d, true)) AS at_limit
FROM unnest(ARRAY['2000-01-01'::date, date '2000-01-01' + 36524]) AS d;
SELECT met_days(streak_agg(d, d = '2000-01-01')) AS unmet_far_away
FROM unnest(ARRAY['2000-01-01'::date, date '2000-01-01' + 50000]) AS d;
SELECT pg_temp.try($$SELECT streak_agg(d, true) FROM (SELECT unnest(ARRAY['2000-01-01'::date, '2000-01-02', date '2000-01-01' + 36525]) d) x$$) AS growing_up,
       pg_temp.try($$SELECT streak_agg(d, true) FROM (SELECT unnest(ARRAY[date '2000-01-01' + 36525, '2000-01-02', '2000-01-01']) d) x$$) AS growing_down;

-- As a window aggregate: the running streak after each day of one agent.
SELECT day, met, longest(s) AS longest_so_far, current(s, day) AS current
FROM (SELECT day, met, streak_agg(day, met, 'Mon-Fri') OVER (ORDER BY day) AS s
      FROM (VALUES ('2026-10-01'::date, true), ('2026-10-02', true), ('2026-10-05', false),
                   ('2026-10-06', true), ('2026-10-07', true), ('2026-10-08', true)) r(day, met)) x
ORDER BY day;

DROP TABLE streak_rows, streak_shuffle, streak_cals;
RESET search_path;
RESET datestyle;
