-- leaderboard.is_working_day: which days a calendar marks as working.
SET datestyle = 'ISO, YMD';  -- for the date columns; the types' own text is always ISO

-- One week under a Monday-to-Friday calendar with a holiday on Friday 2026-12-25.
SELECT d::date AS day, to_char(d, 'Dy') AS dow,
       leaderboard.is_working_day('Mon-Fri; holidays 2026-12-25', d::date) AS mon_fri,
       leaderboard.is_working_day('Sun-Thu', d::date) AS sun_thu,
       leaderboard.is_working_day('Fri-Mon', d::date) AS fri_mon
FROM generate_series(date '2026-12-21', date '2026-12-27', interval '1 day') d;

-- Weekdays agree with extract(isodow) for every day of the date type's range, sampled
-- across it and at both ends (4714-11-24 BC and 5874897-12-31), so weekday arithmetic
-- holds for every finite date: zero mismatches.
SELECT count(*) AS days_checked,
       count(*) FILTER (WHERE leaderboard.is_working_day('Wed', d) <> (extract(isodow FROM d) = 3)) AS mismatches
FROM (SELECT date '4714-11-24 BC' + n AS d FROM generate_series(0, 20) n
      UNION ALL SELECT date '5874897-12-31' - n FROM generate_series(0, 20) n
      UNION ALL SELECT date '2000-01-01' + n * 9973 FROM generate_series(-240, 240) n) s;

-- Infinite dates have no weekday: 22008.
\set VERBOSITY sqlstate
SELECT leaderboard.is_working_day('Mon-Fri', 'infinity');
SELECT leaderboard.is_working_day('Mon-Fri', '-infinity');
\set VERBOSITY default
RESET datestyle;
