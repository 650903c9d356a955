-- Live boards: the user-facing API (create, alter, rebuild, verify, drop, rolling).

-- The catalog's only writers (see board_catalog.c): they check the caller is entitled to
-- the row and write it as the catalog's owner.
CREATE FUNCTION leaderboard._catalog_insert(b leaderboard.boards) RETURNS void
  AS 'MODULE_PATHNAME', 'board_catalog_insert' LANGUAGE C STRICT;
COMMENT ON FUNCTION leaderboard._catalog_insert(leaderboard.boards) IS
  'internal: inserts a board row owned by the caller, over a source and tables the caller owns';
CREATE FUNCTION leaderboard._catalog_update(board text, scorecards jsonb, ladder text, source_index name DEFAULT NULL)
RETURNS void
  AS 'MODULE_PATHNAME', 'board_catalog_update' LANGUAGE C;
COMMENT ON FUNCTION leaderboard._catalog_update(text, jsonb, text, name) IS
  'internal: replaces the scorecards and ladder of a board the caller owns, and records a source index alter_board created';
CREATE FUNCTION leaderboard._catalog_delete(board text) RETURNS void
  AS 'MODULE_PATHNAME', 'board_catalog_delete' LANGUAGE C STRICT;
COMMENT ON FUNCTION leaderboard._catalog_delete(text) IS
  'internal: deletes the catalog row of a board the caller owns';
CREATE FUNCTION leaderboard._source_read(board text) RETURNS void
  AS 'MODULE_PATHNAME', 'board_source_read' LANGUAGE C STRICT;
COMMENT ON FUNCTION leaderboard._source_read(text) IS
  'internal: after rebuild() read the source of a board the caller owns, the commit rebuilds it instead of applying again what the transaction captured before';
CREATE FUNCTION leaderboard._captured(board text) RETURNS boolean
  AS 'MODULE_PATHNAME', 'board_captured' LANGUAGE C STRICT;
COMMENT ON FUNCTION leaderboard._captured(text) IS
  'internal: whether this transaction holds changes of a board''s calls not yet applied';
CREATE FUNCTION leaderboard._writing_statement_running() RETURNS boolean
  AS 'MODULE_PATHNAME', 'board_writing_statement_running' LANGUAGE C;
COMMENT ON FUNCTION leaderboard._writing_statement_running() IS
  'internal: whether the caller runs inside a statement that writes, whose captures have not arrived yet';
CREATE FUNCTION leaderboard._catalog_close(board text, grace interval, retention interval, closed_before jsonb,
  closed leaderboard.closed_periods[], winners leaderboard.period_winners[]) RETURNS void
  AS 'MODULE_PATHNAME', 'board_catalog_close' LANGUAGE C;
COMMENT ON FUNCTION leaderboard._catalog_close(text, interval, interval, jsonb, leaderboard.closed_periods[], leaderboard.period_winners[]) IS
  'internal: sets the grace, retention and closed periods of a board the caller owns, and records the periods it closes and their winners';

-- A board's grace and retention as create_board and alter_board take them.
CREATE FUNCTION leaderboard._check_close_settings(grace interval, retention interval) RETURNS void
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF grace IS NULL OR grace < interval '0' THEN
    RAISE EXCEPTION 'grace must be an interval of zero or more, not %', coalesce(grace::text, 'NULL')
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'grace is how long after its end a period still takes late calls, such as ''1 day''.';
  END IF;
  IF retention <= interval '0' THEN
    RAISE EXCEPTION 'retention must be a positive interval, not %', retention
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'retention is how long closed day rows are kept, such as ''90 days''; drop_retention => true keeps them forever.';
  END IF;
END $$;
COMMENT ON FUNCTION leaderboard._check_close_settings(interval, interval) IS
  'internal: raises 22023 unless grace is zero or more and retention positive or NULL';

-- What _catalog_close may write for a board: valid settings, periods that close only ever
-- move on, and records of exactly the periods the move closes.
CREATE FUNCTION leaderboard._check_close(board text, grace interval, retention interval, closed_before jsonb,
  closed leaderboard.closed_periods[], winners leaderboard.period_winners[]) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  b leaderboard.boards := leaderboard._board(board);
  problem text;
BEGIN
  PERFORM leaderboard._check_close_settings(grace, retention);
  problem := CASE
    WHEN jsonb_typeof(closed_before) IS DISTINCT FROM 'object' THEN 'closed_before is not an object'
    WHEN EXISTS (SELECT 1 FROM jsonb_each(closed_before) c
                 WHERE NOT c.key = ANY (b.periods) OR jsonb_typeof(c.value) <> 'string' OR CASE WHEN c.key = 'all' -- campaigns
                   THEN b.ends IS NULL OR c.value #>> '{}' <> 'infinity' ELSE c.value #>> '{}' !~ '^\d{4}-\d{2}-\d{2}$' END)
      THEN 'closed_before names a period kind the board does not close, or not a date'
    WHEN EXISTS (SELECT 1 FROM jsonb_each_text(b.closed_before) o
                 WHERE NOT closed_before ? o.key OR (closed_before ->> o.key)::date < o.value::date)
      THEN 'a closed period would open again'
    WHEN EXISTS (SELECT 1 FROM unnest(closed) c
                 WHERE c.board IS DISTINCT FROM _check_close.board OR NOT (closed_before ? c.period)
                    OR c.period_start >= (closed_before ->> c.period)::date
                    OR c.period_start < coalesce((b.closed_before ->> c.period)::date, '-infinity'))
      THEN 'a period recorded as closed is not one this close closes'
    WHEN EXISTS (SELECT 1 FROM unnest(winners) w
                 WHERE NOT EXISTS (SELECT 1 FROM unnest(closed) c WHERE c.board = w.board
                                   AND c.period = w.period AND c.period_start = w.period_start))
      THEN 'a winner of a period this close does not close'
  END;
  IF problem IS NOT NULL THEN
    RAISE EXCEPTION 'invalid close of board "%": %', board, problem
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Close periods with leaderboard.close_periods().';
  END IF;
END $$;
COMMENT ON FUNCTION leaderboard._check_close(text, interval, interval, jsonb, leaderboard.closed_periods[], leaderboard.period_winners[]) IS
  'internal: raises 22023 unless what _catalog_close is given is a close close_periods or alter_board would make';

-- Tie-break ordering for one board metric: its stat in the board's first card, best first.
-- Fractional stats compare at the precision scores do (a float average over 20 calls and
-- the same over 30 can differ in the last bit); counts are exact integers.
CREATE FUNCTION leaderboard._tie_break_sql(b leaderboard.boards, metric text) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  i int := array_position(b.metric_names, metric);
  m jsonb;
BEGIN
  SELECT e INTO m
  FROM jsonb_each_text(b.scorecards) c, jsonb_array_elements(c.value::jsonb -> 'metrics') e
  WHERE e ->> 'name' = metric ORDER BY c.key LIMIT 1;
  RETURN format(CASE m ->> 'stat' WHEN 'count' THEN 'leaderboard.%s({{t}}.kpis, %s) %s NULLS LAST'
                ELSE 'leaderboard._rank_precision(leaderboard.%s({{t}}.kpis, %s)) %s NULLS LAST' END,
                CASE m ->> 'stat' WHEN 'count' THEN 'kpi_count' WHEN 'sum' THEN 'kpi_sum'
                                  WHEN 'min' THEN 'kpi_min' WHEN 'max' THEN 'kpi_max'
                                  ELSE 'kpi_avg' END,
                i, CASE m ->> 'better' WHEN 'lower' THEN 'ASC' ELSE 'DESC' END);
END $$;
COMMENT ON FUNCTION leaderboard._tie_break_sql(leaderboard.boards, text) IS
  'internal: ORDER BY item ranking a tie on one board metric';

-- The window function ranking a board's rows in its rank style.
CREATE FUNCTION leaderboard._rank_fn_sql(rank_style text) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT CASE rank_style WHEN 'dense_rank' THEN 'pg_catalog.dense_rank()'
                         WHEN 'row_number' THEN 'pg_catalog.row_number()'
                         ELSE 'pg_catalog.rank()' END
$$;
COMMENT ON FUNCTION leaderboard._rank_fn_sql(text) IS
  'internal: the window function of a rank style';

-- The ORDER BY of the window ranking a board's rows, over the given expressions of a
-- row's qualified, score, kpis and agent: qualified rows first, best score first, then on
-- a row_number board its tie_break chain (_tie_break_sql) and the agent in its standings
-- column's collation.
CREATE FUNCTION leaderboard._rank_order_sql(b leaderboard.boards, qualified text, score text, kpis text, agent text)
RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT format('%s DESC, %s DESC', qualified, score) ||
         CASE WHEN b.rank_style = 'row_number' THEN
           coalesce((SELECT string_agg(', ' || replace(leaderboard._tie_break_sql(b, t.m), '{{t}}.kpis', kpis), '' ORDER BY t.o)
                     FROM unnest(b.tie_break) WITH ORDINALITY AS t(m, o)), '') ||
           ', ' || agent || coalesce(leaderboard._column_collate(b.standings, b.agent_column), '')
         ELSE '' END
$$;
COMMENT ON FUNCTION leaderboard._rank_order_sql(leaderboard.boards, text, text, text, text) IS
  'internal: the ORDER BY of the window ranking a board''s rows, over expressions of a row''s qualified, score, kpis and agent';

-- A scorecard with one entry per board metric, in board order: entries the card does not
-- score are shown with weight 0, so explanations list every board metric.
CREATE FUNCTION leaderboard._align_card(card jsonb, metric_names text[], period text) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  m jsonb;
  aligned jsonb := '[]';
  n text;
BEGIN
  IF jsonb_typeof(card) <> 'object' OR jsonb_typeof(card -> 'metrics') <> 'array' THEN
    RAISE EXCEPTION 'scorecard for period "%" must be an object with a "metrics" array', period
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  FOR m IN SELECT jsonb_array_elements(card -> 'metrics') LOOP
    IF NOT (m ->> 'name') = ANY (metric_names) THEN
      RAISE EXCEPTION 'scorecard metric "%" is not a board metric', m ->> 'name'
        USING ERRCODE = 'invalid_parameter_value',
              DETAIL = format('The board''s metrics are: %s.', array_to_string(metric_names, ', ')),
              HINT = 'Name each scorecard metric after a board metric ("expression AS name").';
    END IF;
  END LOOP;
  FOREACH n IN ARRAY metric_names LOOP
    SELECT e INTO m FROM jsonb_array_elements(card -> 'metrics') e WHERE e ->> 'name' = n LIMIT 1;
    aligned := aligned || jsonb_build_array(coalesce(m, jsonb_build_object('name', n, 'stat', 'count', 'weight', 0)));
  END LOOP;
  RETURN (jsonb_set(card, '{metrics}', aligned)::text::leaderboard.scorecard)::text;
END $$;
COMMENT ON FUNCTION leaderboard._align_card(jsonb, text[], text) IS
  'internal: a scorecard rewritten to score the board''s metrics by position';

CREATE FUNCTION leaderboard._board_cards(card jsonb, periods text[], metric_names text[]) RETURNS jsonb
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  result jsonb := '{}';
  p text;
  k text;
BEGIN
  IF card IS NULL THEN
    RAISE EXCEPTION 'a board needs a scorecard' USING ERRCODE = 'null_value_not_allowed';
  END IF;
  IF jsonb_typeof(card) = 'object' AND card ? 'metrics' THEN
    FOREACH p IN ARRAY periods LOOP
      result := result || jsonb_build_object(p, leaderboard._align_card(card, metric_names, p));
    END LOOP;
    RETURN result;
  END IF;
  IF jsonb_typeof(card) <> 'object' THEN
    RAISE EXCEPTION 'scorecard must be a JSON object' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  FOR k IN SELECT jsonb_object_keys(card) LOOP
    IF NOT k = ANY (periods) THEN
      RAISE EXCEPTION 'scorecard given for period "%", which the board does not have', k
        USING ERRCODE = 'invalid_parameter_value';
    END IF;
  END LOOP;
  FOREACH p IN ARRAY periods LOOP
    IF NOT card ? p THEN
      RAISE EXCEPTION 'no scorecard for period "%"', p
        USING ERRCODE = 'invalid_parameter_value',
              HINT = 'Give one card ({"metrics": ...}) or one card per period ({"day": card, ...}).';
    END IF;
    result := result || jsonb_build_object(p, leaderboard._align_card(card -> p, metric_names, p));
  END LOOP;
  RETURN result;
END $$;
COMMENT ON FUNCTION leaderboard._board_cards(jsonb, text[], text[]) IS
  'internal: validated per-period scorecards of a board';

-- The type a domain is over, through domains over domains (any other type: itself), as
-- kpi_agg reads a metric.
CREATE FUNCTION leaderboard._base_type(t regtype) RETURNS regtype
LANGUAGE sql STABLE STRICT SET search_path = pg_catalog, pg_temp AS $$
  WITH RECURSIVE d(oid, base, typtype) AS (
    SELECT y.oid, y.typbasetype, y.typtype FROM pg_catalog.pg_type y WHERE y.oid = t
    UNION ALL
    SELECT y.oid, y.typbasetype, y.typtype FROM d JOIN pg_catalog.pg_type y ON y.oid = d.base
    WHERE d.typtype = 'd')
  SELECT d.oid::pg_catalog.regtype FROM d WHERE d.typtype <> 'd'
$$;
COMMENT ON FUNCTION leaderboard._base_type(regtype) IS
  'internal: the type a domain is over, through domains over domains; any other type itself';

-- A source column's type as SQL that casts a value to it without running code of another
-- role: a domain (whose CHECK constraints are its owner's functions, and can be added at
-- any time) becomes the type it is over. Used by the statements the board's owner runs at
-- commit, by its goals and by its views: equality is the base type's either way.
CREATE FUNCTION leaderboard._column_base_type(source regclass, col name) RETURNS text
LANGUAGE sql STABLE STRICT SET search_path = pg_catalog, pg_temp AS $$
  SELECT CASE WHEN t.typtype = 'd' THEN format_type(leaderboard._base_type(a.atttypid)::oid, NULL)
              ELSE format_type(a.atttypid, a.atttypmod) END
  FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
  WHERE a.attrelid = source AND a.attname = col AND a.attnum > 0 AND NOT a.attisdropped
$$;
COMMENT ON FUNCTION leaderboard._column_base_type(regclass, name) IS
  'internal: a source column''s type for casts that run no other role''s code: a domain as the type it is over';

-- Whether a zone name is also a time zone abbreviation, which PostgreSQL reads first
-- wherever it reads a zone (AT TIME ZONE, and the C code filing calls by the same rule):
-- CET, EET, EST, HST, MET, MST and WET are fixed offsets there, while the zones of the
-- name follow daylight saving time or are redefined by other abbreviation sets (EST is
-- +10 in the Australia set), so a board's days would follow each writer's and reader's
-- timezone_abbreviations. The zero-offset names (UTC, GMT, UCT, Zulu) mean the same as
-- abbreviation and as zone in every set PostgreSQL ships; any other abbreviation of the
-- session's set is refused too.
CREATE FUNCTION leaderboard._zone_is_abbreviation(tz text) RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT upper(tz) IN ('CET', 'EET', 'EST', 'HST', 'MET', 'MST', 'WET')
      OR EXISTS (SELECT 1 FROM pg_timezone_abbrevs a
                 WHERE upper(a.abbrev) = upper(tz)
                   AND NOT (upper(tz) IN ('UTC', 'GMT', 'UCT', 'ZULU') AND a.utc_offset = interval '0' AND NOT a.is_dst))
$$;
COMMENT ON FUNCTION leaderboard._zone_is_abbreviation(text) IS
  'internal: whether a zone name is also a time zone abbreviation that can mean another offset than the zone (CET, EST, ...)';

-- A catalog row is one create_board would write: _catalog_insert, which anyone may call,
-- checks it here before writing it, so that a row built by hand cannot give the triggers
-- (C code reading the catalog on every write) a shape create_board never makes. The row's
-- owner, source, standings and scopes being the caller's is checked in C.
CREATE FUNCTION leaderboard._check_board_row(b leaderboard.boards) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  src record;
  schema text;
  e text;
  supported regtype[] := ARRAY['smallint', 'integer', 'bigint', 'real', 'double precision',
                               'numeric', 'boolean', 'interval']::regtype[];
  cols text := '';
  p name;
  problem text;
BEGIN
  SELECT c.relkind, c.relpersistence, c.relforcerowsecurity, n.nspname INTO src
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = b.source;
  schema := quote_ident(src.nspname);
  FOREACH p IN ARRAY b.partition_by LOOP
    cols := cols || format(', %I %s', p, leaderboard._column_type(b.source, p));
  END LOOP;
  problem := CASE
    WHEN b.name !~ '^[a-z][a-z0-9_]{0,39}$' THEN 'an invalid board name'
    WHEN src.relkind NOT IN ('r', 'p') THEN 'a source that is not a table'
    WHEN src.relpersistence <> 'p' THEN 'a temporary or unlogged source'
    WHEN b.agent_column = ANY (b.partition_by) THEN 'the agent column among the partitions'
    WHEN leaderboard._zone_is_abbreviation(b.time_zone) THEN 'a time zone that is also an abbreviation'
    WHEN NOT EXISTS (SELECT 1 FROM pg_timezone_names z WHERE lower(z.name) = lower(b.time_zone))
      THEN 'a time zone that is not a named zone'
    WHEN b.source_index IS NOT NULL
         AND b.source_index <> ALL (leaderboard._agent_at_indexes(b.source, b.agent_column, b.at_column))
      THEN 'a source index that is not an (agent, at) index of the source'
    WHEN src.relforcerowsecurity AND NOT (SELECT rolbypassrls FROM pg_roles WHERE rolname = current_user)
      THEN 'a source forcing row-level security'
    WHEN EXISTS (SELECT 1 FROM unnest(ARRAY[b.agent_column, b.at_column] || b.partition_by) x
                 WHERE leaderboard._column_type(b.source, x) IS NULL)
      THEN 'a column the source does not have'
    WHEN EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = b.source AND attname IN ('lb_local', 'lb_kind') AND NOT attisdropped)
      THEN 'a source with a column boards reserve'
    WHEN leaderboard._base_type(leaderboard._expression_type(b.source, quote_ident(b.at_column), 'at'))
         NOT IN ('timestamptz'::regtype, 'timestamp'::regtype, 'date'::regtype) THEN 'a time column of another type'
    WHEN NOT cardinality(b.metric_names) BETWEEN 1 AND 32
         OR cardinality(b.metric_exprs) <> cardinality(b.metric_names)
         OR array_position(b.metric_names, NULL) IS NOT NULL OR array_position(b.metric_exprs, NULL) IS NOT NULL
         OR (SELECT count(DISTINCT x) FROM unnest(b.metric_names) x) <> cardinality(b.metric_names)
         OR EXISTS (SELECT 1 FROM unnest(b.metric_exprs) x WHERE x !~ '^\(.*\)$')
      THEN 'metrics create_board would not name'
    WHEN cardinality(b.periods) = 0 OR array_position(b.periods, NULL) IS NOT NULL
         OR NOT b.periods <@ ARRAY['day', 'week', 'month', 'quarter', 'year', 'all']
         OR (SELECT count(DISTINCT x) FROM unnest(b.periods) x) <> cardinality(b.periods)
      THEN 'invalid periods'
    WHEN b.rank_style NOT IN ('rank', 'dense_rank', 'row_number')
         OR (cardinality(b.tie_break) > 0 AND b.rank_style <> 'row_number')
         OR NOT b.tie_break <@ b.metric_names OR array_position(b.tie_break, NULL) IS NOT NULL
      THEN 'an invalid rank style or tie-break'
    WHEN b.standings IS DISTINCT FROM to_regclass(schema || '.' || quote_ident(b.name || '_standings'))
         OR b.scopes IS DISTINCT FROM to_regclass(schema || '.' || quote_ident(b.name || '_scopes'))
      THEN 'standings or scopes not named after the board in the source''s schema'
    WHEN (SELECT string_agg(format('%I %s', attname, format_type(atttypid, atttypmod)), ', ' ORDER BY attnum)
          FROM pg_attribute WHERE attrelid = b.standings AND attnum > 0 AND NOT attisdropped)
         IS DISTINCT FROM format('scope_id bigint, period text, period_start date%s, %I %s, kpis leaderboard.kpis, '
                                 'score double precision, qualified boolean, rank bigint, tier text, '
                                 'updated_at timestamp with time zone',
                                 cols, b.agent_column, leaderboard._column_type(b.source, b.agent_column))
         OR (SELECT string_agg(format('%I %s', attname, format_type(atttypid, atttypmod)), ', ' ORDER BY attnum)
             FROM pg_attribute WHERE attrelid = b.scopes AND attnum > 0 AND NOT attisdropped)
         IS DISTINCT FROM format('scope_id bigint, scope_key text, period text, period_start date%s, '
                                 'version bigint, ranks_stored boolean', cols)
      THEN 'standings or scopes not shaped as create_board makes them'
    WHEN b.grace IS NULL OR b.grace < interval '0' OR b.retention <= interval '0'
      THEN 'an invalid grace or retention'
    WHEN b.closed_before IS DISTINCT FROM '{}'::jsonb THEN 'closed periods'
    WHEN b.starts IS NOT NULL OR b.ends IS NOT NULL THEN 'a campaign window (create_campaign sets it)'
    WHEN b.card_versions IS DISTINCT FROM '[]'::jsonb THEN 'scorecards taking effect later (alter_board sets them)'
    WHEN b.events IS NOT NULL THEN 'events (alter_board sets them)'
  END;
  IF problem IS NOT NULL THEN
    RAISE EXCEPTION 'board "%" is not a board create_board would declare: %', b.name, problem
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Declare boards with leaderboard.create_board().';
  END IF;
  BEGIN
    PERFORM now() AT TIME ZONE b.time_zone;
  EXCEPTION WHEN OTHERS THEN
    RAISE EXCEPTION 'board "%" is not a board create_board would declare: unknown time zone "%"', b.name, b.time_zone
      USING ERRCODE = 'invalid_parameter_value', HINT = 'Declare boards with leaderboard.create_board().';
  END;
  -- each metric and the filter pass the checks create_board made on the text it was given
  FOREACH e IN ARRAY b.metric_exprs LOOP
    IF NOT leaderboard._base_type(leaderboard._expression_type(b.source, substr(e, 2, length(e) - 2), 'metric')) = ANY (supported) THEN
      RAISE EXCEPTION 'board "%" is not a board create_board would declare: metric % is of a type kpi_agg does not accept', b.name, e
        USING ERRCODE = 'datatype_mismatch', HINT = 'Declare boards with leaderboard.create_board().';
    END IF;
  END LOOP;
  IF b.filter IS NOT NULL AND leaderboard._expression_type(b.source, b.filter, 'filter') <> 'boolean'::regtype THEN
    RAISE EXCEPTION 'board "%" is not a board create_board would declare: its filter is not boolean', b.name
      USING ERRCODE = 'datatype_mismatch', HINT = 'Declare boards with leaderboard.create_board().';
  END IF;
  -- stored as the text of each period's aligned card, which aligning again leaves as it is
  IF jsonb_typeof(b.scorecards) IS DISTINCT FROM 'object' OR b.scorecards IS DISTINCT FROM leaderboard._board_cards(
       (SELECT jsonb_object_agg(c.key, (c.value #>> '{}')::jsonb) FROM jsonb_each(b.scorecards) c),
       b.periods, b.metric_names) THEN
    RAISE EXCEPTION 'board "%" is not a board create_board would declare: its scorecards are not one per period, aligned to its metrics', b.name
      USING ERRCODE = 'invalid_parameter_value', HINT = 'Declare boards with leaderboard.create_board().';
  END IF;
END $$;
COMMENT ON FUNCTION leaderboard._check_board_row(leaderboard.boards) IS
  'internal: raises unless a catalog row is one create_board would write';

CREATE FUNCTION leaderboard._require_owner(b leaderboard.boards) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF NOT pg_has_role(current_user, b.owner, 'USAGE') THEN
    RAISE EXCEPTION 'must be owner of board "%"', b.name USING ERRCODE = 'insufficient_privilege';
  END IF;
END $$;
COMMENT ON FUNCTION leaderboard._require_owner(leaderboard.boards) IS
  'internal: raises 42501 unless the current user is (a member of) the board owner';

CREATE FUNCTION leaderboard._created_in_transaction(rel regclass) RETURNS boolean
  AS 'MODULE_PATHNAME', 'board_created_in_transaction' LANGUAGE C STRICT;
COMMENT ON FUNCTION leaderboard._created_in_transaction(regclass) IS
  'internal: whether this transaction created a relation (NULL when there is none)';

-- Takes a board's scopes table in EXCLUSIVE mode, as rebuild, alter_board, close_periods
-- and check_goals do to keep writers out while they rewrite or freeze scopes. A commit
-- applying several boards takes their scopes tables in board name order (byte order), so
-- a transaction holding the table of a board that sorts after this one (an earlier call
-- for another board) could wait for a writer that waits for it: refused (55000) before it
-- waits, so that no writer is the victim of the deadlock. A table this transaction
-- created (a board created in it) no writer can hold or wait for.
CREATE FUNCTION leaderboard._lock_scopes(b leaderboard.boards) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  later text;
BEGIN
  IF NOT leaderboard._created_in_transaction(b.scopes) THEN
    SELECT o.name INTO later
    FROM leaderboard.boards o JOIN pg_locks l ON l.locktype = 'relation' AND l.relation = o.scopes
     AND l.database = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())
     AND l.pid = pg_backend_pid() AND l.granted AND l.mode IN ('ExclusiveLock', 'AccessExclusiveLock')
    WHERE o.name COLLATE "C" > b.name COLLATE "C" AND NOT leaderboard._created_in_transaction(o.scopes)
    ORDER BY o.name COLLATE "C" LIMIT 1;
  END IF;
  IF later IS NOT NULL THEN
    RAISE EXCEPTION 'board "%" cannot be locked after board "%" in one transaction', b.name, later
      USING ERRCODE = 'object_not_in_prerequisite_state',
            DETAIL = 'Writers that apply both boards lock them in name order; this transaction would wait for them while they wait for it.',
            HINT = 'Run the calls in board name order (ORDER BY name COLLATE "C"), or each in a transaction of its own.';
  END IF;
  EXECUTE format('LOCK TABLE %s IN EXCLUSIVE MODE', b.scopes);
END $$;
COMMENT ON FUNCTION leaderboard._lock_scopes(leaderboard.boards) IS
  'internal: locks a board''s scopes table in EXCLUSIVE mode, raising 55000 when the transaction holds the table of a board sorting after it';

-- The triggers count every row of the source (transition tables bypass row-level
-- security); a recomputation the policies filter would drop the rows they hide from the
-- role reading (the owner is subject to them under FORCE ROW LEVEL SECURITY, or once the
-- table has another owner). The same C check serves the commit-time apply
-- (board_context.c).
CREATE FUNCTION leaderboard._require_source_unfiltered(b leaderboard.boards) RETURNS void
  AS 'MODULE_PATHNAME', 'board_require_source_unfiltered' LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION leaderboard._require_source_unfiltered(leaderboard.boards) IS
  'internal: raises 42501 when row-level security filters the board''s source for the current user';

CREATE FUNCTION leaderboard._board(board text) RETURNS leaderboard.boards
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  b leaderboard.boards;
BEGIN
  SELECT * INTO b FROM leaderboard.boards WHERE name = board;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'board "%" does not exist', board USING ERRCODE = 'undefined_object';
  END IF;
  RETURN b;
END $$;
COMMENT ON FUNCTION leaderboard._board(text) IS
  'internal: a board''s catalog row, or 42704';

-- How to (re)create an object of a board: CREATE when there is none, so that an object
-- someone else slips in under the board's name makes the creation fail; CREATE OR REPLACE
-- only of an object the board's owner owns. Replacing another role's object would keep
-- that role as its owner, free to change it under the board's readers.
CREATE FUNCTION leaderboard._create_verb(b leaderboard.boards, object text, existing_owner oid)
RETURNS text
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF existing_owner IS NULL THEN
    RETURN 'CREATE';
  END IF;
  IF existing_owner <> b.owner THEN
    RAISE EXCEPTION '% of board "%" exists and is owned by role %, not by the board''s owner %',
      object, b.name, existing_owner::regrole, b.owner
      USING ERRCODE = 'insufficient_privilege',
            DETAIL = 'A board never takes over an object it did not create.',
            HINT = 'Drop or rename that object, then retry.';
  END IF;
  RETURN 'CREATE OR REPLACE';
END $$;
COMMENT ON FUNCTION leaderboard._create_verb(leaderboard.boards, text, oid) IS
  'internal: CREATE, or CREATE OR REPLACE of an object the board owner owns; 42501 for another role''s object';

-- The views and the around-me function of a board; recreated when its card changes.
-- The query of a board's <board>_current view, as _board_views makes it and as the top-N
-- plan of the view (board_current_plan.c) checks the view still has.
CREATE FUNCTION leaderboard._current_view_sql(b leaderboard.boards) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  sc_cols text := '';
  p name;
BEGIN
  FOREACH p IN ARRAY b.partition_by LOOP
    sc_cols := sc_cols || ', sc.' || quote_ident(p);
  END LOOP;
  -- The current period of each kind comes from a row per kind, joined to the scopes and
  -- through them to the standings: a query naming the kind (and partition values) finds
  -- its scopes by the scopes' index, with period_start an index condition, and reads their
  -- rows by the (scope_id, score, agent) index, instead of testing every row's period.
  -- Scopes that store ranks and scopes too large to (ranks_stored false) are two branches:
  -- the first reads the stored ranks, with no window to run over rows that need none
  -- (a third of a team's top 10 when one window served both). The second ranks by a
  -- window over the scope's rows (one sort of the scope), not by a count a row; conditions
  -- on the period, the partition columns and the scope reach the indexes below the window,
  -- others (an agent) are applied above it. Its rows are read best first (the index
  -- backwards), so that the window's sort, of the same order but for the few rows that do
  -- not qualify, finds them nearly in order.
  RETURN format(
    'SELECT sc.period, sc.period_start%1$s, s.%2$I, s.kpis, s.score, s.qualified, '
    's.rank, s.tier, s.updated_at '
    '%4$s AND sc.ranks_stored '
    'CROSS JOIN LATERAL (SELECT s.* FROM %3$s s WHERE s.scope_id = sc.scope_id) s '
    'UNION ALL SELECT sc.period, sc.period_start%1$s, s.%2$I, s.kpis, s.score, s.qualified, '
    'CASE WHEN s.qualified THEN pg_catalog.rank() OVER (PARTITION BY s.scope_id, sc.period, sc.period_start%1$s '
    'ORDER BY s.qualified DESC, s.score DESC) END, s.tier, s.updated_at '
    '%4$s AND NOT sc.ranks_stored '
    'CROSS JOIN LATERAL (SELECT s.* FROM %3$s s WHERE s.scope_id = sc.scope_id ORDER BY s.score DESC) s',
    sc_cols, b.agent_column, b.standings,
    -- the scopes of the current period of each kind, in both branches
    format('FROM (SELECT c.period, leaderboard._current_period_start(c.period, %L) AS period_start '
           'FROM pg_catalog.unnest(%L::pg_catalog.text[]) AS c(period)) c '
           'JOIN %s sc ON sc.period = c.period AND sc.period_start = c.period_start',
           b.time_zone, b.periods, b.scopes));
END $$;
COMMENT ON FUNCTION leaderboard._current_view_sql(leaderboard.boards) IS
  'internal: the query of a board''s <board>_current view';

-- The schema a board's views and functions live in (quoted): that of its <board>_current
-- view (or, that one dropped, of another of its views reading the standings), found by its
-- owner (the board's) and its dependence on the standings, wherever the
-- board's source or standings have been moved since (ALTER TABLE ... SET SCHEMA); the
-- standings' schema when there is no such view yet (create_board makes the standings in
-- the source's schema, then the views beside them). So the views are made again, and
-- dropped, where they are; another role's view of the name, reading the standings, is
-- not taken for the board's.
CREATE FUNCTION leaderboard._board_schema(b leaderboard.boards) RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT quote_ident(coalesce(
    (SELECT n.nspname FROM pg_class v JOIN pg_namespace n ON n.oid = v.relnamespace
     WHERE v.relkind = 'v' AND v.relowner = b.owner
       AND v.relname IN (b.name || '_current', b.name || '_explain', b.name || '_movement', b.name || '_badges')
       AND EXISTS (SELECT 1 FROM pg_rewrite r JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid
                   WHERE r.ev_class = v.oid AND d.refclassid = 'pg_class'::regclass AND d.refobjid = b.standings)
     ORDER BY array_position(ARRAY[b.name || '_current', b.name || '_explain', b.name || '_movement', b.name || '_badges'],
                             v.relname::text), v.oid
     LIMIT 1),
    (SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = b.standings)))
$$;
COMMENT ON FUNCTION leaderboard._board_schema(leaderboard.boards) IS
  'internal: the schema of a board''s views and functions (that of its <board>_current view, else of its standings), quoted';

CREATE FUNCTION leaderboard._board_views(b leaderboard.boards) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  schema text := leaderboard._board_schema(b);
  cols text := '';
  s_cols text := '';
  p name;
  agent_type text := format_type(leaderboard._expression_type(b.source, quote_ident(b.agent_column), 'agent'), NULL);
  part_ret text := '';
  current_verb text := leaderboard._create_verb(b, format('view %s.%I', schema, b.name || '_current'),
    (SELECT c.relowner FROM pg_class c WHERE c.oid = to_regclass(format('%s.%I', schema, b.name || '_current'))));
  explain_verb text := leaderboard._create_verb(b, format('view %s.%I', schema, b.name || '_explain'),
    (SELECT c.relowner FROM pg_class c WHERE c.oid = to_regclass(format('%s.%I', schema, b.name || '_explain'))));
  -- a scope too large to store ranks (its rows' rank is NULL) is ranked from the score index
  rank_of text := format('COALESCE(s.rank, CASE WHEN s.qualified THEN 1 + (SELECT pg_catalog.count(*) FROM %s a'
                         ' WHERE a.scope_id OPERATOR(pg_catalog.=) s.scope_id AND a.qualified'
                         ' AND a.score OPERATOR(pg_catalog.>) s.score) END)', b.standings);
  movement_verb text := leaderboard._create_verb(b, format('view %s.%I', schema, b.name || '_movement'),
    (SELECT c.relowner FROM pg_class c WHERE c.oid = to_regclass(format('%s.%I', schema, b.name || '_movement'))));
  badges_verb text := leaderboard._create_verb(b, format('view %s.%I', schema, b.name || '_badges'),
    (SELECT c.relowner FROM pg_class c WHERE c.oid = to_regclass(format('%s.%I', schema, b.name || '_badges'))));
  -- rank_of over the rows of another alias (format(rank_sql, alias))
  rank_sql text := format('COALESCE(%%1$s.rank, CASE WHEN %%1$s.qualified THEN 1 + (SELECT pg_catalog.count(*) FROM %s a'
                          ' WHERE a.scope_id OPERATOR(pg_catalog.=) %%1$s.scope_id AND a.qualified'
                          ' AND a.score OPERATOR(pg_catalog.>) %%1$s.score) END)', b.standings);
  p_match text := '';
  m_cols text := '';
  x_cols text := '';
  w_cols text := '';
  around_verb text := leaderboard._create_verb(b, format('function %s.%I', schema, b.name || '_around'),
    (SELECT f.proowner FROM pg_proc f WHERE f.oid = to_regprocedure(format('%s.%I(%s, text, integer)', schema, b.name || '_around', agent_type))));
  -- <board>_top: one argument per partition column, named after it, then period and n
  top_args text := '';
  top_types text := '';
  top_row text := 'NULL::pg_catalog.record';
  top_n text;
  top_verb text;
  i integer := 0;
BEGIN
  FOREACH p IN ARRAY b.partition_by LOOP
    cols := cols || ', ' || quote_ident(p);
    s_cols := s_cols || ', s.' || quote_ident(p);
    part_ret := part_ret || format(', %I %s', p, format_type(leaderboard._expression_type(b.source, quote_ident(p), 'partition'), NULL));
    p_match := p_match || format(' AND p.%1$I IS NOT DISTINCT FROM s.%1$I', p);
    m_cols := m_cols || ', m.' || quote_ident(p);
    x_cols := x_cols || ', x.' || quote_ident(p);
    -- back from the winners' JSON as the standings' column: arrays and composites too
    w_cols := w_cols || format(', (pg_catalog.jsonb_populate_record(NULL::%s, w.partition)).%I', b.standings, p);
    i := i + 1;
    top_args := top_args || format('%I %s, ', p, leaderboard._column_type(b.source, p));
    top_types := top_types || leaderboard._column_type(b.source, p) || ', ';
    top_row := CASE WHEN i = 1 THEN 'ROW($1' ELSE top_row || ', $' || i END;
  END LOOP;
  IF i > 0 THEN
    top_row := top_row || ')';
  END IF;
  -- the name of the argument n, unless a partition or the agent column has it
  top_n := CASE WHEN 'n' <> ALL (b.partition_by || b.agent_column) THEN 'n'
                WHEN 'top_n' <> ALL (b.partition_by || b.agent_column) THEN 'top_n' ELSE 'lb_top_n' END;
  top_verb := leaderboard._create_verb(b, format('function %s.%I', schema, b.name || '_top'),
    (SELECT f.proowner FROM pg_proc f WHERE f.oid = to_regprocedure(format('%s.%I(%stext, integer)', schema, b.name || '_top', top_types))));
  EXECUTE format('%s VIEW %s.%I AS %s', current_verb, schema, b.name || '_current', leaderboard._current_view_sql(b));
  EXECUTE format('COMMENT ON VIEW %s.%I IS %L', schema, b.name || '_current',
    format('standings of board %s in the current period of each kind', b.name));
  EXECUTE format(
    -- the explanation's score is the stored one (explain() itself gives the unrounded
    -- float8 its contributions add up to)
    '%7$s VIEW %1$s.%2$I AS SELECT s.period, s.period_start%3$s, s.%4$I, s.score, s.qualified, %8$s AS rank, s.tier, '
    'pg_catalog.jsonb_set(leaderboard.explain(s.kpis, %6$s), ''{score}'', pg_catalog.to_jsonb(s.score)) AS explanation, '
    '%9$s AS card_from FROM %5$s s',
    schema, b.name || '_explain', s_cols, b.agent_column, b.standings,
    leaderboard._card_sql(b, 's.period', 's.period_start'), explain_verb, rank_of,
    leaderboard._card_sql(b, 's.period', 's.period_start', 'from'));
  EXECUTE format('COMMENT ON VIEW %s.%I IS %L', schema, b.name || '_explain',
    format('why each score of board %s is what it is: per-metric values, normalization and contribution', b.name));
  -- Movement: each row against the agent's row in the same partition in the period of the
  -- same kind just before (none for 'all'), read by the standings' key.
  EXECUTE format(
    '%7$s VIEW %1$s.%2$I AS SELECT s.period, s.period_start%3$s, s.%4$I, s.score, %8$s AS rank, s.tier,'
    ' p.score AS previous_score, %9$s AS previous_rank, %9$s OPERATOR(pg_catalog.-) %8$s AS rank_change,'
    ' leaderboard._rank_precision(s.score OPERATOR(pg_catalog.-) p.score) AS score_change'
    ' FROM %5$s s LEFT JOIN %5$s p ON p.%4$I OPERATOR(pg_catalog.=) s.%4$I AND p.period OPERATOR(pg_catalog.=) s.period'
    ' AND p.period_start OPERATOR(pg_catalog.=) CASE WHEN NOT pg_catalog.isfinite(s.period_start) THEN NULL'
    -- the date range starts on 4714-11-24 BC: a period starting then has none before it,
    -- and the one before a period that starts less than its length later starts then too
    -- (a month, quarter or year that began before the range is kept as starting on its
    -- first day)
    '  WHEN s.period_start OPERATOR(pg_catalog.=) pg_catalog.make_date(-4714, 11, 24) THEN NULL'
    '  WHEN s.period_start OPERATOR(pg_catalog.-) pg_catalog.make_date(-4714, 11, 24) OPERATOR(pg_catalog.<) CASE s.period'
    '   WHEN ''day'' THEN 1 WHEN ''week'' THEN 7 WHEN ''month'' THEN 31 WHEN ''quarter'' THEN 92 ELSE 366 END'
    '   THEN pg_catalog.make_date(-4714, 11, 24) WHEN s.period'
    '  OPERATOR(pg_catalog.=) ''day'' THEN s.period_start OPERATOR(pg_catalog.-) 1 ELSE CASE s.period'
    '  WHEN ''week'' THEN s.period_start OPERATOR(pg_catalog.-) 7'
    '  WHEN ''month'' THEN (s.period_start OPERATOR(pg_catalog.-) ''1 month''::pg_catalog.interval)::pg_catalog.date'
    '  WHEN ''quarter'' THEN (s.period_start OPERATOR(pg_catalog.-) ''3 months''::pg_catalog.interval)::pg_catalog.date'
    '  WHEN ''year'' THEN (s.period_start OPERATOR(pg_catalog.-) ''1 year''::pg_catalog.interval)::pg_catalog.date END END%6$s',
    schema, b.name || '_movement', s_cols, b.agent_column, b.standings, p_match, movement_verb,
    format(rank_sql, 's'), format(rank_sql, 'p'));
  EXECUTE format('COMMENT ON VIEW %s.%I IS %L', schema, b.name || '_movement',
    format('rank and score of each row of board %s against the agent''s row in the previous period of the same kind and partition', b.name));
  -- Badges of closed periods: the winners close_periods recorded, and in each closed scope
  -- the rows with the largest rank gain and the largest score gain (ties all get one).
  -- Both need the agent ranked in both periods: rank_change is NULL unless the agent was
  -- qualified in both, and a score gain from an unqualified period is no improvement.
  EXECUTE format(
    '%6$s VIEW %1$s.%2$I AS'
    ' SELECT ''Top Performer''::pg_catalog.text AS badge, w.period, w.period_start%3$s, w.agent::%7$s AS %4$I,'
    '  w.score, NULL::pg_catalog.int8 AS rank_change, NULL::pg_catalog.float8 AS score_change'
    ' FROM leaderboard.period_winners w WHERE w.board OPERATOR(pg_catalog.=) %8$L'
    ' UNION ALL'
    ' SELECT x.badge, x.period, x.period_start%5$s, x.%4$I, x.score, x.rank_change, x.score_change FROM ('
    '  SELECT b.badge, m.*,'
    '   CASE b.badge WHEN ''Fast Climber'' THEN m.rank_change::pg_catalog.float8'
    '    WHEN ''Most Improved'' THEN CASE WHEN m.rank_change IS NOT NULL THEN m.score_change END END AS lb_gain,'
    '   pg_catalog.max(CASE b.badge WHEN ''Fast Climber'' THEN m.rank_change::pg_catalog.float8'
    '    WHEN ''Most Improved'' THEN CASE WHEN m.rank_change IS NOT NULL THEN m.score_change END END)'
    '    OVER (PARTITION BY b.badge, m.period, m.period_start%10$s) AS lb_best'
    '  FROM %1$s.%9$I m JOIN leaderboard.closed_periods c ON c.board OPERATOR(pg_catalog.=) %8$L'
    '   AND c.period OPERATOR(pg_catalog.=) m.period AND c.period_start OPERATOR(pg_catalog.=) m.period_start'
    '  CROSS JOIN (VALUES (''Fast Climber''::pg_catalog.text), (''Most Improved'')) b(badge)) x'
    ' WHERE x.lb_gain OPERATOR(pg_catalog.>) 0 AND x.lb_gain OPERATOR(pg_catalog.=) x.lb_best',
    schema, b.name || '_badges', w_cols, b.agent_column, x_cols, badges_verb,
    leaderboard._column_type(b.source, b.agent_column), b.name, b.name || '_movement', m_cols);
  EXECUTE format('COMMENT ON VIEW %s.%I IS %L', schema, b.name || '_badges',
    format('badges of the closed periods of board %s: Top Performer (winners), Fast Climber (largest rank gain) and Most Improved (largest score gain) per scope', b.name));
  -- An inlinable SQL function (no SET clause: the planner then inlines its one SELECT into
  -- the caller's query, where a SET clause would have it planned again on every call). Its
  -- body names only qualified objects, so the caller's search_path cannot change it.
  EXECUTE format($f$
    %9$s FUNCTION %1$s.%2$I(agent %3$s, period text DEFAULT 'month', width integer DEFAULT 5)
    RETURNS TABLE (period_start date%4$s, %5$I %3$s, score double precision, qualified boolean, rank bigint, tier text)
    LANGUAGE sql STABLE AS $body$
      SELECT r.* FROM leaderboard._around(%6$L::pg_catalog.regclass, %7$L, $1, $2, $3, %8$L, %11$L)
        AS r(period_start pg_catalog.date%10$s, %5$I %3$s, score pg_catalog.float8, qualified pg_catalog.bool,
             rank pg_catalog.int8, tier pg_catalog.text)
    $body$ $f$,
    schema, b.name || '_around', agent_type, part_ret, b.agent_column,
    b.standings::text, b.time_zone, b.agent_column, around_verb, part_ret, b.rank_style);
  EXECUTE format('COMMENT ON FUNCTION %s.%I(%s, text, integer) IS %L', schema, b.name || '_around', agent_type,
    format('an agent''s neighbours on board %s: width rows above and below in the current period', b.name));
  -- Top n of one scope, read best first from the score index (no sort of the scope):
  -- inlinable like <board>_around
  EXECUTE format($f$
    %1$s FUNCTION %2$s.%3$I(%4$speriod text DEFAULT 'month', %5$I integer DEFAULT 10)
    RETURNS TABLE (rank bigint, %6$I %7$s, score double precision, tier text, period_start date)
    LANGUAGE sql STABLE AS $body$
      SELECT r.* FROM leaderboard._top(%8$L::pg_catalog.regclass, %9$L::pg_catalog.regclass, %10$L, %11$L, %6$L,
          %12$L::pg_catalog.text[], %13$s, $%14$s, $%15$s)
        AS r(rank pg_catalog.int8, %6$I %7$s, score pg_catalog.float8, tier pg_catalog.text, period_start pg_catalog.date)
    $body$ $f$,
    top_verb, schema, b.name || '_top', top_args, top_n, b.agent_column, agent_type,
    b.standings::text, b.scopes::text, b.time_zone, b.rank_style, b.partition_by, top_row, i + 1, i + 2);
  EXECUTE format('COMMENT ON FUNCTION %s.%I(%stext, integer) IS %L', schema, b.name || '_top', top_types,
    format('the best-ranked agents of one scope of board %s in the current period: the rows ranked n or better, ties at n included', b.name));
  PERFORM leaderboard._goal_views(b);
END $$;
COMMENT ON FUNCTION leaderboard._board_views(leaderboard.boards) IS
  'internal: (re)creates a board''s views and its around-me and top-N functions';

-- The capture triggers of a board on its source and, for a partitioned source, on every
-- table of its partition tree: a statement fires the triggers of the table it names only,
-- so each row is captured once whichever table it is written through. Triggers on tables
-- that left the tree (DETACH) are dropped. Returns the number of triggers created.
CREATE FUNCTION leaderboard._board_capture_row() RETURNS trigger
  AS 'MODULE_PATHNAME', 'board_capture_row' LANGUAGE C;
COMMENT ON FUNCTION leaderboard._board_capture_row() IS
  'internal: row trigger on a board source, enabled for replicas only, capturing rows applied by logical replication';

CREATE FUNCTION leaderboard._board_triggers(b leaderboard.boards) RETURNS integer
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  rel regclass;
  t record;
  k record;
  created integer := 0;
  tree regclass[] := ARRAY[b.source] || ARRAY(
    SELECT relid FROM pg_partition_tree(b.source)
    WHERE relid <> b.source AND relid IN (SELECT oid FROM pg_class WHERE relkind IN ('r', 'p')));
BEGIN
  -- each trigger a table lacks (a partition created or attached, or one DROP TRIGGER took)
  FOREACH rel IN ARRAY tree LOOP
    FOR k IN SELECT * FROM (VALUES ('_ins', 'INSERT', 'REFERENCING NEW TABLE AS lb_new '),
                                   ('_upd', 'UPDATE', 'REFERENCING OLD TABLE AS lb_old NEW TABLE AS lb_new '),
                                   ('_del', 'DELETE', 'REFERENCING OLD TABLE AS lb_old '),
                                   ('_trunc', 'TRUNCATE', '')) AS v(suffix, event, transition) LOOP
      CONTINUE WHEN EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = rel AND tgname = 'lb_' || b.name || k.suffix);
      EXECUTE format('CREATE TRIGGER %I AFTER %s ON %s %sFOR EACH STATEMENT EXECUTE FUNCTION leaderboard._board_capture()',
                     'lb_' || b.name || k.suffix, k.event, rel, k.transition);
      -- replicated TRUNCATEs fire statement triggers enabled ALWAYS (or REPLICA)
      IF k.suffix = '_trunc' THEN
        EXECUTE format('ALTER TABLE %s ENABLE ALWAYS TRIGGER %I', rel, 'lb_' || b.name || '_trunc');
      END IF;
      created := created + 1;
    END LOOP;
  END LOOP;
  -- Logical-replication apply fires row triggers only (those enabled REPLICA or ALWAYS): one
  -- on the source, which partitions inherit, captures replicated rows; local statements
  -- never fire it.
  IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = b.source AND tgname = 'lb_' || b.name || '_repl') THEN
    EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE ON %s '
                   'FOR EACH ROW EXECUTE FUNCTION leaderboard._board_capture_row()', 'lb_' || b.name || '_repl', b.source);
    EXECUTE format('ALTER TABLE %s ENABLE REPLICA TRIGGER %I', b.source, 'lb_' || b.name || '_repl');
    created := created + 1;
  END IF;
  FOR t IN SELECT tg.tgname, tg.tgrelid::regclass AS rel FROM pg_trigger tg
           WHERE tg.tgname IN ('lb_' || b.name || '_ins', 'lb_' || b.name || '_upd', 'lb_' || b.name || '_del', 'lb_' || b.name || '_trunc')
             AND tg.tgfoid = 'leaderboard._board_capture()'::regprocedure
             AND NOT tg.tgrelid = ANY (tree) LOOP
    EXECUTE format('DROP TRIGGER %I ON %s', t.tgname, t.rel);
  END LOOP;
  RETURN created;
END $$;
COMMENT ON FUNCTION leaderboard._board_triggers(leaderboard.boards) IS
  'internal: creates a board''s capture triggers on its source and every partition, and drops them from detached ones';

-- The source's indexes leading with (agent, at), which recomputations read.
CREATE FUNCTION leaderboard._agent_at_indexes(source regclass, agent name, at name) RETURNS name[]
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT coalesce(array_agg(c.relname ORDER BY c.relname), '{}')
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
  WHERE i.indrelid = source AND i.indnatts >= 2
    AND i.indkey[0] = (SELECT attnum FROM pg_attribute WHERE attrelid = source AND attname = agent)
    AND i.indkey[1] = (SELECT attnum FROM pg_attribute WHERE attrelid = source AND attname = at)
$$;
COMMENT ON FUNCTION leaderboard._agent_at_indexes(regclass, name, name) IS
  'internal: names of the source''s indexes leading with the agent and time columns';

-- The metrics whose min or max some card of the board reads (its stat is min or max), as
-- bits of a bigint (bit i-1 for metric i). A correction that takes out such a metric's
-- extreme is recomputed from the source; other metrics forget an extreme they lose.
CREATE FUNCTION leaderboard._exact_extremes(b leaderboard.boards) RETURNS bigint
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT coalesce(sum(DISTINCT 1::bigint << (m.i - 1)::integer), 0)::bigint
  FROM leaderboard._cards(b) c,
       jsonb_array_elements(c.card::jsonb -> 'metrics') e,
       unnest(b.metric_names) WITH ORDINALITY AS m(name, i)
  WHERE e ->> 'name' = m.name AND e ->> 'stat' IN ('min', 'max')
$$;
COMMENT ON FUNCTION leaderboard._exact_extremes(leaderboard.boards) IS
  'internal: bits of the metrics whose min or max a card of the board reads';

-- Whether a correction can need the board to re-read its source: a card reads a min or a
-- max, or a metric is fractional (float8 sums do not subtract exactly). Only such boards
-- get an (agent, at) index on the source; the others apply every correction as a delta.
CREATE FUNCTION leaderboard._needs_recompute(b leaderboard.boards) RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT leaderboard._exact_extremes(b) <> 0 OR EXISTS (
    SELECT 1 FROM unnest(b.metric_exprs) AS x(e)
    CROSS JOIN LATERAL (SELECT leaderboard._expression_type(b.source, x.e, 'metric') AS t) et
    JOIN pg_type ty ON ty.oid = et.t
    WHERE CASE WHEN ty.typtype = 'd' THEN ty.typbasetype ELSE ty.oid END
          NOT IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype, 'bool'::regtype))
$$;
COMMENT ON FUNCTION leaderboard._needs_recompute(leaderboard.boards) IS
  'internal: whether a correction can make the board re-read its source (a card reads a min or max, or a metric is fractional)';

-- The (agent, at) index recomputations read, for a board that can need them. A board
-- records the index it creates, or the one another board created and recorded: drop_board
-- drops it with the last board recording it. An index the user made is never a board's.
CREATE FUNCTION leaderboard._ensure_source_index(b leaderboard.boards) RETURNS name
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  idx name[] := leaderboard._agent_at_indexes(b.source, b.agent_column, b.at_column);
BEGIN
  IF NOT leaderboard._needs_recompute(b) THEN
    RETURN b.source_index;
  END IF;
  IF cardinality(idx) = 0 THEN
    EXECUTE format('CREATE INDEX ON %s (%I, %I)', b.source, b.agent_column, b.at_column);
    RETURN (leaderboard._agent_at_indexes(b.source, b.agent_column, b.at_column))[1];
  END IF;
  RETURN coalesce(b.source_index,
                  (SELECT x.source_index FROM leaderboard.boards x
                   WHERE x.source = b.source AND x.source_index = ANY (idx) LIMIT 1));
END $$;
COMMENT ON FUNCTION leaderboard._ensure_source_index(leaderboard.boards) IS
  'internal: creates the source''s (agent, at) index for a board whose corrections can re-read the source; returns the index the board records';

-- The ORDER BY item of each tie_break metric reads the metric's stat in the card: a card
-- that does not list the metric has no stat for it (its explanations show it as a count
-- of weight 0), and ties would be broken on a count nobody chose. One ORDER BY serves
-- every period kind (_tie_break_sql), so cards of several period kinds must order a
-- tie_break metric alike: the same stat, better the same way.
CREATE FUNCTION leaderboard._check_tie_break(tie_break text[], card jsonb) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  m text;
  c record;
  orders text[];
BEGIN
  FOREACH m IN ARRAY tie_break LOOP
    SELECT array_agg(DISTINCT format('%s (%s better)', e ->> 'stat', coalesce(e ->> 'better', 'higher'))
                     ORDER BY format('%s (%s better)', e ->> 'stat', coalesce(e ->> 'better', 'higher'))) INTO orders
    FROM jsonb_each(card) x, jsonb_array_elements(x.value -> 'metrics') e
    WHERE NOT card ? 'metrics' AND e ->> 'name' = m;
    IF cardinality(orders) > 1 THEN
      RAISE EXCEPTION 'tie_break metric "%" is ordered differently by the cards of the period kinds', m
        USING ERRCODE = 'invalid_parameter_value',
              DETAIL = format('The cards give it %s; ties are ordered one way for every period kind.',
                              array_to_string(orders, ' and ')),
              HINT = format('Give "%s" the same stat and "better" in every period''s card.', m);
    END IF;
  END LOOP;
  FOREACH m IN ARRAY tie_break LOOP
    FOR c IN SELECT NULL::text AS period, card AS card WHERE card ? 'metrics'
             UNION ALL SELECT e.key, e.value FROM jsonb_each(card) e WHERE NOT card ? 'metrics'
             ORDER BY 1 LOOP
      IF NOT EXISTS (SELECT 1 FROM jsonb_array_elements(c.card -> 'metrics') e WHERE e ->> 'name' = m) THEN
        RAISE EXCEPTION 'tie_break metric "%" is not scored by the scorecard%', m,
          CASE WHEN c.period IS NOT NULL THEN format(' for period "%s"', c.period) ELSE '' END
          USING ERRCODE = 'invalid_parameter_value',
                DETAIL = 'A tie is broken by the metric''s stat in the card, and the card gives it none.',
                HINT = format('List "%s" in the card, with "weight": 0 to order ties by it without scoring it.', m);
      END IF;
    END LOOP;
  END LOOP;
END $$;
COMMENT ON FUNCTION leaderboard._check_tie_break(text[], jsonb) IS
  'internal: raises 22023 unless every card lists every tie_break metric';

-- A type and every type it is built on, through domains, arrays, ranges, multiranges and
-- composite types, to any depth: what a column of the type holds.
CREATE FUNCTION leaderboard._type_parts(t regtype) RETURNS SETOF regtype
LANGUAGE sql STABLE STRICT SET search_path = pg_catalog, pg_temp AS $$
  WITH RECURSIVE r(oid) AS (
    SELECT t::pg_catalog.oid
    UNION
    SELECT x.oid FROM r JOIN pg_catalog.pg_type y ON y.oid = r.oid,
      LATERAL (SELECT y.typbasetype WHERE y.typbasetype <> 0
               UNION ALL SELECT y.typelem WHERE y.typelem <> 0 AND y.typsubscript = 'pg_catalog.array_subscript_handler'::pg_catalog.regproc
               UNION ALL SELECT g.rngsubtype FROM pg_catalog.pg_range g WHERE g.rngtypid = y.oid OR g.rngmultitypid = y.oid
               UNION ALL SELECT c.atttypid FROM pg_catalog.pg_attribute c
                          WHERE c.attrelid = y.typrelid AND y.typrelid <> 0 AND c.attnum > 0 AND NOT c.attisdropped) x(oid))
  SELECT r.oid::pg_catalog.regtype FROM r
$$;
COMMENT ON FUNCTION leaderboard._type_parts(regtype) IS
  'internal: a type and every type it is built on through domains, arrays, ranges, multiranges and composite types';

-- Whether values of a base type that its default btree operator class finds equal are
-- identical: the class's equalimage support function (B-tree deduplication's question)
-- says so. NULL for a type without a default btree class.
CREATE FUNCTION leaderboard._equal_means_identical(t regtype) RETURNS boolean
LANGUAGE c STABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'board_equal_means_identical';
COMMENT ON FUNCTION leaderboard._equal_means_identical(regtype) IS
  'internal: whether values of base type t that its default btree operator class finds equal are identical (its equalimage support function); NULL without a default btree class';

-- A type whose equal values can have other text forms, itself or inside a domain, array,
-- range, multirange or composite type: a base type whose btree equality holds between
-- values that differ (numeric 1.0 and 1.00, float 0 and -0, interval '1 day' and
-- '24:00:00', numbers inside jsonb, citext 'North' and 'north'), a nondeterministic
-- collation of a domain, a range or a composite's attribute ('North' and 'north' equal
-- under it), and money, which lc_monetary writes. Boards name scopes, and goals name
-- agents, by text. bpchar's equality ignores trailing blanks, and so does its text form
-- as scopes name it (cast to text), but only as the column's own type (through domains):
-- inside an array or a composite its blanks stay.
CREATE FUNCTION leaderboard._text_forms_type(t regtype) RETURNS text
LANGUAGE sql STABLE STRICT SET search_path = pg_catalog, pg_temp AS $$
  SELECT pg_catalog.format_type(p.part, NULL) FROM leaderboard._type_parts(t) AS p(part)
  JOIN pg_catalog.pg_type y ON y.oid OPERATOR(pg_catalog.=) p.part
  WHERE p.part OPERATOR(pg_catalog.=) 'pg_catalog.money'::pg_catalog.regtype
     OR (y.typtype IN ('b', 'e')
         AND y.typsubscript OPERATOR(pg_catalog.<>) 'pg_catalog.array_subscript_handler'::pg_catalog.regproc
         AND NOT (p.part OPERATOR(pg_catalog.=) 'pg_catalog.bpchar'::pg_catalog.regtype
                  AND p.part OPERATOR(pg_catalog.=) leaderboard._base_type(t))
         AND NOT leaderboard._equal_means_identical(p.part))
     OR EXISTS (SELECT FROM pg_catalog.pg_collation c
                WHERE NOT c.collisdeterministic
                  AND (c.oid OPERATOR(pg_catalog.=) y.typcollation AND y.typtype OPERATOR(pg_catalog.=) 'd'
                       OR c.oid IN (SELECT g.rngcollation FROM pg_catalog.pg_range g
                                    WHERE g.rngtypid OPERATOR(pg_catalog.=) p.part)
                       OR c.oid IN (SELECT a.attcollation FROM pg_catalog.pg_attribute a
                                    WHERE a.attrelid OPERATOR(pg_catalog.=) y.typrelid AND y.typrelid OPERATOR(pg_catalog.<>) 0
                                      AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped)))
  LIMIT 1
$$;
COMMENT ON FUNCTION leaderboard._text_forms_type(regtype) IS
  'internal: a type within t (itself, or inside a domain, array, range or composite) whose equal values can have other text forms, or NULL';

CREATE FUNCTION leaderboard.create_board(
  name text, source regclass, agent text, at text, metrics text[], scorecard jsonb,
  periods text[] DEFAULT ARRAY['day', 'week', 'month'],
  partition_by text[] DEFAULT '{}',
  filter text DEFAULT NULL,
  ladder leaderboard.ladder DEFAULT NULL,
  -- a default is evaluated in the caller's session: its TimeZone, before SET TimeZone below
  time_zone text DEFAULT pg_catalog.current_setting('TimeZone'),
  rank_style text DEFAULT 'rank',
  tie_break text[] DEFAULT '{}',
  calendar leaderboard.calendar DEFAULT NULL,
  grace interval DEFAULT NULL,
  retention interval DEFAULT NULL)
RETURNS regclass
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp SET DateStyle = 'ISO, YMD' SET IntervalStyle = 'postgres' SET TimeZone = 'UTC' SET extra_float_digits = 1 SET bytea_output = 'hex' SET standard_conforming_strings = on SET work_mem = '256MB' SET jit = off AS $$
DECLARE
  b leaderboard.boards;
  rel record;
  schema text;
  m text;
  parts_ddl text := '';
  parts_cols text := '';
  p text;
  t regtype;
  expr text;
  mname text;
  tz text := create_board.time_zone;
  ident text[];
  board_name text := create_board.name;
  supported regtype[] := ARRAY['smallint', 'integer', 'bigint', 'real', 'double precision',
                               'numeric', 'boolean', 'interval']::regtype[];
BEGIN
  -- left out, it is the caller's TimeZone; given as NULL, there is none to fall back on
  IF tz IS NULL THEN
    RAISE EXCEPTION 'time_zone must not be null' USING ERRCODE = 'null_value_not_allowed',
      HINT = 'Leave time_zone out for the session''s time zone, or name one, e.g. time_zone => ''America/New_York''.';
  END IF;
  IF board_name IS NULL OR board_name !~ '^[a-z][a-z0-9_]{0,39}$' THEN
    RAISE EXCEPTION 'invalid board name "%"', board_name USING ERRCODE = 'invalid_parameter_value',
      HINT = 'Use 1 to 40 lower-case letters, digits and underscores, starting with a letter.';
  END IF;
  IF EXISTS (SELECT 1 FROM leaderboard.boards x WHERE x.name = board_name) THEN
    RAISE EXCEPTION 'board "%" already exists', board_name USING ERRCODE = 'duplicate_object';
  END IF;
  IF source IS NULL OR agent IS NULL OR at IS NULL OR metrics IS NULL OR periods IS NULL THEN
    RAISE EXCEPTION 'source, agent, at, metrics and periods must not be null'
      USING ERRCODE = 'null_value_not_allowed';
  END IF;
  SELECT c.relkind, c.relpersistence, c.relowner, c.relforcerowsecurity, n.nspname INTO rel
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = source;
  IF rel.relkind NOT IN ('r', 'p') THEN
    RAISE EXCEPTION '"%" is not a table', source USING ERRCODE = 'wrong_object_type';
  END IF;
  -- A temporary source vanishes with its session, leaving the catalog row behind; an
  -- unlogged one is emptied by crash recovery while its standings are kept.
  IF rel.relpersistence <> 'p' THEN
    RAISE EXCEPTION 'a board cannot be kept over % table %',
      CASE rel.relpersistence WHEN 't' THEN 'temporary' ELSE 'unlogged' END, source
      USING ERRCODE = 'feature_not_supported',
            DETAIL = CASE rel.relpersistence WHEN 't' THEN 'A temporary table is dropped at the end of its session, and its board would outlive it.'
                     ELSE 'Crash recovery empties an unlogged table without firing its triggers, and the board would keep the lost rows.' END,
            HINT = 'Keep the calls in a permanent table.';
  END IF;
  PERFORM leaderboard._check_source_family(board_name, source);
  IF NOT pg_has_role(current_user, rel.relowner, 'USAGE') THEN
    RAISE EXCEPTION 'must be owner of table %', source USING ERRCODE = 'insufficient_privilege',
      DETAIL = 'A board reads every row of its source, whatever the row-level security policies.';
  END IF;
  IF rel.relforcerowsecurity AND NOT (SELECT rolbypassrls FROM pg_roles WHERE rolname = current_user) THEN
    RAISE EXCEPTION 'table % forces row-level security', source USING ERRCODE = 'insufficient_privilege',
      DETAIL = 'Board triggers read transition tables, which bypass row-level security.',
      HINT = 'Create the board as a role with BYPASSRLS.';
  END IF;
  schema := quote_ident(rel.nspname);

  b.name := board_name; b.source := source; b.owner := current_user::regrole;
  b.agent_column := agent; b.at_column := at;
  FOREACH p IN ARRAY ARRAY[agent, at] || partition_by LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = source AND attname = p AND attnum > 0 AND NOT attisdropped) THEN
      RAISE EXCEPTION 'column "%" of table % does not exist', p, source USING ERRCODE = 'undefined_column';
    END IF;
  END LOOP;
  IF EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = source AND attname IN ('lb_local', 'lb_kind', 'lb_day') AND NOT attisdropped) THEN
    RAISE EXCEPTION 'table % has a column named lb_local, lb_kind or lb_day, which boards reserve', source
      USING ERRCODE = 'duplicate_column';
  END IF;
  t := leaderboard._base_type(leaderboard._expression_type(source, quote_ident(at), 'at'));
  IF t NOT IN ('timestamptz'::regtype, 'timestamp'::regtype, 'date'::regtype) THEN
    RAISE EXCEPTION 'time column "%" is of type %, not timestamptz, timestamp or date', at, t
      USING ERRCODE = 'datatype_mismatch';
  END IF;

  IF cardinality(metrics) = 0 OR cardinality(metrics) > 32 THEN
    RAISE EXCEPTION 'a board has 1 to 32 metrics, not %', cardinality(metrics)
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  b.metric_names := '{}'; b.metric_exprs := '{}';
  FOREACH m IN ARRAY metrics LOOP
    IF m ~* '\s+AS\s+("[^"]+"|[A-Za-z_][A-Za-z0-9_$]*)\s*$' THEN
      expr := regexp_replace(m, '\s+[Aa][Ss]\s+("[^"]+"|[A-Za-z_][A-Za-z0-9_$]*)\s*$', '');
      mname := substring(m from '\s+[Aa][Ss]\s+("[^"]+"|[A-Za-z_][A-Za-z0-9_$]*)\s*$');
      mname := CASE WHEN mname LIKE '"%' THEN replace(btrim(mname, '"'), '""', '"') ELSE lower(mname) END;
    ELSE
      -- a plain column, written as SQL names it (csat, CSAT, "CSAT"), is named after it
      BEGIN
        ident := parse_ident(m);
      EXCEPTION WHEN invalid_parameter_value THEN
        ident := NULL;
      END;
      mname := CASE WHEN cardinality(ident) = 1 THEN ident[1] END;
      IF mname IS NULL OR NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = source AND attname = mname AND attnum > 0 AND NOT attisdropped) THEN
        RAISE EXCEPTION 'metric "%" needs a name', m USING ERRCODE = 'invalid_parameter_value',
          HINT = 'Write "expression AS name" unless the metric is a plain column.';
      END IF;
      expr := quote_ident(mname);
    END IF;
    t := leaderboard._expression_type(source, expr, 'metric');
    -- stored, and put in the board's statements, as PostgreSQL prints it back
    expr := leaderboard._expression_sql(source, expr, 'metric');
    -- a domain is read as its base type, as kpi_agg reads it
    IF NOT leaderboard._base_type(t) = ANY (supported) THEN
      RAISE EXCEPTION 'metric "%" is of type %, which kpi_agg does not accept', mname, t
        USING ERRCODE = 'datatype_mismatch',
              HINT = 'Metrics are smallint, integer, bigint, real, double precision, numeric, boolean or interval.';
    END IF;
    IF mname = ANY (b.metric_names) THEN
      RAISE EXCEPTION 'metric name "%" is used twice', mname USING ERRCODE = 'invalid_parameter_value';
    END IF;
    b.metric_names := b.metric_names || mname;
    b.metric_exprs := b.metric_exprs || ('(' || expr || ')');
  END LOOP;

  IF filter IS NOT NULL THEN
    t := leaderboard._expression_type(source, filter, 'filter');
    IF t <> 'boolean'::regtype THEN
      RAISE EXCEPTION 'filter "%" is of type %, not boolean', filter, t USING ERRCODE = 'datatype_mismatch';
    END IF;
    b.filter := leaderboard._expression_sql(source, filter, 'filter');
  END IF;

  IF cardinality(periods) = 0 THEN
    RAISE EXCEPTION 'a board needs at least one period' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  FOREACH p IN ARRAY periods LOOP
    IF p IS NULL OR NOT p = ANY (ARRAY['day', 'week', 'month', 'quarter', 'year', 'all']) THEN
      RAISE EXCEPTION 'unknown period "%"', p USING ERRCODE = 'invalid_parameter_value',
        HINT = 'Periods are day, week, month, quarter, year and all.';
    END IF;
  END LOOP;
  IF cardinality(periods) <> (SELECT count(DISTINCT x) FROM unnest(periods) x) THEN
    RAISE EXCEPTION 'a period is listed twice' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  b.periods := periods;
  b.partition_by := coalesce(partition_by, '{}');
  IF agent = ANY (b.partition_by) THEN
    RAISE EXCEPTION 'partition_by names the agent column "%"', agent USING ERRCODE = 'invalid_parameter_value',
      DETAIL = 'A board ranks agents within each partition: partitioned by the agent, each would rank alone.',
      HINT = 'Partition by the columns that group agents, such as a team or a site.';
  END IF;
  -- the columns of the board's own tables and views, and the names its statements give
  -- their own columns: an agent or partition column of such a name would be two columns
  -- of one name in them
  FOREACH p IN ARRAY ARRAY[agent]::name[] || b.partition_by LOOP
    IF p = ANY (ARRAY['scope_id', 'scope_key', 'period', 'period_start', 'kpis', 'score', 'qualified', 'rank',
                      'tier', 'updated_at', 'version', 'ranks_stored', 'explanation', 'card_from',
                      'previous_score', 'previous_rank', 'rank_change', 'score_change', 'badge', 'goal_id',
                      'metric', 'stat', 'target', 'targets', 'actual', 'progress', 'pace', 'on_track', 'rungs',
                      'rungs_met', 'working_days', 'working_days_elapsed', 'days_elapsed', 'days_total', 'id',
                      'streak', 'current_streak', 'longest_streak', 'longest_start', 'met_days'])
       OR p LIKE 'lb\_%' THEN
      RAISE EXCEPTION 'column "%" cannot be the agent or a partition column of a board', p
        USING ERRCODE = 'reserved_name',
              DETAIL = 'The board''s own tables, views and statements have a column of that name, and names starting with lb_.',
              HINT = 'Rename the column, or add a generated column of another name with its values and name that one.';
    END IF;
  END LOOP;
  IF cardinality(b.partition_by) <> (SELECT count(DISTINCT x) FROM unnest(b.partition_by) x) THEN
    RAISE EXCEPTION 'a partition_by column is listed twice' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  -- the board's tables and views compare agent and partition values with pg_catalog.=,
  -- which has no operator for some types with default operator classes: a domain over an
  -- enum ('a'::d = 'a'::d fails in plain SQL), or an extension's type whose = lives in
  -- the extension's schema
  DECLARE
    kt text;
  BEGIN
    FOREACH p IN ARRAY ARRAY[agent]::name[] || b.partition_by LOOP
      kt := format_type(leaderboard._expression_type(source, quote_ident(p), 'column'), NULL);
      BEGIN
        EXECUTE format('SELECT NULL::%1$s OPERATOR(pg_catalog.=) NULL::%1$s', kt);
      EXCEPTION WHEN undefined_function THEN
        RAISE EXCEPTION 'column "%" of type % cannot be the agent or a partition column of a board', p, kt
          USING ERRCODE = 'undefined_function',
                DETAIL = 'The board''s tables and views compare agent and partition values with pg_catalog.=, which has no operator for two values of the type.',
                HINT = 'Add a generated column casting it to a type that has one (a domain over an enum: to the enum) and name that one.';
      END;
      -- values a nondeterministic collation makes equal (Bob, bob) differ in bytes, which is
      -- what the board tells agents and scopes apart by, while GROUP BY, and verify(), would
      -- count them as one
      IF EXISTS (SELECT FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_collation c ON c.oid = a.attcollation
                 WHERE a.attrelid = source AND a.attname = p AND NOT c.collisdeterministic) THEN
        RAISE EXCEPTION 'column "%" has a nondeterministic collation and cannot be the agent or a partition column of a board', p
          USING ERRCODE = 'feature_not_supported',
                DETAIL = 'A board tells agents and partition values apart by their bytes; values such a collation makes equal would be counted apart.',
                HINT = 'Add a generated column with a deterministic collation (for example lower(col) COLLATE "C") and name that one.';
      END IF;
    END LOOP;
    -- a scope is named by its partition values' text: a type with equal values of other
    -- text forms would split one partition value's calls over scopes
    FOREACH p IN ARRAY b.partition_by LOOP
      kt := leaderboard._text_forms_type((SELECT a.atttypid FROM pg_catalog.pg_attribute a
                                          WHERE a.attrelid = source AND a.attname = p)::pg_catalog.regtype);
      IF kt IS NOT NULL THEN
        RAISE EXCEPTION 'column "%" cannot be a partition column of a board: its type holds %, whose equal values can have other text forms', p, kt
          USING ERRCODE = 'feature_not_supported',
                DETAIL = 'A board names each scope by the text of its partition values: numeric 1.0 and 1.00, or interval ''1 day'' and ''24:00:00'', would be two scopes of one partition value.',
                HINT = 'Partition by a generated column in one text form (for example trim_scale(col)::text, or an integer) and name that one.';
      END IF;
    END LOOP;
  END;

  -- Only zones by name: PostgreSQL reads a numeric offset in the POSIX sense, positive
  -- west of Greenwich ('+05:30' is five and a half hours behind UTC), the opposite of
  -- ISO 8601, and an abbreviation can mean another zone than the one meant.
  IF NOT EXISTS (SELECT 1 FROM pg_timezone_names z WHERE lower(z.name) = lower(tz)) THEN
    BEGIN
      PERFORM now() AT TIME ZONE tz;
    EXCEPTION WHEN OTHERS THEN
      RAISE EXCEPTION 'unknown time zone "%"', tz USING ERRCODE = 'invalid_parameter_value',
        HINT = 'Name a zone listed in pg_timezone_names, such as ''Asia/Kolkata'' or ''UTC''.';
    END;
    RAISE EXCEPTION 'time zone "%" is not a named time zone', tz USING ERRCODE = 'invalid_parameter_value',
      DETAIL = 'PostgreSQL reads an offset in the POSIX sense, positive west of Greenwich (''+05:30'' is 5:30 behind UTC), and an abbreviation can stand for another zone than the one meant.',
      HINT = 'Name a zone listed in pg_timezone_names, such as ''Asia/Kolkata'' or ''UTC''.';
  END IF;
  IF leaderboard._zone_is_abbreviation(tz) THEN
    RAISE EXCEPTION 'time zone "%" is also a time zone abbreviation', tz USING ERRCODE = 'invalid_parameter_value',
      DETAIL = 'PostgreSQL reads it as the abbreviation first: a fixed offset, without the zone''s daylight saving time, which a session''s timezone_abbreviations setting can change.',
      HINT = 'Name the zone by its region, such as ''Europe/Paris'' for CET or ''America/New_York'' for EST (''Etc/GMT+5'' is a fixed UTC-5).';
  END IF;
  b.time_zone := tz;

  IF rank_style IS NULL OR NOT rank_style IN ('rank', 'dense_rank', 'row_number') THEN
    RAISE EXCEPTION 'unknown rank style "%"', rank_style USING ERRCODE = 'invalid_parameter_value',
      HINT = 'Rank styles are rank, dense_rank and row_number.';
  END IF;
  b.rank_style := rank_style;
  b.tie_break := coalesce(tie_break, '{}');
  IF cardinality(b.tie_break) > 0 AND rank_style <> 'row_number' THEN
    RAISE EXCEPTION 'tie_break needs rank_style row_number' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  FOREACH m IN ARRAY b.tie_break LOOP
    IF NOT m = ANY (b.metric_names) THEN
      RAISE EXCEPTION 'tie_break metric "%" is not a board metric', m USING ERRCODE = 'invalid_parameter_value';
    END IF;
  END LOOP;

  b.scorecards := leaderboard._board_cards(scorecard, periods, b.metric_names);
  b.card_versions := '[]';
  PERFORM leaderboard._check_tie_break(b.tie_break, scorecard);
  b.ladder := ladder;
  b.created_at := now();
  b.calendar := create_board.calendar;
  b.grace := coalesce(create_board.grace, interval '1 day');
  b.retention := create_board.retention;
  PERFORM leaderboard._check_close_settings(b.grace, b.retention);
  b.closed_before := '{}';

  IF to_regclass(schema || '.' || quote_ident(board_name || '_standings')) IS NOT NULL
     OR to_regclass(schema || '.' || quote_ident(board_name || '_scopes')) IS NOT NULL
     OR to_regclass(schema || '.' || quote_ident(board_name || '_current')) IS NOT NULL
     OR to_regclass(schema || '.' || quote_ident(board_name || '_explain')) IS NOT NULL
     OR to_regclass(schema || '.' || quote_ident(board_name || '_goals')) IS NOT NULL
     OR to_regclass(schema || '.' || quote_ident(board_name || '_streaks')) IS NOT NULL
     OR to_regclass(schema || '.' || quote_ident(board_name || '_movement')) IS NOT NULL
     OR to_regclass(schema || '.' || quote_ident(board_name || '_badges')) IS NOT NULL THEN
    RAISE EXCEPTION 'a relation named like board "%" already exists in schema %', board_name, schema
      USING ERRCODE = 'duplicate_table';
  END IF;
  IF to_regprocedure(format('%s.%I(%s, text, integer)', schema, board_name || '_around',
                            format_type(leaderboard._expression_type(source, quote_ident(agent), 'agent'), NULL))) IS NOT NULL THEN
    RAISE EXCEPTION 'function %.%(agent, text, integer) already exists', schema, quote_ident(board_name || '_around')
      USING ERRCODE = 'duplicate_function',
            DETAIL = format('Board "%s" creates this function.', board_name);
  END IF;
  IF to_regprocedure(format('%s.%I(%stext, integer)', schema, board_name || '_top',
                            (SELECT coalesce(string_agg(leaderboard._column_type(source, x.p) || ', ', '' ORDER BY x.o), '')
                             FROM unnest(b.partition_by) WITH ORDINALITY AS x(p, o)))) IS NOT NULL THEN
    RAISE EXCEPTION 'function %.%(partition values, text, integer) already exists', schema, quote_ident(board_name || '_top')
      USING ERRCODE = 'duplicate_function',
            DETAIL = format('Board "%s" creates this function.', board_name);
  END IF;

  FOREACH p IN ARRAY b.partition_by LOOP
    parts_ddl := parts_ddl || format(', %I %s%s', p, leaderboard._column_type(source, p), leaderboard._column_collate(source, p));
    parts_cols := parts_cols || ', ' || quote_ident(p);
  END LOOP;

  EXECUTE format('CREATE TABLE %s.%I (scope_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, '
                 'scope_key text COLLATE "C" NOT NULL UNIQUE, period text NOT NULL, period_start date NOT NULL%s, '
                 'version bigint NOT NULL DEFAULT 0, ranks_stored boolean NOT NULL DEFAULT true)',
                 schema, board_name || '_scopes', parts_ddl);
  EXECUTE format('COMMENT ON TABLE %s.%I IS %L', schema, board_name || '_scopes',
                 format('scopes of board %s; writers lock these rows, in key order, at commit', board_name));
  b.scopes := (schema || '.' || quote_ident(board_name || '_scopes'))::regclass;

  EXECUTE format('CREATE TABLE %s.%I (scope_id bigint NOT NULL, period text NOT NULL, period_start date NOT NULL%s, '
                 '%I %s NOT NULL, kpis leaderboard.kpis NOT NULL, score double precision NOT NULL, '
                 'qualified boolean NOT NULL, rank bigint, tier text, updated_at timestamptz NOT NULL, '
                 'PRIMARY KEY (%I, period, period_start, scope_id)) WITH (fillfactor = 80)',
                 schema, board_name || '_standings', parts_ddl, agent,
                 leaderboard._column_type(source, agent) || leaderboard._column_collate(source, agent), agent);
  b.standings := (schema || '.' || quote_ident(board_name || '_standings'))::regclass;
  -- Two indexes, as every standings write that changes a score adds an entry to each:
  -- the key (one row per scope and agent, as a scope has one period and period_start)
  -- leads with the agent, so around-me and "my rows" read an agent's rows of a period
  -- from it; top-N reads, re-ranking and neighbours read a scope by scope_id, top-N
  -- reads finding it by its columns in the scopes table, which gains a row a scope only.
  EXECUTE format('CREATE INDEX ON %s (scope_id, score, %I)', b.standings, agent);
  EXECUTE format('CREATE INDEX ON %s (period, period_start%s)', b.scopes, parts_cols);
  EXECUTE format('COMMENT ON TABLE %s IS %L', b.standings,
                 format('ranked standings of board %s, one row per (period, period_start, partition, agent); kept by triggers on %s', board_name, source));

  -- recomputing a group after UPDATE or DELETE reads the agent's rows of one period
  b.source_index := leaderboard._ensure_source_index(b);

  PERFORM leaderboard._catalog_insert(b);
  PERFORM leaderboard._board_views(b);

  PERFORM leaderboard._board_triggers(b);

  PERFORM leaderboard.rebuild(board_name);
  RETURN b.standings;
END $$;
COMMENT ON FUNCTION leaderboard.create_board(text, regclass, text, text, text[], jsonb, text[], text[], text, leaderboard.ladder, text, text, text[], leaderboard.calendar, interval, interval) IS
  'declares a live board over a calls table: creates <name>_standings, <name>_current, <name>_explain, <name>_goals (and <name>_streaks), <name>_movement, <name>_badges and <name>_around, and loads existing rows';

-- A campaign's window as a filter over its source: starts <= at < ends. A timestamp or date
-- column holds local times of the board's zone, so it is compared with the window's local
-- times, which keeps the filter immutable (a timestamptz bound would not be for it).
CREATE FUNCTION leaderboard._campaign_window(source regclass, at text, time_zone text, starts timestamptz, ends timestamptz)
RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp SET DateStyle = 'ISO, YMD' SET TimeZone = 'UTC' AS $$
  SELECT CASE WHEN leaderboard._base_type(leaderboard._expression_type(source, quote_ident(at), 'at')) = 'timestamptz'::regtype
    THEN format('(%1$I >= %2$L::pg_catalog.timestamptz AND %1$I < %3$L::pg_catalog.timestamptz)', at, starts, ends)
    ELSE format('(%1$I >= %2$L::pg_catalog.timestamp AND %1$I < %3$L::pg_catalog.timestamp)', at,
                starts AT TIME ZONE time_zone, ends AT TIME ZONE time_zone) END
$$;
COMMENT ON FUNCTION leaderboard._campaign_window(regclass, text, text, timestamptz, timestamptz) IS
  'internal: a campaign''s window as a filter over its source (starts <= at < ends), in the at column''s type';

-- What _catalog_set_window may write: the window of a board create_campaign just declared,
-- one keeping the period 'all' only, whose filter has the window as its last conjunct.
CREATE FUNCTION leaderboard._check_window(board text, starts timestamptz, ends timestamptz) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp SET DateStyle = 'ISO, YMD' SET IntervalStyle = 'postgres' SET TimeZone = 'UTC' AS $$
DECLARE
  b leaderboard.boards := leaderboard._board(board);
  w text;
  problem text;
BEGIN
  IF b.periods = ARRAY['all'] AND isfinite(starts) AND isfinite(ends) AND starts < ends THEN
    w := leaderboard._expression_sql(b.source, leaderboard._campaign_window(b.source, b.at_column, b.time_zone, starts, ends), 'filter');
  END IF;
  problem := CASE
    WHEN b.starts IS NOT NULL THEN 'it is a campaign already'
    WHEN w IS NULL THEN 'a campaign keeps the period all only, over a finite window that ends after it starts'
    WHEN b.filter IS DISTINCT FROM w AND right(b.filter, length(w) + 6) IS DISTINCT FROM ' AND ' || w || ')'
      THEN 'its filter does not count the calls of the window only'
  END;
  IF problem IS NOT NULL THEN
    RAISE EXCEPTION 'invalid window of board "%": %', board, problem
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Declare campaigns with leaderboard.create_campaign().';
  END IF;
END $$;
COMMENT ON FUNCTION leaderboard._check_window(text, timestamptz, timestamptz) IS
  'internal: raises 22023 unless a window is the one create_campaign gives the board it declared';

CREATE FUNCTION leaderboard._catalog_set_window(board text, starts timestamptz, ends timestamptz) RETURNS void
  AS 'MODULE_PATHNAME', 'board_catalog_set_window' LANGUAGE C;
COMMENT ON FUNCTION leaderboard._catalog_set_window(text, timestamptz, timestamptz) IS
  'internal: records the window of a campaign the caller owns';

-- A campaign: a board over the calls of a fixed window, with the one period 'all', its own
-- card, ladder, goals and ranks. Its source, agent, at and metrics are given, or copied
-- (with its partitions, filter and time zone, unless given) from an existing board, so
-- that a campaign over a board's calls measures them as the board does.
CREATE FUNCTION leaderboard.create_campaign(
  name text, source regclass DEFAULT NULL, agent text DEFAULT NULL, at text DEFAULT NULL,
  metrics text[] DEFAULT NULL, scorecard jsonb DEFAULT NULL,
  starts timestamptz DEFAULT NULL, ends timestamptz DEFAULT NULL,
  partition_by text[] DEFAULT NULL,
  filter text DEFAULT NULL,
  ladder leaderboard.ladder DEFAULT NULL,
  time_zone text DEFAULT NULL,
  rank_style text DEFAULT 'rank',
  tie_break text[] DEFAULT '{}',
  calendar leaderboard.calendar DEFAULT NULL,
  grace interval DEFAULT NULL,
  board text DEFAULT NULL)
RETURNS regclass
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  f leaderboard.boards;
  tz text := coalesce(create_campaign.time_zone, current_setting('TimeZone'));
  parts text[] := create_campaign.partition_by;
  own_filter text;
  standings regclass;
BEGIN
  IF scorecard IS NULL OR starts IS NULL OR ends IS NULL THEN
    RAISE EXCEPTION 'a campaign needs a scorecard, starts and ends' USING ERRCODE = 'null_value_not_allowed',
      HINT = 'A campaign counts the calls with starts <= at < ends and scores them with its own card.';
  END IF;
  IF NOT isfinite(starts) OR NOT isfinite(ends) THEN
    RAISE EXCEPTION 'a campaign''s window must be finite' USING ERRCODE = 'invalid_parameter_value',
      HINT = 'A campaign that never ends is a board: use leaderboard.create_board().';
  END IF;
  IF ends <= starts THEN
    RAISE EXCEPTION 'a campaign must end after it starts' USING ERRCODE = 'invalid_parameter_value',
      DETAIL = format('starts is %s and ends is %s.', starts, ends),
      HINT = 'A campaign counts the calls with starts <= at < ends.';
  END IF;
  IF create_campaign.board IS NOT NULL THEN
    IF source IS NOT NULL OR agent IS NOT NULL OR at IS NOT NULL OR metrics IS NOT NULL THEN
      RAISE EXCEPTION 'a campaign takes its source, agent, at and metrics either from board "%" or from its arguments', create_campaign.board
        USING ERRCODE = 'invalid_parameter_value',
              HINT = 'Give board => ... without source, agent, at and metrics, or those without board.';
    END IF;
    f := leaderboard._board(create_campaign.board);
    source := f.source;
    agent := f.agent_column;
    at := f.at_column;
    metrics := ARRAY(SELECT format('%s AS %I', x.e, x.n) FROM unnest(f.metric_exprs, f.metric_names) AS x(e, n));
    parts := coalesce(parts, f.partition_by::text[]);
    tz := coalesce(create_campaign.time_zone, f.time_zone);
  END IF;
  IF source IS NULL OR at IS NULL THEN
    RAISE EXCEPTION 'source, agent, at, metrics and periods must not be null'
      USING ERRCODE = 'null_value_not_allowed', HINT = 'Give them, or board => an existing board to take them from.';
  END IF;
  -- the board's filter and the one given, each checked alone, then the window
  own_filter := concat_ws(' AND ', '(' || f.filter || ')',
                          CASE WHEN filter IS NOT NULL THEN '(' || leaderboard._expression_sql(source, filter, 'filter') || ')' END);
  standings := leaderboard.create_board(name => create_campaign.name, source => source, agent => agent, at => at,
    metrics => metrics, scorecard => scorecard, periods => ARRAY['all'], partition_by => parts,
    filter => concat_ws(' AND ', nullif(own_filter, ''), leaderboard._campaign_window(source, at, tz, starts, ends)),
    ladder => ladder, time_zone => tz, rank_style => rank_style, tie_break => tie_break,
    calendar => calendar, grace => grace);
  PERFORM leaderboard._catalog_set_window(create_campaign.name, starts, ends);
  -- the goals' pace counts the working days of the window
  PERFORM leaderboard._goal_views(leaderboard._board(create_campaign.name));
  RETURN standings;
END $$;
COMMENT ON FUNCTION leaderboard.create_campaign(text, regclass, text, text, text[], jsonb, timestamptz, timestamptz, text[], text,
                                                leaderboard.ladder, text, text, text[], leaderboard.calendar, interval, text) IS
  'declares a campaign: a board over the calls with starts <= at < ends, with the one period all, which close_periods closes once ends plus the grace has passed; source, agent, at and metrics given or taken from board';

CREATE FUNCTION leaderboard.rebuild(board text) RETURNS bigint
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp SET DateStyle = 'ISO, YMD' SET IntervalStyle = 'postgres' SET TimeZone = 'UTC' SET extra_float_digits = 1 SET bytea_output = 'hex' SET standard_conforming_strings = on SET work_mem = '256MB' SET jit = off AS $$
DECLARE
  b leaderboard.boards := leaderboard._board(board);
  n bigint;
BEGIN
  PERFORM leaderboard._require_owner(b);
  PERFORM leaderboard._require_source_unfiltered(b);
  -- writers apply at commit under scope row locks; this waits for them and blocks them
  PERFORM leaderboard._lock_scopes(b);
  EXECUTE (SELECT s.rebuild FROM leaderboard._board_statements(board) s);
  -- the rows this transaction wrote before are in what the rebuild read: the commit must
  -- not apply them again
  PERFORM leaderboard._source_read(board);
  EXECUTE format('SELECT count(*) FROM %s', b.standings) INTO n;
  RETURN n;
END $$;
COMMENT ON FUNCTION leaderboard.rebuild(text) IS
  'recomputes a board''s standings from its source; returns the number of standings rows';

CREATE FUNCTION leaderboard._kpis_close(a leaderboard.kpis, b leaderboard.kpis, k integer) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  -- a's extremes may be unknown (a board forgot them: no card reads them): anything agrees
  SELECT leaderboard.rows(a) = leaderboard.rows(b) AND NOT EXISTS (
    SELECT 1 FROM generate_series(1, k) i
    WHERE leaderboard.kpi_count(a, i) <> leaderboard.kpi_count(b, i)
       OR (leaderboard.kpi_min(a, i) IS NOT NULL OR leaderboard.kpi_count(a, i) = 0)
          AND (leaderboard.kpi_min(a, i) IS DISTINCT FROM leaderboard.kpi_min(b, i)
               OR leaderboard.kpi_max(a, i) IS DISTINCT FROM leaderboard.kpi_max(b, i))
       OR abs(leaderboard.kpi_sum(a, i) - leaderboard.kpi_sum(b, i))
          > 1e-9 * greatest(1, abs(leaderboard.kpi_sum(b, i))))
$$;
COMMENT ON FUNCTION leaderboard._kpis_close(leaderboard.kpis, leaderboard.kpis, integer) IS
  'internal: equal kpis, allowing float rounding in fractional sums that were added in another order and extremes the first forgot';

CREATE FUNCTION leaderboard.verify(board text)
RETURNS TABLE (problem text, period text, period_start date, partition jsonb, agent text,
               stored jsonb, expected jsonb)
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp SET DateStyle = 'ISO, YMD' SET IntervalStyle = 'postgres' SET TimeZone = 'UTC' SET extra_float_digits = 1 SET bytea_output = 'hex' SET standard_conforming_strings = on SET work_mem = '256MB' SET jit = off AS $$
DECLARE
  b leaderboard.boards := leaderboard._board(board);
  part_json text := 'jsonb_build_object()';
  tier_ok text := 'x.s_tier IS NOT DISTINCT FROM x.e_tier';
  stored_tier text;
  ladder_tiers text[] := '{}';
BEGIN
  PERFORM leaderboard._require_owner(b);
  PERFORM leaderboard._require_source_unfiltered(b);
  IF cardinality(b.partition_by) > 0 THEN
    part_json := 'jsonb_build_object(' || (SELECT string_agg(format('%L, x.%I', q, q), ', ') FROM unnest(b.partition_by) q) || ')';
  END IF;
  IF b.ladder IS NOT NULL AND leaderboard.ladder_kind(b.ladder) = 'points' THEN
    -- a held tier is right as long as the ladder, fed the held tier, keeps it
    -- a stored tier the ladder does not have is a difference (tier() would refuse it)
    FOR stored_tier IN EXECUTE format('SELECT DISTINCT tier FROM %s WHERE tier IS NOT NULL', b.standings) LOOP
      BEGIN
        PERFORM leaderboard.tier_level(stored_tier, b.ladder);
        ladder_tiers := ladder_tiers || stored_tier;
      EXCEPTION WHEN invalid_parameter_value THEN
        NULL;
      END;
    END LOOP;
    tier_ok := format('CASE WHEN x.s_tier IS NULL OR x.s_tier = ANY (%2$L::pg_catalog.text[]) THEN '
                      'x.s_tier IS NOT DISTINCT FROM CASE WHEN x.qualified THEN leaderboard.tier(x.score, %1$L::leaderboard.ladder, x.s_tier) END '
                      'AND (x.s_tier IS NULL) = (x.e_tier IS NULL) ELSE false END', b.ladder, ladder_tiers);
  END IF;
  -- one statement: the standings and the recomputation come from one snapshot
  RETURN QUERY EXECUTE format($q$
    WITH t AS (%1$s),
    st AS (SELECT sc.scope_key, sc.ranks_stored AS lb_ranks_stored, s.* FROM %2$s s JOIN %3$s sc USING (scope_id)
           WHERE NOT %9$s),
    x AS (
      SELECT coalesce(st.period, t.period) AS period, coalesce(st.period_start, t.period_start) AS period_start,
             coalesce(st.scope_key, t.scope_key) AS scope_key, coalesce(st.%4$I, t.%4$I)::text AS lb_agent,
             st.scope_key IS NULL AS s_missing, t.scope_key IS NULL AS e_missing,
             st.kpis AS s_kpis, t.kpis AS e_kpis, st.score AS s_score, t.score AS e_score,
             st.qualified AS s_qualified, t.qualified AS e_qualified, st.rank AS s_rank,
             CASE WHEN st.lb_ranks_stored IS NOT FALSE THEN t.rank END AS e_rank,
             st.tier AS s_tier, t.tier AS e_tier, coalesce(st.score, t.score) AS score,
             coalesce(st.qualified, t.qualified) AS qualified %5$s
      FROM st FULL JOIN t ON st.scope_key = t.scope_key AND st.%4$I = t.%4$I)
    SELECT CASE WHEN x.s_missing THEN 'missing' WHEN x.e_missing THEN 'unexpected' ELSE 'different' END,
           x.period, x.period_start, %6$s, x.lb_agent,
           CASE WHEN NOT x.s_missing THEN jsonb_build_object('kpis', x.s_kpis::text, 'score', x.s_score, 'qualified', x.s_qualified, 'rank', x.s_rank, 'tier', x.s_tier) END,
           CASE WHEN NOT x.e_missing THEN jsonb_build_object('kpis', x.e_kpis::text, 'score', x.e_score, 'qualified', x.e_qualified, 'rank', x.e_rank, 'tier', x.e_tier) END
    FROM x
    WHERE x.s_missing OR x.e_missing OR NOT leaderboard._kpis_close(x.s_kpis, x.e_kpis, %8$s)
       OR abs(x.s_score - x.e_score) > 1e-9 * greatest(1, abs(x.e_score))
       OR x.s_qualified <> x.e_qualified OR x.s_rank IS DISTINCT FROM x.e_rank OR NOT (%7$s)
    ORDER BY 2, 3, x.scope_key, 5
  $q$,
    (SELECT s.expected FROM leaderboard._board_statements(board) s),
    b.standings, b.scopes, b.agent_column,
    (SELECT coalesce(string_agg(format(', coalesce(st.%1$I, t.%1$I) AS %1$I', q), ''), '') FROM unnest(b.partition_by) q),
    part_json, tier_ok, cardinality(b.metric_names),
    -- closed scopes are frozen: compared with nothing
    leaderboard._closed_sql(b.closed_before, 's.period', 's.period_start'));
END $$;
COMMENT ON FUNCTION leaderboard.verify(text) IS
  'compares a board''s standings in open periods with a from-scratch recomputation from one snapshot; returns one row per difference, none when correct';

-- The length of a period of a kind (day .. year), as an interval (a quarter is not one of
-- PostgreSQL's interval units).
CREATE FUNCTION leaderboard._period_length(kind text) RETURNS interval
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT CASE kind WHEN 'day' THEN interval '1 day' WHEN 'week' THEN interval '7 days'
                   WHEN 'month' THEN interval '1 month' WHEN 'quarter' THEN interval '3 months'
                   WHEN 'year' THEN interval '1 year' END
$$;
COMMENT ON FUNCTION leaderboard._period_length(text) IS
  'internal: the length of a period of a kind (day .. year) as an interval';

-- Per period kind the board closes (all but 'all'), the start of its first period still
-- open at a time: a period closes once its grace has passed since its end (the start of
-- the next period, in the board's time zone), the grace's days and months counted on the
-- board's calendar from the end, its hours, minutes and seconds as time elapsed after
-- that, as timestamptz arithmetic in the board's time zone has it. So a grace of hours is
-- that many hours even across a DST change, and one of '1 day' ends at the next local
-- midnight. The start looked for is near the period holding the time less the grace, in
-- local time: from one period before it to three after (a grace in months moves the end by
-- calendar months, up to three days from where local time less the grace puts it). A
-- campaign's 'all' closes (closed before 'infinity') once its end plus the grace, the same
-- way, has passed. Closes never undo: a kind already closed further (a grace made longer
-- since) stays so.
CREATE FUNCTION leaderboard._closed_before(b leaderboard.boards, at timestamptz) RETURNS jsonb
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT coalesce(jsonb_object_agg(k.kind, greatest(
           coalesce((b.closed_before ->> k.kind)::date, '-infinity'::date),
           (SELECT max(x.start)::date
              FROM generate_series(-1, 3) AS i,
                   LATERAL (SELECT date_trunc(k.kind, (at AT TIME ZONE b.time_zone) - b.grace)
                                   + i * leaderboard._period_length(k.kind) AS start) x
             WHERE at >= ((x.start + date_trunc('day', b.grace)) AT TIME ZONE b.time_zone)
                         + (b.grace - date_trunc('day', b.grace))))), '{}'::jsonb)
         || CASE WHEN b.closed_before ? 'all'
                      OR at >= (((b.ends AT TIME ZONE b.time_zone) + date_trunc('day', b.grace)) AT TIME ZONE b.time_zone)
                               + (b.grace - date_trunc('day', b.grace))
                 THEN '{"all": "infinity"}'::jsonb ELSE '{}'::jsonb END
  FROM unnest(b.periods) AS k(kind) WHERE k.kind <> 'all'
$$;
COMMENT ON FUNCTION leaderboard._closed_before(leaderboard.boards, timestamptz) IS
  'internal: per period kind of a board, the start of its first period not yet closable at a time';

-- The day a board's retention keeps from, or NULL when it keeps every day row.
CREATE FUNCTION leaderboard._retained_from(b leaderboard.boards, at timestamptz) RETURNS date
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT ((at AT TIME ZONE b.time_zone) - b.retention)::date WHERE 'day' = ANY (b.periods)
$$;
COMMENT ON FUNCTION leaderboard._retained_from(leaderboard.boards, timestamptz) IS
  'internal: the first day whose rows a board''s retention keeps at a time (NULL: all of them)';

-- Under REPEATABLE READ or SERIALIZABLE, close_periods reads its transaction's snapshot:
-- it raises 40001 unless that snapshot sees the scopes it closes as they are.
CREATE FUNCTION leaderboard._check_snapshot_current(board text, query text) RETURNS void
  AS 'MODULE_PATHNAME', 'board_check_snapshot_current' LANGUAGE C STRICT;
COMMENT ON FUNCTION leaderboard._check_snapshot_current(text, text) IS
  'internal: under REPEATABLE READ or SERIALIZABLE, raises 40001 when a query, run as the caller, gives another result with the latest snapshot than with the transaction''s';

CREATE FUNCTION leaderboard.close_periods(board text) RETURNS integer
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp SET DateStyle = 'ISO, YMD' SET IntervalStyle = 'postgres' SET TimeZone = 'UTC' SET extra_float_digits = 1 SET bytea_output = 'hex' SET standard_conforming_strings = on SET work_mem = '256MB' SET jit = off AS $$
DECLARE
  b leaderboard.boards := leaderboard._board(board);
  target jsonb;
  kept_from date;
  was text;
  now_closed text;
  part_json text := 'pg_catalog.jsonb_build_object()';
  closed leaderboard.closed_periods[];
  winners leaderboard.period_winners[];
  n integer;
  old_days boolean := false;
BEGIN
  PERFORM leaderboard._require_owner(b);
  -- nothing to close and no day row to forget: return without locking out the writers
  kept_from := leaderboard._retained_from(b, now());
  target := leaderboard._closed_before(b, now());
  IF kept_from IS NOT NULL THEN
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %s sc WHERE sc.period = ''day'' AND sc.period_start < $1 AND %s)',
                   b.scopes, leaderboard._closed_sql(target, 'sc.period', 'sc.period_start'))
      INTO old_days USING kept_from;
  END IF;
  IF target = b.closed_before AND NOT old_days THEN
    RETURN 0;
  END IF;
  -- the calls of a statement still running (one with a data-modifying WITH that calls
  -- close_periods, say) reach the board only when it ends, after the close: refused
  IF leaderboard._writing_statement_running() THEN
    RAISE EXCEPTION 'board "%" cannot close periods inside a statement that writes', board
      USING ERRCODE = 'object_not_in_prerequisite_state',
            DETAIL = 'The calls such a statement writes reach the board only when it ends, after the close.',
            HINT = 'Call close_periods in a statement of its own.';
  END IF;
  -- as alter_board and rebuild: writers wait, and a concurrent close_periods waits here and
  -- then finds its work done
  PERFORM leaderboard._lock_scopes(b);
  -- calls this transaction wrote before the close count in what it freezes: they are
  -- applied now (SET CONSTRAINTS fires the deferred apply), not at commit, where the
  -- closed scopes would no longer take them
  IF leaderboard._captured(board) THEN
    SET CONSTRAINTS leaderboard.apply_at_commit IMMEDIATE;
    SET CONSTRAINTS leaderboard.apply_at_commit DEFERRED;
    IF leaderboard._captured(board) THEN
      RAISE EXCEPTION 'board "%" cannot close periods before the calls this statement writes are applied', board
        USING ERRCODE = 'object_not_in_prerequisite_state',
              HINT = 'Call close_periods in a statement of its own.';
    END IF;
  END IF;
  b := leaderboard._board(board);
  target := leaderboard._closed_before(b, now());
  was := leaderboard._closed_sql(b.closed_before, 'sc.period', 'sc.period_start');
  now_closed := leaderboard._closed_sql(target, 'sc.period', 'sc.period_start');
  -- what follows reads the closing scopes with this transaction's snapshot: under
  -- REPEATABLE READ it may predate a writer that committed into one of them (or created
  -- one), whose rows the close would freeze without counting them
  PERFORM leaderboard._check_snapshot_current(board, format(
    'SELECT pg_catalog.md5(pg_catalog.string_agg(pg_catalog.format(''%%s %%s %%s'', sc.xmin, s.ctid, s.xmin), '',''
                                                 ORDER BY sc.scope_id, s.ctid))'
    ' FROM %s sc LEFT JOIN %s s ON s.scope_id = sc.scope_id WHERE %s AND NOT %s', b.scopes, b.standings, now_closed, was));
  IF cardinality(b.partition_by) > 0 THEN
    part_json := 'pg_catalog.jsonb_build_object(' || (SELECT string_agg(format('%L, s.%I', q, q), ', ') FROM unnest(b.partition_by) q) || ')';
  END IF;
  EXECUTE format('SELECT pg_catalog.array_agg(x.c ORDER BY (x.c).period, (x.c).period_start), pg_catalog.sum((x.c).scopes) FROM ('
                 ' SELECT ROW(%L, sc.period, sc.period_start, pg_catalog.count(*), pg_catalog.now())::leaderboard.closed_periods AS c'
                 ' FROM %s sc WHERE %s AND NOT %s GROUP BY sc.period, sc.period_start) x',
                 board, b.scopes, now_closed, was)
    INTO closed, n;
  -- the rows ranked 1 in each closing scope, as <board>_current ranks them (a scope too
  -- large to store ranks: the qualified rows no row outscores)
  EXECUTE format('SELECT pg_catalog.array_agg(ROW(%1$L, s.period, s.period_start, %2$s, s.%3$I::pg_catalog.text, s.score, s.tier, s.kpis)'
                 '::leaderboard.period_winners) FROM %4$s s JOIN %5$s sc ON sc.scope_id = s.scope_id'
                 ' WHERE %6$s AND NOT %7$s AND s.qualified AND coalesce(s.rank, CASE WHEN NOT EXISTS ('
                 '  SELECT 1 FROM %4$s a WHERE a.scope_id = s.scope_id AND a.qualified AND a.score > s.score) THEN 1 END) = 1',
                 board, part_json, b.agent_column, b.standings, b.scopes, now_closed, was)
    INTO winners;
  PERFORM leaderboard._catalog_close(board, b.grace, b.retention, target, closed, winners);
  -- retention: closed day rows older than it, with their scopes (winners stay recorded)
  kept_from := leaderboard._retained_from(b, now());
  IF kept_from IS NOT NULL THEN
    EXECUTE format('DELETE FROM %s s USING %s sc WHERE s.scope_id = sc.scope_id AND sc.period = ''day'' AND sc.period_start < $1 AND %s',
                   b.standings, b.scopes, now_closed)
      USING kept_from;
    EXECUTE format('DELETE FROM %s sc WHERE sc.period = ''day'' AND sc.period_start < $1 AND %s', b.scopes, now_closed)
      USING kept_from;
  END IF;
  RETURN coalesce(n, 0);
END $$;
COMMENT ON FUNCTION leaderboard.close_periods(text) IS
  'closes the periods of a board that ended more than its grace ago: freezes their standings, records them and their winners, and deletes closed day rows older than its retention; returns the number of scopes closed';

-- The start of the first period of a kind (day .. year) starting on or after a day: the
-- one beginning that day, else the next. A card taking effect on the day scores the
-- periods of the kind from that one on.
CREATE FUNCTION leaderboard._period_start_on_or_after(kind text, day date) RETURNS date
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT CASE WHEN date_trunc(kind, day::timestamp)::date = day THEN day
              ELSE (date_trunc(kind, day::timestamp) + leaderboard._period_length(kind))::date END
$$;
COMMENT ON FUNCTION leaderboard._period_start_on_or_after(text, date) IS
  'internal: the start of the first period of a kind (day .. year) starting on or after a day';

-- A card that takes effect on a date scores the periods that start on or after it: there
-- must be such periods, and none of them may be closed (closed periods keep the scores
-- they closed with).
CREATE FUNCTION leaderboard._check_effective_from(b leaderboard.boards, scorecard jsonb, effective_from date)
RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  closed date;
BEGIN
  IF scorecard IS NULL THEN
    RAISE EXCEPTION 'effective_from needs a scorecard' USING ERRCODE = 'invalid_parameter_value',
      HINT = 'Give the card that takes effect on that date: alter_board(board, scorecard => ..., effective_from => ...).';
  END IF;
  IF NOT isfinite(effective_from) THEN
    RAISE EXCEPTION 'effective_from must be a finite date, not %', effective_from
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF b.periods <@ ARRAY['all'] THEN
    RAISE EXCEPTION 'board "%" has no period that starts on a date', b.name
      USING ERRCODE = 'invalid_parameter_value',
            DETAIL = 'Its one period, all, starts before any date and keeps the card it started with.',
            HINT = 'Change its card without effective_from.';
  END IF;
  -- a closed period of a kind starting on or after the date: the first period of the kind
  -- starting then (the one beginning that day, else the next) is before the kind's first
  -- open one (closed_before); the earliest date a card may take effect from is the day
  -- after the start of the last closed period of each kind
  IF EXISTS (SELECT 1 FROM jsonb_each_text(b.closed_before) c
             WHERE c.key <> 'all'
               AND leaderboard._period_start_on_or_after(c.key, effective_from) < c.value::date) THEN
    SELECT max((c.value::date - leaderboard._period_length(c.key))::date + 1) INTO closed
    FROM jsonb_each_text(b.closed_before) c WHERE c.key <> 'all';
    RAISE EXCEPTION 'board "%" has closed periods starting on or after %', b.name, effective_from
      USING ERRCODE = 'object_not_in_prerequisite_state',
            DETAIL = 'Closed periods keep the scores and the cards they closed with.',
            HINT = format('Give an effective_from of %s or later.', closed);
  END IF;
END $$;
COMMENT ON FUNCTION leaderboard._check_effective_from(leaderboard.boards, jsonb, date) IS
  'internal: raises unless a card can take effect on the date: given with a card, finite, on a board with dated periods, none of them closed from that date on';

-- What _catalog_set_card_versions may write: what alter_board makes of cards taking effect
-- later, one per date, by ascending date, each one per period of the board and aligned to
-- its metrics.
CREATE FUNCTION leaderboard._check_card_versions(board text, versions jsonb) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  b leaderboard.boards := leaderboard._board(board);
  problem text;
BEGIN
  problem := CASE
    WHEN jsonb_typeof(versions) IS DISTINCT FROM 'array' THEN 'not an array'
    WHEN EXISTS (SELECT 1 FROM jsonb_array_elements(versions) v
                 WHERE jsonb_typeof(v) <> 'object'
                    OR (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(v) k) IS DISTINCT FROM ARRAY['from', 'scorecards']
                    OR jsonb_typeof(v -> 'from') <> 'string'
                    OR v ->> 'from' !~ '^\d{4}-\d{2}-\d{2}$')
      THEN 'an entry is not {"from": date, "scorecards": {...}}'
    WHEN EXISTS (SELECT 1 FROM (SELECT (v ->> 'from')::date AS d, lag((v ->> 'from')::date) OVER (ORDER BY i) AS p
                                FROM jsonb_array_elements(versions) WITH ORDINALITY AS x(v, i)) o
                 WHERE o.d <= o.p)
      THEN 'dates not ascending'
    WHEN EXISTS (SELECT 1 FROM jsonb_array_elements(versions) v
                 WHERE jsonb_typeof(v -> 'scorecards') <> 'object'
                    OR v -> 'scorecards' <> leaderboard._board_cards(
                         (SELECT jsonb_object_agg(c.key, (c.value #>> '{}')::jsonb) FROM jsonb_each(v -> 'scorecards') c),
                         b.periods, b.metric_names))
      THEN 'scorecards that are not one per period, aligned to its metrics'
    -- ties are ordered by each tie_break metric's stat and direction in the first card
    -- (_tie_break_sql), whatever card scored the period
    WHEN EXISTS (SELECT 1 FROM jsonb_array_elements(versions) v, jsonb_each_text(v -> 'scorecards') c,
                               jsonb_array_elements(c.value::jsonb -> 'metrics') e, unnest(b.tie_break) t
                 WHERE e ->> 'name' = t
                   AND concat_ws('/', e ->> 'stat', e ->> 'better') IS DISTINCT FROM (
                     SELECT concat_ws('/', f ->> 'stat', f ->> 'better')
                     FROM jsonb_each_text(b.scorecards) fc, jsonb_array_elements(fc.value::jsonb -> 'metrics') f
                     WHERE f ->> 'name' = t ORDER BY fc.key LIMIT 1))
      THEN 'a card orders ties (tie_break) by another stat or direction than the board''s first card'
    -- a card new to the board scores no closed period: a version whose first period of a
    -- kind (the first starting on or after its day) is before the kind's closed_before
    -- keeps that kind's card as it was
    WHEN EXISTS (SELECT 1 FROM jsonb_array_elements(versions) v, jsonb_each(v -> 'scorecards') c
                 WHERE c.key <> 'all' AND b.closed_before ? c.key
                   AND leaderboard._period_start_on_or_after(c.key, (v ->> 'from')::date)
                       < (b.closed_before ->> c.key)::date
                   AND c.value IS DISTINCT FROM leaderboard._card_in_force(b, c.key, (v ->> 'from')::date))
      THEN 'a card taking effect on a day whose periods are closed'
  END;
  IF problem IS NOT NULL THEN
    RAISE EXCEPTION 'invalid scorecards of board "%" taking effect later: %', board, problem
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Set a card that takes effect later with leaderboard.alter_board(board, scorecard => ..., effective_from => ...).';
  END IF;
END $$;
COMMENT ON FUNCTION leaderboard._check_card_versions(text, jsonb) IS
  'internal: raises 22023 unless cards taking effect later are what alter_board makes of them';
CREATE FUNCTION leaderboard._catalog_set_card_versions(board text, versions jsonb) RETURNS void
  AS 'MODULE_PATHNAME', 'board_catalog_set_card_versions' LANGUAGE C;
COMMENT ON FUNCTION leaderboard._catalog_set_card_versions(text, jsonb) IS
  'internal: replaces the scorecards taking effect later of a board the caller owns';

-- The indexes the reads and writes of this version need on a board's tables, as
-- create_board makes them: (scope_id, score, agent) on the standings, (period,
-- period_start, partition columns) on the scopes. A board restored from a dump of a
-- database of an older version has that version's indexes (the update of the extension
-- changes them only for the boards there at the time): the missing ones are made, the
-- standings' old index on (period, period_start, partition columns, score) dropped.
-- alter_board(board) with nothing to change (the step after such a restore) runs this.
CREATE FUNCTION leaderboard._board_indexes(b leaderboard.boards) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  parts_cols text := (SELECT coalesce(string_agg(', ' || quote_ident(p), '' ORDER BY o), '')
                      FROM unnest(b.partition_by) WITH ORDINALITY AS x(p, o));
  scope_cols text[] := ARRAY['period', 'period_start'] || b.partition_by::text[];
  has_score_index boolean;
  has_scope_index boolean;
  old_indexes text[];
  idx text;
BEGIN
  -- the two tables' indexes by the names of their key columns, in order
  SELECT coalesce(bool_or(i.indrelid = b.standings AND plain AND k.cols = ARRAY['scope_id', 'score', b.agent_column::text]), false),
         coalesce(bool_or(i.indrelid = b.scopes AND plain AND k.cols = scope_cols), false),
         array_agg(format('%I.%I', n.nspname, c.relname))
           FILTER (WHERE i.indrelid = b.standings AND NOT i.indisprimary AND k.cols = scope_cols || ARRAY['score'])
  INTO has_score_index, has_scope_index, old_indexes
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
  CROSS JOIN LATERAL (SELECT i.indpred IS NULL AND i.indexprs IS NULL) p(plain)
  CROSS JOIN LATERAL (SELECT array_agg(a.attname::text ORDER BY x.o) FROM unnest(i.indkey) WITH ORDINALITY x(attnum, o)
                      JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = x.attnum) k(cols)
  WHERE i.indrelid IN (b.standings, b.scopes);
  IF NOT has_score_index THEN
    EXECUTE format('CREATE INDEX ON %s (scope_id, score, %I)', b.standings, b.agent_column);
  END IF;
  IF NOT has_scope_index THEN
    EXECUTE format('CREATE INDEX ON %s (period, period_start%s)', b.scopes, parts_cols);
  END IF;
  FOREACH idx IN ARRAY coalesce(old_indexes, '{}') LOOP
    EXECUTE format('DROP INDEX %s', idx);
  END LOOP;
END $$;
COMMENT ON FUNCTION leaderboard._board_indexes(leaderboard.boards) IS
  'internal: makes the indexes this version reads a board''s tables by where they are missing (a board restored from an older version''s dump), dropping the old standings index';

-- The catalog row of a board read again once its scopes table (locked) was locked: an
-- admin call that waited for that lock must not write back what it read before. The board
-- dropped, or dropped and made again, meanwhile: 40001 (the call may be retried).
CREATE FUNCTION leaderboard._board_after_lock(board text, locked leaderboard.boards) RETURNS leaderboard.boards
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  b leaderboard.boards;
BEGIN
  SELECT * INTO b FROM leaderboard.boards x WHERE x.name OPERATOR(pg_catalog.=) board;
  IF NOT FOUND OR b.scopes IS DISTINCT FROM locked.scopes THEN
    RAISE EXCEPTION 'board "%" was dropped or made again while this call waited for it', board
      USING ERRCODE = 'serialization_failure';
  END IF;
  RETURN b;
END $$;
COMMENT ON FUNCTION leaderboard._board_after_lock(text, leaderboard.boards) IS
  'internal: a board''s catalog row read again after its scopes table was locked (40001 when the board was dropped or made again meanwhile)';

CREATE FUNCTION leaderboard.alter_board(board text, scorecard jsonb DEFAULT NULL, ladder leaderboard.ladder DEFAULT NULL,
                                        drop_ladder boolean DEFAULT false,
                                        calendar leaderboard.calendar DEFAULT NULL, drop_calendar boolean DEFAULT false,
                                        events jsonb DEFAULT NULL,
                                        grace interval DEFAULT NULL, retention interval DEFAULT NULL,
                                        drop_retention boolean DEFAULT NULL, effective_from date DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp SET DateStyle = 'ISO, YMD' SET IntervalStyle = 'postgres' SET TimeZone = 'UTC' SET extra_float_digits = 1 SET bytea_output = 'hex' SET standard_conforming_strings = on SET work_mem = '256MB' SET jit = off AS $$
DECLARE
  b leaderboard.boards := leaderboard._board(board);
  n bigint;
  old_extremes bigint;
  keep_tiers boolean;
  -- the views change with the card, the ladder and the calendar, and are made again when
  -- nothing is given (after ALTER EXTENSION UPDATE); events, grace and retention alone
  -- change none (remaking them would wait for their readers)
  remakes_views boolean := scorecard IS NOT NULL OR ladder IS NOT NULL OR drop_ladder IS TRUE
    OR alter_board.calendar IS NOT NULL OR drop_calendar IS TRUE
    OR (events IS NULL AND grace IS NULL AND alter_board.retention IS NULL AND drop_retention IS NOT TRUE);
BEGIN
  PERFORM leaderboard._require_owner(b);
  -- the views it makes again are locked before the scopes table: a transaction that read
  -- them and then wrote calls commits first (its commit waits for the scopes table, which
  -- this would otherwise hold while waiting for that transaction's read). Making them
  -- again as they are takes that lock on the views alone (LOCK TABLE of a view would lock
  -- the tables it reads too); they are made as the new definition says further down.
  IF remakes_views THEN
    PERFORM leaderboard._board_views(b);
  END IF;
  PERFORM leaderboard._lock_scopes(b);
  -- the board as the admin call it may have waited for left it (its card, ladder, closed
  -- periods ...): everything below starts from this, never from what was read before
  b := leaderboard._board_after_lock(board, b);
  old_extremes := leaderboard._exact_extremes(b);
  -- the events and the retention the board ends up with
  PERFORM leaderboard._check_milestone_retention(
    CASE WHEN events = '{}' THEN NULL ELSE coalesce(events, b.events) END,
    CASE WHEN drop_retention THEN NULL ELSE coalesce(alter_board.retention, b.retention) END);
  IF effective_from IS NOT NULL THEN
    PERFORM leaderboard._check_effective_from(b, scorecard, effective_from);
  END IF;
  -- a NULL argument is one not given: a ladder is removed by name, not by a NULL
  IF drop_ladder AND ladder IS NOT NULL THEN
    RAISE EXCEPTION 'a new ladder and drop_ladder cannot be combined' USING ERRCODE = 'invalid_parameter_value',
      HINT = 'Give either ladder => ''...'' or drop_ladder => true.';
  END IF;
  -- the ladder the board has, given again, is no new ladder: held tiers carry over
  keep_tiers := ladder IS NULL OR ladder::text IS NOT DISTINCT FROM b.ladder::text;
  IF ladder IS NOT NULL THEN
    b.ladder := ladder;
  ELSIF drop_ladder IS TRUE THEN
    b.ladder := NULL;
  END IF;
  -- events are checked against the ladder the board ends up with; {} emits none
  IF events IS NOT NULL OR drop_ladder IS TRUE THEN
    b.events := CASE WHEN events = '{}' THEN NULL ELSE coalesce(events, b.events) END;
    IF b.events IS NOT NULL THEN
      PERFORM leaderboard._events_config(b, b.events);
    END IF;
    PERFORM leaderboard._catalog_set_events(board, b.events);
  END IF;
  -- made, dropped, or put back in its mode
  PERFORM leaderboard._board_event_trigger(b);
  IF drop_calendar AND alter_board.calendar IS NOT NULL THEN
    RAISE EXCEPTION 'a new calendar and drop_calendar cannot be combined' USING ERRCODE = 'invalid_parameter_value',
      HINT = 'Give either calendar => ''...'' or drop_calendar => true.';
  END IF;
  -- the calendar changes no standings row: only the views that count working days
  IF alter_board.calendar IS NOT NULL OR drop_calendar IS TRUE THEN
    b.calendar := CASE WHEN drop_calendar IS TRUE THEN NULL ELSE alter_board.calendar END;
    PERFORM leaderboard._catalog_set_calendar(board, b.calendar);
  END IF;
  IF drop_retention AND retention IS NOT NULL THEN
    RAISE EXCEPTION 'a new retention and drop_retention cannot be combined' USING ERRCODE = 'invalid_parameter_value',
      HINT = 'Give either retention => ''...'' or drop_retention => true.';
  END IF;
  -- the close settings change no standings row: written alone
  IF grace IS NOT NULL OR retention IS NOT NULL OR drop_retention THEN
    b.grace := coalesce(alter_board.grace, b.grace);
    b.retention := CASE WHEN drop_retention THEN NULL ELSE coalesce(alter_board.retention, b.retention) END;
    PERFORM leaderboard._catalog_close(board, b.grace, b.retention, b.closed_before, NULL, NULL);
  END IF;
  -- no new card or ladder: no row is rescored; the views are made again when they change
  -- (and when nothing is given: this is how boards made by an older version get this
  -- version's views after ALTER EXTENSION UPDATE)
  IF scorecard IS NULL AND ladder IS NULL AND drop_ladder IS NOT TRUE THEN
    IF remakes_views THEN
      PERFORM leaderboard._board_indexes(b);
      PERFORM leaderboard._board_views(b);
    END IF;
    RETURN 0;
  END IF;
  IF scorecard IS NOT NULL THEN
    PERFORM leaderboard._check_tie_break(b.tie_break, scorecard);
    IF effective_from IS NULL AND b.closed_before ? 'all' THEN
      RAISE EXCEPTION 'board "%" is closed', board USING ERRCODE = 'object_not_in_prerequisite_state',
        DETAIL = 'Its one period has closed; it keeps the scores and the card it closed with.';
    ELSIF effective_from IS NULL AND b.closed_before <> '{}' THEN
      -- the card of every open period; closed periods keep the cards they closed with
      SELECT o.scorecards, o.card_versions INTO b.scorecards, b.card_versions
      FROM leaderboard._cards_for_open_periods(b, leaderboard._board_cards(scorecard, b.periods, b.metric_names)) o;
    ELSIF effective_from IS NULL THEN
      -- the card of every period, also of those a later card was set for
      b.scorecards := leaderboard._board_cards(scorecard, b.periods, b.metric_names);
      b.card_versions := '[]';
    ELSE
      -- the card of the periods starting on or after effective_from, until a later one;
      -- it replaces a card set for the same date
      b.card_versions := (
        SELECT jsonb_agg(v.v ORDER BY (v.v ->> 'from')::date)
        FROM (SELECT o AS v FROM jsonb_array_elements(b.card_versions) o
              WHERE (o ->> 'from')::date <> effective_from
              UNION ALL
              SELECT jsonb_build_object('from', effective_from,
                                        'scorecards', leaderboard._board_cards(scorecard, b.periods, b.metric_names))) v);
    END IF;
  END IF;
  -- a card that reads a min or max no card read before: corrections of that metric now
  -- re-read the source, and the stored rows may have forgotten its extremes
  b.source_index := leaderboard._ensure_source_index(b);
  PERFORM leaderboard._catalog_update(board, b.scorecards, b.ladder::text, b.source_index);
  IF scorecard IS NOT NULL THEN
    PERFORM leaderboard._catalog_set_card_versions(board, b.card_versions);
  END IF;
  PERFORM leaderboard._board_views(b);
  IF leaderboard._exact_extremes(b) & ~old_extremes <> 0 THEN
    RETURN leaderboard.rebuild(board);
  END IF;
  -- tiers of a rank ladder need every rank: scopes that stopped storing ranks store them
  -- again (the rescore below writes them)
  IF b.ladder IS NOT NULL AND leaderboard.ladder_kind(b.ladder) <> 'points' THEN
    EXECUTE format('UPDATE %s SET ranks_stored = true WHERE NOT ranks_stored', b.scopes);
  END IF;
  -- rescore and re-rank from the stored kpis in one statement: no source row is read; a
  -- held tier carries over only while the ladder stays the same
  EXECUTE (SELECT x.rescore FROM leaderboard._board_statements(board) x) INTO n USING keep_tiers;
  RETURN n;
END $$;
COMMENT ON FUNCTION leaderboard.alter_board(text, jsonb, leaderboard.ladder, boolean, leaderboard.calendar, boolean, jsonb, interval, interval, boolean, date) IS
  'changes a board''s scorecard (for every open period, closed ones keeping the cards they closed with, or with effective_from for the periods that start on or after that date) or ladder (drop_ladder => true removes it) and rescores its open standings from the stored kpis, without reading the source; returns the number of rows whose score, rank or tier it changed; sets its calendar (drop_calendar => true removes it), the events it emits (events => ''{}'' emits none), its grace and retention (drop_retention => true keeps day rows forever); with nothing to change, only makes the board''s views again';

-- What a board created besides its triggers, and its catalog row: shared by drop_board and
-- the drop of a source table (whose triggers go with it).
CREATE FUNCTION leaderboard._drop_board_objects(b leaderboard.boards) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  schema text := leaderboard._board_schema(b);
BEGIN
  IF schema IS NOT NULL THEN
    -- by its full signature: another role's function of the same name is not the board's
    EXECUTE format('DROP FUNCTION IF EXISTS %s.%I(%s, text, integer)', schema, b.name || '_around',
                   (SELECT format_type(a.atttypid, NULL) FROM pg_attribute a
                    WHERE a.attrelid = b.standings AND a.attname = b.agent_column));
    EXECUTE format('DROP FUNCTION IF EXISTS %s.%I(%stext, integer)', schema, b.name || '_top',
                   (SELECT coalesce(string_agg(format_type(a.atttypid, NULL) || ', ', '' ORDER BY x.o), '')
                    FROM unnest(b.partition_by) WITH ORDINALITY AS x(p, o)
                    JOIN pg_attribute a ON a.attrelid = b.standings AND a.attname = x.p));
    -- only boards keeping day rows have <board>_streaks
    IF to_regclass(format('%s.%I', schema, b.name || '_streaks')) IS NOT NULL THEN
      EXECUTE format('DROP VIEW %s.%I', schema, b.name || '_streaks');
    END IF;
    EXECUTE format('DROP VIEW IF EXISTS %s.%I, %s.%I, %s.%I, %s.%I, %s.%I', schema, b.name || '_badges', schema, b.name || '_movement',
                   schema, b.name || '_current', schema, b.name || '_explain', schema, b.name || '_goals');
    EXECUTE format('DROP TABLE IF EXISTS %s, %s', b.standings, b.scopes);
  END IF;
  PERFORM leaderboard.delete_events(b.name);
  PERFORM leaderboard._catalog_delete(b.name);
END $$;
COMMENT ON FUNCTION leaderboard._drop_board_objects(leaderboard.boards) IS
  'internal: drops a board''s standings, scopes, views, around-me function and catalog row (its goals go with the row)';

CREATE FUNCTION leaderboard.drop_board(board text) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  b leaderboard.boards := leaderboard._board(board);
  t record;
  idx text;
BEGIN
  PERFORM leaderboard._require_owner(b);
  -- the source first, as its writers take it before the board's tables (their commit
  -- applies to those): dropping the tables before the triggers would wait for writers
  -- holding the source while they wait for the tables, a deadlock
  EXECUTE format('LOCK TABLE %s IN ACCESS EXCLUSIVE MODE', b.source);
  -- the catalog row goes first: the triggers dropped next then belong to no board, and
  -- leaderboard_keep_board_triggers lets them go
  PERFORM leaderboard._drop_board_objects(b);
  FOR t IN SELECT tg.tgname, tg.tgrelid::regclass AS rel FROM pg_trigger tg
           WHERE (tg.tgname IN ('lb_' || board || '_ins', 'lb_' || board || '_upd', 'lb_' || board || '_del', 'lb_' || board || '_trunc')
                  AND tg.tgfoid = 'leaderboard._board_capture()'::regprocedure)
              OR (tg.tgname = 'lb_' || board || '_repl' AND tg.tgrelid = b.source
                  AND tg.tgfoid = 'leaderboard._board_capture_row()'::regprocedure) LOOP
    EXECUTE format('DROP TRIGGER %I ON %s', t.tgname, t.rel);
  END LOOP;
  -- the source index the board created goes with the last board recording it
  SELECT format('%I.%I', n.nspname, c.relname) INTO idx
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE i.indrelid = b.source AND c.relname = b.source_index
    AND NOT EXISTS (SELECT 1 FROM leaderboard.boards x
                    WHERE x.name <> b.name AND x.source = b.source AND x.source_index = b.source_index);
  IF idx IS NOT NULL THEN
    BEGIN
      EXECUTE format('DROP INDEX %s', idx);
    EXCEPTION WHEN insufficient_privilege THEN
      RAISE WARNING 'board "%" leaves its index % on table %: %', board, idx, b.source, SQLERRM
        USING HINT = 'The owner of the table can drop the index.';
    END;
  END IF;
END $$;
COMMENT ON FUNCTION leaderboard.drop_board(text) IS
  'drops a board: its triggers, standings, scopes, views, around-me function, goals, catalog row and the source index it created';

CREATE FUNCTION leaderboard.rolling(board text, days integer, as_of date DEFAULT NULL)
RETURNS TABLE (partition jsonb, agent text, kpis leaderboard.kpis, score double precision,
               qualified boolean, rank bigint)
-- DateStyle: the card's dates are written into the statement as literals, read back
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp SET DateStyle = 'ISO, YMD' AS $$
DECLARE
  b leaderboard.boards := leaderboard._board(board);
  parts text := '';
  part_json text := 'jsonb_build_object()';
  card text;
  day date := coalesce(as_of, (now() AT TIME ZONE b.time_zone)::date);
  -- the window's first day: at most back to the first day of the date range
  first date;
  -- ranked as the board ranks: its rank style, a row_number board by its tie-break chain
  -- and then the agent (in the collation of its standings' column)
  rank_fn text := leaderboard._rank_fn_sql(b.rank_style);
  rank_order text := leaderboard._rank_order_sql(b, 'g.q', 'g.s', 'g.k', 'g.lb_agent');
BEGIN
  IF NOT 'day' = ANY (b.periods) THEN
    RAISE EXCEPTION 'board "%" keeps no day rows', board USING ERRCODE = 'invalid_parameter_value',
      HINT = 'Rolling windows are merged from day rows: include ''day'' in the board''s periods.';
  END IF;
  IF days IS NULL OR days < 1 THEN
    RAISE EXCEPTION 'a rolling window needs at least one day' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF NOT isfinite(day) THEN
    RAISE EXCEPTION 'a rolling window ends on a finite day, not on %', day USING ERRCODE = 'invalid_parameter_value';
  END IF;
  first := CASE WHEN days > day - make_date(-4714, 11, 24) THEN make_date(-4714, 11, 24) ELSE day - days + 1 END;
  IF cardinality(b.partition_by) > 0 THEN
    parts := ', ' || (SELECT string_agg(quote_ident(q), ', ') FROM unnest(b.partition_by) q);
    part_json := 'jsonb_build_object(' || (SELECT string_agg(format('%L, %I', q, q), ', ') FROM unnest(b.partition_by) q) || ')';
  END IF;
  -- a window, like a period, uses the card in force on the day it starts
  card := leaderboard._card_sql(b, quote_literal('day'), format('%L::pg_catalog.date', first));
  RETURN QUERY EXECUTE format($q$
    SELECT g.p, g.a, g.k, g.s, g.q,
           CASE WHEN g.q THEN %6$s OVER (PARTITION BY g.p ORDER BY %7$s) END
    FROM (SELECT %1$s AS p, %2$I::text AS a, %2$I AS lb_agent, leaderboard.kpi_merge(kpis) AS k,
                 leaderboard._board_score(leaderboard.kpi_merge(kpis), %3$s) AS s,
                 leaderboard.qualified(leaderboard.kpi_merge(kpis), %3$s) AS q
          FROM %4$s WHERE period = 'day' AND period_start >= $2 AND period_start <= $1
          GROUP BY %2$I%5$s) g
    ORDER BY 1, 6, 5 DESC, 2
  $q$, part_json, b.agent_column, card, b.standings, parts, rank_fn, rank_order) USING day, first;
END $$;
COMMENT ON FUNCTION leaderboard.rolling(text, integer, date) IS
  'standings over the last days days up to as_of (default: today in the board''s time zone), merged from day rows';

-- A dropped source takes its boards with it.
CREATE FUNCTION leaderboard._drop_boards_of_dropped_sources() RETURNS event_trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  b leaderboard.boards;
BEGIN
  FOR b IN
    SELECT * FROM leaderboard.boards
    WHERE source::oid IN (SELECT d.objid FROM pg_event_trigger_dropped_objects() d
                          WHERE d.classid = 'pg_class'::regclass AND d.objsubid = 0)
  LOOP
    BEGIN
      PERFORM leaderboard._drop_board_objects(b);
    EXCEPTION WHEN insufficient_privilege THEN
      RAISE WARNING 'the source of board "%" was dropped, but its objects could not be: %', b.name, SQLERRM
        USING HINT = 'Its owner can call leaderboard.drop_board().';
    END;
  END LOOP;
  -- a column of a source that stays, dropped along with something else (DROP TYPE ...
  -- CASCADE of its type): refused, as ALTER TABLE ... DROP COLUMN is, when the board reads it
  FOR b IN
    SELECT * FROM leaderboard.boards
    WHERE source::oid IN (SELECT d.objid FROM pg_event_trigger_dropped_objects() d
                          WHERE d.classid = 'pg_class'::regclass AND d.objsubid > 0)
  LOOP
    PERFORM leaderboard._check_board_source(b);
  END LOOP;
END $$;
COMMENT ON FUNCTION leaderboard._drop_boards_of_dropped_sources() IS
  'internal: event trigger function dropping the boards of dropped source tables, and refusing to drop a column a board reads along with something else';
CREATE EVENT TRIGGER leaderboard_drop_boards ON sql_drop
  EXECUTE FUNCTION leaderboard._drop_boards_of_dropped_sources();
COMMENT ON EVENT TRIGGER leaderboard_drop_boards IS
  'drops a board''s standings, scopes, views and catalog row when its source table is dropped';

-- The columns and expressions a board reads must survive ALTER TABLE of its source: a
-- renamed or dropped column would make every later write to the source fail.
CREATE FUNCTION leaderboard._check_board_source(b leaderboard.boards) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  e text;
BEGIN
  -- the names the board's statements give their own columns over the source's
  IF EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = b.source AND attname IN ('lb_local', 'lb_kind', 'lb_day')
             AND NOT attisdropped) THEN
    RAISE EXCEPTION 'board "%" reserves the column names lb_local, lb_kind and lb_day of table %', b.name, b.source
      USING ERRCODE = 'duplicate_column',
            HINT = 'Give the column another name.';
  END IF;
  FOREACH e IN ARRAY ARRAY[quote_ident(b.agent_column), quote_ident(b.at_column)]
                     || ARRAY(SELECT quote_ident(p) FROM unnest(b.partition_by) p)
                     || b.metric_exprs || coalesce(ARRAY[b.filter], '{}') LOOP
    BEGIN
      PERFORM leaderboard._expression_type(b.source, e, 'expression');
    EXCEPTION WHEN OTHERS THEN
      RAISE EXCEPTION 'board "%" reads % of table %, which this change breaks', b.name, e, b.source
        USING ERRCODE = 'dependent_objects_still_exist',
              DETAIL = SQLERRM,
              HINT = 'Drop the board first (leaderboard.drop_board), then declare it again over the changed table.';
    END;
  END LOOP;
END $$;
COMMENT ON FUNCTION leaderboard._check_board_source(leaderboard.boards) IS
  'internal: raises 2BP01 when a board''s columns or expressions no longer fit its source';

-- A board counts what the statement triggers of its source (and of each partition of a
-- partitioned source) see. Rows that reach the source's contents without firing them would
-- never be counted, and the board would silently disagree with its calls:
--   - a source that is a partition: rows written through the partitioned table above it
--     fire that table's statement triggers, not the partition's;
--   - a source that inherits from a table: UPDATE and DELETE through the parent change
--     its rows and fire only the parent's statement triggers;
--   - a plain source with inheritance children: their rows show in the source, and are
--     written through the children's own triggers;
--   - a foreign partition: its rows change on its server.
--   - an unlogged table (ALTER TABLE ... SET UNLOGGED, an unlogged partition): crash recovery
--     empties it.
-- create_board refuses such a source, and an event trigger refuses the DDL that would make one.
CREATE FUNCTION leaderboard._source_family(source regclass) RETURNS SETOF oid
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  WITH RECURSIVE up(relid) AS (
    SELECT source::oid
    UNION SELECT i.inhparent FROM pg_inherits i JOIN up ON i.inhrelid = up.relid),
  down(relid) AS (
    SELECT source::oid
    UNION SELECT i.inhrelid FROM pg_inherits i JOIN down ON i.inhparent = down.relid)
  SELECT relid FROM up UNION SELECT relid FROM down
$$;
COMMENT ON FUNCTION leaderboard._source_family(regclass) IS
  'internal: a table, its ancestors and its descendants through inheritance and partitioning';

CREATE FUNCTION leaderboard._check_source_family(board_name text, source regclass) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  r record;
BEGIN
  SELECT i.inhparent::regclass AS parent, p.relkind INTO r
  FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent
  WHERE i.inhrelid = source ORDER BY i.inhseqno LIMIT 1;
  IF FOUND AND r.relkind = 'p' THEN
    RAISE EXCEPTION 'board "%" cannot be kept over %, a partition of %', board_name, source, r.parent
      USING ERRCODE = 'feature_not_supported',
            DETAIL = 'Rows written through the partitioned table reach the partition without firing its statement triggers, and the board would never count them.',
            HINT = format('Declare the board over %s: a board follows every partition of a partitioned source.', r.parent);
  ELSIF FOUND THEN
    RAISE EXCEPTION 'board "%" cannot be kept over %, which inherits from %', board_name, source, r.parent
      USING ERRCODE = 'feature_not_supported',
            DETAIL = 'UPDATE and DELETE through the parent table change the rows without firing the statement triggers of the table that holds them, and the board would never see the change.',
            HINT = 'Keep the calls in a table without a parent, or in a partitioned table.';
  END IF;
  SELECT i.inhrelid::regclass AS child INTO r
  FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhparent
  WHERE i.inhparent = source AND c.relkind = 'r' ORDER BY i.inhrelid LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'board "%" cannot be kept over %, which table % inherits from', board_name, source, r.child
      USING ERRCODE = 'feature_not_supported',
            DETAIL = 'Rows written to a table that inherits from the source show in the source but fire none of its triggers, and the board would never count them.',
            HINT = 'Use declarative partitioning (PARTITION BY, PARTITION OF): a board follows every partition of a partitioned source.';
  END IF;
  SELECT c.oid::regclass AS part INTO r
  FROM leaderboard._source_family(source) f(relid) JOIN pg_class c ON c.oid = f.relid
  WHERE c.relkind = 'f' ORDER BY c.oid LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'board "%" cannot be kept over %, which has foreign table % as a partition', board_name, source, r.part
      USING ERRCODE = 'feature_not_supported',
            DETAIL = 'The rows of a foreign table change on its server, where no trigger of the board sees them.',
            HINT = 'Keep foreign tables out of the partitions of a board''s source.';
  END IF;
  -- a row routed through the partitioned source reaches its statement triggers without the
  -- columns the partition generates (PostgreSQL 15), which the board computes itself with
  -- the source's expressions: every partition must generate what the source does, alike
  SELECT c.oid::regclass AS part, a.attname INTO r
  FROM leaderboard._source_family(source) f(relid)
  JOIN pg_class c ON c.oid = f.relid AND c.oid <> source
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
  JOIN pg_attribute sa ON sa.attrelid = source AND sa.attname = a.attname AND NOT sa.attisdropped
  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
  LEFT JOIN pg_attrdef sd ON sd.adrelid = sa.attrelid AND sd.adnum = sa.attnum
  WHERE (a.attgenerated <> '' OR sa.attgenerated <> '')
    AND (a.attgenerated <> sa.attgenerated
         OR pg_get_expr(d.adbin, d.adrelid) IS DISTINCT FROM pg_get_expr(sd.adbin, sd.adrelid))
  ORDER BY c.oid, a.attnum LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'board "%" cannot be kept over %, whose partition % generates column % otherwise', board_name, source, r.part, r.attname
      USING ERRCODE = 'feature_not_supported',
            DETAIL = 'A row written through the partitioned table reaches the board without the columns its partition generates; the board computes them with the expressions of the partitioned table.',
            HINT = 'Give every partition the generated columns of the partitioned table, with the same expressions.';
  END IF;
  -- create_board refuses an unlogged source itself; this keeps it, and its partitions, logged
  SELECT c.oid::regclass AS rel INTO r
  FROM leaderboard._source_family(source) f(relid) JOIN pg_class c ON c.oid = f.relid
  WHERE c.relpersistence = 'u' ORDER BY c.oid LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'board "%" cannot be kept over %, whose table % is unlogged', board_name, source, r.rel
      USING ERRCODE = 'feature_not_supported',
            DETAIL = 'Crash recovery empties an unlogged table without firing its triggers, and the board would keep the lost rows.',
            HINT = 'Keep the calls in permanent tables.';
  END IF;
END $$;
COMMENT ON FUNCTION leaderboard._check_source_family(text, regclass) IS
  'internal: raises 0A000 when rows could reach or leave a board''s source without firing its triggers (a partition or inheritance child as source, inheritance children, foreign or unlogged partitions), or reach them without a column a partition generates otherwise than the source';

-- Refuses at the end of a CREATE or ALTER of a table the DDL that would leave a board's
-- source in such a family (CREATE TABLE ... INHERITS, ALTER TABLE ... INHERIT, ATTACH
-- PARTITION of the source or of a foreign or unlogged table, CREATE FOREIGN TABLE ...
-- PARTITION OF, ALTER TABLE ... SET UNLOGGED).
-- Only statements that can do so are checked (_changes_source_family), and only boards
-- whose source's family the command touched, so that other DDL, on a source too, never
-- fails because of a board made before this check existed.
CREATE FUNCTION leaderboard._changes_source_family(command pg_ddl_command) RETURNS boolean
  AS 'MODULE_PATHNAME', 'board_changes_source_family' LANGUAGE C STRICT;
COMMENT ON FUNCTION leaderboard._changes_source_family(pg_ddl_command) IS
  'internal: whether a command collected by a ddl_command_end event trigger gives a table a parent (INHERITS, PARTITION OF, INHERIT, ATTACH PARTITION) or makes one unlogged';

CREATE FUNCTION leaderboard._replaces_trigger(command pg_ddl_command) RETURNS boolean
  AS 'MODULE_PATHNAME', 'board_replaces_trigger' LANGUAGE C STRICT;
COMMENT ON FUNCTION leaderboard._replaces_trigger(pg_ddl_command) IS
  'internal: whether a command collected by a ddl_command_end event trigger is a CREATE OR REPLACE TRIGGER';

CREATE FUNCTION leaderboard._refuse_unseen_tables() RETURNS event_trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  b record;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_event_trigger_ddl_commands() c WHERE leaderboard._changes_source_family(c.command)) THEN
    RETURN;
  END IF;
  FOR b IN SELECT x.name, x.source FROM leaderboard.boards x
           WHERE EXISTS (SELECT 1 FROM pg_event_trigger_ddl_commands() c
                         WHERE c.classid = 'pg_class'::regclass
                           AND c.objid IN (SELECT leaderboard._source_family(x.source)))
           ORDER BY x.name LOOP
    PERFORM leaderboard._check_source_family(b.name, b.source);
  END LOOP;
END $$;
COMMENT ON FUNCTION leaderboard._refuse_unseen_tables() IS
  'internal: event trigger function refusing table DDL that would let rows reach a board''s source unseen';
CREATE EVENT TRIGGER leaderboard_refuse_unseen_tables ON ddl_command_end
  WHEN TAG IN ('CREATE TABLE', 'ALTER TABLE', 'CREATE FOREIGN TABLE', 'ALTER FOREIGN TABLE')
  EXECUTE FUNCTION leaderboard._refuse_unseen_tables();
COMMENT ON EVENT TRIGGER leaderboard_refuse_unseen_tables IS
  'refuses inheritance children, a parent, foreign partitions or unlogged tables for a board''s source, whose rows would change unseen by its triggers';

CREATE FUNCTION leaderboard._expression_columns(source regclass, expr text) RETURNS name[]
  AS 'MODULE_PATHNAME', 'board_expression_columns' LANGUAGE C STRICT;
COMMENT ON FUNCTION leaderboard._expression_columns(regclass, text) IS
  'internal: the source columns an expression over a source row reads (all of them for the whole row)';
CREATE FUNCTION leaderboard._retyped_columns(command pg_ddl_command, rel regclass) RETURNS name[]
  AS 'MODULE_PATHNAME', 'board_retyped_columns' LANGUAGE C STRICT;
COMMENT ON FUNCTION leaderboard._retyped_columns(pg_ddl_command, regclass) IS
  'internal: the columns of a table whose type an ALTER TABLE collected by a ddl_command_end event trigger changed';

-- A board's standings hold what its columns' values and types gave when each call was
-- counted: a type change would have new calls read otherwise (a timestamptz turned
-- timestamp files them under other days; USING rewrites the values the standings were
-- built from) or make every write fail. Even a change to the same type is refused, since
-- USING may rewrite the values. Called from the ddl_command_end event trigger; the
-- ALTER TABLE of a partitioned or inherited table records the change on each table.
CREATE FUNCTION leaderboard._check_retyped_columns() RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  r record;
BEGIN
  FOR r IN
    SELECT b.name, b.source, col
    FROM pg_event_trigger_ddl_commands() c
    CROSS JOIN leaderboard.boards b
    CROSS JOIN LATERAL unnest(leaderboard._retyped_columns(c.command, b.source)) col
    WHERE col = b.agent_column OR col = b.at_column OR col = ANY (b.partition_by)
       OR col = ANY (ARRAY(SELECT unnest(leaderboard._expression_columns(b.source, e))
                           FROM unnest(b.metric_exprs || coalesce(ARRAY[b.filter], '{}')) e))
    ORDER BY b.name, col
  LOOP
    RAISE EXCEPTION 'cannot alter type of column "%" of table % because board "%" reads it', r.col, r.source, r.name
      USING ERRCODE = 'dependent_objects_still_exist',
            DETAIL = 'The board''s standings were counted from the column''s current values; a type change would leave them stale or make later writes fail.',
            HINT = 'Drop the board (leaderboard.drop_board), alter the column, then create the board again.';
  END LOOP;
END $$;
COMMENT ON FUNCTION leaderboard._check_retyped_columns() IS
  'internal: raises 2BP01 when an ALTER TABLE changes the type of a column a board reads';

CREATE FUNCTION leaderboard._changes_partitions(command pg_ddl_command) RETURNS boolean
  AS 'MODULE_PATHNAME', 'board_changes_partitions' LANGUAGE C STRICT;
COMMENT ON FUNCTION leaderboard._changes_partitions(pg_ddl_command) IS
  'internal: whether a command collected by a ddl_command_end event trigger creates, attaches or detaches a partition';

-- New partitions of a board's source get its triggers; detached ones lose them; a change
-- to a source that breaks a board is refused.
-- The triggers follow only the statements that change a partition tree (CREATE TABLE ...
-- PARTITION OF, ATTACH PARTITION, DETACH PARTITION); any other ALTER TABLE leaves them as
-- they are. A restore depends on it: pg_dump writes every board trigger out, on the
-- source and on each partition, as a CREATE TRIGGER of its own, and a restore runs those
-- last, after the board's catalog row and after other ALTER TABLEs of the source (primary
-- keys, constraints, trigger modes). Were those ALTER TABLEs to create the triggers, the
-- dump's own CREATE TRIGGERs would fail, and a single-transaction restore with them. The
-- dump attaches its partitions before it restores any catalog row, so a restore creates
-- exactly the triggers the dump holds, each once.
CREATE FUNCTION leaderboard._follow_partitions() RETURNS event_trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  b leaderboard.boards;
BEGIN
  PERFORM leaderboard._check_retyped_columns();
  -- the source itself, or (ALTER TYPE ... CASCADE) the composite type it is a typed table
  -- of, whose renamed or dropped attributes leave the table with no command of its own
  FOR b IN SELECT * FROM leaderboard.boards x
           WHERE x.source::oid IN (SELECT c.objid FROM pg_event_trigger_ddl_commands() c
                                   WHERE c.classid = 'pg_class'::regclass)
              OR EXISTS (SELECT 1 FROM pg_event_trigger_ddl_commands() c
                         JOIN pg_class t ON c.classid = 'pg_class'::regclass AND t.oid = c.objid
                                        AND t.relkind = 'c'
                         JOIN pg_class s ON s.reloftype = t.reltype
                         WHERE s.oid IN (SELECT leaderboard._source_family(x.source))) LOOP
    PERFORM leaderboard._check_board_source(b);
  END LOOP;
  IF NOT EXISTS (SELECT 1 FROM pg_event_trigger_ddl_commands() c WHERE leaderboard._changes_partitions(c.command)) THEN
    RETURN;
  END IF;
  FOR b IN SELECT * FROM leaderboard.boards x WHERE (SELECT relkind FROM pg_class WHERE oid = x.source) = 'p' LOOP
    BEGIN
      PERFORM leaderboard._board_triggers(b);
    EXCEPTION WHEN insufficient_privilege THEN
      RAISE WARNING 'could not update the triggers of board "%" on the partitions of %: %', b.name, b.source, SQLERRM
        USING HINT = 'The owner of the partitions can run this DDL again, or call leaderboard.rebuild().';
    END;
  END LOOP;
END $$;
COMMENT ON FUNCTION leaderboard._follow_partitions() IS
  'internal: event trigger function keeping board triggers on every partition of partitioned sources and refusing source changes that break a board';
CREATE EVENT TRIGGER leaderboard_follow_partitions ON ddl_command_end
  WHEN TAG IN ('CREATE TABLE', 'ALTER TABLE', 'ALTER TYPE')
  EXECUTE FUNCTION leaderboard._follow_partitions();
COMMENT ON EVENT TRIGGER leaderboard_follow_partitions IS
  'adds board triggers to new partitions of partitioned sources and drops them from detached partitions';

-- DROP TABLE of a partition, and ALTER TABLE ... DETACH PARTITION and ATTACH PARTITION, take
-- rows out of a partitioned source or bring them in without DML: the board is rebuilt at
-- commit, as after TRUNCATE, unless the tables that moved were empty (board_partitions.c).
CREATE FUNCTION leaderboard._board_partitions_moved() RETURNS event_trigger
  AS 'MODULE_PATHNAME', 'board_partitions_moved' LANGUAGE C;
COMMENT ON FUNCTION leaderboard._board_partitions_moved() IS
  'internal: event trigger function marking boards whose source lost or gained a non-empty partition for a rebuild at commit';
-- named to fire before leaderboard_follow_partitions, which moves the board triggers that
-- tell which tables joined or left (event triggers fire in name order)
CREATE EVENT TRIGGER leaderboard_attach_detach ON ddl_command_end
  WHEN TAG IN ('ALTER TABLE')
  EXECUTE FUNCTION leaderboard._board_partitions_moved();
COMMENT ON EVENT TRIGGER leaderboard_attach_detach IS
  'rebuilds at commit the boards whose partitioned source gained or lost a non-empty partition by ATTACH or DETACH PARTITION';
CREATE EVENT TRIGGER leaderboard_drop_partitions ON sql_drop
  EXECUTE FUNCTION leaderboard._board_partitions_moved();
COMMENT ON EVENT TRIGGER leaderboard_drop_partitions IS
  'rebuilds at commit the boards whose partitioned source lost a partition by DROP TABLE';

-- A board counts each row once only while its triggers keep the modes _board_triggers gave
-- them: the statement triggers fire in ordinary sessions (O), the TRUNCATE trigger always
-- (A), the row trigger for replicas only (R); and it announces its events only while the
-- events trigger on its standings fires always (A), as _board_event_trigger made it. These
-- are the board triggers on the given tables, of boards whose source is one of them or an
-- ancestor of one, or whose standings are one of them, that are in another mode.
CREATE FUNCTION leaderboard._wrong_trigger_modes(tables regclass[])
RETURNS TABLE (board text, rel regclass, level integer, tgname name, mode "char")
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT b.name, t.relid, t.level, tg.tgname, m.mode
  FROM leaderboard.boards b
  CROSS JOIN LATERAL (SELECT b.source AS relid, 0 AS level
                      UNION SELECT p.relid, p.level FROM pg_partition_tree(b.source) p) t
  JOIN pg_trigger tg ON tg.tgrelid = t.relid
  CROSS JOIN LATERAL (SELECT CASE WHEN tg.tgfoid = 'leaderboard._board_capture_row()'::regprocedure THEN 'R'
                                  WHEN tg.tgname = 'lb_' || b.name || '_trunc' THEN 'A'
                                  ELSE 'O' END::"char" AS mode) m
  WHERE (b.source = ANY (tables)
         OR b.source IN (SELECT a.relid FROM unnest(tables) x, pg_partition_ancestors(x) a))
    AND t.relid = ANY (tables)
    AND ((tg.tgfoid = 'leaderboard._board_capture()'::regprocedure
          AND tg.tgname IN ('lb_' || b.name || '_ins', 'lb_' || b.name || '_upd',
                            'lb_' || b.name || '_del', 'lb_' || b.name || '_trunc'))
      OR (tg.tgfoid = 'leaderboard._board_capture_row()'::regprocedure
          AND tg.tgname = 'lb_' || b.name || '_repl'))
    AND tg.tgenabled <> m.mode
  UNION ALL
  -- lb_events fires always on a board with events, and is disabled on one whose events
  -- were turned off
  SELECT b.name, b.standings, 0, tg.tgname, m.mode
  FROM leaderboard.boards b
  JOIN pg_trigger tg ON tg.tgrelid = b.standings AND tg.tgname = 'lb_events'
  CROSS JOIN LATERAL (SELECT CASE WHEN b.events IS NULL THEN 'D' ELSE 'A' END::"char" AS mode) m
  WHERE b.standings = ANY (tables)
    AND tg.tgfoid = to_regprocedure('leaderboard._board_event_row()') AND tg.tgenabled <> m.mode
$$;
COMMENT ON FUNCTION leaderboard._wrong_trigger_modes(regclass[]) IS
  'internal: the board triggers on the given tables whose mode is not the one their board needs';

-- ALTER TABLE ... ENABLE/DISABLE TRIGGER (USER, ALL, or a board trigger by name) on a source,
-- a partition or an ancestor would make every later write count twice (the row trigger
-- made an ordinary one fires beside the statement triggers) or not at all (a disabled
-- trigger): the modes are put back, with a warning. This runs as the user of the ALTER and
-- alters only tables that user owns: the ALTER changed triggers only there and, by
-- recursion, on the row trigger's clones on their partitions, whoever owns those; the ALTER
-- here recurses the same way. Tables are altered leaves first, so that each ALTER TABLE
-- issued here, which fires this again, finds nothing left to put back at or below the table
-- it altered.
CREATE FUNCTION leaderboard._keep_trigger_modes() RETURNS event_trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  tables regclass[];
  r record;
  restored text[] := '{}';
  restored_events text[] := '{}';
BEGIN
  SELECT array_agg(DISTINCT x.relid) INTO tables
  FROM pg_event_trigger_ddl_commands() c,
       LATERAL (SELECT c.objid::regclass AS relid
                UNION ALL SELECT t.relid FROM pg_partition_tree(c.objid::regclass) t) x
  WHERE c.classid = 'pg_class'::regclass;
  FOR r IN
    SELECT w.rel, max(w.level) AS level,
           array_agg(DISTINCT w.board) FILTER (WHERE w.tgname <> 'lb_events') AS boards,
           array_agg(DISTINCT w.board) FILTER (WHERE w.tgname = 'lb_events' AND w.mode = 'A') AS event_boards,
           string_agg(format('%s %I', CASE w.mode WHEN 'R' THEN 'ENABLE REPLICA TRIGGER'
                                                  WHEN 'A' THEN 'ENABLE ALWAYS TRIGGER'
                                                  WHEN 'D' THEN 'DISABLE TRIGGER'
                                                  ELSE 'ENABLE TRIGGER' END, w.tgname),
                      ', ' ORDER BY w.tgname) AS enable
    FROM leaderboard._wrong_trigger_modes(tables) w
    WHERE pg_has_role(current_user, (SELECT c.relowner FROM pg_class c WHERE c.oid = w.rel), 'USAGE')
    GROUP BY w.rel ORDER BY 2 DESC, 1
  LOOP
    EXECUTE format('ALTER TABLE %s %s', r.rel, r.enable);
    restored := restored || coalesce(r.boards, '{}');
    restored_events := restored_events || coalesce(r.event_boards, '{}');
  END LOOP;
  FOR r IN SELECT DISTINCT x AS board FROM unnest(restored) x ORDER BY 1 LOOP
    RAISE WARNING 'the triggers of board "%" keep their modes', r.board
      USING DETAIL = format('The board counts each row once only while lb_%1$s_ins, lb_%1$s_upd and lb_%1$s_del '
                            'fire in ordinary sessions, lb_%1$s_trunc always and lb_%1$s_repl for replicas only: '
                            'a disabled trigger would miss rows, a re-enabled one would count them twice.', r.board),
            HINT = 'To stop maintaining a board, drop it with leaderboard.drop_board().';
  END LOOP;
  FOR r IN SELECT DISTINCT x AS board FROM unnest(restored_events) x ORDER BY 1 LOOP
    RAISE WARNING 'the events trigger of board "%" keeps its mode', r.board
      USING DETAIL = 'The board records the changes its events come from only while lb_events on its standings fires always, also in replica mode.',
            HINT = 'To stop its events, use leaderboard.alter_board(board, events => ''{}'').';
  END LOOP;
END $$;
COMMENT ON FUNCTION leaderboard._keep_trigger_modes() IS
  'internal: event trigger function putting back the modes of board triggers that ALTER TABLE ... ENABLE/DISABLE TRIGGER changed';
CREATE EVENT TRIGGER leaderboard_keep_trigger_modes ON ddl_command_end
  WHEN TAG IN ('ALTER TABLE')
  EXECUTE FUNCTION leaderboard._keep_trigger_modes();
COMMENT ON EVENT TRIGGER leaderboard_keep_trigger_modes IS
  'puts back the modes of board triggers changed by ALTER TABLE ... ENABLE/DISABLE TRIGGER, with a warning';

-- A board counts what its capture triggers see, as _board_triggers made them: one dropped
-- would leave it blind to what is written to a table of its source, one renamed away or
-- redefined (CREATE OR REPLACE TRIGGER with another event, function, WHEN or column list)
-- would too, silently. These are the triggers the boards whose source or partition tree
-- holds the given tables need there but do not have as made; present says whether a
-- trigger of that name is there, otherwise made.
CREATE FUNCTION leaderboard._board_triggers_not_as_made(tables regclass[])
RETURNS TABLE (board text, rel regclass, tgname text, present boolean)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT b.name, t.relid, 'lb_' || b.name || d.suffix,
         EXISTS (SELECT 1 FROM pg_trigger tg WHERE tg.tgrelid = t.relid AND tg.tgname = 'lb_' || b.name || d.suffix)
  FROM leaderboard.boards b
  CROSS JOIN LATERAL (SELECT b.source AS relid
                      UNION SELECT p.relid FROM pg_partition_tree(b.source) p
                      JOIN pg_class c ON c.oid = p.relid WHERE c.relkind IN ('r', 'p')) t
  CROSS JOIN (VALUES ('_ins', 'leaderboard._board_capture()'::regprocedure, 4, NULL, 'lb_new'),
                     ('_upd', 'leaderboard._board_capture()'::regprocedure, 16, 'lb_old', 'lb_new'),
                     ('_del', 'leaderboard._board_capture()'::regprocedure, 8, 'lb_old', NULL),
                     ('_trunc', 'leaderboard._board_capture()'::regprocedure, 32, NULL, NULL),
                     ('_repl', 'leaderboard._board_capture_row()'::regprocedure, 29, NULL, NULL))
         AS d(suffix, fn, tgtype, oldtable, newtable)
  WHERE t.relid = ANY (tables)
    AND (d.suffix <> '_repl' OR t.relid = b.source)
    AND NOT EXISTS (SELECT 1 FROM pg_trigger tg
                    WHERE tg.tgrelid = t.relid AND tg.tgname = 'lb_' || b.name || d.suffix
                      AND tg.tgfoid = d.fn AND tg.tgtype = d.tgtype
                      AND tg.tgoldtable IS NOT DISTINCT FROM d.oldtable::name
                      AND tg.tgnewtable IS NOT DISTINCT FROM d.newtable::name
                      AND tg.tgqual IS NULL AND tg.tgnargs = 0 AND tg.tgattr = ''::int2vector
                      AND tg.tgconstraint = 0)
$$;
COMMENT ON FUNCTION leaderboard._board_triggers_not_as_made(regclass[]) IS
  'internal: the capture triggers of boards that the given tables of their sources lack, or hold otherwise than the board made them';

-- DROP TRIGGER of a board trigger puts it back, with a warning, as ALTER TABLE ... ENABLE or
-- DISABLE TRIGGER puts its mode back (and as a restore with --clean, which drops the
-- triggers before their tables, needs); ALTER TRIGGER ... RENAME or DEPENDS ON EXTENSION
-- of one, CREATE OR REPLACE TRIGGER of one, and CREATE TRIGGER of one made otherwise, fail
-- (2BP01). The triggers drop_board, DROP
-- TABLE and DETACH PARTITION remove go with a board no longer in the catalog or a table no
-- longer in its source, and are not missed.
CREATE FUNCTION leaderboard._keep_board_triggers() RETURNS event_trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  tables regclass[];
  r record;
  b leaderboard.boards;
BEGIN
  IF TG_EVENT = 'sql_drop' THEN
    SELECT array_agg(DISTINCT x.rel) INTO tables
    FROM pg_event_trigger_dropped_objects() d,
         LATERAL (SELECT to_regclass(format('%I.%I', d.address_names[1], d.address_names[2])) AS rel) x
    WHERE d.object_type = 'trigger' AND x.rel IS NOT NULL;
  ELSE
    SELECT array_agg(DISTINCT tg.tgrelid::regclass) INTO tables
    FROM pg_event_trigger_ddl_commands() c JOIN pg_trigger tg ON tg.oid = c.objid
    WHERE c.classid = 'pg_trigger'::regclass;
  END IF;
  IF tables IS NULL THEN
    RETURN;
  END IF;
  IF TG_EVENT = 'sql_drop' THEN
    FOR b IN SELECT * FROM leaderboard.boards x
             WHERE x.name IN (SELECT m.board FROM leaderboard._board_triggers_not_as_made(tables) m WHERE NOT m.present)
             ORDER BY x.name LOOP
      PERFORM leaderboard._board_triggers(b);
      RAISE WARNING 'the triggers of board "%" stay', b.name
        USING DETAIL = 'The board counts what is written to its source only through its triggers: without one it would miss rows.',
              HINT = 'To stop maintaining a board, drop it with leaderboard.drop_board().';
    END LOOP;
    RETURN;
  END IF;
  -- a board trigger replaced (CREATE OR REPLACE resets its mode, even to the same
  -- definition) or made to depend on an extension (whose DROP would take it unseen)
  FOR r IN SELECT x.name AS board, tg.tgname, tg.tgrelid::regclass AS rel
           FROM pg_event_trigger_ddl_commands() c
           JOIN pg_trigger tg ON tg.oid = c.objid
           JOIN leaderboard.boards x ON tg.tgname IN ('lb_' || x.name || '_ins', 'lb_' || x.name || '_upd', 'lb_' || x.name || '_del',
                                                      'lb_' || x.name || '_trunc', 'lb_' || x.name || '_repl')
           WHERE c.classid = 'pg_trigger'::regclass
             AND tg.tgrelid IN (SELECT leaderboard._source_family(x.source))
             AND (leaderboard._replaces_trigger(c.command)
                  OR EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_trigger'::regclass
                             AND d.objid = tg.oid AND d.deptype = 'x'))
           ORDER BY 1, 3 LIMIT 1 LOOP
    RAISE EXCEPTION 'trigger % on table % belongs to board "%"', r.tgname, r.rel, r.board
      USING ERRCODE = 'dependent_objects_still_exist',
            DETAIL = 'Replaced, it would lose the mode the board gave it; made to depend on an extension, it would go with the extension: either way the board could stop counting what is written to the table.',
            HINT = format('To stop maintaining the board, drop it with leaderboard.drop_board(%L).', r.board);
  END LOOP;
  -- CREATE TRIGGER makes the board's triggers one at a time (_board_triggers): only one
  -- made otherwise counts there, not one still to come
  FOR r IN SELECT * FROM leaderboard._board_triggers_not_as_made(tables) m
           WHERE TG_TAG <> 'CREATE TRIGGER' OR m.present ORDER BY 1, 2, 3 LIMIT 1 LOOP
    RAISE EXCEPTION 'board "%" needs its trigger % on table % as it made it', r.board, r.tgname, r.rel
      USING ERRCODE = 'dependent_objects_still_exist',
            DETAIL = 'Renamed or made otherwise, it would stop counting what is written to the table, and the standings would fall behind the calls.',
            HINT = format('To stop maintaining the board, drop it with leaderboard.drop_board(%L).', r.board);
  END LOOP;
END $$;
COMMENT ON FUNCTION leaderboard._keep_board_triggers() IS
  'internal: event trigger function putting back a dropped capture trigger of a board, and refusing to rename it or make it otherwise';
CREATE EVENT TRIGGER leaderboard_keep_board_triggers ON sql_drop
  WHEN TAG IN ('DROP TRIGGER')
  EXECUTE FUNCTION leaderboard._keep_board_triggers();
COMMENT ON EVENT TRIGGER leaderboard_keep_board_triggers IS
  'puts back, with a warning, a board''s capture trigger that DROP TRIGGER dropped from its source or a partition';
CREATE EVENT TRIGGER leaderboard_keep_board_trigger_defs ON ddl_command_end
  WHEN TAG IN ('ALTER TRIGGER', 'CREATE TRIGGER')
  EXECUTE FUNCTION leaderboard._keep_board_triggers();
COMMENT ON EVENT TRIGGER leaderboard_keep_board_trigger_defs IS
  'refuses ALTER TRIGGER ... RENAME or DEPENDS ON EXTENSION of a board''s capture trigger, CREATE OR REPLACE TRIGGER of one, and CREATE TRIGGER of one made otherwise';

-- A function a board's metric or filter calls, replaced, altered, renamed or dropped
-- (src/board_functions.c): DROP FUNCTION, and ALTER FUNCTION ... RENAME or SET SCHEMA, of
-- such a function fail at their start (2BP01), as does dropping or moving it with its
-- schema, owner or extension; CREATE OR REPLACE FUNCTION and ALTER
-- FUNCTION rebuild the board at commit, unless they leave its expression calling something
-- that is not immutable (2BP01).
CREATE FUNCTION leaderboard._board_functions_ddl() RETURNS event_trigger
  AS 'MODULE_PATHNAME', 'board_functions_ddl' LANGUAGE C;
COMMENT ON FUNCTION leaderboard._board_functions_ddl() IS
  'internal: event trigger function keeping boards and the functions their expressions call together';
CREATE EVENT TRIGGER leaderboard_keep_board_functions ON ddl_command_start
  WHEN TAG IN ('DROP FUNCTION', 'DROP ROUTINE', 'ALTER FUNCTION', 'ALTER ROUTINE', 'DROP SCHEMA',
               'ALTER SCHEMA', 'DROP OWNED', 'DROP EXTENSION', 'ALTER EXTENSION')
  EXECUTE FUNCTION leaderboard._board_functions_ddl();
COMMENT ON EVENT TRIGGER leaderboard_keep_board_functions IS
  'refuses DROP FUNCTION and ALTER FUNCTION ... RENAME or SET SCHEMA of a function a board''s metric or filter calls, and the DROP SCHEMA, ALTER SCHEMA ... RENAME, DROP OWNED, DROP EXTENSION or ALTER EXTENSION ... SET SCHEMA that would take one along';
CREATE EVENT TRIGGER leaderboard_rebuild_for_functions ON ddl_command_end
  WHEN TAG IN ('CREATE FUNCTION', 'ALTER FUNCTION', 'ALTER ROUTINE')
  EXECUTE FUNCTION leaderboard._board_functions_ddl();
COMMENT ON EVENT TRIGGER leaderboard_rebuild_for_functions IS
  'rebuilds at commit the boards whose metric or filter calls a function CREATE OR REPLACE or ALTER FUNCTION changed';

-- A function can also go as a dependent of what a DROP ... CASCADE drops (a type it takes,
-- a function its SQL-standard body calls): the functions the boards call are noted at the
-- start of each cascading drop, and the drop is refused (2BP01) at sql_drop if one went
-- while its board stays. The tags are the drops that can take a function along; each of
-- them starts by dropping the note a failed statement may have left.
CREATE FUNCTION leaderboard._board_functions_cascade() RETURNS event_trigger
  AS 'MODULE_PATHNAME', 'board_functions_cascade' LANGUAGE C;
COMMENT ON FUNCTION leaderboard._board_functions_cascade() IS
  'internal: event trigger function refusing a DROP ... CASCADE that takes along a function a board''s metric or filter calls';
CREATE EVENT TRIGGER leaderboard_note_board_functions ON ddl_command_start
  WHEN TAG IN ('DROP TYPE', 'DROP DOMAIN', 'DROP FUNCTION', 'DROP PROCEDURE', 'DROP ROUTINE',
               'DROP AGGREGATE', 'DROP OPERATOR', 'DROP CAST', 'DROP TRANSFORM', 'DROP LANGUAGE',
               'DROP SCHEMA', 'DROP EXTENSION', 'DROP OWNED', 'DROP TABLE', 'DROP VIEW',
               'DROP MATERIALIZED VIEW', 'DROP FOREIGN TABLE', 'DROP SEQUENCE', 'DROP COLLATION')
  EXECUTE FUNCTION leaderboard._board_functions_cascade();
COMMENT ON EVENT TRIGGER leaderboard_note_board_functions IS
  'notes, at the start of a DROP ... CASCADE, the functions boards'' metrics and filters call';
CREATE EVENT TRIGGER leaderboard_keep_cascaded_board_functions ON sql_drop
  WHEN TAG IN ('DROP TYPE', 'DROP DOMAIN', 'DROP FUNCTION', 'DROP PROCEDURE', 'DROP ROUTINE',
               'DROP AGGREGATE', 'DROP OPERATOR', 'DROP CAST', 'DROP TRANSFORM', 'DROP LANGUAGE',
               'DROP SCHEMA', 'DROP EXTENSION', 'DROP OWNED', 'DROP TABLE', 'DROP VIEW',
               'DROP MATERIALIZED VIEW', 'DROP FOREIGN TABLE', 'DROP SEQUENCE', 'DROP COLLATION')
  EXECUTE FUNCTION leaderboard._board_functions_cascade();
COMMENT ON EVENT TRIGGER leaderboard_keep_cascaded_board_functions IS
  'refuses a DROP ... CASCADE that took along a function a board''s metric or filter calls, the board staying';

-- ALTER TYPE ... RENAME VALUE of an enum a board's partition column holds: the scopes are
-- named by text keys made from the partition values, so the board is rebuilt at commit,
-- after the source's writers in progress (src/board_enums.c).
CREATE FUNCTION leaderboard._board_enum_renamed() RETURNS event_trigger
  AS 'MODULE_PATHNAME', 'board_enum_renamed' LANGUAGE C;
COMMENT ON FUNCTION leaderboard._board_enum_renamed() IS
  'internal: event trigger function rebuilding at commit the boards partitioned by an enum whose value ALTER TYPE renamed';
CREATE EVENT TRIGGER leaderboard_rebuild_for_enum_labels ON ddl_command_end
  WHEN TAG IN ('ALTER TYPE')
  EXECUTE FUNCTION leaderboard._board_enum_renamed();
COMMENT ON EVENT TRIGGER leaderboard_rebuild_for_enum_labels IS
  'rebuilds at commit the boards partitioned by a column of an enum type whose value ALTER TYPE ... RENAME VALUE renamed';

-- Event triggers fire in ordinary sessions only unless enabled ALWAYS. A superuser who runs
-- DDL under session_replication_role = replica (a bulk load, a restore) would otherwise
-- disable a board's triggers, or create and attach partitions without them, unseen.
ALTER EVENT TRIGGER leaderboard_drop_boards ENABLE ALWAYS;
ALTER EVENT TRIGGER leaderboard_refuse_unseen_tables ENABLE ALWAYS;
ALTER EVENT TRIGGER leaderboard_follow_partitions ENABLE ALWAYS;
ALTER EVENT TRIGGER leaderboard_attach_detach ENABLE ALWAYS;
ALTER EVENT TRIGGER leaderboard_drop_partitions ENABLE ALWAYS;
ALTER EVENT TRIGGER leaderboard_keep_trigger_modes ENABLE ALWAYS;
ALTER EVENT TRIGGER leaderboard_keep_board_triggers ENABLE ALWAYS;
ALTER EVENT TRIGGER leaderboard_keep_board_trigger_defs ENABLE ALWAYS;
ALTER EVENT TRIGGER leaderboard_keep_board_functions ENABLE ALWAYS;
ALTER EVENT TRIGGER leaderboard_rebuild_for_functions ENABLE ALWAYS;
ALTER EVENT TRIGGER leaderboard_note_board_functions ENABLE ALWAYS;
ALTER EVENT TRIGGER leaderboard_keep_cascaded_board_functions ENABLE ALWAYS;
ALTER EVENT TRIGGER leaderboard_rebuild_for_enum_labels ENABLE ALWAYS;
