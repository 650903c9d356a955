-- leaderboard.kpis: mergeable KPI accumulator, its aggregates, operators and accessors.

CREATE TYPE leaderboard.kpis;

CREATE FUNCTION leaderboard.kpis_in(pg_catalog.cstring) RETURNS leaderboard.kpis
  AS 'MODULE_PATHNAME', 'kpis_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION leaderboard.kpis_out(leaderboard.kpis) RETURNS pg_catalog.cstring
  AS 'MODULE_PATHNAME', 'kpis_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION leaderboard.kpis_recv(pg_catalog.internal) RETURNS leaderboard.kpis
  AS 'MODULE_PATHNAME', 'kpis_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION leaderboard.kpis_send(leaderboard.kpis) RETURNS pg_catalog.bytea
  AS 'MODULE_PATHNAME', 'kpis_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- Plain storage: the value is at most 1040 bytes and is read in place, never compressed.
CREATE TYPE leaderboard.kpis (
  INPUT = leaderboard.kpis_in, OUTPUT = leaderboard.kpis_out,
  RECEIVE = leaderboard.kpis_recv, SEND = leaderboard.kpis_send,
  INTERNALLENGTH = VARIABLE, ALIGNMENT = double, STORAGE = plain);

COMMENT ON TYPE leaderboard.kpis IS
  'mergeable KPI accumulator: rows, and per metric (1 to 32) count, sum, min and max';
COMMENT ON FUNCTION leaderboard.kpis_in(pg_catalog.cstring) IS 'text input of kpis';
COMMENT ON FUNCTION leaderboard.kpis_out(leaderboard.kpis) IS 'text output of kpis';
COMMENT ON FUNCTION leaderboard.kpis_recv(pg_catalog.internal) IS 'binary input of kpis';
COMMENT ON FUNCTION leaderboard.kpis_send(leaderboard.kpis) IS 'binary output of kpis';

-- Equality (same state bit for bit, i.e. same text) with a hash opclass, so kpis columns
-- work in DISTINCT, GROUP BY, UNION, EXCEPT and hash joins.
CREATE FUNCTION leaderboard.kpis_eq(leaderboard.kpis, leaderboard.kpis) RETURNS pg_catalog.bool
  AS 'MODULE_PATHNAME', 'kpis_eq' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION leaderboard.kpis_ne(leaderboard.kpis, leaderboard.kpis) RETURNS pg_catalog.bool
  AS 'MODULE_PATHNAME', 'kpis_ne' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION leaderboard.kpis_hash(leaderboard.kpis) RETURNS pg_catalog.int4
  AS 'MODULE_PATHNAME', 'kpis_hash' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION leaderboard.kpis_eq(leaderboard.kpis, leaderboard.kpis) IS
  'true when both kpis hold the same state (same text form)';
COMMENT ON FUNCTION leaderboard.kpis_ne(leaderboard.kpis, leaderboard.kpis) IS
  'true when the kpis states differ';
COMMENT ON FUNCTION leaderboard.kpis_hash(leaderboard.kpis) IS 'hash of a kpis, consistent with =';

CREATE OPERATOR leaderboard.= (
  LEFTARG = leaderboard.kpis, RIGHTARG = leaderboard.kpis, FUNCTION = leaderboard.kpis_eq,
  COMMUTATOR = OPERATOR(leaderboard.=), NEGATOR = OPERATOR(leaderboard.<>),
  RESTRICT = pg_catalog.eqsel, JOIN = pg_catalog.eqjoinsel, HASHES);
CREATE OPERATOR leaderboard.<> (
  LEFTARG = leaderboard.kpis, RIGHTARG = leaderboard.kpis, FUNCTION = leaderboard.kpis_ne,
  COMMUTATOR = OPERATOR(leaderboard.<>), NEGATOR = OPERATOR(leaderboard.=),
  RESTRICT = pg_catalog.neqsel, JOIN = pg_catalog.neqjoinsel);
COMMENT ON OPERATOR leaderboard.= (leaderboard.kpis, leaderboard.kpis) IS 'same kpis state';
COMMENT ON OPERATOR leaderboard.<> (leaderboard.kpis, leaderboard.kpis) IS 'different kpis state';

CREATE OPERATOR CLASS leaderboard.kpis_hash_ops DEFAULT FOR TYPE leaderboard.kpis USING hash AS
  OPERATOR 1 leaderboard.= (leaderboard.kpis, leaderboard.kpis),
  FUNCTION 1 leaderboard.kpis_hash(leaderboard.kpis);
COMMENT ON OPERATOR CLASS leaderboard.kpis_hash_ops USING hash IS 'hash equality of kpis';
COMMENT ON OPERATOR FAMILY leaderboard.kpis_hash_ops USING hash IS 'hash equality of kpis';

-- Merging.
CREATE FUNCTION leaderboard.kpis_add(leaderboard.kpis, leaderboard.kpis) RETURNS leaderboard.kpis
  AS 'MODULE_PATHNAME', 'kpis_add' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION leaderboard.kpis_add(leaderboard.kpis, leaderboard.kpis) IS
  'merge of two kpis with the same number of metrics';
CREATE OPERATOR leaderboard.+ (
  LEFTARG = leaderboard.kpis, RIGHTARG = leaderboard.kpis, FUNCTION = leaderboard.kpis_add,
  COMMUTATOR = OPERATOR(leaderboard.+));
COMMENT ON OPERATOR leaderboard.+ (leaderboard.kpis, leaderboard.kpis) IS
  'merge of two kpis with the same number of metrics';

-- Accessors (metrics are numbered from 1).
CREATE FUNCTION leaderboard.rows(leaderboard.kpis) RETURNS pg_catalog.int8
  AS 'MODULE_PATHNAME', 'kpis_rows' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION leaderboard.kpi_count(leaderboard.kpis, pg_catalog.int4) RETURNS pg_catalog.int8
  AS 'MODULE_PATHNAME', 'kpis_count_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION leaderboard.kpi_sum(leaderboard.kpis, pg_catalog.int4) RETURNS pg_catalog.float8
  AS 'MODULE_PATHNAME', 'kpis_sum_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION leaderboard.kpi_avg(leaderboard.kpis, pg_catalog.int4) RETURNS pg_catalog.float8
  AS 'MODULE_PATHNAME', 'kpis_avg_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION leaderboard.kpi_min(leaderboard.kpis, pg_catalog.int4) RETURNS pg_catalog.float8
  AS 'MODULE_PATHNAME', 'kpis_min_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION leaderboard.kpi_max(leaderboard.kpis, pg_catalog.int4) RETURNS pg_catalog.float8
  AS 'MODULE_PATHNAME', 'kpis_max_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION leaderboard.rows(leaderboard.kpis) IS
  'number of rows aggregated, all-null rows included';
COMMENT ON FUNCTION leaderboard.kpi_count(leaderboard.kpis, pg_catalog.int4) IS
  'number of non-null values of metric i (1-based)';
COMMENT ON FUNCTION leaderboard.kpi_sum(leaderboard.kpis, pg_catalog.int4) IS
  'sum of metric i (1-based), 0 when it has no values';
COMMENT ON FUNCTION leaderboard.kpi_avg(leaderboard.kpis, pg_catalog.int4) IS
  'mean of metric i (1-based), NULL when it has no values';
COMMENT ON FUNCTION leaderboard.kpi_min(leaderboard.kpis, pg_catalog.int4) IS
  'least value of metric i (1-based), NULL when it has no values or a board forgot it';
COMMENT ON FUNCTION leaderboard.kpi_max(leaderboard.kpis, pg_catalog.int4) IS
  'greatest value of metric i (1-based), NULL when it has no values or a board forgot it';

-- A board's correction applied to a stored row: (stored + added) - removed, with the
-- extremes a removed value held forgotten. Not STRICT: a new agent has no stored row, and
-- a DELETE adds nothing.
CREATE FUNCTION leaderboard._kpis_correct(stored leaderboard.kpis, added leaderboard.kpis, removed leaderboard.kpis)
RETURNS leaderboard.kpis
  AS 'MODULE_PATHNAME', 'kpis_correct_sql' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION leaderboard._kpis_correct(leaderboard.kpis, leaderboard.kpis, leaderboard.kpis) IS
  'internal: stored + added - removed for a board''s correction, extremes that are no longer known forgotten; NULL when no row is left';

-- Aggregate support: the state is a kpis in the aggregate memory context.
CREATE FUNCTION leaderboard.kpi_agg_transfn(pg_catalog.internal, VARIADIC "any")
  RETURNS pg_catalog.internal
  AS 'MODULE_PATHNAME', 'kpi_agg_transfn' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION leaderboard.kpi_merge_transfn(pg_catalog.internal, leaderboard.kpis)
  RETURNS pg_catalog.internal
  AS 'MODULE_PATHNAME', 'kpi_merge_transfn' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION leaderboard.kpis_agg_combine(pg_catalog.internal, pg_catalog.internal)
  RETURNS pg_catalog.internal
  AS 'MODULE_PATHNAME', 'kpis_agg_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION leaderboard.kpis_agg_serialize(pg_catalog.internal) RETURNS pg_catalog.bytea
  AS 'MODULE_PATHNAME', 'kpis_agg_serialize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION leaderboard.kpis_agg_deserialize(pg_catalog.bytea, pg_catalog.internal)
  RETURNS pg_catalog.internal
  AS 'MODULE_PATHNAME', 'kpis_agg_deserialize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION leaderboard.kpis_agg_final(pg_catalog.internal) RETURNS leaderboard.kpis
  AS 'MODULE_PATHNAME', 'kpis_agg_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION leaderboard.kpi_agg_transfn(pg_catalog.internal, "any") IS
  'transition function of kpi_agg: folds one row in (NULL arguments are missing values)';
COMMENT ON FUNCTION leaderboard.kpi_merge_transfn(pg_catalog.internal, leaderboard.kpis) IS
  'transition function of kpi_merge: merges one kpis in (NULL is skipped)';
COMMENT ON FUNCTION leaderboard.kpis_agg_combine(pg_catalog.internal, pg_catalog.internal) IS
  'combine function of kpi_agg and kpi_merge';
COMMENT ON FUNCTION leaderboard.kpis_agg_serialize(pg_catalog.internal) IS
  'serialization of the kpi_agg and kpi_merge state for parallel workers';
COMMENT ON FUNCTION leaderboard.kpis_agg_deserialize(pg_catalog.bytea, pg_catalog.internal) IS
  'deserialization of the kpi_agg and kpi_merge state for parallel workers';
COMMENT ON FUNCTION leaderboard.kpis_agg_final(pg_catalog.internal) IS
  'final function of kpi_agg and kpi_merge: the kpis, NULL over no rows';

CREATE AGGREGATE leaderboard.kpi_agg(VARIADIC "any") (
  SFUNC = leaderboard.kpi_agg_transfn, STYPE = pg_catalog.internal, SSPACE = 272,
  FINALFUNC = leaderboard.kpis_agg_final,
  COMBINEFUNC = leaderboard.kpis_agg_combine,
  SERIALFUNC = leaderboard.kpis_agg_serialize, DESERIALFUNC = leaderboard.kpis_agg_deserialize,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE leaderboard.kpi_agg(VARIADIC "any") IS
  'kpis of the rows: per argument the non-null count, sum, min and max; NULL over no rows';

CREATE AGGREGATE leaderboard.kpi_merge(leaderboard.kpis) (
  SFUNC = leaderboard.kpi_merge_transfn, STYPE = pg_catalog.internal, SSPACE = 272,
  FINALFUNC = leaderboard.kpis_agg_final,
  COMBINEFUNC = leaderboard.kpis_agg_combine,
  SERIALFUNC = leaderboard.kpis_agg_serialize, DESERIALFUNC = leaderboard.kpis_agg_deserialize,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE leaderboard.kpi_merge(leaderboard.kpis) IS
  'merge of kpis values with the same number of metrics; NULLs are skipped';
