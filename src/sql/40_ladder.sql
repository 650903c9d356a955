-- leaderboard.ladder: tier ladders (points or ranks) and tier placement.

CREATE TYPE leaderboard.ladder;

CREATE FUNCTION leaderboard.ladder_in(pg_catalog.cstring) RETURNS leaderboard.ladder
    AS 'MODULE_PATHNAME', 'ladder_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION leaderboard.ladder_out(leaderboard.ladder) RETURNS pg_catalog.cstring
    AS 'MODULE_PATHNAME', 'ladder_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION leaderboard.ladder_recv(pg_catalog.internal) RETURNS leaderboard.ladder
    AS 'MODULE_PATHNAME', 'ladder_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION leaderboard.ladder_send(leaderboard.ladder) RETURNS pg_catalog.bytea
    AS 'MODULE_PATHNAME', 'ladder_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE leaderboard.ladder (
    INPUT = leaderboard.ladder_in,
    OUTPUT = leaderboard.ladder_out,
    RECEIVE = leaderboard.ladder_recv,
    SEND = leaderboard.ladder_send,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = double,
    STORAGE = extended
);

COMMENT ON TYPE leaderboard.ladder IS
    'tier ladder: point thresholds (''Bronze: 0, Silver: 60, Gold: 75; hold 5'') or rank cutoffs (''Gold: top 10%, Podium: top 3'')';
COMMENT ON FUNCTION leaderboard.ladder_in(pg_catalog.cstring) IS 'text input of type ladder';
COMMENT ON FUNCTION leaderboard.ladder_out(leaderboard.ladder) IS 'canonical text of a ladder';
COMMENT ON FUNCTION leaderboard.ladder_recv(pg_catalog.internal) IS 'binary input of type ladder';
COMMENT ON FUNCTION leaderboard.ladder_send(leaderboard.ladder) IS 'binary output of type ladder';

CREATE FUNCTION leaderboard.tier(score pg_catalog.float8, ladder leaderboard.ladder)
    RETURNS pg_catalog.text
    AS 'MODULE_PATHNAME', 'ladder_tier' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION leaderboard.tier(pg_catalog.float8, leaderboard.ladder) IS
    'tier a score reaches on a points ladder, NULL below the first threshold';

CREATE FUNCTION leaderboard.tier(score pg_catalog.float8, ladder leaderboard.ladder,
                                 previous_tier pg_catalog.text)
    RETURNS pg_catalog.text
    AS 'MODULE_PATHNAME', 'ladder_tier_held' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION leaderboard.tier(pg_catalog.float8, leaderboard.ladder, pg_catalog.text) IS
    'tier with hysteresis: the previous tier (NULL = none) is kept until the score falls below its threshold minus the ladder''s hold';

CREATE FUNCTION leaderboard.tier_level(score pg_catalog.float8, ladder leaderboard.ladder)
    RETURNS pg_catalog.int4
    AS 'MODULE_PATHNAME', 'ladder_tier_level' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION leaderboard.tier_level(pg_catalog.float8, leaderboard.ladder) IS
    'level a score reaches on a points ladder: 1 = lowest tier, 0 = no tier';

CREATE FUNCTION leaderboard.tier_level(tier pg_catalog.text, ladder leaderboard.ladder)
    RETURNS pg_catalog.int4
    AS 'MODULE_PATHNAME', 'ladder_tier_level_of_name' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION leaderboard.tier_level(pg_catalog.text, leaderboard.ladder) IS
    'level of a tier name on a ladder of either kind: higher is better, 1 = lowest tier';

CREATE FUNCTION leaderboard.next_tier(score pg_catalog.float8, ladder leaderboard.ladder)
    RETURNS pg_catalog.text
    AS 'MODULE_PATHNAME', 'ladder_next_tier' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION leaderboard.next_tier(pg_catalog.float8, leaderboard.ladder) IS
    'tier above the one a score reaches on a points ladder, NULL at the top';

CREATE FUNCTION leaderboard.to_next_tier(score pg_catalog.float8, ladder leaderboard.ladder)
    RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME', 'ladder_to_next_tier' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION leaderboard.to_next_tier(pg_catalog.float8, leaderboard.ladder) IS
    'points a score still needs to reach the next tier, NULL at the top';

CREATE FUNCTION leaderboard.tier_progress(score pg_catalog.float8, ladder leaderboard.ladder)
    RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME', 'ladder_tier_progress' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION leaderboard.tier_progress(pg_catalog.float8, leaderboard.ladder) IS
    'progress from the current tier''s threshold to the next one, 0 to 1; 1 in the top tier; below the first tier score / first threshold clamped to 0..1';

CREATE FUNCTION leaderboard.tier_by_rank(rank pg_catalog.int8, "of" pg_catalog.int8,
                                         ladder leaderboard.ladder)
    RETURNS pg_catalog.text
    AS 'MODULE_PATHNAME', 'ladder_tier_by_rank' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION leaderboard.tier_by_rank(pg_catalog.int8, pg_catalog.int8, leaderboard.ladder) IS
    'tier of a rank (1 = best) among "of" ranked agents on a rank ladder; top p% covers rank <= ceil(p * of / 100); NULL when no tier covers it';

CREATE FUNCTION leaderboard.tier_counts_transfn(pg_catalog.internal, pg_catalog.float8,
                                                leaderboard.ladder)
    RETURNS pg_catalog.internal
    AS 'MODULE_PATHNAME', 'tier_counts_transfn' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION leaderboard.tier_counts_combinefn(pg_catalog.internal, pg_catalog.internal)
    RETURNS pg_catalog.internal
    AS 'MODULE_PATHNAME', 'tier_counts_combinefn' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION leaderboard.tier_counts_serialfn(pg_catalog.internal)
    RETURNS pg_catalog.bytea
    AS 'MODULE_PATHNAME', 'tier_counts_serialfn' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION leaderboard.tier_counts_deserialfn(pg_catalog.bytea, pg_catalog.internal)
    RETURNS pg_catalog.internal
    AS 'MODULE_PATHNAME', 'tier_counts_deserialfn' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION leaderboard.tier_counts_finalfn(pg_catalog.internal)
    RETURNS pg_catalog.jsonb
    AS 'MODULE_PATHNAME', 'tier_counts_finalfn' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE leaderboard.tier_counts(score pg_catalog.float8, ladder leaderboard.ladder) (
    SFUNC = leaderboard.tier_counts_transfn,
    STYPE = pg_catalog.internal,
    FINALFUNC = leaderboard.tier_counts_finalfn,
    COMBINEFUNC = leaderboard.tier_counts_combinefn,
    SERIALFUNC = leaderboard.tier_counts_serialfn,
    DESERIALFUNC = leaderboard.tier_counts_deserialfn,
    PARALLEL = SAFE
);

COMMENT ON FUNCTION leaderboard.tier_counts_transfn(pg_catalog.internal, pg_catalog.float8, leaderboard.ladder) IS
    'transition function of tier_counts';
COMMENT ON FUNCTION leaderboard.tier_counts_combinefn(pg_catalog.internal, pg_catalog.internal) IS
    'combine function of tier_counts';
COMMENT ON FUNCTION leaderboard.tier_counts_serialfn(pg_catalog.internal) IS
    'serialization function of tier_counts';
COMMENT ON FUNCTION leaderboard.tier_counts_deserialfn(pg_catalog.bytea, pg_catalog.internal) IS
    'deserialization function of tier_counts';
COMMENT ON FUNCTION leaderboard.tier_counts_finalfn(pg_catalog.internal) IS
    'final function of tier_counts';
COMMENT ON AGGREGATE leaderboard.tier_counts(pg_catalog.float8, leaderboard.ladder) IS
    'scores counted per tier of a points ladder: a jsonb array indexed by level, [{"tier": null, "level": 0, "count": n}, {"tier": "Bronze", "level": 1, ...}, ...]';
