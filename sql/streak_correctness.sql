-- longest, longest_start, met_days and current of streak_agg agree, for every one of 300
-- agents with deterministic random call days, with an independent gaps-and-islands
-- recomputation in plain SQL: under the default calendar (every day works) and under
-- Mon-Fri with holidays, in serial and in parallel plans. Every check counts differing rows.
SET datestyle = 'ISO, YMD';  -- for the date columns; the types' own text is always ISO
SET search_path = leaderboard, public;
SELECT setseed(0.2026);

-- Calls: 300 agents with different activity and conversion rates over 2026-01-01 ..
-- 2026-06-30; some calls have no day (ignored), some no outcome (not met), weekend and
-- holiday calls exist (ignored under the calendar).
CREATE TABLE sc_calls AS
  SELECT a AS agent,
         CASE WHEN random() < 0.01 THEN NULL
              ELSE date '2026-01-01' + (random() * 180)::int END AS day,
         CASE WHEN random() < 0.02 THEN NULL ELSE random() < 0.35 + (a % 5) * 0.15 END AS met
  FROM generate_series(1, 300) a, LATERAL generate_series(1, 40 + (a % 9) * 45) c;
ANALYZE sc_calls;
-- Days streaks are read on: every third day of the period and a week either side of it.
CREATE TABLE sc_as_of AS
  SELECT d::date AS as_of FROM generate_series(date '2025-12-25', date '2026-07-07', interval '3 days') d;

-- The reference: number the working days of the calendar with row_number over a
-- generate_series, keep each agent's met working days, and find runs of consecutive
-- numbers (gaps and islands). A run's length and start, and the run holding as_of when it
-- is met, else holding the working day before as_of, give longest, longest_start and current.
CREATE FUNCTION pg_temp.reference(holidays date[], weekdays int[])
RETURNS TABLE (agent int, longest bigint, longest_start date, met_days bigint, as_of date, current bigint)
LANGUAGE sql AS $$
  WITH wd AS (
    SELECT d::date AS day, row_number() OVER (ORDER BY d) AS n
    FROM generate_series(date '2025-12-01', date '2026-07-31', interval '1 day') d
    WHERE extract(isodow FROM d)::int = ANY (weekdays) AND d::date <> ALL (holidays)),
  asof AS MATERIALIZED (SELECT q.as_of, (SELECT n FROM wd WHERE wd.day = q.as_of) AS n_self,
                  (SELECT max(n) FROM wd WHERE wd.day < q.as_of) AS n_before
           FROM sc_as_of q),
  agents AS (SELECT DISTINCT agent FROM sc_calls WHERE day IS NOT NULL),
  met AS (SELECT DISTINCT c.agent, wd.day, wd.n
          FROM sc_calls c JOIN wd ON wd.day = c.day WHERE c.met),
  counts AS (SELECT agent, count(*) AS met_days FROM met GROUP BY agent),
  runs AS (SELECT agent, count(*) AS len, min(day) AS start, min(n) AS first_n, max(n) AS last_n
           FROM (SELECT agent, day, n, n - row_number() OVER (PARTITION BY agent ORDER BY n) AS grp
                 FROM met) i
           GROUP BY agent, grp),
  best AS (SELECT DISTINCT ON (agent) agent, len, start FROM runs ORDER BY agent, len DESC, start),
  ends AS MATERIALIZED (SELECT a.agent, q.as_of, CASE WHEN m.agent IS NOT NULL THEN q.n_self ELSE q.n_before END AS e
           FROM agents a CROSS JOIN asof q
           LEFT JOIN met m ON m.agent = a.agent AND m.day = q.as_of)
  SELECT a.agent, coalesce(b.len, 0), b.start, coalesce(c.met_days, 0), e.as_of,
         coalesce(e.e - r.first_n + 1, 0)
  FROM agents a LEFT JOIN best b USING (agent) LEFT JOIN counts c USING (agent)
  JOIN ends e USING (agent)
  LEFT JOIN runs r ON r.agent = e.agent AND e.e BETWEEN r.first_n AND r.last_n
$$;

CREATE FUNCTION pg_temp.extension(s_every streak, s_cal streak, which text, as_of date,
  OUT longest int, OUT longest_start date, OUT met_days int, OUT current int)
LANGUAGE sql AS $$
  SELECT longest(s), longest_start(s), met_days(s), current(s, as_of)
  FROM (SELECT CASE which WHEN 'every day' THEN s_every ELSE s_cal END AS s) x
$$;

CREATE TABLE sc_reference AS
  SELECT 'every day' AS calendar, * FROM pg_temp.reference('{}', '{1,2,3,4,5,6,7}')
  UNION ALL
  SELECT 'Mon-Fri', * FROM pg_temp.reference('{2026-01-01,2026-01-19,2026-02-16,2026-04-03,2026-05-25,2026-06-19}', '{1,2,3,4,5}');

-- The calendar's holidays include a Saturday (2026-07-04), which changes nothing.
CREATE FUNCTION pg_temp.compare(OUT agents bigint, OUT rows_compared bigint, OUT differing bigint)
LANGUAGE sql AS $$
  WITH s AS (
    SELECT agent, streak_agg(day, met) AS s_every,
           streak_agg(day, met, 'Mon-Fri; holidays 2026-01-01, 2026-01-19, 2026-02-16, 2026-04-03, 2026-05-25, 2026-06-19, 2026-07-04') AS s_cal
    FROM sc_calls GROUP BY agent),
  x AS (
    SELECT k.calendar, s.agent, q.as_of, e.*
    FROM s CROSS JOIN sc_as_of q CROSS JOIN (VALUES ('every day'), ('Mon-Fri')) k(calendar),
         LATERAL pg_temp.extension(s.s_every, s.s_cal, k.calendar, q.as_of) e)
  SELECT count(DISTINCT coalesce(x.agent, r.agent)), count(*),
         count(*) FILTER (WHERE x.agent IS NULL OR r.agent IS NULL
                          OR (x.longest, x.longest_start, x.met_days, x.current)
                             IS DISTINCT FROM (r.longest, r.longest_start, r.met_days, r.current))
  FROM x FULL JOIN sc_reference r USING (calendar, agent, as_of)
$$;

-- The data has long runs, weekends and holidays inside runs, and streaks current at the end.
SELECT calendar, max(longest) AS max_longest, round(avg(longest), 2) AS avg_longest,
       (sum(met_days) / count(DISTINCT as_of))::int AS met_days,
       count(*) FILTER (WHERE current > 0) AS current_rows
FROM sc_reference GROUP BY calendar ORDER BY calendar;

-- Serial.
SELECT * FROM pg_temp.compare();

-- Parallel: the plan shows Partial Aggregate, and the results are equal again.
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF)
SELECT agent, streak_agg(day, met), streak_agg(day, met, 'Mon-Fri; holidays 2026-01-01')
FROM sc_calls GROUP BY agent;
SELECT * FROM pg_temp.compare();
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
RESET parallel_leader_participation;

DROP TABLE sc_calls, sc_as_of, sc_reference;
RESET search_path;
RESET datestyle;
