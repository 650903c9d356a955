-- Live boards: a catalog, the objects each board creates, and the statements its C
-- triggers run. Every function pins search_path (pg_temp last, so that no temporary
-- object can shadow pg_catalog) and qualifies every reference.

-- Everyone may use the types and functions. A writer of a board's source reads the catalog
-- and queues the commit-time apply as itself, and the event trigger dropping the boards of
-- dropped tables reads the catalog as whoever drops a table: both need this.
GRANT USAGE ON SCHEMA leaderboard TO PUBLIC;

CREATE TABLE leaderboard.boards (
  name          text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9_]{0,39}$'),
  source        regclass NOT NULL,
  owner         regrole NOT NULL,
  agent_column  name NOT NULL,
  at_column     name NOT NULL,
  metric_names  text[] NOT NULL,
  metric_exprs  text[] NOT NULL,
  scorecards    jsonb NOT NULL,
  periods       text[] NOT NULL,
  partition_by  name[] NOT NULL,
  filter        text,
  ladder        leaderboard.ladder,
  time_zone     text NOT NULL,
  rank_style    text NOT NULL,
  tie_break     text[] NOT NULL,
  standings     regclass NOT NULL,
  scopes        regclass NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT pg_catalog.now(),
  -- the (agent, at) index on the source that create_board made (NULL: the user's own)
  source_index  name,
  -- the events the board emits and their thresholds (NULL: none; alter_board(events => ...))
  events        jsonb,
  -- the working days goals' pace and streaks count (NULL: every day)
  calendar      leaderboard.calendar,
  -- close_periods: how long after its end a period still takes late calls, how long day
  -- rows are kept (NULL: forever), and per period kind the start of its first period still
  -- open (every earlier period of the kind is closed: frozen, its winners recorded)
  grace         interval NOT NULL DEFAULT '1 day',
  retention     interval,
  closed_before jsonb NOT NULL DEFAULT '{}',
  -- a campaign's window (create_campaign; NULL for other boards): its filter counts only
  -- the calls with starts <= at < ends, and its one period, 'all', closes at ends + grace
  starts        timestamptz,
  ends          timestamptz,
  -- scorecards that take effect on a later date (alter_board(effective_from => ...)):
  -- [{"from": date, "scorecards": {period: card}}, ...] by ascending date; a period uses
  -- the last whose date is on or before its start, or scorecards when none is
  card_versions jsonb NOT NULL DEFAULT '[]'
);
COMMENT ON TABLE leaderboard.boards IS
  'live boards: one row per board, written only by create_board, alter_board and drop_board';
SELECT pg_catalog.pg_extension_config_dump('leaderboard.boards', '');
GRANT SELECT ON leaderboard.boards TO PUBLIC;

-- Campaigns: the boards with a window.
CREATE VIEW leaderboard.campaigns AS
  SELECT b.name AS board, b.source, b.owner, b.starts, b.ends, b.grace, b.time_zone,
         b.closed_before OPERATOR(pg_catalog.?) 'all' AS closed
  FROM leaderboard.boards b WHERE b.starts IS NOT NULL;
COMMENT ON VIEW leaderboard.campaigns IS
  'campaigns (boards create_campaign made): their window, grace, and whether close_periods has closed them';
GRANT SELECT ON leaderboard.campaigns TO PUBLIC;

-- Periods close_periods closed, and their winners: written only by close_periods (through
-- _catalog_close), kept when retention deletes the closed day rows, dropped with the board
-- (by _catalog_delete). No foreign key ties the extension's configuration tables to each
-- other: pg_restore -j loads their data in parallel, in no order a key could wait for.
CREATE TABLE leaderboard.closed_periods (
  board         text NOT NULL,
  period        text NOT NULL,
  period_start  date NOT NULL,
  scopes        integer NOT NULL,
  closed_at     timestamptz NOT NULL,
  PRIMARY KEY (board, period, period_start)
);
COMMENT ON TABLE leaderboard.closed_periods IS
  'periods of boards that close_periods closed: one row per board, period kind and period_start, with the number of scopes frozen';
SELECT pg_catalog.pg_extension_config_dump('leaderboard.closed_periods', '');
GRANT SELECT ON leaderboard.closed_periods TO PUBLIC;

CREATE TABLE leaderboard.period_winners (
  board         text NOT NULL,
  period        text NOT NULL,
  period_start  date NOT NULL,
  partition     jsonb NOT NULL,
  agent         text NOT NULL,
  score         double precision NOT NULL,
  tier          text,
  kpis          leaderboard.kpis NOT NULL,
  PRIMARY KEY (board, period, period_start, partition, agent)
);
COMMENT ON TABLE leaderboard.period_winners IS
  'winners of closed periods: the rows ranked 1 in each scope when close_periods closed it, ties included';
SELECT pg_catalog.pg_extension_config_dump('leaderboard.period_winners', '');
GRANT SELECT ON leaderboard.period_winners TO PUBLIC;

-- Whether a scope of the board is closed, as SQL over its period and period_start: its
-- period starts before the first open period of its kind.
CREATE FUNCTION leaderboard._closed_sql(closed_before jsonb, period_sql text, start_sql text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT coalesce('(' || string_agg(format('(%s = %L AND %s < %L::pg_catalog.date)', period_sql, c.key, start_sql, c.value),
                                    ' OR ' ORDER BY c.key) || ')', 'false')
  FROM jsonb_each_text(closed_before) AS c(key, value)
$$;
COMMENT ON FUNCTION leaderboard._closed_sql(jsonb, text, text) IS
  'internal: SQL testing whether the scope of a period and period_start is closed, from a board''s closed_before';

-- One sentinel row per writing transaction; its deferred constraint trigger applies the
-- transaction's captured changes at commit. Rows never outlive their transaction.
CREATE UNLOGGED TABLE leaderboard.pending (
  backend_pid int NOT NULL DEFAULT pg_catalog.pg_backend_pid()
);
COMMENT ON TABLE leaderboard.pending IS
  'internal: a row per writing transaction queues the commit-time apply of its board changes';
GRANT INSERT ON leaderboard.pending TO PUBLIC;

CREATE FUNCTION leaderboard._board_capture() RETURNS trigger
  AS 'MODULE_PATHNAME', 'board_capture' LANGUAGE C;
COMMENT ON FUNCTION leaderboard._board_capture() IS
  'internal: statement trigger on a board source capturing the changed rows';

CREATE FUNCTION leaderboard._board_commit() RETURNS trigger
  AS 'MODULE_PATHNAME', 'board_commit' LANGUAGE C;
COMMENT ON FUNCTION leaderboard._board_commit() IS
  'internal: deferred trigger applying captured board changes at commit';

CREATE CONSTRAINT TRIGGER apply_at_commit AFTER INSERT ON leaderboard.pending
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION leaderboard._board_commit();
-- also in logical-replication apply workers (session_replication_role = replica)
ALTER TABLE leaderboard.pending ENABLE ALWAYS TRIGGER apply_at_commit;

CREATE FUNCTION leaderboard._around(standings regclass, time_zone text, agent anyelement,
  period text, width integer, agent_column text, rank_style text DEFAULT 'rank') RETURNS SETOF record
  AS 'MODULE_PATHNAME', 'board_around' LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION leaderboard._around(regclass, text, anyelement, text, integer, text, text) IS
  'internal: the rows of <board>_around read from the standings indexes, as the caller; a row_number board''s neighbours by rank';

-- Not STRICT: a board without partition columns passes a NULL partition record.
CREATE FUNCTION leaderboard._top(standings regclass, scopes regclass, time_zone text, rank_style text,
  agent_column text, partition_columns text[], partition record, period text, n integer) RETURNS SETOF record
  AS 'MODULE_PATHNAME', 'board_top' LANGUAGE C STABLE;
COMMENT ON FUNCTION leaderboard._top(regclass, regclass, text, text, text, text[], record, text, integer) IS
  'internal: the rows of <board>_top read best first from the standings'' score index, as the caller';

-- The start of the current period of a kind in a board's time zone: <board>_current finds
-- its scopes by it (and calling the library loads it, with the planner hook below).
CREATE FUNCTION leaderboard._current_period_start(kind text, time_zone text) RETURNS date
  AS 'MODULE_PATHNAME', 'board_current_period_start_sql' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION leaderboard._current_period_start(text, text) IS
  'internal: the start of the current period of a kind (day .. year, all) in a time zone, as <board>_current reads it';

-- What the planner puts in place of <board>_current in <board>_current WHERE period = ...
-- AND <partition columns> = ... ORDER BY rank LIMIT n (leaderboard.top_n_plan). Not STRICT:
-- a board without partition columns passes a NULL record, and a NULL n reads the scope.
CREATE FUNCTION leaderboard._current_top(view regclass, partition record, period text, n bigint)
  RETURNS SETOF record AS 'MODULE_PATHNAME', 'board_current_top' LANGUAGE C STABLE ROWS 10;
COMMENT ON FUNCTION leaderboard._current_top(regclass, record, text, bigint) IS
  'internal: the rows of one scope of a board''s current view that ORDER BY rank LIMIT n reads, best first from the score index, as the caller';

CREATE FUNCTION leaderboard._expression_type(source regclass, expr text, what text)
  RETURNS regtype AS 'MODULE_PATHNAME', 'board_expression_type' LANGUAGE C STRICT;
COMMENT ON FUNCTION leaderboard._expression_type(regclass, text, text) IS
  'internal: type of an expression over a source row, rejecting functions that are not immutable, subqueries and aggregates';

-- A metric or filter as a board stores it and puts it in its statements: checked as
-- _expression_type checks it, then printed back by PostgreSQL, so that no comment, alias
-- or clause given with it reaches a statement.
CREATE FUNCTION leaderboard._expression_sql(source regclass, expr text, what text)
  RETURNS text AS 'MODULE_PATHNAME', 'board_expression_sql' LANGUAGE C STRICT;
COMMENT ON FUNCTION leaderboard._expression_sql(regclass, text, text) IS
  'internal: the checked expression over a source row as PostgreSQL deparses it (no comments, canonical quoting, names qualified for search_path pg_catalog)';

-- A source column's type with its modifier (char(4), not char(1)), as standings declare it.
CREATE FUNCTION leaderboard._column_type(source regclass, col name) RETURNS text
LANGUAGE sql STABLE STRICT SET search_path = pg_catalog, pg_temp AS $$
  SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
  WHERE a.attrelid = source AND a.attname = col AND a.attnum > 0 AND NOT a.attisdropped
$$;
COMMENT ON FUNCTION leaderboard._column_type(regclass, name) IS
  'internal: a source column''s type with its type modifier, for the standings and scopes tables';

-- A table column's collation as a COLLATE clause ('' for a type without one): the
-- standings and scopes columns take the source's, so that the standings order agents as
-- the source does; and the ranking statements order a row_number board's tied agents
-- in the collation of its standings column, whatever table the rows come from (a board
-- made before the standings took the source's collation keeps the database default).
CREATE FUNCTION leaderboard._column_collate(rel regclass, col name) RETURNS text
LANGUAGE sql STABLE STRICT SET search_path = pg_catalog, pg_temp AS $$
  SELECT coalesce((SELECT format(' COLLATE %I.%I', n.nspname, c.collname)
                   FROM pg_collation c JOIN pg_namespace n ON n.oid = c.collnamespace
                   WHERE c.oid = a.attcollation), '')
  FROM pg_attribute a
  WHERE a.attrelid = rel AND a.attname = col AND a.attnum > 0 AND NOT a.attisdropped
$$;
COMMENT ON FUNCTION leaderboard._column_collate(regclass, name) IS
  'internal: a table column''s collation as a COLLATE clause, empty for a type without one';

-- The first day of the period of the given kind containing a local time.
-- The month, quarter and year holding the first day of the timestamp range (4714-11-24
-- BC) would start before it, out of range: they start on that day, as period_start() in
-- board_fold.c has them. A call at -infinity or infinity is in the period starting then.
CREATE FUNCTION leaderboard._period_start_sql(kind text, local_time text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT format('CASE WHEN %1$s = ''all'' THEN ''-infinity''::pg_catalog.date '
                'WHEN %1$s IN (''month'', ''quarter'', ''year'') AND pg_catalog.isfinite(%2$s) AND %2$s < CASE WHEN %1$s = ''month'' '
                'THEN ''4714-12-01 BC''::pg_catalog.timestamp ELSE ''4713-01-01 BC''::pg_catalog.timestamp END '
                'THEN ''4714-11-24 BC''::pg_catalog.date '
                'ELSE pg_catalog.date_trunc(%1$s, %2$s)::pg_catalog.date END', kind, local_time)
$$;
COMMENT ON FUNCTION leaderboard._period_start_sql(text, text) IS
  'internal: SQL for the start of the period of kind containing a local timestamp';

-- SQL for the local (board time zone) time of a value of the source's time column.
CREATE FUNCTION leaderboard._local_time_sql(b leaderboard.boards, value_sql text) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  t regtype := leaderboard._base_type(leaderboard._expression_type(b.source, quote_ident(b.at_column), 'at'));
BEGIN
  IF t = 'timestamptz'::regtype THEN
    RETURN format('(%s) AT TIME ZONE %L', value_sql, b.time_zone);
  END IF;
  RETURN format('(%s)::pg_catalog.timestamp', value_sql);
END $$;
COMMENT ON FUNCTION leaderboard._local_time_sql(leaderboard.boards, text) IS
  'internal: SQL reading a source time as local time in the board''s time zone';

-- Every card of a board: the first one of each period kind (effective_from NULL), and
-- those that take effect later, with the date they do.
CREATE FUNCTION leaderboard._cards(b leaderboard.boards)
RETURNS TABLE (period text, effective_from date, card text)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  -- a version that keeps a kind's card (one that closed periods of the kind still use) is
  -- no new card of that kind
  SELECT x.period, x.effective_from, x.card
  FROM (SELECT y.*, pg_catalog.lag(y.card) OVER (PARTITION BY y.period ORDER BY y.effective_from NULLS FIRST) AS before
        FROM (SELECT c.key AS period, NULL::date AS effective_from, c.value AS card
              FROM pg_catalog.jsonb_each_text(b.scorecards) c
              UNION ALL
              SELECT c.key, (v OPERATOR(pg_catalog.->>) 'from')::date, c.value
              FROM pg_catalog.jsonb_array_elements(b.card_versions) v,
                   pg_catalog.jsonb_each_text(v OPERATOR(pg_catalog.->) 'scorecards') c) y) x
  WHERE x.before IS NULL OR x.card OPERATOR(pg_catalog.<>) x.before
$$;
COMMENT ON FUNCTION leaderboard._cards(leaderboard.boards) IS
  'internal: every scorecard of a board by period kind, with the date it takes effect (NULL: the first)';

-- The card (as the catalog holds it: a JSON string) that scores the periods of a kind
-- starting on a day: the latest version from that day or before, else the first.
CREATE FUNCTION leaderboard._card_in_force(b leaderboard.boards, kind text, day date) RETURNS jsonb
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT coalesce((SELECT v OPERATOR(pg_catalog.->) 'scorecards' OPERATOR(pg_catalog.->) kind
                   FROM pg_catalog.jsonb_array_elements(b.card_versions) v
                   WHERE (v OPERATOR(pg_catalog.->>) 'from')::date OPERATOR(pg_catalog.<=) day
                   ORDER BY (v OPERATOR(pg_catalog.->>) 'from')::date DESC LIMIT 1),
                  b.scorecards OPERATOR(pg_catalog.->) kind)
$$;
COMMENT ON FUNCTION leaderboard._card_in_force(leaderboard.boards, text, date) IS
  'internal: the scorecard that scores a board''s periods of a kind starting on a day';

-- A new card for every open period of a board with closed periods: the first card and the
-- versions to write, so that each kind's closed periods (those starting before its
-- closed_before) keep the card they closed with and every open one takes the new card.
CREATE FUNCTION leaderboard._cards_for_open_periods(b leaderboard.boards, cards jsonb,
                                                   OUT scorecards jsonb, OUT card_versions jsonb)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  WITH closed AS (
    SELECT c.key AS period, c.value::date AS before FROM pg_catalog.jsonb_each_text(b.closed_before) c
  ), days AS (
    -- where some kind's card changes: each closed kind's first open period, and the
    -- versions in force in closed periods of some kind
    SELECT c.before AS day FROM closed c
    UNION
    SELECT (v OPERATOR(pg_catalog.->>) 'from')::date FROM pg_catalog.jsonb_array_elements(b.card_versions) v
    WHERE (v OPERATOR(pg_catalog.->>) 'from')::date OPERATOR(pg_catalog.<) (SELECT max(c.before) FROM closed c)
  )
  SELECT
    (SELECT pg_catalog.jsonb_object_agg(k.key, CASE WHEN c.before IS NULL THEN k.value
                                                     ELSE b.scorecards OPERATOR(pg_catalog.->) k.key END)
     FROM pg_catalog.jsonb_each(cards) k LEFT JOIN closed c ON c.period OPERATOR(pg_catalog.=) k.key),
    coalesce((SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('from', d.day, 'scorecards',
                (SELECT pg_catalog.jsonb_object_agg(k.key,
                          CASE WHEN c.before IS NULL OR d.day OPERATOR(pg_catalog.>=) c.before THEN k.value
                               ELSE leaderboard._card_in_force(b, k.key, d.day) END)
                 FROM pg_catalog.jsonb_each(cards) k LEFT JOIN closed c ON c.period OPERATOR(pg_catalog.=) k.key))
              ORDER BY d.day)
              FROM days d), '[]')
$$;
COMMENT ON FUNCTION leaderboard._cards_for_open_periods(leaderboard.boards, jsonb) IS
  'internal: the first card and card versions that give a board''s open periods new cards and leave its closed periods the cards they closed with';

-- Which card scores which periods: every card of every board, with the dates it is in
-- force from (NULL: the board's first card) and to (NULL: until a later card takes over).
CREATE VIEW leaderboard.scorecard_versions AS
  SELECT b.name AS board, c.period, c.effective_from,
         pg_catalog.lead(c.effective_from) OVER (PARTITION BY b.name, c.period
                                                 ORDER BY c.effective_from NULLS FIRST) AS effective_to,
         c.card::pg_catalog.jsonb AS scorecard
  FROM leaderboard.boards b, leaderboard._cards(b) c
  -- the period all starts before any date: a card taking effect on one never scores it
  WHERE c.period OPERATOR(pg_catalog.<>) 'all' OR c.effective_from IS NULL;
COMMENT ON VIEW leaderboard.scorecard_versions IS
  'the scorecards of each board and period kind, with the dates they score periods from and to: a period uses the card in force on the day it starts';
GRANT SELECT ON leaderboard.scorecard_versions TO PUBLIC;

-- SQL giving the scorecard of a period (what => 'card') or the date that card took effect
-- (what => 'from', NULL for the first card), from the period kind and start of a row: a
-- literal, or a CASE over the kind, and over the start for kinds with later cards. A
-- period uses the card in force on the day it starts.
CREATE FUNCTION leaderboard._card_sql(b leaderboard.boards, period_sql text, start_sql text,
                                      what text DEFAULT 'card') RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  WITH card AS (
    SELECT c.period, c.effective_from, CASE what
             WHEN 'card' THEN pg_catalog.format('%L::leaderboard.scorecard', c.card)
             ELSE pg_catalog.format('%L::pg_catalog.date', c.effective_from) END AS value
    FROM leaderboard._cards(b) c
  ), per_period AS (
    SELECT c.period, CASE WHEN count(*) = 1 THEN min(c.value)
             ELSE 'CASE' || string_agg(pg_catalog.format(' WHEN %s OPERATOR(pg_catalog.>=) %L::pg_catalog.date THEN %s',
                                                        start_sql, c.effective_from, c.value), ''
                                       ORDER BY c.effective_from DESC) FILTER (WHERE c.effective_from IS NOT NULL)
                  || ' ELSE ' || min(c.value) FILTER (WHERE c.effective_from IS NULL) || ' END' END AS value
    FROM card c GROUP BY c.period
  )
  SELECT CASE WHEN count(DISTINCT p.value) = 1 THEN min(p.value)
              ELSE 'CASE ' || period_sql || string_agg(
                     pg_catalog.format(' WHEN %L THEN %s', p.period, p.value), '' ORDER BY p.period)
                   || ' END' END
  FROM per_period p
$$;
COMMENT ON FUNCTION leaderboard._card_sql(leaderboard.boards, text, text, text) IS
  'internal: SQL giving the board''s scorecard for a period (kind and start), or the date it took effect';

CREATE FUNCTION leaderboard._board_statements(board text,
  OUT lock_scopes text, OUT recompute text, OUT add_deltas text, OUT rerank text,
  OUT rebuild text, OUT fold_source text, OUT rerank_all text, OUT expected text,
  OUT before_moves text, OUT rerank_multi text, OUT rerank_single text, OUT rescore text,
  OUT insert_new text, OUT add_deltas_large text)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  b leaderboard.boards;
  qa text; qt text;
  parts_cols text := '';      -- ", p1, p2"
  n_parts text := '';         -- ", n.p1, n.p2"
  d_parts text := '';
  k_parts text := '';
  g_parts text := '';
  r_parts text := '';
  x_parts text := '';
  s_parts text := '';
  part_keys text := '';
  part_match text := '';
  kpi_args text; filter_sql text := '';
  local_n text; scope_key text;
  card_g text; card_s text; card_t text; tier_ins text; tier_upd text := '';
  lo text; hi text; in_period text;
  rank_fn text; rank_order_s text; rank_order_e text;
  rank_tier text := ''; rank_tier_cmp text := '';
  new_scopes text;
  deltas_head text; deltas_tail text; rerank_head text; rerank_tail text;
  expected_head text; expected_tail text;
  i int;
  p name;
  src text;
  st text; sc text;
  closed text;
BEGIN
  SELECT * INTO STRICT b FROM leaderboard.boards WHERE name = board;
  src := b.source::text; st := b.standings::text; sc := b.scopes::text;
  qa := quote_ident(b.agent_column); qt := quote_ident(b.at_column);
  -- Every piece of text that comes from the catalog (names, literals of cards and
  -- ladders, expressions) enters a statement once, as an argument of format() or by
  -- concatenation: no placeholder is ever filled in text that holds some, where a name or
  -- a literal spelling one would be filled too.
  FOREACH p IN ARRAY b.partition_by LOOP
    parts_cols := parts_cols || ', ' || quote_ident(p);
    n_parts := n_parts || ', n.' || quote_ident(p);
    d_parts := d_parts || ', d.' || quote_ident(p);
    k_parts := k_parts || ', k.' || quote_ident(p);
    g_parts := g_parts || ', g.' || quote_ident(p);
    r_parts := r_parts || ', r.' || quote_ident(p);
    x_parts := x_parts || ', x.' || quote_ident(p);
    s_parts := s_parts || ', s.' || quote_ident(p);
    part_keys := part_keys || format(', pg_catalog.quote_nullable(g.%I::pg_catalog.text)', p);
    part_match := part_match || format(' AND s.%1$I IS NOT DISTINCT FROM k.%1$I', p);
  END LOOP;
  -- The metrics and the filter as PostgreSQL prints them back once checked, whatever
  -- text the catalog holds (a board of version 0.1 kept the text it was given): one
  -- expression each, with no comment to swallow the rest of a line.
  SELECT string_agg('(' || leaderboard._expression_sql(b.source, e, 'metric') || ')', ', ' ORDER BY o)
  INTO kpi_args FROM unnest(b.metric_exprs) WITH ORDINALITY AS x(e, o);
  IF b.filter IS NOT NULL THEN
    filter_sql := format(' AND (%s)', leaderboard._expression_sql(b.source, b.filter, 'filter'));
  END IF;

  local_n := leaderboard._local_time_sql(b, 'n.' || qt);
  -- A scope is named by the text of its key values, built under pinned DateStyle,
  -- IntervalStyle, TimeZone, extra_float_digits and bytea_output (the triggers and every
  -- API function that runs this SQL pin them), so scopes hash and sort the same in every
  -- session. The capture triggers build the same text in C (board_fold.c): the two must
  -- stay identical.
  scope_key := format('pg_catalog.concat_ws(''|'', g.period, g.period_start::pg_catalog.text%s) COLLATE "C"',
                      part_keys);
  -- Rows fold into (local day, partitions, agent) first, and days into the board's
  -- periods after: a row is aggregated once, however many periods the board keeps.
  fold_source := format(
    'SELECT %1$s AS scope_key, g.* FROM ('
    ' SELECT p.lb_kind AS period, %2$s AS period_start%3$s, d.%4$s, leaderboard.kpi_merge(d.kpis) AS kpis'
    ' FROM (SELECT (n.lb_local)::pg_catalog.date AS lb_day%5$s, n.%4$s, leaderboard.kpi_agg(%6$s) AS kpis'
    '  FROM (SELECT n.*, %7$s AS lb_local FROM %8$s n WHERE n.%4$s IS NOT NULL AND n.%9$s IS NOT NULL%10$s) n'
    '  GROUP BY %11$s) d CROSS JOIN pg_catalog.unnest(%12$L::pg_catalog.text[]) AS p(lb_kind)'
    ' GROUP BY %13$s) g',
    scope_key, leaderboard._period_start_sql('p.lb_kind', 'd.lb_day::pg_catalog.timestamp'), d_parts, qa,
    n_parts, kpi_args, local_n, src, qt, filter_sql,
    (SELECT string_agg(g::text, ', ') FROM generate_series(1, 2 + coalesce(array_length(b.partition_by, 1), 0)) g),
    b.periods,
    (SELECT string_agg(g::text, ', ') FROM generate_series(1, 3 + coalesce(array_length(b.partition_by, 1), 0)) g));

  -- Every score the board stores, ranks and places on a points ladder is at the ranking
  -- precision: equal scores tie in every comparison, index and rank computed from them.
  -- The card of a row's period, as a literal or a CASE over the period of alias g, s or t.
  card_g := leaderboard._card_sql(b, 'g.period', 'g.period_start');
  card_s := leaderboard._card_sql(b, 's.period', 's.period_start');
  card_t := leaderboard._card_sql(b, 't.period', 't.period_start');
  IF b.ladder IS NOT NULL AND leaderboard.ladder_kind(b.ladder) = 'points' THEN
    tier_ins := format(', CASE WHEN leaderboard.qualified(g.kpis, %1$s) THEN'
                       ' leaderboard.tier(leaderboard._board_score(g.kpis, %1$s), %2$L::leaderboard.ladder) END',
                       card_g, b.ladder);
    -- format(tier_upd, <kpis>, card_t, b.ladder)
    tier_upd := ', tier = CASE WHEN leaderboard.qualified(%1$s, %2$s) THEN'
                ' leaderboard.tier(leaderboard._board_score(%1$s, %2$s), %3$L::leaderboard.ladder, t.tier) END';
  ELSE
    tier_ins := ', NULL';
  END IF;

  lock_scopes := format(
    'INSERT INTO %s AS s (scope_key, period, period_start%s) '
    'SELECT DISTINCT ON (scope_key) scope_key, period, period_start%s FROM lb_pending ORDER BY scope_key '
    'ON CONFLICT (scope_key) DO UPDATE SET version = s.version + 1 RETURNING s.version, s.scope_key, s.scope_id',
    sc, parts_cols, parts_cols);

  -- rows of a (period, agent) group: a superset range on the time column (indexable),
  -- then the exact period test in local time (DST-safe). Within a year of either end of
  -- the timestamp range (4714-11-24 BC, 294276-12-31) the range is left open on that
  -- side: its bound, or the bound's time in another zone, would be out of range. Both
  -- bounds are inclusive: the periods of -infinity and infinity hold the calls at
  -- exactly those times (and 'all' holds both).
  lo := format('(CASE WHEN k.period = ''all'' OR k.period_start < ''4713-11-24 BC''::pg_catalog.date '
               'THEN ''-infinity''::pg_catalog.timestamp '
               'ELSE k.period_start::pg_catalog.timestamp - interval ''1 day'' END)');
  hi := format('(CASE WHEN k.period = ''all'' OR k.period_start >= ''294275-12-31''::pg_catalog.date '
               'THEN ''infinity''::pg_catalog.timestamp '
               'WHEN k.period = ''day'' THEN k.period_start + interval ''2 days'' '
               'WHEN k.period = ''week'' THEN k.period_start + interval ''8 days'' '
               'WHEN k.period = ''month'' THEN k.period_start + interval ''1 month 1 day'' '
               'WHEN k.period = ''quarter'' THEN k.period_start + interval ''3 months 1 day'' '
               'ELSE k.period_start + interval ''1 year 1 day'' END)');
  IF leaderboard._base_type(leaderboard._expression_type(b.source, qt, 'at')) = 'timestamptz'::regtype THEN
    lo := format('(%s AT TIME ZONE %L)', lo, b.time_zone);
    hi := format('(%s AT TIME ZONE %L)', hi, b.time_zone);
  ELSIF leaderboard._base_type(leaderboard._expression_type(b.source, qt, 'at')) = 'date'::regtype THEN
    lo := lo || '::pg_catalog.date'; hi := hi || '::pg_catalog.date';
  END IF;
  in_period := format('s.%1$s >= %2$s AND s.%1$s <= %3$s AND (k.period = ''all'' OR %4$s = k.period_start)',
                      qt, lo, hi,
                      leaderboard._period_start_sql('k.period', leaderboard._local_time_sql(b, 's.' || qt)));

  -- OFFSET 0 keeps the USING subquery whole: pulled up, its correlated kpi_agg() would be
  -- evaluated once per reference to g.kpis in the MERGE actions
  recompute := format(
    'MERGE INTO %1$s t USING ('
    ' SELECT sc.scope_id, k.period, k.period_start%2$s, k.%3$s,'
    '  (SELECT leaderboard.kpi_agg(%4$s) FROM %5$s s WHERE s.%3$s = k.%3$s AND %6$s%7$s%8$s) AS kpis'
    ' FROM (SELECT DISTINCT scope_key, period, period_start%9$s, %3$s FROM lb_pending WHERE kpis IS NULL) k'
    ' JOIN %10$s sc ON sc.scope_key = k.scope_key OFFSET 0) g',
    st, k_parts, qa, kpi_args, src, in_period, part_match, filter_sql, parts_cols, sc);
  -- A board that never re-reads its source (leaderboard._needs_recompute) applies
  -- corrections as deltas instead: lb_corrections holds, per corrected (scope, agent),
  -- everything the transaction added (kpis) and removed, which _kpis_correct() applies to
  -- the stored row.
  IF NOT leaderboard._needs_recompute(b) THEN
    recompute := format(
      'MERGE INTO %1$s t USING ('
      ' SELECT sc.scope_id, k.period, k.period_start%2$s, k.%3$s,'
      '  leaderboard._kpis_correct(s.kpis, k.kpis, k.removed) AS kpis'
      ' FROM lb_corrections k JOIN %4$s sc ON sc.scope_key = k.scope_key'
      ' LEFT JOIN %1$s s ON s.%3$s = k.%3$s AND s.period = k.period AND s.period_start = k.period_start'
      '  AND s.scope_id = sc.scope_id OFFSET 0) g',
      st, k_parts, qa, sc);
  END IF;
  recompute := recompute || format(
    ' ON t.%1$s = g.%1$s AND t.period = g.period AND t.period_start = g.period_start AND t.scope_id = g.scope_id'
    ' WHEN MATCHED AND g.kpis IS NULL THEN DELETE'
    ' WHEN MATCHED THEN UPDATE SET kpis = g.kpis, score = %2$s, qualified = %3$s%4$s, updated_at = pg_catalog.now()'
    ' WHEN NOT MATCHED AND g.kpis IS NOT NULL THEN INSERT (scope_id, period, period_start%5$s, %1$s, kpis, score, qualified, tier, updated_at)'
    '  VALUES (g.scope_id, g.period, g.period_start%6$s, g.%1$s, g.kpis, %7$s, %8$s%9$s, pg_catalog.now())',
    qa, format('leaderboard._board_score(g.kpis, %s)', card_t), format('leaderboard.qualified(g.kpis, %s)', card_t),
    format(tier_upd, 'g.kpis', card_t, b.ladder), parts_cols, g_parts,
    format('leaderboard._board_score(g.kpis, %s)', card_g), format('leaderboard.qualified(g.kpis, %s)', card_g), tier_ins);

  -- add_deltas, and add_deltas_large with the scopes insert_new fills skipped, around the
  -- point of lb_pending where that skip goes
  deltas_head := format(
    'INSERT INTO %1$s AS t (scope_id, period, period_start%2$s, %3$s, kpis, score, qualified, tier, updated_at)'
    ' SELECT sc.scope_id, g.period, g.period_start%4$s, g.%3$s, g.kpis, %5$s, %6$s%7$s, pg_catalog.now()'
    ' FROM (SELECT scope_key, period, period_start%2$s, %3$s, leaderboard.kpi_merge(kpis) AS kpis'
    '       FROM lb_pending',
    st, parts_cols, qa, g_parts,
    format('leaderboard._board_score(g.kpis, %s)', card_g), format('leaderboard.qualified(g.kpis, %s)', card_g), tier_ins);
  deltas_tail := format(
    ' GROUP BY scope_key, period, period_start%1$s, %2$s'
    '       HAVING pg_catalog.bool_and(kpis IS NOT NULL)) g'
    ' JOIN %3$s sc ON sc.scope_key = g.scope_key'
    ' ON CONFLICT (%2$s, period, period_start, scope_id) DO UPDATE SET kpis = t.kpis OPERATOR(leaderboard.+) EXCLUDED.kpis,'
    '  score = %4$s, qualified = %5$s%6$s, updated_at = pg_catalog.now()',
    parts_cols, qa, sc,
    format('leaderboard._board_score(t.kpis OPERATOR(leaderboard.+) EXCLUDED.kpis, %s)', card_t),
    format('leaderboard.qualified(t.kpis OPERATOR(leaderboard.+) EXCLUDED.kpis, %s)', card_t),
    format(tier_upd, 't.kpis OPERATOR(leaderboard.+) EXCLUDED.kpis', card_t, b.ladder));

  -- Scopes a large batch creates (version 0 once lock_scopes ran: it inserted them, and
  -- bumps the version of every scope that existed) and recomputes nothing in get their
  -- rows inserted already ranked by insert_new, one write per row; add_deltas_large and
  -- the full re-rank leave them alone.
  new_scopes := format('SELECT sc.scope_key FROM %s sc WHERE sc.version = 0'
                       ' AND sc.scope_key IN (SELECT scope_key FROM lb_pending)'
                       ' AND sc.scope_key NOT IN (SELECT scope_key FROM lb_pending WHERE kpis IS NULL)', sc);
  add_deltas_large := deltas_head || format(' WHERE scope_key NOT IN (%s)', new_scopes) || deltas_tail;
  add_deltas := deltas_head || deltas_tail;

  rank_fn := leaderboard._rank_fn_sql(b.rank_style);
  -- the ORDER BY of the ranking window over the rows of alias s, or e
  rank_order_s := leaderboard._rank_order_sql(b, 's.qualified', 's.score', 's.kpis', 's.' || qa);
  rank_order_e := leaderboard._rank_order_sql(b, 'e.qualified', 'e.score', 'e.kpis', 'e.' || qa);
  IF b.ladder IS NOT NULL AND NOT leaderboard.ladder_kind(b.ladder) = 'points' THEN
    rank_tier := format(', tier = leaderboard.tier_by_rank(r.lb_rk, r.lb_n, %L::leaderboard.ladder)', b.ladder);
    rank_tier_cmp := format(' OR w.tier IS DISTINCT FROM leaderboard.tier_by_rank(w.lb_rk, w.lb_n, %L::leaderboard.ladder)', b.ladder);
  END IF;
  -- only rows whose rank (or rank tier) changes are joined back and written; rank is in
  -- no index, so those updates are HOT. The scopes re-ranked go between head and tail.
  rerank_head := format(
    'UPDATE %1$s t SET rank = r.lb_rk%2$s FROM ('
    ' SELECT * FROM ('
    '  SELECT s.scope_id, s.period, s.period_start, s.%3$s, s.rank, s.tier, CASE WHEN s.qualified THEN %4$s OVER w END AS lb_rk,'
    '   pg_catalog.count(*) FILTER (WHERE s.qualified) OVER (PARTITION BY s.scope_id) AS lb_n'
    '  FROM %1$s s WHERE ',
    st, rank_tier, qa, rank_fn);
  rerank_tail := format(
    '  WINDOW w AS (PARTITION BY s.scope_id ORDER BY %1$s)) w'
    ' WHERE w.rank IS DISTINCT FROM w.lb_rk%2$s) r'
    ' WHERE t.%3$s = r.%3$s AND t.period = r.period AND t.period_start = r.period_start AND t.scope_id = r.scope_id',
    rank_order_s, rank_tier_cmp, qa);
  rerank_all := rerank_head || 'true' || rerank_tail;

  -- A scope where a single agent moved is re-ranked incrementally when ranks are plain
  -- rank() and tiers do not depend on ranks: rank = 1 + the number of qualified rows
  -- scoring higher, so only rows scoring between the agent's old and new score shift by
  -- one, and the agent's own rank moves by the number of rows it passed. Unqualified
  -- rows count as scoring -infinity. Other scopes are re-ranked in full.
  IF b.rank_style = 'rank' AND (b.ladder IS NULL OR leaderboard.ladder_kind(b.ladder) = 'points') THEN
    before_moves := format(
      'SELECT t.scope_id, t.%1$s, t.score, t.qualified, t.rank'
      ' FROM (SELECT DISTINCT scope_key, %1$s FROM lb_pending) k'
      ' JOIN %2$s sc ON sc.scope_key = k.scope_key'
      ' JOIN %3$s t ON t.%1$s = k.%1$s AND t.period = sc.period AND t.period_start = sc.period_start AND t.scope_id = sc.scope_id',
      qa, sc, st);
    rerank_multi := rerank_head || format(
      's.scope_id IN (SELECT sc.scope_id FROM %s sc WHERE sc.ranks_stored AND sc.scope_key IN ('
      'SELECT scope_key FROM lb_pending GROUP BY scope_key HAVING pg_catalog.count(DISTINCT %s) > 1))', sc, qa) || rerank_tail;
    rerank_single := format(
      'WITH m AS ('
      ' SELECT sc.scope_id, sc.period AS lb_period, sc.period_start AS lb_period_start, k.%1$s AS lb_agent,'
      '  b.rank AS old_rank, coalesce(t.qualified, false) AS new_q,'
      '  CASE WHEN b.qualified THEN b.score ELSE ''-infinity''::pg_catalog.float8 END AS o,'
      '  CASE WHEN t.qualified THEN t.score ELSE ''-infinity''::pg_catalog.float8 END AS n'
      ' FROM (SELECT d.scope_key, d.%1$s FROM (SELECT p.scope_key, p.%1$s,'
      '        pg_catalog.count(*) OVER (PARTITION BY p.scope_key) AS lb_agents'
      '       FROM (SELECT DISTINCT scope_key, %1$s FROM lb_pending) p) d WHERE d.lb_agents = 1) k'
      ' JOIN %2$s sc ON sc.scope_key = k.scope_key AND sc.ranks_stored'
      ' LEFT JOIN %3$s t ON t.%1$s = k.%1$s AND t.period = sc.period AND t.period_start = sc.period_start AND t.scope_id = sc.scope_id'
      ' LEFT JOIN lb_before b ON b.scope_id = sc.scope_id AND b.%1$s = k.%1$s),'
      ' shift AS ('
      '  UPDATE %3$s r SET rank = r.rank + (m.n > r.score)::pg_catalog.int4 - (m.o > r.score)::pg_catalog.int4'
      '  FROM m WHERE r.scope_id = m.scope_id AND r.%1$s <> m.lb_agent AND r.qualified'
      '   AND r.score >= LEAST(m.o, m.n) AND r.score < GREATEST(m.o, m.n)'
      '  RETURNING 1)'
      ' UPDATE %3$s t SET rank = x.rk FROM ('
      '  SELECT m.scope_id, m.lb_period, m.lb_period_start, m.lb_agent, CASE'
      '   WHEN NOT m.new_q THEN NULL'
      '   WHEN m.old_rank IS NULL THEN 1 + (SELECT pg_catalog.count(*) FROM %3$s a WHERE a.scope_id = m.scope_id'
      '     AND a.qualified AND a.score > m.n AND a.%1$s <> m.lb_agent)'
      '   WHEN m.n >= m.o THEN m.old_rank - (SELECT pg_catalog.count(*) FROM %3$s a WHERE a.scope_id = m.scope_id'
      '     AND a.qualified AND a.score > m.o AND a.score <= m.n AND a.%1$s <> m.lb_agent)'
      '   ELSE m.old_rank + (SELECT pg_catalog.count(*) FROM %3$s a WHERE a.scope_id = m.scope_id'
      '     AND a.qualified AND a.score > m.n AND a.score <= m.o AND a.%1$s <> m.lb_agent) END AS rk'
      '  FROM m) x'
      ' WHERE t.%1$s = x.lb_agent AND t.period = x.lb_period AND t.period_start = x.lb_period_start'
      '  AND t.scope_id = x.scope_id AND t.rank IS DISTINCT FROM x.rk',
      qa, sc, st);
  ELSE
    rerank_multi := rerank_head || format(
      's.scope_id IN (SELECT sc.scope_id FROM %s sc WHERE sc.ranks_stored AND sc.scope_key IN (SELECT scope_key FROM lb_pending))', sc)
      || rerank_tail;
  END IF;
  rerank := rerank_head || format(
    's.scope_id IN (SELECT sc.scope_id FROM %s sc WHERE sc.ranks_stored AND sc.scope_key IN (SELECT scope_key FROM lb_pending)'
    ' AND sc.scope_key NOT IN (%s))', sc, new_scopes) || rerank_tail;

  -- every open row rescored from its stored kpis and re-ranked in one statement
  -- (alter_board), which returns how many rows changed score, qualification, rank or
  -- tier; its one parameter, a boolean, says whether a points ladder's held tiers are kept.
  -- A new score is a new entry in both indexes, and one beside the row's old entry in the
  -- key, whose unique check and page splits then read the old versions in the heap. So a
  -- scope where at least half the scores change (a new card) takes a new scope_id, and its
  -- rows are deleted and inserted again under it: their keys are new, as in a rebuild.
  -- Rows of the other scopes (a new ladder) are updated in place, by ctid, only where
  -- something changes: a changed tier or rank alone is a HOT update. The EXCLUSIVE lock on
  -- the scopes keeps writers out meanwhile, so no row moves and no scope is created. Each
  -- row is scored once, into x, which the choice of scopes, the rows inserted again (with
  -- their kpis) and the updates all read.
  rescore := format(
    'WITH x AS MATERIALIZED ('
    ' SELECT y.*, (y.lb_score, y.lb_qualified, y.lb_rank, y.lb_tier)'
    '  IS DISTINCT FROM (y.score, y.qualified, y.rank, y.tier) AS lb_changed FROM ('
    '  SELECT r.lb_ctid, r.scope_id, r.period, r.period_start%5$s, r.%6$s, r.kpis, r.updated_at,'
    '   r.lb_score, r.lb_qualified, r.lb_rank, r.lb_tier, r.score, r.qualified,'
    '   CASE WHEN r.lb_ranks_stored THEN r.rank END AS rank, %7$s AS tier FROM ('
    '   SELECT e.*, CASE WHEN e.qualified THEN %8$s OVER (PARTITION BY e.scope_id ORDER BY %9$s) END AS rank,'
    '    pg_catalog.count(*) FILTER (WHERE e.qualified) OVER (PARTITION BY e.scope_id) AS lb_n'
    '   FROM (SELECT s.ctid AS lb_ctid, s.scope_id, s.period, s.period_start%10$s, s.%6$s, s.kpis,'
    '          s.updated_at, s.score AS lb_score, s.qualified AS lb_qualified, s.rank AS lb_rank, s.tier AS lb_tier,'
    '          sc.ranks_stored AS lb_ranks_stored, %4$s AS score, %11$s AS qualified'
    '         FROM %1$s s JOIN %2$s sc ON sc.scope_id = s.scope_id WHERE NOT %3$s) e) r) y),'
    ' lb_moved AS (SELECT x.scope_id FROM x GROUP BY x.scope_id'
    '  HAVING pg_catalog.count(*) FILTER (WHERE x.lb_score <> x.score) * 2 >= pg_catalog.count(*)),'
    ' lb_ids AS (UPDATE %2$s sc SET scope_id = DEFAULT FROM lb_moved m WHERE sc.scope_id = m.scope_id'
    '  RETURNING m.scope_id AS lb_old_id, sc.scope_id AS lb_new_id),'
    ' lb_delete AS (DELETE FROM %1$s s WHERE s.scope_id IN (SELECT m.scope_id FROM lb_moved m)),'
    ' lb_insert AS (INSERT INTO %1$s (scope_id, period, period_start%12$s, %6$s, kpis, score, qualified, rank, tier, updated_at)'
    '  SELECT i.lb_new_id, x.period, x.period_start%13$s, x.%6$s, x.kpis, x.score, x.qualified, x.rank, x.tier, x.updated_at'
    '  FROM x JOIN lb_ids i ON i.lb_old_id = x.scope_id),'
    ' lb_update AS (UPDATE %1$s t SET score = x.score, qualified = x.qualified, rank = x.rank, tier = x.tier'
    '  FROM x WHERE x.lb_changed AND t.ctid = x.lb_ctid AND x.scope_id NOT IN (SELECT m.scope_id FROM lb_moved m))'
    ' SELECT pg_catalog.count(*) FROM x WHERE x.lb_changed',
    st, sc,
    -- closed scopes keep the scores, ranks and tiers they closed with
    leaderboard._closed_sql(b.closed_before, 's.period', 's.period_start'),
    format('leaderboard._board_score(s.kpis, %s)', card_s), r_parts, qa,
    CASE WHEN b.ladder IS NULL THEN 'NULL::pg_catalog.text'
         WHEN leaderboard.ladder_kind(b.ladder) = 'points'
           THEN format('CASE WHEN r.qualified THEN leaderboard.tier(r.score, %L::leaderboard.ladder,'
                       ' CASE WHEN $1 THEN r.lb_tier END) END', b.ladder)
         ELSE format('CASE WHEN r.qualified THEN leaderboard.tier_by_rank(r.rank, r.lb_n, %L::leaderboard.ladder) END', b.ladder) END,
    rank_fn, rank_order_e, s_parts, format('leaderboard.qualified(s.kpis, %s)', card_s), parts_cols, x_parts);

  -- standings from scratch, ranked, from the groups put between head and tail: from the
  -- source, what rebuild writes and verify compares with
  expected_head := format(
    'SELECT r.scope_key, r.period, r.period_start%1$s, r.%2$s, r.kpis, r.score, r.qualified, r.rank, %3$s AS tier FROM ('
    ' SELECT e.*, CASE WHEN e.qualified THEN %4$s OVER (PARTITION BY e.scope_key ORDER BY %5$s) END AS rank,'
    '  pg_catalog.count(*) FILTER (WHERE e.qualified) OVER (PARTITION BY e.scope_key) AS lb_n'
    ' FROM (SELECT g.*, %6$s AS score, %7$s AS qualified FROM (',
    r_parts, qa,
    CASE WHEN b.ladder IS NULL THEN 'NULL::pg_catalog.text'
         WHEN leaderboard.ladder_kind(b.ladder) = 'points'
           THEN format('CASE WHEN r.qualified THEN leaderboard.tier(r.score, %L::leaderboard.ladder) END', b.ladder)
         ELSE format('CASE WHEN r.qualified THEN leaderboard.tier_by_rank(r.rank, r.lb_n, %L::leaderboard.ladder) END', b.ladder) END,
    rank_fn, rank_order_e,
    format('leaderboard._board_score(g.kpis, %s)', card_g), format('leaderboard.qualified(g.kpis, %s)', card_g));
  expected_tail := ') g) e) r';
  -- closed scopes are frozen: neither recomputed (verify, rebuild) nor rebuilt
  closed := leaderboard._closed_sql(b.closed_before, 'f.period', 'f.period_start');
  IF closed = 'false' THEN
    expected := expected_head || fold_source || expected_tail;
  ELSE
    expected := expected_head || format('SELECT f.* FROM (%s) f WHERE NOT %s', fold_source, closed) || expected_tail;
  END IF;
  insert_new := format(
    'INSERT INTO %1$s (scope_id, period, period_start%2$s, %3$s, kpis, score, qualified, rank, tier, updated_at) '
    'SELECT sc.scope_id, x.period, x.period_start%4$s, x.%3$s, x.kpis, x.score, x.qualified, x.rank, x.tier, pg_catalog.now() '
    'FROM (%5$s) x JOIN %6$s sc ON sc.scope_key = x.scope_key',
    st, parts_cols, qa, x_parts,
    expected_head || format(
      'SELECT scope_key, period, period_start%1$s, %2$s, leaderboard.kpi_merge(kpis) AS kpis FROM lb_pending'
      ' WHERE scope_key IN (%3$s) GROUP BY scope_key, period, period_start%1$s, %2$s', parts_cols, qa, new_scopes)
      || expected_tail,
    sc);
  rebuild := format(
    'DELETE FROM %1$s f WHERE NOT %7$s; DELETE FROM %2$s f WHERE NOT %7$s; '
    'WITH x AS (%3$s), sc AS (INSERT INTO %2$s (scope_key, period, period_start%4$s) '
    ' SELECT DISTINCT ON (scope_key) scope_key, period, period_start%4$s FROM x ORDER BY scope_key '
    ' RETURNING scope_id, scope_key) '
    'INSERT INTO %1$s (scope_id, period, period_start%4$s, %5$s, kpis, score, qualified, rank, tier, updated_at) '
    'SELECT sc.scope_id, x.period, x.period_start%6$s, x.%5$s, x.kpis, x.score, x.qualified, x.rank, x.tier, pg_catalog.now() '
    'FROM x JOIN sc ON sc.scope_key = x.scope_key',
    st, sc, expected, parts_cols, qa, x_parts, closed);
END $$;
COMMENT ON FUNCTION leaderboard._board_statements(text) IS
  'internal: the SQL statements a board''s triggers run, generated from its catalog row';
