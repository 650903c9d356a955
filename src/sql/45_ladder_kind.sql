CREATE FUNCTION leaderboard.ladder_kind(ladder leaderboard.ladder) RETURNS pg_catalog.text
  AS 'MODULE_PATHNAME', 'ladder_kind' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION leaderboard.ladder_kind(leaderboard.ladder) IS
  'the kind of a ladder: points (score thresholds) or rank (rank cutoffs)';
