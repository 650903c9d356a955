-- tier_counts(score, ladder): scores counted per tier, checked against an independent
-- CASE count, serially and in a forced parallel plan.

-- Runs a statement and reports the SQLSTATE and message it fails with.
CREATE FUNCTION pg_temp.error_of(query text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    message text;
BEGIN
    EXECUTE query;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS message = MESSAGE_TEXT;
    RETURN SQLSTATE || ': ' || message;
END $$;

-- One element per level, level 0 (no tier, "tier": null) first, tiers without scores
-- included with count 0; NULL scores are not counted.
SELECT jsonb_pretty(leaderboard.tier_counts(score, 'Bronze: 0, Silver: 60, Gold: 75, Platinum: 90'))
FROM unnest(ARRAY[-1, 0, 59.9, 60, 74, 75, NULL]::float8[]) score;

-- No rows: NULL (the ladder is unknown). Only NULL scores: every level with count 0.
SELECT leaderboard.tier_counts(score, 'A: 0') AS no_rows
FROM unnest(ARRAY[]::float8[]) score;
SELECT leaderboard.tier_counts(score, 'A: 0') AS null_scores
FROM unnest(ARRAY[NULL, NULL]::float8[]) score;

-- The array reads back as rows in level order.
SELECT t.*
FROM (SELECT leaderboard.tier_counts(score, 'Bronze: 0, Silver: 60, Gold: 75') AS c
      FROM unnest(ARRAY[10, 20, 65, -3]::float8[]) score) s,
     jsonb_to_recordset(s.c) AS t(level int, tier text, count bigint);

-- 60 000 generated scores from -10 to 85 (every 97th NULL), 6 teams.
CREATE TABLE counted (id int, team int, score float8);
INSERT INTO counted
SELECT i, i % 6, CASE WHEN i % 97 = 0 THEN NULL ELSE ((i * 7919) % 951) / 10.0 - 10 END
FROM generate_series(1, 60000) i;
ANALYZE counted;

-- The same counts from a plain CASE over the thresholds, for one team or (NULL) all.
CREATE FUNCTION pg_temp.case_counts(only_team int) RETURNS jsonb LANGUAGE sql AS $$
    WITH levels(level, tier) AS (
        VALUES (0, NULL), (1, 'Bronze'), (2, 'Silver'), (3, 'Gold'), (4, 'Platinum')
    ), cased AS (
        SELECT CASE WHEN score >= 90 THEN 4 WHEN score >= 75 THEN 3
                    WHEN score >= 60 THEN 2 WHEN score >= 0 THEN 1 ELSE 0 END AS level
        FROM counted
        WHERE score IS NOT NULL AND (only_team IS NULL OR team = only_team)
    )
    SELECT jsonb_agg(jsonb_build_object('tier', tier, 'level', level,
                                        'count', (SELECT count(*) FROM cased c WHERE c.level = l.level))
                     ORDER BY level)
    FROM levels l
$$;

-- Serial: the whole table and every team equal the CASE counts (Platinum stays at 0).
SET max_parallel_workers_per_gather = 0;
SELECT leaderboard.tier_counts(score, 'Bronze: 0, Silver: 60, Gold: 75, Platinum: 90') AS serial
FROM counted;
SELECT pg_temp.case_counts(NULL) AS by_case;
SELECT leaderboard.tier_counts(score, 'Bronze: 0, Silver: 60, Gold: 75, Platinum: 90')
       = pg_temp.case_counts(NULL) AS equals_case
FROM counted;
CREATE TEMP TABLE serial_counts AS
SELECT team, leaderboard.tier_counts(score, 'Bronze: 0, Silver: 60, Gold: 75, Platinum: 90') AS counts
FROM counted GROUP BY team;
SELECT count(*) AS teams, count(*) FILTER (WHERE counts = pg_temp.case_counts(team)) AS teams_equal_to_case
FROM serial_counts;

-- Forced parallel: the plan has a Partial Aggregate (combine, serialize and deserialize
-- run) and the result equals the serial one.
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF)
SELECT leaderboard.tier_counts(score, 'Bronze: 0, Silver: 60, Gold: 75, Platinum: 90') FROM counted;
SELECT leaderboard.tier_counts(score, 'Bronze: 0, Silver: 60, Gold: 75, Platinum: 90') AS parallel
FROM counted;
SET enable_sort = off;
EXPLAIN (COSTS OFF)
SELECT team, leaderboard.tier_counts(score, 'Bronze: 0, Silver: 60, Gold: 75, Platinum: 90')
FROM counted GROUP BY team;
SELECT count(*) AS teams, count(*) FILTER (WHERE p.counts = s.counts) AS teams_equal_to_serial
FROM (SELECT team, leaderboard.tier_counts(score, 'Bronze: 0, Silver: 60, Gold: 75, Platinum: 90') AS counts
      FROM counted GROUP BY team) p JOIN serial_counts s USING (team);
RESET enable_sort;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;

-- Misuse: a NaN score, different ladders in one group, a rank ladder (22023).
SELECT query, pg_temp.error_of(query) AS error
FROM (VALUES
    ($$SELECT leaderboard.tier_counts(s, 'A: 0') FROM unnest(ARRAY[1, 'NaN']::float8[]) s$$),
    ($$SELECT leaderboard.tier_counts(s, l::leaderboard.ladder) FROM (VALUES (1, 'A: 0'), (2, 'A: 1')) v(s, l)$$),
    ($$SELECT leaderboard.tier_counts(1, 'Podium: top 3')$$)
) v(query);

DROP TABLE counted, serial_counts;
