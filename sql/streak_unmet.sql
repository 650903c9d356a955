-- streak_agg where most rows are not met. After a group's first row, an unmet row only has
-- its day checked, and a met row on a day inside the met days seen so far sets one bit; any
-- other row takes the full path. Rows are fed in chosen orders (streak_agg(... ORDER BY o))
-- so that each path is taken, and every order must give the same streak.
SET datestyle = 'ISO, YMD';  -- for the date columns; the types' own text is always ISO
SET search_path = leaderboard, public;
CREATE FUNCTION pg_temp.try(stmt text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE st text; msg text;
BEGIN
  EXECUTE stmt;
  RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
  RETURN st || ': ' || msg;
END $$;

-- Rows of one group, numbered; each order below feeds them in a different sequence.
CREATE TABLE unmet_rows (grp text, n int, day date, met boolean);
INSERT INTO unmet_rows VALUES
  -- none met: NULL and false, a NULL day among them, the same day twice: an empty streak
  ('none met', 1, '2026-10-01', false), ('none met', 2, '2026-10-01', NULL),
  ('none met', 3, NULL, false), ('none met', 4, '2026-10-03', false),
  ('none met', 5, '2026-10-02', NULL), ('none met', 6, NULL, NULL),
  -- only rows without a day: NULL, whatever their met
  ('no day', 1, NULL, true), ('no day', 2, NULL, false), ('no day', 3, NULL, NULL),
  -- unmet rows on the days of met rows, before and after them; Oct 4 is never met, Oct 5
  -- twice; met days inside the first and last met day come after both in some orders
  ('mixed', 1, '2026-10-02', false), ('mixed', 2, '2026-10-02', true),
  ('mixed', 3, '2026-10-02', false), ('mixed', 4, '2026-10-01', true),
  ('mixed', 5, '2026-10-04', false), ('mixed', 6, '2026-10-05', true),
  ('mixed', 7, '2026-10-03', NULL), ('mixed', 8, '2026-10-03', true),
  ('mixed', 9, '2026-10-05', true), ('mixed', 10, NULL, true),
  ('mixed', 11, '2026-10-04', NULL), ('mixed', 12, '2026-10-01', false);
CREATE TABLE unmet_orders (ord text, key_sql text);
INSERT INTO unmet_orders VALUES
  ('as numbered', 'n'), ('reversed', '-n'),
  ('unmet rows first', '(met IS TRUE), n'), ('met rows first', '(met IS NOT TRUE), n'),
  ('by day', 'day, n'), ('by day, latest first', 'day DESC, n'),
  ('outer met days first', '(day NOT IN (''2026-10-01'', ''2026-10-05'')), -n');
CREATE FUNCTION pg_temp.streak_in_order(g text, key_sql text) RETURNS streak LANGUAGE plpgsql AS $$
DECLARE s streak;
BEGIN
  EXECUTE format('SELECT streak_agg(day, met ORDER BY %s) FROM unmet_rows WHERE grp = $1', key_sql)
    INTO s USING g;
  RETURN s;
END $$;
SELECT grp, count(DISTINCT s::text) AS distinct_streaks, count(*) - count(s) AS null_streaks,
       min(s::text) AS streak,
       min(longest(s)) AS longest, min(met_days(s)) AS met_days, count(*) AS orders
FROM (SELECT grp, pg_temp.streak_in_order(grp, key_sql) AS s
      FROM (SELECT DISTINCT grp FROM unmet_rows) g, unmet_orders) x
GROUP BY grp ORDER BY grp;

-- Each row's day is checked, met or not, first row or not (22008), and a NULL day is
-- ignored after the first row too.
SELECT pg_temp.try($$SELECT streak_agg(d, m ORDER BY o) FROM (VALUES (1, date '2026-10-01', true), (2, 'infinity', false)) r(o, d, m)$$) AS infinity_after_met,
       pg_temp.try($$SELECT streak_agg(d, m ORDER BY o) FROM (VALUES (1, date '2026-10-01', false), (2, '10000-01-01', NULL)) r(o, d, m)$$) AS year_10000_after_unmet,
       (SELECT streak_agg(d, m ORDER BY o)::text FROM (VALUES (1, date '2026-10-01', false), (2, NULL, true), (3, '2026-10-02', true)) r(o, d, m)) AS null_day_after_unmet;

-- With a calendar, rows after the first check it and skip met non-working days: unmet
-- weekdays first, then a met Saturday inside the met days, then one outside them.
SELECT streak_agg(d, m, 'Mon-Fri' ORDER BY o)
FROM (VALUES (1, date '2026-10-05', false), (2, '2026-10-02', true), (3, '2026-10-06', true),
             (4, '2026-10-03', true), (5, '2026-10-11', true), (6, '2026-10-07', false)) r(o, d, m);

-- A log where agents convert 0-10 % of their calls (a tenth of them never): each agent's
-- streak against gaps and islands over the met rows, and serial against parallel plans.
SELECT setseed(0.31);
CREATE TABLE unmet_calls AS
  SELECT a AS agent,
         CASE WHEN random() < 0.01 THEN NULL ELSE date '2026-10-01' + (random() * 30)::int END AS day,
         CASE WHEN random() < 0.02 THEN NULL ELSE random() < (a % 10) * 0.011 END AS met
  FROM generate_series(1, 200) a, LATERAL generate_series(1, 20 + a % 7 * 30) c;
ANALYZE unmet_calls;
CREATE TABLE unmet_reference AS
  WITH met AS (SELECT DISTINCT agent, day FROM unmet_calls WHERE met AND day IS NOT NULL),
       runs AS (SELECT agent, count(*) AS len
                FROM (SELECT agent, day - (row_number() OVER (PARTITION BY agent ORDER BY day))::int AS island
                      FROM met) x GROUP BY agent, island)
  SELECT agent, coalesce(max(len), 0) AS longest, coalesce(sum(len), 0) AS met_days
  FROM (SELECT DISTINCT agent FROM unmet_calls WHERE day IS NOT NULL) a
  LEFT JOIN runs USING (agent) GROUP BY agent;
CREATE TABLE unmet_serial AS
  SELECT agent, streak_agg(day, met) AS s FROM unmet_calls GROUP BY agent;
SELECT count(*) AS agents, count(*) FILTER (WHERE met_days(s) = 0) AS none_met,
       count(*) FILTER (WHERE longest(s) IS DISTINCT FROM r.longest
                        OR met_days(s) IS DISTINCT FROM r.met_days) AS differing
FROM unmet_serial FULL JOIN unmet_reference r USING (agent);

SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF) SELECT agent, streak_agg(day, met) FROM unmet_calls GROUP BY agent;
SELECT count(*) AS agents, count(*) FILTER (WHERE s.s = p.s) AS equal
FROM unmet_serial s
FULL JOIN (SELECT agent, streak_agg(day, met) AS s FROM unmet_calls GROUP BY agent) p USING (agent);
-- Without GROUP BY, agents converting 0 % and 1.1 %: one state per worker, some of them
-- of unmet rows only, combined by the leader.
EXPLAIN (COSTS OFF) SELECT streak_agg(day, met) FROM unmet_calls WHERE agent % 10 < 2;
SELECT streak_agg(day, met) = (SELECT streak_merge(s) FROM unmet_serial WHERE agent % 10 < 2) AS equal
FROM unmet_calls WHERE agent % 10 < 2;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
RESET parallel_leader_participation;

-- FILTER (WHERE met) keeps the met days and skips the unmet rows, so their day is not
-- computed; an agent with no met row then gets NULL instead of an empty streak.
SELECT count(*) AS agents,
       count(*) FILTER (WHERE coalesce(f, 'Mon-Sun:') = s) AS same_met_days,
       count(*) FILTER (WHERE f IS NULL) AS null_when_none_met
FROM (SELECT agent, streak_agg(day, met) FILTER (WHERE met) AS f FROM unmet_calls GROUP BY agent) x
JOIN unmet_serial USING (agent);

DROP TABLE unmet_rows, unmet_orders, unmet_calls, unmet_reference, unmet_serial;
RESET search_path;
RESET datestyle;
