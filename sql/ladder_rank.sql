-- Rank ladders: tier_by_rank with ceil semantics for percentages, top N, mixes, levels,
-- and misuse with its SQLSTATE.

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

-- top p% covers rank <= ceil(p * of / 100): of 7 agents, top 10% is rank 1 (ceil 0.7)
-- and top 30% ranks 2..3 (ceil 2.1); so a small floor still has a Gold agent.
SELECT rank, leaderboard.tier_by_rank(rank, 7, 'Gold: top 10%, Silver: top 30%, Bronze: top 100%') AS tier
FROM generate_series(1, 7) rank;

-- Of 95 agents, top 10% is ranks 1..10 (ceil 9.5) and top 30% ranks up to 29 (ceil 28.5).
SELECT rank, leaderboard.tier_by_rank(rank, 95, 'Gold: top 10%, Silver: top 30%, Bronze: top 100%') AS tier
FROM unnest(ARRAY[1, 10, 11, 29, 30, 95]) rank;

-- Exhaustive check against numeric arithmetic: every rank of every floor size 1..250,
-- for whole and fractional percentages; no rank lands in a different tier.
SELECT count(*) AS placements,
       count(*) FILTER (WHERE leaderboard.tier_by_rank(rank, n, 'Elite: top 2.5%, Gold: top 10%, Silver: top 33.333333%, Bronze: top 100%')
                        IS DISTINCT FROM
                        CASE WHEN rank <= ceil(2.5 * n / 100.0) THEN 'Elite'
                             WHEN rank <= ceil(10 * n / 100.0) THEN 'Gold'
                             WHEN rank <= ceil(33.333333 * n / 100.0) THEN 'Silver'
                             ELSE 'Bronze' END) AS mismatches
FROM generate_series(1, 250) n, generate_series(1, n) rank;

-- Cutoffs stay exact for the largest floors (no float rounding, no overflow).
SELECT leaderboard.tier_by_rank(r, n, 'Top: top 33.333333%, Rest: top 100%') AS tier,
       r <= ceil(33.333333 * n::numeric / 100) AS numeric_says_top
FROM (VALUES (9223372036854775807, 3074457314873685147),
             (9223372036854775807, 3074457314873685148),
             (9223372036854775807, 9223372036854775807)) v(n, r);

-- top N is a fixed number of places; ranks past the last cutoff have no tier (NULL).
SELECT rank, leaderboard.tier_by_rank(rank, 10, 'Podium: top 3') AS tier
FROM unnest(ARRAY[1, 3, 4, 10]) rank;

-- A mix of counts and percentages: the first tier listed whose cutoff covers the rank
-- wins. On a floor of 100, Gold (top 10%) is ranks 4..10; on a floor of 20 the podium
-- already covers the top 10% (2 places), so Gold is empty there.
SELECT n, tier, count(*) AS agents, min(rank) AS best, max(rank) AS worst
FROM (VALUES (100), (20)) f(n), generate_series(1, n) rank,
     LATERAL leaderboard.tier_by_rank(rank, n, 'Podium: top 3, Gold: top 10%, Silver: top 50%') tier
GROUP BY n, tier ORDER BY n DESC, best;

-- Levels on a rank ladder: the last listed (widest) tier is level 1.
SELECT tier, leaderboard.tier_level(tier, 'Gold: top 10%, Silver: top 30%, Bronze: top 100%') AS level
FROM unnest(ARRAY['Gold', 'Silver', 'Bronze']) tier;

-- A NULL rank (an unranked agent) gives NULL.
SELECT leaderboard.tier_by_rank(NULL, 10, 'Podium: top 3') IS NULL AS null_rank;

-- Misuse: ranks outside 1..of and a points ladder are 22023.
SELECT query, pg_temp.error_of(query) AS error
FROM (VALUES
    ($$SELECT leaderboard.tier_by_rank(0, 10, 'Podium: top 3')$$),
    ($$SELECT leaderboard.tier_by_rank(-1, 10, 'Podium: top 3')$$),
    ($$SELECT leaderboard.tier_by_rank(11, 10, 'Podium: top 3')$$),
    ($$SELECT leaderboard.tier_by_rank(1, 0, 'Podium: top 3')$$),
    ($$SELECT leaderboard.tier_by_rank(1, 10, 'Bronze: 0, Gold: 75')$$)
) v(query);

-- The hint of tier_by_rank given a points ladder.
\set VERBOSITY default
SELECT leaderboard.tier_by_rank(1, 10, 'Bronze: 0, Gold: 75');
