-- streak_agg and streak_merge in parallel plans: Partial Aggregate in the plan
-- (combine, serial and deserial functions) and the same results as serial plans.
SET datestyle = 'ISO, YMD';  -- for the date columns; the types' own text is always ISO
SET search_path = leaderboard, public;
SELECT setseed(0.5);
CREATE TABLE streak_par AS
  SELECT g % 97 AS agent, date '2026-01-01' + (random() * 200)::int AS day,
         random() < 0.8 AS met
  FROM generate_series(1, 30000) g;
ANALYZE streak_par;

CREATE TABLE streak_serial AS
  SELECT agent, streak_agg(day, met) AS every_day,
         streak_agg(day, met, 'Mon-Fri; holidays 2026-05-25') AS mon_fri
  FROM streak_par GROUP BY agent;

SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;

EXPLAIN (COSTS OFF)
SELECT agent, streak_agg(day, met), streak_agg(day, met, 'Mon-Fri; holidays 2026-05-25')
FROM streak_par GROUP BY agent;
CREATE TABLE streak_parallel AS
  SELECT agent, streak_agg(day, met) AS every_day,
         streak_agg(day, met, 'Mon-Fri; holidays 2026-05-25') AS mon_fri
  FROM streak_par GROUP BY agent;

-- Equal streaks for every agent, serial vs parallel.
SELECT count(*) AS agents,
       count(*) FILTER (WHERE s.every_day = p.every_day AND s.mon_fri = p.mon_fri) AS equal,
       sum(longest(p.mon_fri)) AS sum_longest
FROM streak_serial s FULL JOIN streak_parallel p USING (agent);

-- Without GROUP BY too (one state per worker, combined by the leader).
EXPLAIN (COSTS OFF) SELECT streak_agg(day, met) FROM streak_par;
SELECT streak_agg(day, met) = (SELECT streak_merge(every_day) FROM streak_serial) AS equal
FROM streak_par;

-- streak_merge in parallel: merging an agent's weekly streaks equals the agent's streak.
CREATE TABLE streak_weekly AS
  SELECT agent, date_trunc('week', day) AS week,
         streak_agg(day, met, 'Mon-Fri; holidays 2026-05-25') AS s
  FROM streak_par GROUP BY 1, 2;
ANALYZE streak_weekly;
EXPLAIN (COSTS OFF) SELECT agent, streak_merge(s) FROM streak_weekly GROUP BY agent;
SELECT count(*) AS agents, count(*) FILTER (WHERE m.s = a.mon_fri) AS equal
FROM (SELECT agent, streak_merge(s) AS s FROM streak_weekly GROUP BY agent) m
FULL JOIN streak_serial a USING (agent);

RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
RESET parallel_leader_participation;
DROP TABLE streak_par, streak_serial, streak_parallel, streak_weekly;
RESET search_path;
RESET datestyle;
