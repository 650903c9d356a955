-- Points ladders: placement at, just below and just above thresholds, levels, next tier,
-- points to go, progress, hysteresis with hold, and misuse with its SQLSTATE.

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

-- A score reaches the highest tier whose threshold it is at or above: exactly 60 is
-- Silver, 59.999 is still Bronze, below the first threshold there is no tier (level 0).
-- next_tier/to_next_tier name the next tier and the points still missing (NULL at the
-- top); tier_progress runs 0..1 inside a tier, is 1 in the top tier, and below the first
-- tier is score / first threshold (0 here, as the first threshold is 0).
SELECT score,
       leaderboard.tier(score, l) AS tier,
       leaderboard.tier_level(score, l) AS level,
       leaderboard.next_tier(score, l) AS next,
       leaderboard.to_next_tier(score, l) AS to_go,
       round(leaderboard.tier_progress(score, l)::numeric, 4) AS progress
FROM (SELECT 'Bronze: 0, Silver: 60, Gold: 75, Platinum: 90'::leaderboard.ladder) x(l),
     unnest(ARRAY[-10, -0.5, 0, 30, 59.5, 60, 60.5, 67.5, 74.75, 75, 75.25,
                  89.5, 90, 90.5, 250, '-Infinity', 'Infinity']::float8[]) score;

-- Below a positive first threshold, progress counts toward it from 0 (negative scores
-- give 0); with a negative first threshold it is 0.
SELECT l, score, leaderboard.tier(score, l) AS tier,
       leaderboard.tier_progress(score, l) AS progress,
       leaderboard.to_next_tier(score, l) AS to_go
FROM (VALUES ('Starter: 20, Pro: 50'::leaderboard.ladder), ('Even: -10, Up: 10')) x(l),
     unnest(ARRAY[-20, -15, 0, 5]::float8[]) score
ORDER BY l::text, score;

-- Thresholds are compared exactly in float8 (no rounding).
SELECT leaderboard.tier(0.3, 'Low: 0.1, High: 0.30000000000000004') AS below,
       leaderboard.tier(0.30000000000000004, 'Low: 0.1, High: 0.30000000000000004') AS at;

-- The level of a tier name (higher is better; 1 is the first written tier).
SELECT tier, leaderboard.tier_level(tier, 'Bronze: 0, Silver: 60, Gold: 75') AS level
FROM unnest(ARRAY['Bronze', 'Silver', 'Gold']) tier;

-- An integer or numeric score works directly; a quoted literal would be read as a tier
-- name by the tier_level(text, ladder) overload, so scores are written unquoted.
SELECT leaderboard.tier(75, 'Bronze: 0, Gold: 75') AS from_int,
       leaderboard.tier(74.99::numeric, 'Bronze: 0, Gold: 75') AS from_numeric,
       leaderboard.tier_level(75, 'Bronze: 0, Gold: 75') AS level_of_score,
       leaderboard.tier_level('Gold', 'Bronze: 0, Gold: 75') AS level_of_name;

-- NULL arguments give NULL (the functions are STRICT, except tier with a previous tier,
-- where only a NULL previous tier has a meaning).
SELECT leaderboard.tier(NULL, 'A: 0') IS NULL AS tier,
       leaderboard.tier_level(NULL::float8, 'A: 0') IS NULL AS level,
       leaderboard.tier(NULL, 'A: 0', 'A') IS NULL AS held_null_score,
       leaderboard.tier(5, NULL, 'A') IS NULL AS held_null_ladder,
       leaderboard.tier(5, 'A: 0', NULL) AS held_no_previous;

-- Hysteresis: with hold 5 a Silver holder stays Silver down to 55 (60 - 5) and drops
-- at 54.9; promotion still needs the full 60. The previous tier is fed back row by row.
-- Without hold (plain tier) the agent hovering around 60 flips tier 9 times; with the
-- previous tier fed back, it flips only when the score really leaves the band.
CREATE TABLE hover (step int PRIMARY KEY, score float8);
INSERT INTO hover VALUES
    (1, 58), (2, 61), (3, 59), (4, 57.5), (5, 62), (6, 56), (7, 60.5), (8, 55),
    (9, 59.9), (10, 54.9), (11, 58), (12, 59.99), (13, 60), (14, 57), (15, 61);
WITH RECURSIVE ladder(l) AS (
    SELECT 'Bronze: 0, Silver: 60, Gold: 75; hold 5'::leaderboard.ladder
), walk AS (
    SELECT h.step, h.score, leaderboard.tier(h.score, l, NULL) AS held
    FROM hover h, ladder WHERE h.step = 1
    UNION ALL
    SELECT h.step, h.score, leaderboard.tier(h.score, l, w.held)
    FROM walk w JOIN hover h ON h.step = w.step + 1, ladder
)
SELECT step, score, leaderboard.tier(score, l) AS plain, held
FROM walk, ladder ORDER BY step;

-- Flips counted for both columns of the same walk.
WITH RECURSIVE ladder(l) AS (
    SELECT 'Bronze: 0, Silver: 60, Gold: 75; hold 5'::leaderboard.ladder
), walk AS (
    SELECT h.step, h.score, leaderboard.tier(h.score, l, NULL) AS held
    FROM hover h, ladder WHERE h.step = 1
    UNION ALL
    SELECT h.step, h.score, leaderboard.tier(h.score, l, w.held)
    FROM walk w JOIN hover h ON h.step = w.step + 1, ladder
), tiers AS (
    SELECT step, leaderboard.tier(score, l) AS plain, held FROM walk, ladder
)
SELECT count(*) FILTER (WHERE plain IS DISTINCT FROM prev_plain) AS plain_flips,
       count(*) FILTER (WHERE held IS DISTINCT FROM prev_held) AS held_flips
FROM (SELECT plain, held, lag(plain) OVER w AS prev_plain, lag(held) OVER w AS prev_held
      FROM tiers WINDOW w AS (ORDER BY step) OFFSET 1) t;
DROP TABLE hover;

-- Falling several tiers: a Gold holder lands on the best tier at or below Gold whose
-- threshold - hold the score still reaches: 71 keeps Gold (>= 70), 57 gives Silver
-- (>= 55, the same as falling through 65 first), 54 gives Bronze, -5 keeps Bronze
-- (>= 0 - 5) and -5.5 gives no tier. Rising needs the full threshold: a Bronze holder at
-- 74.9 is Silver, not Gold.
SELECT previous, score, leaderboard.tier(score, l, previous) AS held
FROM (SELECT 'Bronze: 0, Silver: 60, Gold: 75; hold 5'::leaderboard.ladder) x(l),
     (VALUES ('Gold', 71), ('Gold', 69.9), ('Gold', 57), ('Silver', 57), ('Gold', 54),
             ('Bronze', -5), ('Bronze', -5.5), ('Bronze', 74.9), ('Silver', 75),
             (NULL, 57)) v(previous, score);

-- The hold may reach below a lower threshold: with Silver at 60 and Gold at 62, a Gold
-- holder at 58 keeps Gold (58 >= 62 - 5) although a newcomer at 58 is only Bronze.
SELECT leaderboard.tier(58, 'Bronze: 0, Silver: 60, Gold: 62; hold 5', 'Gold') AS holder,
       leaderboard.tier(58, 'Bronze: 0, Silver: 60, Gold: 62; hold 5') AS newcomer;

-- Without hold (or hold 0) the previous tier changes nothing.
SELECT score, leaderboard.tier(score, 'Bronze: 0, Silver: 60', 'Silver') AS held,
       leaderboard.tier(score, 'Bronze: 0, Silver: 60') AS plain
FROM unnest(ARRAY[59.99, 60]::float8[]) score;

-- Misuse: NaN scores, an unknown previous tier (names are case-sensitive), a rank
-- ladder given to points functions (with a hint toward tier_by_rank), an unknown tier
-- name, overflowing points to go. All 22023 except the overflow (22003).
SELECT query, pg_temp.error_of(query) AS error
FROM (VALUES
    ($$SELECT leaderboard.tier('NaN', 'A: 0')$$),
    ($$SELECT leaderboard.tier('NaN', 'A: 0', 'A')$$),
    ($$SELECT leaderboard.tier_level('NaN'::float8, 'A: 0')$$),
    ($$SELECT leaderboard.next_tier('NaN', 'A: 0')$$),
    ($$SELECT leaderboard.to_next_tier('NaN', 'A: 0')$$),
    ($$SELECT leaderboard.tier_progress('NaN', 'A: 0')$$),
    ($$SELECT leaderboard.tier(5, 'Bronze: 0, Silver: 60; hold 5', 'Gold')$$),
    ($$SELECT leaderboard.tier(5, 'Bronze: 0, Silver: 60; hold 5', 'silver')$$),
    ($$SELECT leaderboard.tier(5, 'Gold: top 10%')$$),
    ($$SELECT leaderboard.tier(5, 'Gold: top 10%', 'Gold')$$),
    ($$SELECT leaderboard.tier_level(5, 'Gold: top 10%')$$),
    ($$SELECT leaderboard.next_tier(5, 'Gold: top 10%')$$),
    ($$SELECT leaderboard.to_next_tier(5, 'Gold: top 10%')$$),
    ($$SELECT leaderboard.tier_progress(5, 'Gold: top 10%')$$),
    ($$SELECT leaderboard.tier_level('Platinum', 'Bronze: 0, Gold: 75')$$),
    ($$SELECT leaderboard.to_next_tier(-1e308, 'Low: -1e308, High: 1e308')$$)
) v(query);

-- The hint of a points function given a rank ladder.
\set VERBOSITY default
SELECT leaderboard.tier(5, 'Gold: top 10%');
