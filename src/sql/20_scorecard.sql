-- leaderboard.scorecard: composite score definitions, and score / qualified / explain.

CREATE TYPE leaderboard.scorecard;

CREATE FUNCTION leaderboard.scorecard_in(pg_catalog.cstring) RETURNS leaderboard.scorecard
  AS 'MODULE_PATHNAME', 'scorecard_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION leaderboard.scorecard_out(leaderboard.scorecard) RETURNS pg_catalog.cstring
  AS 'MODULE_PATHNAME', 'scorecard_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION leaderboard.scorecard_recv(pg_catalog.internal) RETURNS leaderboard.scorecard
  AS 'MODULE_PATHNAME', 'scorecard_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION leaderboard.scorecard_send(leaderboard.scorecard) RETURNS pg_catalog.bytea
  AS 'MODULE_PATHNAME', 'scorecard_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE leaderboard.scorecard (
  INPUT = leaderboard.scorecard_in,
  OUTPUT = leaderboard.scorecard_out,
  RECEIVE = leaderboard.scorecard_recv,
  SEND = leaderboard.scorecard_send,
  INTERNALLENGTH = VARIABLE,
  ALIGNMENT = double,
  STORAGE = extended
);

COMMENT ON TYPE leaderboard.scorecard IS
  'composite score definition: weighted, normalized KPI stats with gates, written as JSON and stored parsed';
COMMENT ON FUNCTION leaderboard.scorecard_in(pg_catalog.cstring) IS
  'parses and validates a scorecard written as JSON';
COMMENT ON FUNCTION leaderboard.scorecard_out(leaderboard.scorecard) IS
  'canonical JSON text of a scorecard, every default spelled out';
COMMENT ON FUNCTION leaderboard.scorecard_recv(pg_catalog.internal) IS
  'reads a scorecard in binary format, with every check of the text input';
COMMENT ON FUNCTION leaderboard.scorecard_send(leaderboard.scorecard) IS
  'writes a scorecard in binary format (versioned)';

CREATE FUNCTION leaderboard.score(leaderboard.kpis, leaderboard.scorecard)
  RETURNS pg_catalog.float8
  AS 'MODULE_PATHNAME', 'scorecard_score_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION leaderboard.score(leaderboard.kpis, leaderboard.scorecard) IS
  'composite score: scale * sum(weight * normalized stat) / sum(weight); card entry i reads kpis metric i';

CREATE FUNCTION leaderboard.qualified(leaderboard.kpis, leaderboard.scorecard)
  RETURNS pg_catalog.bool
  AS 'MODULE_PATHNAME', 'scorecard_qualified_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION leaderboard.qualified(leaderboard.kpis, leaderboard.scorecard) IS
  'true when the kpis pass the scorecard''s min_rows, min/max gates and if_missing rules';

CREATE FUNCTION leaderboard.explain(leaderboard.kpis, leaderboard.scorecard)
  RETURNS pg_catalog.jsonb
  AS 'MODULE_PATHNAME', 'scorecard_explain_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION leaderboard.explain(leaderboard.kpis, leaderboard.scorecard) IS
  'score, qualified, reasons and per-metric breakdown (value, n, normalized, weight, contribution, missing)';

-- Boards store every score at 12 significant digits, so that scores equal in exact
-- arithmetic, computed along different float8 paths, tie (see scorecard.h).
CREATE FUNCTION leaderboard._board_score(leaderboard.kpis, leaderboard.scorecard)
  RETURNS pg_catalog.float8
  AS 'MODULE_PATHNAME', 'scorecard_board_score_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION leaderboard._board_score(leaderboard.kpis, leaderboard.scorecard) IS
  'internal: score() rounded to 12 significant digits, the score a board stores and ranks';

CREATE FUNCTION leaderboard._rank_precision(pg_catalog.float8)
  RETURNS pg_catalog.float8
  AS 'MODULE_PATHNAME', 'scorecard_rank_precision_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION leaderboard._rank_precision(pg_catalog.float8) IS
  'internal: a value rounded to 12 significant digits, the precision boards rank at';
