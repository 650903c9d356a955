-- leaderboard 0.1 -> 0.2, run by ALTER EXTENSION leaderboard UPDATE.
\echo Use "ALTER EXTENSION leaderboard UPDATE" to load this file. \quit
--
-- After this script a database installed at 0.1 must hold exactly what a fresh 0.2 install
-- holds (leaderboard--0.2.sql, built from src/sql/), and every existing board must be what
-- create_board in 0.2 would make: test/scripts/upgrade.sh compares both and fails on any
-- difference. So every change to a piece of src/sql/ adds its step here, in the same commit:
--   - a new object: its CREATE, COMMENT and GRANT, as in the piece (src/sql/90_privileges.sql
--     revokes EXECUTE on every routine from PUBLIC: repeat that REVOKE for new routines);
--   - a changed function: CREATE OR REPLACE with the new body (a changed signature or return
--     type: DROP the old one, then CREATE); a changed COMMENT or GRANT: the same statement;
--   - a removed object: its DROP (C functions that the 0.1 script declares stay in the
--     shared library, which serves both versions until the update runs);
--   - a new column of leaderboard.boards: ALTER TABLE ... ADD COLUMN, filling existing rows;
--     add new columns at the end of the piece's CREATE TABLE so both orders agree;
--   - a change to what create_board generates for a board (its standings and scopes tables,
--     their indexes, the <board>_current and <board>_explain views, <board>_around, the
--     triggers on the source): migrate every existing board here, e.g. a loop over
--     leaderboard.boards calling the new leaderboard._board_views(b) or
--     leaderboard._board_triggers(b), or ALTER/CREATE INDEX on each b.standings.
-- Once 0.2 is released this file is frozen like leaderboard--0.1.sql; the next version
-- starts leaderboard--0.2--0.3.sql (README, "Upgrading").

-- Unknown extremes and corrections by delta: boards that never re-read their source
DROP FUNCTION leaderboard._catalog_update(text, jsonb, text);

CREATE FUNCTION leaderboard._catalog_update(board text, scorecards jsonb, ladder text, source_index name DEFAULT NULL)
RETURNS void
  AS 'MODULE_PATHNAME', 'board_catalog_update' LANGUAGE C;
COMMENT ON FUNCTION leaderboard._catalog_update(text, jsonb, text, name) IS
  'internal: replaces the scorecards and ladder of a board the caller owns, and records a source index alter_board created';

CREATE FUNCTION leaderboard._kpis_correct(stored leaderboard.kpis, added leaderboard.kpis, removed leaderboard.kpis)
RETURNS leaderboard.kpis
  AS 'MODULE_PATHNAME', 'kpis_correct_sql' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION leaderboard._kpis_correct(leaderboard.kpis, leaderboard.kpis, leaderboard.kpis) IS
  'internal: stored + added - removed for a board''s correction, extremes that are no longer known forgotten; NULL when no row is left';

CREATE FUNCTION leaderboard._exact_extremes(b leaderboard.boards) RETURNS bigint
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT coalesce(sum(DISTINCT 1::bigint << (m.i - 1)::integer), 0)::bigint
  FROM jsonb_each_text(b.scorecards) c,
       jsonb_array_elements(c.value::jsonb -> 'metrics') e,
       unnest(b.metric_names) WITH ORDINALITY AS m(name, i)
  WHERE e ->> 'name' = m.name AND e ->> 'stat' IN ('min', 'max')
$$;
COMMENT ON FUNCTION leaderboard._exact_extremes(leaderboard.boards) IS
  'internal: bits of the metrics whose min or max a card of the board reads';

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

CREATE OR REPLACE FUNCTION leaderboard._kpis_close(a leaderboard.kpis, b leaderboard.kpis, k integer) RETURNS boolean
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

CREATE OR REPLACE FUNCTION leaderboard._board_statements(board text,
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
  part_keys text := '';
  part_match text := '';
  kpi_args text; filter_sql text := '';
  local_n text; scope_key text;
  card_g text; card_s text; card_t text; tier_ins text; tier_upd text := '';
  lo text; hi text; in_period text;
  rank_fn text; ties text := ''; rank_order_s text; rank_order_e text;
  rank_tier text := ''; rank_tier_cmp text := '';
  tie text;
  new_scopes text;
  deltas_head text; deltas_tail text; rerank_head text; rerank_tail text;
  expected_head text; expected_tail text;
  i int;
  p name;
  src text;
  st text; sc text;
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
  card_g := leaderboard._card_sql(b, 'g.period');
  card_s := leaderboard._card_sql(b, 's.period');
  card_t := leaderboard._card_sql(b, 't.period');
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
  -- side: its bound, or the bound's time in another zone, would be out of range.
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
  IF leaderboard._expression_type(b.source, qt, 'at') = 'timestamptz'::regtype THEN
    lo := format('(%s AT TIME ZONE %L)', lo, b.time_zone);
    hi := format('(%s AT TIME ZONE %L)', hi, b.time_zone);
  ELSIF leaderboard._expression_type(b.source, qt, 'at') = 'date'::regtype THEN
    lo := lo || '::pg_catalog.date'; hi := hi || '::pg_catalog.date';
  END IF;
  in_period := format('s.%1$s >= %2$s AND s.%1$s < %3$s AND (k.period = ''all'' OR %4$s = k.period_start)',
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

  rank_fn := CASE b.rank_style WHEN 'dense_rank' THEN 'pg_catalog.dense_rank()'
                               WHEN 'row_number' THEN 'pg_catalog.row_number()'
                               ELSE 'pg_catalog.rank()' END;
  -- the ORDER BY of the ranking window over the rows of alias s, or e: _tie_break_sql()
  -- gives only names of functions and a metric's position, with {{t}} for the alias
  IF b.rank_style = 'row_number' THEN
    FOREACH tie IN ARRAY b.tie_break LOOP
      ties := ties || ', ' || leaderboard._tie_break_sql(b, tie);
    END LOOP;
  END IF;
  rank_order_s := replace('{{t}}.qualified DESC, {{t}}.score DESC' || ties, '{{t}}', 's');
  rank_order_e := replace('{{t}}.qualified DESC, {{t}}.score DESC' || ties, '{{t}}', 'e');
  IF b.rank_style = 'row_number' THEN
    rank_order_s := rank_order_s || ', s.' || qa;
    rank_order_e := rank_order_e || ', e.' || qa;
  END IF;
  IF b.ladder IS NOT NULL AND NOT leaderboard.ladder_kind(b.ladder) = 'points' THEN
    rank_tier := format(', tier = leaderboard.tier_by_rank(r.rk, r.n, %L::leaderboard.ladder)', b.ladder);
    rank_tier_cmp := format(' OR w.tier IS DISTINCT FROM leaderboard.tier_by_rank(w.rk, w.n, %L::leaderboard.ladder)', b.ladder);
  END IF;
  -- only rows whose rank (or rank tier) changes are joined back and written; rank is in
  -- no index, so those updates are HOT. The scopes re-ranked go between head and tail.
  rerank_head := format(
    'UPDATE %1$s t SET rank = r.rk%2$s FROM ('
    ' SELECT * FROM ('
    '  SELECT s.scope_id, s.period, s.period_start, s.%3$s, s.rank, s.tier, CASE WHEN s.qualified THEN %4$s OVER w END AS rk,'
    '   pg_catalog.count(*) FILTER (WHERE s.qualified) OVER (PARTITION BY s.scope_id) AS n'
    '  FROM %1$s s WHERE ',
    st, rank_tier, qa, rank_fn);
  rerank_tail := format(
    '  WINDOW w AS (PARTITION BY s.scope_id ORDER BY %1$s)) w'
    ' WHERE w.rank IS DISTINCT FROM w.rk%2$s) r'
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
      ' FROM (SELECT scope_key, (pg_catalog.array_agg(%1$s))[1] AS %1$s FROM lb_pending GROUP BY scope_key'
      '       HAVING pg_catalog.count(DISTINCT %1$s) = 1) k'
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

  -- every row rescored from its stored kpis and re-ranked in one pass (alter_board); its
  -- one parameter, a boolean, says whether a points ladder's held tiers are kept.
  -- Rows are joined back by ctid (the EXCLUSIVE lock on the scopes keeps writers out, so
  -- no row moves meanwhile), the window sort carries no kpis, and rows whose score,
  -- qualification, rank and tier all stay are not written: a new ladder alone rewrites
  -- only the rows whose tier changes, as HOT updates.
  rescore := format(
    'UPDATE %1$s t SET score = x.score, qualified = x.qualified, rank = x.rank, tier = x.tier FROM ('
    ' SELECT r.lb_ctid, r.score, r.qualified, CASE WHEN r.lb_ranks_stored THEN r.rank END AS rank, %3$s AS tier FROM ('
    '  SELECT e.lb_ctid, e.score, e.qualified, e.old_tier, e.lb_ranks_stored,'
    '   CASE WHEN e.qualified THEN %4$s OVER (PARTITION BY e.scope_id ORDER BY %5$s) END AS rank,'
    '   pg_catalog.count(*) FILTER (WHERE e.qualified) OVER (PARTITION BY e.scope_id) AS n'
    '  FROM (SELECT s.ctid AS lb_ctid, s.scope_id, s.%2$s, s.tier AS old_tier, sc.ranks_stored AS lb_ranks_stored,'
    '         %6$s AS score, %7$s AS qualified%9$s FROM %1$s s JOIN %8$s sc ON sc.scope_id = s.scope_id) e) r) x'
    ' WHERE t.ctid = x.lb_ctid'
    '  AND (t.score, t.qualified, t.rank, t.tier) IS DISTINCT FROM (x.score, x.qualified, x.rank, x.tier)',
    st, qa,
    CASE WHEN b.ladder IS NULL THEN 'NULL::pg_catalog.text'
         WHEN leaderboard.ladder_kind(b.ladder) = 'points'
           THEN format('CASE WHEN r.qualified THEN leaderboard.tier(r.score, %L::leaderboard.ladder,'
                       ' CASE WHEN $1 THEN r.old_tier END) END', b.ladder)
         ELSE format('CASE WHEN r.qualified THEN leaderboard.tier_by_rank(r.rank, r.n, %L::leaderboard.ladder) END', b.ladder) END,
    rank_fn, rank_order_e,
    format('leaderboard._board_score(s.kpis, %s)', card_s), format('leaderboard.qualified(s.kpis, %s)', card_s), sc,
    -- the tie-break chain of row_number boards orders by the kpis
    CASE WHEN b.rank_style = 'row_number' THEN ', s.kpis' ELSE '' END);

  -- standings from scratch, ranked, from the groups put between head and tail: from the
  -- source, what rebuild writes and verify compares with
  expected_head := format(
    'SELECT r.scope_key, r.period, r.period_start%1$s, r.%2$s, r.kpis, r.score, r.qualified, r.rank, %3$s AS tier FROM ('
    ' SELECT e.*, CASE WHEN e.qualified THEN %4$s OVER (PARTITION BY e.scope_key ORDER BY %5$s) END AS rank,'
    '  pg_catalog.count(*) FILTER (WHERE e.qualified) OVER (PARTITION BY e.scope_key) AS n'
    ' FROM (SELECT g.*, %6$s AS score, %7$s AS qualified FROM (',
    r_parts, qa,
    CASE WHEN b.ladder IS NULL THEN 'NULL::pg_catalog.text'
         WHEN leaderboard.ladder_kind(b.ladder) = 'points'
           THEN format('CASE WHEN r.qualified THEN leaderboard.tier(r.score, %L::leaderboard.ladder) END', b.ladder)
         ELSE format('CASE WHEN r.qualified THEN leaderboard.tier_by_rank(r.rank, r.n, %L::leaderboard.ladder) END', b.ladder) END,
    rank_fn, rank_order_e,
    format('leaderboard._board_score(g.kpis, %s)', card_g), format('leaderboard.qualified(g.kpis, %s)', card_g));
  expected_tail := ') g) e) r';
  expected := expected_head || fold_source || expected_tail;
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
    'DELETE FROM %1$s; DELETE FROM %2$s; '
    'WITH x AS (%3$s), sc AS (INSERT INTO %2$s (scope_key, period, period_start%4$s) '
    ' SELECT DISTINCT ON (scope_key) scope_key, period, period_start%4$s FROM x ORDER BY scope_key '
    ' RETURNING scope_id, scope_key) '
    'INSERT INTO %1$s (scope_id, period, period_start%4$s, %5$s, kpis, score, qualified, rank, tier, updated_at) '
    'SELECT sc.scope_id, x.period, x.period_start%6$s, x.%5$s, x.kpis, x.score, x.qualified, x.rank, x.tier, pg_catalog.now() '
    'FROM x JOIN sc ON sc.scope_key = x.scope_key',
    st, sc, expected, parts_cols, qa, x_parts);
END $$;
COMMENT ON FUNCTION leaderboard._board_statements(text) IS
  'internal: the SQL statements a board''s triggers run, generated from its catalog row';

CREATE OR REPLACE FUNCTION leaderboard.create_board(
  name text, source regclass, agent text, at text, metrics text[], scorecard jsonb,
  periods text[] DEFAULT ARRAY['day', 'week', 'month'],
  partition_by text[] DEFAULT '{}',
  filter text DEFAULT NULL,
  ladder leaderboard.ladder DEFAULT NULL,
  time_zone text DEFAULT NULL,
  rank_style text DEFAULT 'rank',
  tie_break text[] DEFAULT '{}')
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
  tz text := coalesce(create_board.time_zone, current_setting('TimeZone'));
  ident text[];
  board_name text := create_board.name;
  supported regtype[] := ARRAY['smallint', 'integer', 'bigint', 'real', 'double precision',
                               'numeric', 'boolean', 'interval']::regtype[];
BEGIN
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
  IF EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = source AND attname IN ('lb_local', 'lb_kind') AND NOT attisdropped) THEN
    RAISE EXCEPTION 'table % has a column named lb_local or lb_kind, which boards reserve', source
      USING ERRCODE = 'duplicate_column';
  END IF;
  t := leaderboard._expression_type(source, quote_ident(at), 'at');
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
    IF NOT t = ANY (supported) THEN
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
  IF cardinality(b.partition_by) <> (SELECT count(DISTINCT x) FROM unnest(b.partition_by) x) THEN
    RAISE EXCEPTION 'a partition_by column is listed twice' USING ERRCODE = 'invalid_parameter_value';
  END IF;

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
  PERFORM leaderboard._check_tie_break(b.tie_break, scorecard);
  b.ladder := ladder;
  b.created_at := now();

  IF to_regclass(schema || '.' || quote_ident(board_name || '_standings')) IS NOT NULL
     OR to_regclass(schema || '.' || quote_ident(board_name || '_scopes')) IS NOT NULL
     OR to_regclass(schema || '.' || quote_ident(board_name || '_current')) IS NOT NULL
     OR to_regclass(schema || '.' || quote_ident(board_name || '_explain')) IS NOT NULL THEN
    RAISE EXCEPTION 'a relation named like board "%" already exists in schema %', board_name, schema
      USING ERRCODE = 'duplicate_table';
  END IF;
  IF to_regprocedure(format('%s.%I(%s, text, integer)', schema, board_name || '_around',
                            format_type(leaderboard._expression_type(source, quote_ident(agent), 'agent'), NULL))) IS NOT NULL THEN
    RAISE EXCEPTION 'function %.%(agent, text, integer) already exists', schema, quote_ident(board_name || '_around')
      USING ERRCODE = 'duplicate_function',
            DETAIL = format('Board "%s" creates this function.', board_name);
  END IF;

  FOREACH p IN ARRAY b.partition_by LOOP
    parts_ddl := parts_ddl || format(', %I %s', p, leaderboard._column_type(source, p));
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
                 leaderboard._column_type(source, agent), agent);
  b.standings := (schema || '.' || quote_ident(board_name || '_standings'))::regclass;
  -- Three indexes, as every standings write that changes a score adds an entry to each:
  -- the key (one row per scope and agent, as a scope has one period and period_start)
  -- leads with the agent, so around-me and "my rows" read an agent's rows of a period
  -- from it; top-N reads by the scope's columns; re-ranking and neighbours by scope_id.
  EXECUTE format('CREATE INDEX ON %s (period, period_start%s, score DESC)', b.standings, parts_cols);
  EXECUTE format('CREATE INDEX ON %s (scope_id, score, %I)', b.standings, agent);
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
COMMENT ON FUNCTION leaderboard.create_board(text, regclass, text, text, text[], jsonb, text[], text[], text, leaderboard.ladder, text, text, text[]) IS
  'declares a live board over a calls table: creates <name>_standings, <name>_current, <name>_explain and <name>_around, and loads existing rows';

CREATE OR REPLACE FUNCTION leaderboard.alter_board(board text, scorecard jsonb DEFAULT NULL, ladder leaderboard.ladder DEFAULT NULL,
                                        drop_ladder boolean DEFAULT false)
RETURNS bigint
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp SET DateStyle = 'ISO, YMD' SET IntervalStyle = 'postgres' SET TimeZone = 'UTC' SET extra_float_digits = 1 SET bytea_output = 'hex' SET standard_conforming_strings = on SET work_mem = '256MB' SET jit = off AS $$
DECLARE
  b leaderboard.boards := leaderboard._board(board);
  n bigint;
  old_extremes bigint := leaderboard._exact_extremes(b);
BEGIN
  PERFORM leaderboard._require_owner(b);
  EXECUTE format('LOCK TABLE %s IN EXCLUSIVE MODE', b.scopes);
  -- a NULL argument is one not given: a ladder is removed by name, not by a NULL
  IF drop_ladder AND ladder IS NOT NULL THEN
    RAISE EXCEPTION 'a new ladder and drop_ladder cannot be combined' USING ERRCODE = 'invalid_parameter_value',
      HINT = 'Give either ladder => ''...'' or drop_ladder => true.';
  END IF;
  -- nothing to change: the board's views are made again (this is how boards made by an
  -- older version get this version's views after ALTER EXTENSION UPDATE) and no row is
  -- rescored
  IF scorecard IS NULL AND ladder IS NULL AND drop_ladder IS NOT TRUE THEN
    PERFORM leaderboard._board_views(b);
    RETURN 0;
  END IF;
  IF scorecard IS NOT NULL THEN
    b.scorecards := leaderboard._board_cards(scorecard, b.periods, b.metric_names);
    PERFORM leaderboard._check_tie_break(b.tie_break, scorecard);
  END IF;
  IF ladder IS NOT NULL THEN
    b.ladder := ladder;
  ELSIF drop_ladder IS TRUE THEN
    b.ladder := NULL;
  END IF;
  -- a card that reads a min or max no card read before: corrections of that metric now
  -- re-read the source, and the stored rows may have forgotten its extremes
  b.source_index := leaderboard._ensure_source_index(b);
  PERFORM leaderboard._catalog_update(board, b.scorecards, b.ladder::text, b.source_index);
  PERFORM leaderboard._board_views(b);
  IF leaderboard._exact_extremes(b) & ~old_extremes <> 0 THEN
    RETURN leaderboard.rebuild(board);
  END IF;
  -- tiers of a rank ladder need every rank: scopes that stopped storing ranks store them
  -- again (the rescore below writes them)
  IF b.ladder IS NOT NULL AND leaderboard.ladder_kind(b.ladder) <> 'points' THEN
    EXECUTE format('UPDATE %s SET ranks_stored = true WHERE NOT ranks_stored', b.scopes);
  END IF;
  -- rescore and re-rank from the stored kpis in one pass: no source row is read; a held
  -- tier carries over only while the ladder stays the same
  EXECUTE (SELECT x.rescore FROM leaderboard._board_statements(board) x) USING ladder IS NULL;
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END $$;
COMMENT ON FUNCTION leaderboard.alter_board(text, jsonb, leaderboard.ladder, boolean) IS
  'changes a board''s scorecard or ladder (drop_ladder => true removes it) and rescores its standings from the stored kpis, without reading the source; returns the number of rows whose score, rank or tier it changed; with neither, only makes the board''s views again';

COMMENT ON FUNCTION leaderboard.kpi_min(leaderboard.kpis, pg_catalog.int4) IS
  'least value of metric i (1-based), NULL when it has no values or a board forgot it';
COMMENT ON FUNCTION leaderboard.kpi_max(leaderboard.kpis, pg_catalog.int4) IS
  'greatest value of metric i (1-based), NULL when it has no values or a board forgot it';
REVOKE EXECUTE ON FUNCTION
  leaderboard._catalog_update(text, jsonb, text, name),
  leaderboard._kpis_correct(leaderboard.kpis, leaderboard.kpis, leaderboard.kpis),
  leaderboard._exact_extremes(leaderboard.boards),
  leaderboard._needs_recompute(leaderboard.boards),
  leaderboard._ensure_source_index(leaderboard.boards)
FROM PUBLIC;
GRANT EXECUTE ON FUNCTION
  leaderboard._catalog_update(text, jsonb, text, name),
  leaderboard._kpis_correct(leaderboard.kpis, leaderboard.kpis, leaderboard.kpis),
  leaderboard._exact_extremes(leaderboard.boards),
  leaderboard._needs_recompute(leaderboard.boards),
  leaderboard._ensure_source_index(leaderboard.boards)
TO PUBLIC;

-- Boards that never re-read their source (integer and boolean metrics, no card reading a
-- min or max) no longer keep an (agent, at) index on it: forget the index they recorded,
-- and drop the ones no board records any more (what drop_board does with its last board).
DO $$
DECLARE
  b leaderboard.boards;
  idx text;
BEGIN
  FOR b IN SELECT * FROM leaderboard.boards WHERE source_index IS NOT NULL ORDER BY name LOOP
    IF NOT leaderboard._needs_recompute(b) THEN
      UPDATE leaderboard.boards SET source_index = NULL WHERE name = b.name;
      SELECT format('%I.%I', n.nspname, c.relname) INTO idx
      FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE i.indrelid = b.source AND c.relname = b.source_index
        AND NOT EXISTS (SELECT 1 FROM leaderboard.boards x
                        WHERE x.source = b.source AND x.source_index = b.source_index);
      IF idx IS NOT NULL THEN
        EXECUTE format('DROP INDEX %s', idx);
      END IF;
    END IF;
  END LOOP;
END $$;

-- Board triggers follow only the statements that change a partition tree, so that a
-- restore creates exactly the triggers the dump holds
CREATE FUNCTION leaderboard._changes_partitions(command pg_ddl_command) RETURNS boolean
  AS 'MODULE_PATHNAME', 'board_changes_partitions' LANGUAGE C STRICT;
COMMENT ON FUNCTION leaderboard._changes_partitions(pg_ddl_command) IS
  'internal: whether a command collected by a ddl_command_end event trigger creates, attaches or detaches a partition';
REVOKE EXECUTE ON FUNCTION leaderboard._changes_partitions(pg_ddl_command) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION leaderboard._changes_partitions(pg_ddl_command) TO PUBLIC;

CREATE OR REPLACE FUNCTION leaderboard._follow_partitions() RETURNS event_trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  b leaderboard.boards;
BEGIN
  PERFORM leaderboard._check_retyped_columns();
  FOR b IN SELECT * FROM leaderboard.boards x
           WHERE x.source::oid IN (SELECT c.objid FROM pg_event_trigger_ddl_commands() c
                                   WHERE c.classid = 'pg_class'::regclass) LOOP
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

-- Metrics and filters are stored and put in the generated statements as PostgreSQL prints
-- them back once checked (_expression_sql), and no placeholder is filled in text that came
-- from the catalog (_board_statements, alter_board and create_board above). Boards created
-- by 0.1 keep the text they were given: it is printed back here (_board_statements prints
-- it back when it generates, whatever the catalog holds, so a board left as it was by a
-- role that may not read its source still works).
CREATE FUNCTION leaderboard._expression_sql(source regclass, expr text, what text)
  RETURNS text AS 'MODULE_PATHNAME', 'board_expression_sql' LANGUAGE C STRICT;
COMMENT ON FUNCTION leaderboard._expression_sql(regclass, text, text) IS
  'internal: the checked expression over a source row as PostgreSQL deparses it (no comments, canonical quoting, names qualified for search_path pg_catalog)';
REVOKE EXECUTE ON FUNCTION leaderboard._expression_sql(regclass, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION leaderboard._expression_sql(regclass, text, text) TO PUBLIC;
DROP FUNCTION leaderboard._fill(text, text, text);

-- The views and the around-me function of a board; recreated when its card changes.
CREATE OR REPLACE FUNCTION leaderboard._board_views(b leaderboard.boards) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  schema text := quote_ident((SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = b.source));
  cols text := '';
  s_cols text := '';
  p name;
  agent_type text := format_type(leaderboard._expression_type(b.source, quote_ident(b.agent_column), 'agent'), NULL);
  part_ret text := '';
  current_start text := leaderboard._period_start_sql('c.period', format('pg_catalog.now() AT TIME ZONE %L', b.time_zone));
  current_verb text := leaderboard._create_verb(b, format('view %s.%I', schema, b.name || '_current'),
    (SELECT c.relowner FROM pg_class c WHERE c.oid = to_regclass(format('%s.%I', schema, b.name || '_current'))));
  explain_verb text := leaderboard._create_verb(b, format('view %s.%I', schema, b.name || '_explain'),
    (SELECT c.relowner FROM pg_class c WHERE c.oid = to_regclass(format('%s.%I', schema, b.name || '_explain'))));
  -- a scope too large to store ranks (its rows' rank is NULL) is ranked from the score index
  rank_of text := format('COALESCE(s.rank, CASE WHEN s.qualified THEN 1 + (SELECT pg_catalog.count(*) FROM %s a'
                         ' WHERE a.scope_id OPERATOR(pg_catalog.=) s.scope_id AND a.qualified'
                         ' AND a.score OPERATOR(pg_catalog.>) s.score) END)', b.standings);
  around_verb text := leaderboard._create_verb(b, format('function %s.%I', schema, b.name || '_around'),
    (SELECT f.proowner FROM pg_proc f WHERE f.oid = to_regprocedure(format('%s.%I(%s, text, integer)', schema, b.name || '_around', agent_type))));
BEGIN
  FOREACH p IN ARRAY b.partition_by LOOP
    cols := cols || ', ' || quote_ident(p);
    s_cols := s_cols || ', s.' || quote_ident(p);
    part_ret := part_ret || format(', %I %s', p, format_type(leaderboard._expression_type(b.source, quote_ident(p), 'partition'), NULL));
  END LOOP;
  -- The current period of each kind comes from a row per kind, joined to the standings:
  -- a query naming the kind (and partition values) then reads its scope by the score
  -- index, with period_start an index condition, instead of testing every row's period.
  -- A scope too large to store ranks is ranked by a window over its rows (one sort of the
  -- scope), not by a count a row; conditions on the period, the partition columns and the
  -- scope reach the index below the window, others (an agent) are applied above it.
  EXECUTE format(
    '%7$s VIEW %1$s.%2$I AS SELECT s.period, s.period_start%3$s, s.%4$I, s.kpis, s.score, s.qualified, '
    'COALESCE(s.rank, CASE WHEN s.qualified THEN pg_catalog.rank() OVER (PARTITION BY s.period, s.period_start%3$s, s.scope_id '
    'ORDER BY s.qualified DESC, s.score DESC) END) AS rank, s.tier, s.updated_at '
    'FROM (SELECT c.period, %6$s AS period_start FROM pg_catalog.unnest(%8$L::pg_catalog.text[]) AS c(period)) c '
    'JOIN %5$s s ON s.period = c.period AND s.period_start = c.period_start',
    schema, b.name || '_current', s_cols, b.agent_column, b.standings, current_start, current_verb, b.periods);
  EXECUTE format('COMMENT ON VIEW %s.%I IS %L', schema, b.name || '_current',
    format('standings of board %s in the current period of each kind', b.name));
  EXECUTE format(
    -- the explanation's score is the stored one (explain() itself gives the unrounded
    -- float8 its contributions add up to)
    '%7$s VIEW %1$s.%2$I AS SELECT s.period, s.period_start%3$s, s.%4$I, s.score, s.qualified, %8$s AS rank, s.tier, '
    'pg_catalog.jsonb_set(leaderboard.explain(s.kpis, %6$s), ''{score}'', pg_catalog.to_jsonb(s.score)) AS explanation FROM %5$s s',
    schema, b.name || '_explain', s_cols, b.agent_column, b.standings,
    leaderboard._card_sql(b, 's.period'), explain_verb, rank_of);
  EXECUTE format('COMMENT ON VIEW %s.%I IS %L', schema, b.name || '_explain',
    format('why each score of board %s is what it is: per-metric values, normalization and contribution', b.name));
  -- An inlinable SQL function (no SET clause: the planner then inlines its one SELECT into
  -- the caller's query, where a SET clause would have it planned again on every call). Its
  -- body names only qualified objects, so the caller's search_path cannot change it.
  EXECUTE format($f$
    %9$s FUNCTION %1$s.%2$I(agent %3$s, period text DEFAULT 'month', width integer DEFAULT 5)
    RETURNS TABLE (period_start date%4$s, %5$I %3$s, score double precision, qualified boolean, rank bigint, tier text)
    LANGUAGE sql STABLE AS $body$
      SELECT r.* FROM leaderboard._around(%6$L::pg_catalog.regclass, %7$L, $1, $2, $3, %8$L)
        AS r(period_start pg_catalog.date%10$s, %5$I %3$s, score pg_catalog.float8, qualified pg_catalog.bool,
             rank pg_catalog.int8, tier pg_catalog.text)
    $body$ $f$,
    schema, b.name || '_around', agent_type, part_ret, b.agent_column,
    b.standings::text, b.time_zone, b.agent_column, around_verb, part_ret);
  EXECUTE format('COMMENT ON FUNCTION %s.%I(%s, text, integer) IS %L', schema, b.name || '_around', agent_type,
    format('an agent''s neighbours on board %s: width rows above and below in the current period', b.name));
END $$;
COMMENT ON FUNCTION leaderboard._board_views(leaderboard.boards) IS
  'internal: (re)creates a board''s views and around-me function';

DO $$
DECLARE
  b leaderboard.boards;
BEGIN
  FOR b IN SELECT * FROM leaderboard.boards ORDER BY name LOOP
    BEGIN
      UPDATE leaderboard.boards x
      SET metric_exprs = ARRAY(SELECT '(' || leaderboard._expression_sql(b.source, e, 'metric') || ')'
                               FROM unnest(b.metric_exprs) WITH ORDINALITY AS m(e, o) ORDER BY o),
          filter = leaderboard._expression_sql(b.source, b.filter, 'filter')
      WHERE x.name = b.name;
    EXCEPTION WHEN insufficient_privilege THEN
      RAISE WARNING 'the expressions of board "%" are kept as they were given: %', b.name, SQLERRM
        USING HINT = 'They work as they are; a role that may read the source can recreate the board to store them as PostgreSQL prints them.';
    END;
  END LOOP;
END $$;

CREATE OR REPLACE FUNCTION leaderboard.verify(board text)
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
    st AS (SELECT sc.scope_key, sc.ranks_stored AS lb_ranks_stored, s.* FROM %2$s s JOIN %3$s sc USING (scope_id)),
    x AS (
      SELECT coalesce(st.period, t.period) AS period, coalesce(st.period_start, t.period_start) AS period_start,
             coalesce(st.scope_key, t.scope_key) AS scope_key, coalesce(st.%4$I, t.%4$I)::text AS agent,
             st.scope_key IS NULL AS s_missing, t.scope_key IS NULL AS e_missing,
             st.kpis AS s_kpis, t.kpis AS e_kpis, st.score AS s_score, t.score AS e_score,
             st.qualified AS s_qualified, t.qualified AS e_qualified, st.rank AS s_rank,
             CASE WHEN st.lb_ranks_stored IS NOT FALSE THEN t.rank END AS e_rank,
             st.tier AS s_tier, t.tier AS e_tier, coalesce(st.score, t.score) AS score,
             coalesce(st.qualified, t.qualified) AS qualified %5$s
      FROM st FULL JOIN t ON st.scope_key = t.scope_key AND st.%4$I = t.%4$I)
    SELECT CASE WHEN x.s_missing THEN 'missing' WHEN x.e_missing THEN 'unexpected' ELSE 'different' END,
           x.period, x.period_start, %6$s, x.agent,
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
    part_json, tier_ok, cardinality(b.metric_names));
END $$;

-- <board>_current reads the current period of each kind from a row per kind joined to the
-- standings, so that a query naming the kind reads its scope by index. An extension script
-- may not replace objects it does not own, and a board's views are its owner's: the update
-- says how to make them again, alter_board(name) with nothing to change.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM leaderboard.boards) THEN
    RAISE WARNING 'boards made by leaderboard 0.1 keep their views until they are made again'
      USING HINT = 'Run SELECT leaderboard.alter_board(name) FROM (SELECT name FROM leaderboard.boards ORDER BY name COLLATE "C") b; as each board''s owner (or a superuser).';
  END IF;
END $$;

-- Events: leaderboard.events, alter_board(events => ...), and the events trigger of a
-- board's standings (created by alter_board, so no existing board has one)
ALTER TABLE leaderboard.boards ADD COLUMN events jsonb;


CREATE TABLE leaderboard.events (
  id            bigint GENERATED ALWAYS AS IDENTITY,
  board         text NOT NULL,
  -- when the commit that caused it was sent (the COMMIT statement's start)
  at            timestamptz NOT NULL DEFAULT pg_catalog.statement_timestamp(),
  xid           xid8 NOT NULL DEFAULT pg_catalog.pg_current_xact_id(),
  kind          text NOT NULL,
  agent         text NOT NULL,
  partition     jsonb NOT NULL,
  period        text NOT NULL,
  period_start  date NOT NULL,
  old           jsonb,
  new           jsonb,
  -- unique per board: a role may write its own boards' events (ids of its choosing with
  -- OVERRIDING SYSTEM VALUE too), never collide with another board's
  PRIMARY KEY (board, id)
);
COMMENT ON TABLE leaderboard.events IS
  'events of live boards, one row per event, written by the commit that caused it; each role sees the events of the boards it owns';
COMMENT ON SEQUENCE leaderboard.events_id_seq IS 'ids of leaderboard.events, in the order events were written';
SELECT pg_catalog.pg_extension_config_dump('leaderboard.events', '');
SELECT pg_catalog.pg_extension_config_dump('leaderboard.events_id_seq', '');
-- A board's events are its owner's, like its standings: the commit-time apply writes them
-- as the owner, and the owner may read and delete them (and grant a view over them).
ALTER TABLE leaderboard.events ENABLE ROW LEVEL SECURITY;
CREATE POLICY board_owner ON leaderboard.events
  USING (pg_catalog.pg_has_role((SELECT b.owner FROM leaderboard.boards b WHERE b.name OPERATOR(pg_catalog.=) events.board), 'USAGE'));
GRANT SELECT, INSERT, DELETE ON leaderboard.events TO PUBLIC;

CREATE FUNCTION leaderboard._board_event_row() RETURNS trigger
  AS 'MODULE_PATHNAME', 'board_event_row' LANGUAGE C;
COMMENT ON FUNCTION leaderboard._board_event_row() IS
  'internal: row trigger on the standings of a board that emits events, recording the changes of the commit-time apply';

CREATE FUNCTION leaderboard._catalog_set_events(board text, events jsonb) RETURNS void
  AS 'MODULE_PATHNAME', 'board_catalog_set_events' LANGUAGE C;
COMMENT ON FUNCTION leaderboard._catalog_set_events(text, jsonb) IS
  'internal: replaces the events a board the caller owns emits (NULL: none)';

-- The events a board may emit: a flag, or a threshold, each.
CREATE FUNCTION leaderboard._events_config(b leaderboard.boards, events jsonb) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  e record;
  p text;
BEGIN
  IF jsonb_typeof(events) IS DISTINCT FROM 'object' THEN
    RAISE EXCEPTION 'events must be a JSON object' USING ERRCODE = 'invalid_parameter_value',
      HINT = 'For example {"tier_up": true, "new_leader": true, "rank_climb": 5}; {} emits none.';
  END IF;
  FOR e IN SELECT key, value FROM jsonb_each(events) LOOP
    CASE
    WHEN e.key IN ('tier_up', 'tier_down', 'new_leader', 'personal_best') THEN
      IF jsonb_typeof(e.value) <> 'boolean' THEN
        RAISE EXCEPTION 'event "%" takes true or false, not %', e.key, e.value USING ERRCODE = 'invalid_parameter_value';
      END IF;
      IF e.key IN ('tier_up', 'tier_down') AND e.value = 'true' AND b.ladder IS NULL THEN
        RAISE EXCEPTION 'event "%" needs a board with a ladder', e.key USING ERRCODE = 'invalid_parameter_value',
          HINT = 'Keep a ladder on the board, or leave tier_up and tier_down out of its events.';
      END IF;
    WHEN e.key IN ('entered_top_n', 'rank_climb') THEN
      IF jsonb_typeof(e.value) <> 'number' OR e.value::numeric <> trunc(e.value::numeric) OR e.value::numeric < 1
         OR e.value::numeric > 2147483647 THEN
        RAISE EXCEPTION 'event "%" takes a whole number of places of at least 1, not %', e.key, e.value
          USING ERRCODE = 'invalid_parameter_value';
      END IF;
    WHEN e.key = 'periods' THEN
      IF jsonb_typeof(e.value) <> 'array' OR jsonb_array_length(e.value) = 0 THEN
        RAISE EXCEPTION '"periods" takes a non-empty array of the board''s period kinds' USING ERRCODE = 'invalid_parameter_value';
      END IF;
      FOR p IN SELECT x #>> '{}' FROM jsonb_array_elements(e.value) x LOOP
        IF p IS NULL OR NOT p = ANY (b.periods) THEN
          RAISE EXCEPTION 'board "%" has no period "%"', b.name, p USING ERRCODE = 'invalid_parameter_value',
            HINT = format('Its periods are %s.', array_to_string(b.periods, ', '));
        END IF;
      END LOOP;
    ELSE
      RAISE EXCEPTION 'unknown event "%"', e.key USING ERRCODE = 'invalid_parameter_value',
        HINT = 'Events are tier_up, tier_down, new_leader, entered_top_n, rank_climb and personal_best; "periods" limits them to some period kinds.';
    END CASE;
  END LOOP;
END $$;
COMMENT ON FUNCTION leaderboard._events_config(leaderboard.boards, jsonb) IS
  'internal: raises 22023 unless events is a valid events setting for the board';

-- The statement the commit-time apply runs with the net row changes of its standings
-- ($1..$9: scope, agent, rank before and after, tier before and after, score before and
-- after, qualified after; NULL before: a new row): derives the board's events, writes them,
-- and sends one NOTIFY leaderboard. NULL when the board emits no events.
CREATE FUNCTION leaderboard._events_sql(board text) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  b leaderboard.boards := leaderboard._board(board);
  ev jsonb := b.events;
  part text := '''{}''::pg_catalog.jsonb';
  p name;
  branches text[] := '{}';
  ladder text := quote_literal(b.ladder::text) || '::leaderboard.ladder';
  agent_type text := (SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
                      WHERE a.attrelid = b.standings AND a.attname = b.agent_column);
  periods text[] := coalesce((SELECT array_agg(x #>> '{}') FROM jsonb_array_elements(ev -> 'periods') x), b.periods);
  rank_cols text := 'pg_catalog.jsonb_build_object(''rank'', c.old_rank), pg_catalog.jsonb_build_object(''rank'', c.new_rank, ''score'', c.new_score)';
BEGIN
  IF ev IS NULL THEN
    RETURN NULL;
  END IF;
  IF cardinality(b.partition_by) > 0 THEN
    part := 'pg_catalog.jsonb_build_object(';
    FOREACH p IN ARRAY b.partition_by LOOP
      part := part || format('%L, sc.%I, ', p, p);
    END LOOP;
    part := left(part, -2) || ')';
  END IF;
  IF b.ladder IS NULL THEN
    ev := ev - 'tier_up' - 'tier_down';
  END IF;
  IF ev -> 'tier_up' = 'true' THEN
    branches := branches || format(
      'SELECT ''tier_up'', c.*, pg_catalog.jsonb_build_object(''tier'', c.old_tier, ''score'', c.old_score), '
      'pg_catalog.jsonb_build_object(''tier'', c.new_tier, ''score'', c.new_score) FROM c '
      'WHERE leaderboard.tier_level(c.new_tier, %1$s) OPERATOR(pg_catalog.>) leaderboard.tier_level(c.old_tier, %1$s)', ladder);
  END IF;
  IF ev -> 'tier_down' = 'true' THEN
    branches := branches || format(
      'SELECT ''tier_down'', c.*, pg_catalog.jsonb_build_object(''tier'', c.old_tier, ''score'', c.old_score), '
      'pg_catalog.jsonb_build_object(''tier'', c.new_tier, ''score'', c.new_score) FROM c '
      'WHERE leaderboard.tier_level(c.new_tier, %1$s) OPERATOR(pg_catalog.<) leaderboard.tier_level(c.old_tier, %1$s)', ladder);
  END IF;
  IF ev -> 'new_leader' = 'true' THEN
    branches := branches || ('SELECT ''new_leader'', c.*, ' || rank_cols || ' FROM c '
      'WHERE c.new_rank OPERATOR(pg_catalog.=) 1 AND (c.old_rank IS NULL OR c.old_rank OPERATOR(pg_catalog.>) 1)');
  END IF;
  IF ev ? 'entered_top_n' THEN
    branches := branches || format('SELECT ''entered_top_n'', c.*, %s FROM c '
      'WHERE c.new_rank OPERATOR(pg_catalog.<=) %2$s AND (c.old_rank IS NULL OR c.old_rank OPERATOR(pg_catalog.>) %2$s)',
      replace(rank_cols, '''score'', c.new_score', format('''score'', c.new_score, ''top'', %s', (ev ->> 'entered_top_n')::int)),
      (ev ->> 'entered_top_n')::int);
  END IF;
  IF ev ? 'rank_climb' THEN
    branches := branches || format('SELECT ''rank_climb'', c.*, %s FROM c '
      'WHERE c.old_rank OPERATOR(pg_catalog.-) c.new_rank OPERATOR(pg_catalog.>=) %s',
      replace(rank_cols, '''score'', c.new_score', '''score'', c.new_score, ''places'', c.old_rank OPERATOR(pg_catalog.-) c.new_rank'),
      (ev ->> 'rank_climb')::int);
  END IF;
  IF ev -> 'personal_best' = 'true' THEN
    -- the agent's best qualified score of the earlier periods of the kind, in any partition
    branches := branches || format(
      'SELECT ''personal_best'', c.*, pg_catalog.jsonb_build_object(''best'', pb.best, ''score'', c.old_score), '
      'pg_catalog.jsonb_build_object(''score'', c.new_score) FROM c, LATERAL (SELECT pg_catalog.max(p.score) AS best '
      'FROM %1$s p WHERE p.%2$I OPERATOR(pg_catalog.=) c.agent::%3$s AND p.period OPERATOR(pg_catalog.=) c.period '
      'AND p.period_start OPERATOR(pg_catalog.<) c.period_start AND p.qualified) pb '
      'WHERE c.new_qualified AND c.new_score OPERATOR(pg_catalog.>) pb.best '
      'AND (c.old_score IS NULL OR c.old_score OPERATOR(pg_catalog.<=) pb.best)',
      b.standings, b.agent_column, agent_type);
  END IF;
  IF cardinality(branches) = 0 THEN
    RETURN NULL;
  END IF;
  RETURN format(
    'WITH c AS MATERIALIZED (SELECT x.scope_id, x.agent, sc.period, sc.period_start, %1$s AS part, '
    'x.old_rank, x.new_rank, x.old_tier, x.new_tier, x.old_score, x.new_score, x.new_qualified '
    'FROM ROWS FROM (pg_catalog.unnest($1::pg_catalog.int8[]), pg_catalog.unnest($2::pg_catalog.text[]), '
    'pg_catalog.unnest($3::pg_catalog.int8[]), pg_catalog.unnest($4::pg_catalog.int8[]), pg_catalog.unnest($5::pg_catalog.text[]), '
    'pg_catalog.unnest($6::pg_catalog.text[]), pg_catalog.unnest($7::pg_catalog.float8[]), pg_catalog.unnest($8::pg_catalog.float8[]), '
    'pg_catalog.unnest($9::pg_catalog.bool[])) '
    'AS x(scope_id, agent, old_rank, new_rank, old_tier, new_tier, old_score, new_score, new_qualified) '
    'JOIN %2$s sc ON sc.scope_id OPERATOR(pg_catalog.=) x.scope_id '
    'WHERE sc.period OPERATOR(pg_catalog.=) ANY (%3$L::pg_catalog.text[])), '
    'e(kind, scope_id, agent, period, period_start, part, old_rank, new_rank, old_tier, new_tier, old_score, new_score, '
    'new_qualified, old, new) AS (%4$s), '
    'ins AS (INSERT INTO leaderboard.events (board, kind, agent, partition, period, period_start, old, new) '
    'SELECT %5$L, e.kind, e.agent, e.part, e.period, e.period_start, e.old, e.new FROM e '
    'ORDER BY e.period, e.period_start, e.part::pg_catalog.text, e.agent, e.kind '
    'RETURNING id, kind, agent, partition, period, period_start, old, new) '
    'SELECT pg_catalog.pg_notify(''leaderboard'', leaderboard._events_payload(%5$L, '
    'pg_catalog.jsonb_agg(pg_catalog.to_jsonb(ins) ORDER BY ins.id))) FROM ins HAVING pg_catalog.count(*) OPERATOR(pg_catalog.>) 0',
    part, b.scopes, periods, array_to_string(branches, ' UNION ALL '), b.name);
END $$;
COMMENT ON FUNCTION leaderboard._events_sql(text) IS
  'internal: the statement deriving, writing and announcing the events of a board''s commit-time apply, or NULL';

-- The NOTIFY payload of one commit's events of a board: the board, how many, the range of
-- their ids in leaderboard.events and the first few, within NOTIFY's 8000 bytes.
CREATE FUNCTION leaderboard._events_payload(board text, events jsonb) RETURNS text
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  n int := jsonb_array_length(events);
  head jsonb := jsonb_build_object('board', board, 'count', n,
                                   'first_id', events -> 0 -> 'id', 'last_id', events -> (n - 1) -> 'id');
  shown int := least(n, 5);
  payload text;
BEGIN
  LOOP
    payload := (head || jsonb_build_object('events',
                 coalesce((SELECT jsonb_agg(e ORDER BY i) FROM jsonb_array_elements(events) WITH ORDINALITY AS x(e, i)
                           WHERE i <= shown), '[]')))::text;
    EXIT WHEN octet_length(payload) < 7900 OR shown = 0;
    shown := shown - 1;
  END LOOP;
  RETURN payload;
END $$;
COMMENT ON FUNCTION leaderboard._events_payload(text, jsonb) IS
  'internal: the NOTIFY leaderboard payload of one commit''s events of a board';

-- The row trigger that records the apply's changes, on the standings of a board that
-- emits events; it fires also for sessions in replica mode, where the apply runs too.
CREATE FUNCTION leaderboard._board_event_trigger(b leaderboard.boards) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  present boolean := EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = b.standings AND t.tgname = 'lb_events');
BEGIN
  IF b.events IS NULL AND present THEN
    EXECUTE format('DROP TRIGGER lb_events ON %s', b.standings);
  ELSIF b.events IS NOT NULL AND NOT present THEN
    EXECUTE format('CREATE TRIGGER lb_events AFTER INSERT OR UPDATE OR DELETE ON %s '
                   'FOR EACH ROW EXECUTE FUNCTION leaderboard._board_event_row()', b.standings);
    EXECUTE format('ALTER TABLE %s ENABLE ALWAYS TRIGGER lb_events', b.standings);
  END IF;
END $$;
COMMENT ON FUNCTION leaderboard._board_event_trigger(leaderboard.boards) IS
  'internal: creates or drops the events trigger on a board''s standings as its events setting says';

REVOKE EXECUTE ON FUNCTION leaderboard._board_event_row(), leaderboard._catalog_set_events(text, jsonb),
  leaderboard._events_config(leaderboard.boards, jsonb), leaderboard._events_sql(text),
  leaderboard._events_payload(text, jsonb), leaderboard._board_event_trigger(leaderboard.boards) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION leaderboard._board_event_row(), leaderboard._catalog_set_events(text, jsonb),
  leaderboard._events_config(leaderboard.boards, jsonb), leaderboard._events_sql(text),
  leaderboard._events_payload(text, jsonb), leaderboard._board_event_trigger(leaderboard.boards) TO PUBLIC;

-- Goals and pace, and board calendars: leaderboard.goals with set_goal and clear_goal, the
-- boards' calendar column (create_board and alter_board take a calendar), working_days, and
-- the <board>_goals and <board>_streaks views _board_views makes. Boards made before get
-- them when their views are made again (alter_board(name), as the notice above says).
ALTER TABLE leaderboard.boards ADD COLUMN calendar leaderboard.calendar;

CREATE TABLE leaderboard.goals (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  board          text NOT NULL REFERENCES leaderboard.boards (name) ON DELETE CASCADE,
  metric         text NOT NULL,
  stat           text NOT NULL CHECK (stat IN ('count', 'sum', 'avg', 'rate')),
  period         text NOT NULL CHECK (period IN ('day', 'week', 'month', 'quarter', 'year', 'all')),
  target         numeric NOT NULL CHECK (target > 0 AND target < 'Infinity'),
  -- values of some of the board's partition columns; NULL: every partition
  partition      jsonb CHECK (pg_catalog.jsonb_typeof(partition) = 'object'),
  -- the agent key as text (its type's output); NULL: every agent
  agent          text,
  effective_from date,
  effective_to   date CHECK (effective_to >= effective_from),
  created_at     timestamptz NOT NULL DEFAULT pg_catalog.now(),
  UNIQUE NULLS NOT DISTINCT (board, metric, stat, period, partition, agent, target, effective_from, effective_to)
);
COMMENT ON TABLE leaderboard.goals IS
  'goals of live boards: a target on a metric''s stat per period kind, for everyone, a partition or an agent; written only by set_goal and clear_goal';
COMMENT ON SEQUENCE leaderboard.goals_id_seq IS
  'ids of leaderboard.goals (dumped with the table, so that a restored database goes on from the last id)';
SELECT pg_catalog.pg_extension_config_dump('leaderboard.goals', '');
SELECT pg_catalog.pg_extension_config_dump('leaderboard.goals_id_seq', '');
GRANT SELECT ON leaderboard.goals TO PUBLIC;

-- Working days of a calendar from first to last, both included.
CREATE FUNCTION leaderboard.working_days(cal leaderboard.calendar, first date, last date) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT count(*)::integer
  FROM generate_series(first::timestamp, last::timestamp, interval '1 day') AS d
  WHERE leaderboard.is_working_day(cal, d::date)
$$;
COMMENT ON FUNCTION leaderboard.working_days(leaderboard.calendar, date, date) IS
  'number of working days of the calendar from first to last, both included (0 when last is before first)';

-- The working days of a period (of kind period, starting on period_start) and those of them
-- up to as_of, today included; NULL for the period 'all', which never ends.
CREATE FUNCTION leaderboard._period_days(cal leaderboard.calendar, period text, period_start date, as_of date,
  OUT days_elapsed integer, OUT days_total integer)
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT leaderboard.working_days(x.cal, period_start, LEAST(as_of, x.last)),
         leaderboard.working_days(x.cal, period_start, x.last)
  FROM (SELECT coalesce(cal, 'Mon-Sun'::leaderboard.calendar) AS cal,
               (period_start + CASE period WHEN 'day' THEN interval '1 day' WHEN 'week' THEN interval '1 week'
                                           WHEN 'month' THEN interval '1 month' WHEN 'quarter' THEN interval '3 months'
                                           ELSE interval '1 year' END)::date - 1 AS last) x
  WHERE period <> 'all'
$$;
COMMENT ON FUNCTION leaderboard._period_days(leaderboard.calendar, text, date, date) IS
  'internal: working days of a period elapsed by as_of (today included) and in all; NULL for the period all';

-- A goal's stat of one board metric (by position), from stored kpis.
CREATE FUNCTION leaderboard._goal_actual(kpis leaderboard.kpis, metric integer, stat text) RETURNS numeric
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT CASE stat WHEN 'count' THEN leaderboard.kpi_count(kpis, metric)::numeric
                   WHEN 'sum' THEN leaderboard.kpi_sum(kpis, metric)::numeric
                   ELSE leaderboard.kpi_avg(kpis, metric)::numeric END
$$;
COMMENT ON FUNCTION leaderboard._goal_actual(leaderboard.kpis, integer, text) IS
  'internal: the count, sum or average (avg, rate) of a board metric in stored kpis, as goals read it';

-- The rung of a goal ladder an agent is working towards: the lowest target not yet met,
-- the top one once all are met. targets and ids are the ladder's goal rows, in any order.
CREATE FUNCTION leaderboard._goal_rung(targets numeric[], ids bigint[], actual numeric,
  OUT target numeric, OUT goal_id bigint, OUT rungs numeric[], OUT rungs_met integer)
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT r.target, r.id,
         ARRAY(SELECT DISTINCT t FROM unnest(targets) t ORDER BY t),
         (SELECT count(DISTINCT t)::integer FROM unnest(targets) t WHERE t <= actual)
  FROM (SELECT x.target, x.id, coalesce(x.target <= actual, false) AS met
        FROM unnest(targets, ids) AS x(target, id)) r
  ORDER BY r.met, CASE WHEN r.met THEN -r.target ELSE r.target END, r.id
  LIMIT 1
$$;
COMMENT ON FUNCTION leaderboard._goal_rung(numeric[], bigint[], numeric) IS
  'internal: the rung of a goal ladder to reach (lowest not met, else the top), its goal row, the distinct rungs and how many are met';

-- Where a period will end at the current rate: counts and sums grow with the working days,
-- so the actual is scaled from the working days elapsed (today included) to those of the
-- whole period; an average or a rate is its current value. NULL when no working day has
-- elapsed yet, and for counts and sums over the period 'all' (it has no end).
CREATE FUNCTION leaderboard._goal_pace(stat text, actual numeric, days_elapsed integer, days_total integer)
RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT CASE WHEN stat IN ('avg', 'rate') THEN actual
              WHEN days_total IS NULL OR days_elapsed IS NULL OR days_elapsed = 0 THEN NULL
              ELSE trim_scale(actual * days_total / days_elapsed) END
$$;
COMMENT ON FUNCTION leaderboard._goal_pace(text, numeric, integer, integer) IS
  'internal: the projected end-of-period value of a goal''s stat from the working days elapsed and in the period';

-- A goal as set_goal writes it, after checking every argument: the board exists and the
-- caller owns it; the metric, the stat and the period kind are the board's; the target is
-- positive; the dates are in order; the partition names only partition columns of the
-- board, each value read as the column's type; the agent is read as the agent column's
-- type. The partition and the agent are stored in one canonical form (to_jsonb of the
-- value, the type's text output) so that <board>_goals can match them to standings rows.
CREATE FUNCTION leaderboard._goal_row(board text, metric text, stat text, period text, target numeric,
  partition jsonb, agent text, effective_from date, effective_to date) RETURNS leaderboard.goals
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  b leaderboard.boards := leaderboard._board(board);
  g leaderboard.goals;
  k text;
  v jsonb;
  canon jsonb := '{}';
BEGIN
  PERFORM leaderboard._require_owner(b);
  IF metric IS NULL OR NOT metric = ANY (b.metric_names) THEN
    RAISE EXCEPTION 'board "%" has no metric "%"', b.name, metric USING ERRCODE = 'invalid_parameter_value',
      DETAIL = format('The board''s metrics are: %s.', array_to_string(b.metric_names, ', ')),
      HINT = 'A goal is set on one of the board''s metrics.';
  END IF;
  IF stat IS NULL OR NOT stat IN ('count', 'sum', 'avg', 'rate') THEN
    RAISE EXCEPTION 'unknown goal stat "%"', stat USING ERRCODE = 'invalid_parameter_value',
      HINT = 'Goal stats are count, sum, avg and rate.';
  END IF;
  IF period IS NULL OR NOT period = ANY (b.periods) THEN
    RAISE EXCEPTION 'board "%" has no period "%"', b.name, period USING ERRCODE = 'invalid_parameter_value',
      DETAIL = format('The board''s periods are: %s.', array_to_string(b.periods, ', ')),
      HINT = 'A goal is set on a period kind the board keeps.';
  END IF;
  IF target IS NULL THEN
    RAISE EXCEPTION 'a goal needs a target' USING ERRCODE = 'null_value_not_allowed';
  END IF;
  IF NOT (target > 0 AND target < 'Infinity') THEN
    RAISE EXCEPTION 'goal target must be a positive number, not %', target USING ERRCODE = 'invalid_parameter_value',
      HINT = 'A goal is met when the stat reaches its target: give a number above 0.';
  END IF;
  IF NOT isfinite(effective_from) OR NOT isfinite(effective_to) THEN
    RAISE EXCEPTION 'goal effective dates must be finite' USING ERRCODE = 'invalid_parameter_value',
      HINT = 'Leave effective_from or effective_to NULL for a goal open on that side.';
  END IF;
  IF effective_from > effective_to THEN
    RAISE EXCEPTION 'goal effective_to % is before effective_from %', effective_to, effective_from
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF partition IS NOT NULL THEN
    IF jsonb_typeof(partition) <> 'object' THEN
      RAISE EXCEPTION 'goal partition must be a JSON object, not %', partition USING ERRCODE = 'invalid_parameter_value',
        HINT = 'Give the values of the board''s partition columns, e.g. {"team_id": 7}.';
    END IF;
    FOR k, v IN SELECT e.key, e.value FROM jsonb_each(partition) e ORDER BY e.key LOOP
      IF NOT k = ANY (b.partition_by) THEN
        RAISE EXCEPTION 'board "%" is not partitioned by "%"', b.name, k USING ERRCODE = 'invalid_parameter_value',
          DETAIL = CASE WHEN cardinality(b.partition_by) = 0 THEN 'The board has no partition columns.'
                        ELSE format('The board''s partition columns are: %s.', array_to_string(b.partition_by, ', ')) END;
      END IF;
      IF jsonb_typeof(v) IN ('object', 'array') THEN
        RAISE EXCEPTION 'goal partition value of "%" must be a scalar, not %', k, v USING ERRCODE = 'invalid_parameter_value';
      END IF;
      IF jsonb_typeof(v) <> 'null' THEN
        EXECUTE format('SELECT pg_catalog.to_jsonb(%L::%s)', v #>> '{}', leaderboard._column_type(b.source, k)) INTO v;
      END IF;
      canon := canon || jsonb_build_object(k, v);
    END LOOP;
  END IF;
  IF agent IS NOT NULL THEN
    -- a goal names its agent by text, which equal values of such a type may not share
    -- (numeric 1 and 1.0): the goal would miss the agent's standings
    DECLARE
      kt text := leaderboard._text_forms_type((SELECT a.atttypid FROM pg_catalog.pg_attribute a
                                                WHERE a.attrelid = b.source AND a.attname = b.agent_column)::pg_catalog.regtype);
    BEGIN
      IF kt IS NOT NULL THEN
        RAISE EXCEPTION 'a goal cannot name one agent of board "%": its agent column''s type holds %, whose equal values can have other text forms', b.name, kt
          USING ERRCODE = 'feature_not_supported',
                HINT = 'Set the goal for everyone or a partition, or declare the board over a generated agent column in one text form (an integer, or trim_scale(col)::text).';
      END IF;
    END;
    EXECUTE format('SELECT (%L::%s)::pg_catalog.text', agent, leaderboard._column_type(b.source, b.agent_column)) INTO agent;
  END IF;
  g.board := b.name; g.metric := metric; g.stat := stat; g.period := period; g.target := target;
  g.partition := CASE WHEN canon <> '{}' THEN canon END; g.agent := agent;
  g.effective_from := effective_from; g.effective_to := effective_to;
  RETURN g;
END $$;
COMMENT ON FUNCTION leaderboard._goal_row(text, text, text, text, numeric, jsonb, text, date, date) IS
  'internal: a goal row as set_goal writes it, every argument checked and the partition and agent in canonical form';

-- _goal_insert, which anyone may call, writes only rows set_goal would write.
CREATE FUNCTION leaderboard._check_goal(g leaderboard.goals) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  n leaderboard.goals := leaderboard._goal_row(g.board, g.metric, g.stat, g.period, g.target, g.partition, g.agent,
                                               g.effective_from, g.effective_to);
BEGIN
  IF (n.board, n.metric, n.stat, n.period, n.target, n.partition, n.agent, n.effective_from, n.effective_to)
     IS DISTINCT FROM (g.board, g.metric, g.stat, g.period, g.target, g.partition, g.agent, g.effective_from, g.effective_to) THEN
    RAISE EXCEPTION 'goal is not one set_goal would write' USING ERRCODE = 'invalid_parameter_value',
      HINT = 'Set goals with leaderboard.set_goal().';
  END IF;
END $$;
COMMENT ON FUNCTION leaderboard._check_goal(leaderboard.goals) IS
  'internal: raises unless a goal row is one set_goal would write';

-- The goals table's only writers (board_catalog.c): they check the caller owns the board
-- and write as the table's owner.
CREATE FUNCTION leaderboard._goal_insert(g leaderboard.goals) RETURNS bigint
  AS 'MODULE_PATHNAME', 'board_goal_insert' LANGUAGE C STRICT;
COMMENT ON FUNCTION leaderboard._goal_insert(leaderboard.goals) IS
  'internal: inserts a goal of a board the caller owns, as set_goal builds it; returns its id';
CREATE FUNCTION leaderboard._goals_delete(ids bigint[]) RETURNS bigint
  AS 'MODULE_PATHNAME', 'board_goals_delete' LANGUAGE C STRICT;
COMMENT ON FUNCTION leaderboard._goals_delete(bigint[]) IS
  'internal: deletes goals of boards the caller owns; returns how many';
CREATE FUNCTION leaderboard._catalog_set_calendar(board text, cal leaderboard.calendar) RETURNS void
  AS 'MODULE_PATHNAME', 'board_catalog_set_calendar' LANGUAGE C;
COMMENT ON FUNCTION leaderboard._catalog_set_calendar(text, leaderboard.calendar) IS
  'internal: sets (NULL: removes) the working-day calendar of a board the caller owns';

CREATE FUNCTION leaderboard.set_goal(board text, metric text, stat text, period text, target numeric,
  partition jsonb DEFAULT NULL, agent text DEFAULT NULL,
  effective_from date DEFAULT NULL, effective_to date DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  g leaderboard.goals := leaderboard._goal_row(board, metric, stat, period, target, partition, agent,
                                               effective_from, effective_to);
  existing bigint;
BEGIN
  -- setting a goal twice keeps the first
  SELECT x.id INTO existing FROM leaderboard.goals x
  WHERE (x.board, x.metric, x.stat, x.period, x.target, x.partition, x.agent, x.effective_from, x.effective_to)
        IS NOT DISTINCT FROM (g.board, g.metric, g.stat, g.period, g.target, g.partition, g.agent, g.effective_from, g.effective_to);
  IF FOUND THEN
    RETURN existing;
  END IF;
  RETURN leaderboard._goal_insert(g);
END $$;
COMMENT ON FUNCTION leaderboard.set_goal(text, text, text, text, numeric, jsonb, text, date, date) IS
  'sets a goal on a board metric''s stat per period kind, for everyone, a partition or an agent, between optional dates; goals with the same audience form a ladder; returns the goal''s id';

CREATE FUNCTION leaderboard.clear_goal(goal_id bigint) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  g leaderboard.goals;
BEGIN
  SELECT * INTO g FROM leaderboard.goals WHERE id = goal_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'goal % does not exist', goal_id USING ERRCODE = 'undefined_object';
  END IF;
  PERFORM leaderboard._require_owner(leaderboard._board(g.board));
  PERFORM leaderboard._goals_delete(ARRAY[goal_id]);
END $$;
COMMENT ON FUNCTION leaderboard.clear_goal(bigint) IS
  'removes one goal (one rung of a ladder) by its id';

-- partition and agent name the audience exactly: NULL is the goals for everyone (or every
-- agent of the partition), not goals of any audience.
CREATE FUNCTION leaderboard.clear_goal(board text, metric text, stat text, period text,
  partition jsonb DEFAULT NULL, agent text DEFAULT NULL)
RETURNS integer
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  -- the audience as set_goal stores it (any target will do for the check)
  g leaderboard.goals := leaderboard._goal_row(board, metric, stat, period, 1, partition, agent, NULL, NULL);
BEGIN
  RETURN leaderboard._goals_delete(ARRAY(
    SELECT x.id FROM leaderboard.goals x
    WHERE x.board = g.board AND x.metric = g.metric AND x.stat = g.stat AND x.period = g.period
      AND x.partition IS NOT DISTINCT FROM g.partition AND x.agent IS NOT DISTINCT FROM g.agent));
END $$;
COMMENT ON FUNCTION leaderboard.clear_goal(text, text, text, text, jsonb, text) IS
  'removes every rung of a goal ladder (all dates) of one audience: everyone, a partition or an agent; returns how many';

-- <board>_goals and, for a board keeping day rows, <board>_streaks. A standings row takes
-- the goals of its board, period kind and metric stat in force on the row's day (today for
-- <board>_goals) that name its agent or none and whose partition its partition values
-- contain (or none). Of those, the most specific audience wins, and all of its goals are
-- the row's ladder: a goal naming the agent, then one naming more partition columns, then
-- the others (ties between two partitions of as many columns go to the first by its JSON
-- text).
CREATE FUNCTION leaderboard._goal_views(b leaderboard.boards) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  schema text := quote_ident((SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = b.source));
  s_cols text := '';
  m_cols text := '';
  x_cols text := '';
  l_cols text := '';
  part_obj text := '''{}''::pg_catalog.jsonb';
  p name;
  cal text := format('%L::leaderboard.calendar', coalesce(b.calendar::text, 'Mon-Sun'));
  today text := format('(pg_catalog.now() AT TIME ZONE %L)::pg_catalog.date', b.time_zone);
  goals_verb text := leaderboard._create_verb(b, format('view %s.%I', schema, b.name || '_goals'),
    (SELECT c.relowner FROM pg_class c WHERE c.oid = to_regclass(format('%s.%I', schema, b.name || '_goals'))));
  streaks_verb text;
  matching text[] := '{}';
  day_sql text;
BEGIN
  FOREACH p IN ARRAY b.partition_by LOOP
    s_cols := s_cols || ', s.' || quote_ident(p);
    m_cols := m_cols || ', m.' || quote_ident(p);
    x_cols := x_cols || 'x.' || quote_ident(p) || ', ';
    l_cols := l_cols || ', l.' || quote_ident(p);
  END LOOP;
  IF cardinality(b.partition_by) > 0 THEN
    part_obj := 'pg_catalog.jsonb_build_object(' ||
      (SELECT string_agg(format('%L, s.%I', q, q), ', ') FROM unnest(b.partition_by) q) || ')';
  END IF;
  -- the goals of a standings row s in force on its day (today in <board>_goals)
  FOREACH day_sql IN ARRAY ARRAY['c.lb_today', 's.period_start'] LOOP
    matching := matching || format(
      'JOIN leaderboard.goals g ON g.board = %2$L AND g.period = s.period'
      ' AND (g.effective_from IS NULL OR g.effective_from <= %1$s) AND (g.effective_to IS NULL OR g.effective_to >= %1$s)'
      ' AND (g.agent IS NULL OR g.agent = s.%3$I::pg_catalog.text) AND (g.partition IS NULL OR %4$s @> g.partition)',
      day_sql, b.name, b.agent_column, part_obj);
  END LOOP;
  EXECUTE format(
    '%1$s VIEW %2$s.%3$I AS '
    'WITH c AS ('
    ' SELECT k.period, k.period_start, k.lb_today, d.days_elapsed, d.days_total FROM ('
    '  SELECT k.period, %4$s AS period_start, t.lb_today'
    '  FROM (SELECT %5$s AS lb_today) t, pg_catalog.unnest(%6$L::pg_catalog.text[]) AS k(period)) k'
    ' CROSS JOIN LATERAL leaderboard._period_days(%7$s, k.period, k.period_start, k.lb_today) d), '
    'm AS ('
    ' SELECT c.period, c.period_start, c.days_elapsed, c.days_total, s.scope_id%8$s, s.%9$I, g.metric, g.stat, g.id, g.target,'
    '  leaderboard._goal_actual(s.kpis, pg_catalog.array_position(%10$L::pg_catalog.text[], g.metric), g.stat) AS actual,'
    '  pg_catalog.dense_rank() OVER (PARTITION BY s.scope_id, s.%9$I, g.metric, g.stat'
    '   ORDER BY g.agent IS NOT NULL DESC, (SELECT pg_catalog.count(*) FROM pg_catalog.jsonb_object_keys(g.partition)) DESC,'
    '   g.partition::pg_catalog.text) AS lb_rank'
    ' FROM c JOIN %11$s s ON s.period = c.period AND s.period_start = c.period_start %12$s) '
    'SELECT l.period, l.period_start%13$s, l.%9$I, l.metric, l.stat, r.target, r.rungs, r.rungs_met, r.goal_id,'
    ' l.actual, pg_catalog.trim_scale(l.actual / r.target) AS progress, p.pace, p.pace >= r.target AS on_track,'
    ' l.days_elapsed AS working_days_elapsed, l.days_total AS working_days '
    'FROM (SELECT m.period, m.period_start, m.days_elapsed, m.days_total, m.scope_id%14$s, m.%9$I, m.metric, m.stat, m.actual,'
    '       pg_catalog.array_agg(m.target ORDER BY m.target, m.id) AS targets, pg_catalog.array_agg(m.id ORDER BY m.target, m.id) AS ids'
    '      FROM m WHERE m.lb_rank = 1'
    '      GROUP BY m.period, m.period_start, m.days_elapsed, m.days_total, m.scope_id%14$s, m.%9$I, m.metric, m.stat, m.actual) l '
    'CROSS JOIN LATERAL leaderboard._goal_rung(l.targets, l.ids, l.actual) r '
    'CROSS JOIN LATERAL (SELECT leaderboard._goal_pace(l.stat, l.actual, l.days_elapsed, l.days_total) AS pace) p',
    goals_verb, schema, b.name || '_goals',
    leaderboard._period_start_sql('k.period', 't.lb_today::pg_catalog.timestamp'), today, b.periods, cal,
    s_cols, b.agent_column, b.metric_names, b.standings, matching[1],
    l_cols, m_cols);
  EXECUTE format('COMMENT ON VIEW %s.%I IS %L', schema, b.name || '_goals',
    format('goals of board %s in force today: per agent and current period, the target, actual, progress and pace', b.name));

  IF NOT 'day' = ANY (b.periods) THEN
    RETURN;
  END IF;
  streaks_verb := leaderboard._create_verb(b, format('view %s.%I', schema, b.name || '_streaks'),
    (SELECT c.relowner FROM pg_class c WHERE c.oid = to_regclass(format('%s.%I', schema, b.name || '_streaks'))));
  -- a day is met when its actual reaches the lowest rung of the daily goal ladder in force
  -- that day; days out of the streak type's range (before year 1) are left out
  EXECUTE format(
    '%1$s VIEW %2$s.%3$I AS '
    'SELECT %12$s x.%6$I, x.metric, x.stat, leaderboard.longest(x.streak) AS longest_streak,'
    ' leaderboard.longest_start(x.streak) AS longest_start, leaderboard.current(x.streak, %4$s) AS current_streak,'
    ' leaderboard.met_days(x.streak) AS met_days, x.streak '
    'FROM (SELECT m.metric, m.stat%5$s, m.%6$I, leaderboard.streak_agg(m.period_start, m.actual >= m.target, %7$s) AS streak'
    '      FROM (SELECT s.period_start%8$s, s.%6$I, g.metric, g.stat, g.target,'
    '             leaderboard._goal_actual(s.kpis, pg_catalog.array_position(%9$L::pg_catalog.text[], g.metric), g.stat) AS actual,'
    '             pg_catalog.dense_rank() OVER (PARTITION BY s.scope_id, s.%6$I, g.metric, g.stat'
    '              ORDER BY g.agent IS NOT NULL DESC, (SELECT pg_catalog.count(*) FROM pg_catalog.jsonb_object_keys(g.partition)) DESC,'
    '              g.partition::pg_catalog.text) AS lb_rank'
    '            FROM %10$s s %11$s'
    '            WHERE s.period = ''day'' AND s.period_start >= ''0001-01-01''::pg_catalog.date) m'
    '      WHERE m.lb_rank = 1'
    '      GROUP BY m.metric, m.stat%5$s, m.%6$I) x',
    streaks_verb, schema, b.name || '_streaks', today, m_cols, b.agent_column, cal, s_cols, b.metric_names,
    b.standings, matching[2], x_cols);
  EXECUTE format('COMMENT ON VIEW %s.%I IS %L', schema, b.name || '_streaks',
    format('streaks of board %s: per agent and partition, runs of working days on which the agent met a daily goal', b.name));
END $$;
COMMENT ON FUNCTION leaderboard._goal_views(leaderboard.boards) IS
  'internal: (re)creates a board''s <board>_goals view and, for a board keeping day rows, its <board>_streaks view';

DROP FUNCTION leaderboard.create_board(text, regclass, text, text, text[], jsonb, text[], text[], text, leaderboard.ladder, text, text, text[]);
CREATE FUNCTION leaderboard.create_board(
  name text, source regclass, agent text, at text, metrics text[], scorecard jsonb,
  periods text[] DEFAULT ARRAY['day', 'week', 'month'],
  partition_by text[] DEFAULT '{}',
  filter text DEFAULT NULL,
  ladder leaderboard.ladder DEFAULT NULL,
  time_zone text DEFAULT NULL,
  rank_style text DEFAULT 'rank',
  tie_break text[] DEFAULT '{}',
  calendar leaderboard.calendar DEFAULT NULL)
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
  tz text := coalesce(create_board.time_zone, current_setting('TimeZone'));
  ident text[];
  board_name text := create_board.name;
  supported regtype[] := ARRAY['smallint', 'integer', 'bigint', 'real', 'double precision',
                               'numeric', 'boolean', 'interval']::regtype[];
BEGIN
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
  IF EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = source AND attname IN ('lb_local', 'lb_kind') AND NOT attisdropped) THEN
    RAISE EXCEPTION 'table % has a column named lb_local or lb_kind, which boards reserve', source
      USING ERRCODE = 'duplicate_column';
  END IF;
  t := leaderboard._expression_type(source, quote_ident(at), 'at');
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
    IF NOT t = ANY (supported) THEN
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
  IF cardinality(b.partition_by) <> (SELECT count(DISTINCT x) FROM unnest(b.partition_by) x) THEN
    RAISE EXCEPTION 'a partition_by column is listed twice' USING ERRCODE = 'invalid_parameter_value';
  END IF;

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
  PERFORM leaderboard._check_tie_break(b.tie_break, scorecard);
  b.ladder := ladder;
  b.created_at := now();
  b.calendar := create_board.calendar;

  IF to_regclass(schema || '.' || quote_ident(board_name || '_standings')) IS NOT NULL
     OR to_regclass(schema || '.' || quote_ident(board_name || '_scopes')) IS NOT NULL
     OR to_regclass(schema || '.' || quote_ident(board_name || '_current')) IS NOT NULL
     OR to_regclass(schema || '.' || quote_ident(board_name || '_explain')) IS NOT NULL
     OR to_regclass(schema || '.' || quote_ident(board_name || '_goals')) IS NOT NULL
     OR to_regclass(schema || '.' || quote_ident(board_name || '_streaks')) IS NOT NULL THEN
    RAISE EXCEPTION 'a relation named like board "%" already exists in schema %', board_name, schema
      USING ERRCODE = 'duplicate_table';
  END IF;
  IF to_regprocedure(format('%s.%I(%s, text, integer)', schema, board_name || '_around',
                            format_type(leaderboard._expression_type(source, quote_ident(agent), 'agent'), NULL))) IS NOT NULL THEN
    RAISE EXCEPTION 'function %.%(agent, text, integer) already exists', schema, quote_ident(board_name || '_around')
      USING ERRCODE = 'duplicate_function',
            DETAIL = format('Board "%s" creates this function.', board_name);
  END IF;

  FOREACH p IN ARRAY b.partition_by LOOP
    parts_ddl := parts_ddl || format(', %I %s', p, leaderboard._column_type(source, p));
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
                 leaderboard._column_type(source, agent), agent);
  b.standings := (schema || '.' || quote_ident(board_name || '_standings'))::regclass;
  -- Three indexes, as every standings write that changes a score adds an entry to each:
  -- the key (one row per scope and agent, as a scope has one period and period_start)
  -- leads with the agent, so around-me and "my rows" read an agent's rows of a period
  -- from it; top-N reads by the scope's columns; re-ranking and neighbours by scope_id.
  EXECUTE format('CREATE INDEX ON %s (period, period_start%s, score DESC)', b.standings, parts_cols);
  EXECUTE format('CREATE INDEX ON %s (scope_id, score, %I)', b.standings, agent);
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
COMMENT ON FUNCTION leaderboard.create_board(text, regclass, text, text, text[], jsonb, text[], text[], text, leaderboard.ladder, text, text, text[], leaderboard.calendar) IS
  'declares a live board over a calls table: creates <name>_standings, <name>_current, <name>_explain, <name>_goals (and <name>_streaks) and <name>_around, and loads existing rows';

DROP FUNCTION leaderboard.alter_board(text, jsonb, leaderboard.ladder, boolean);
CREATE FUNCTION leaderboard.alter_board(board text, scorecard jsonb DEFAULT NULL, ladder leaderboard.ladder DEFAULT NULL,
                                        drop_ladder boolean DEFAULT false,
                                        calendar leaderboard.calendar DEFAULT NULL, drop_calendar boolean DEFAULT false)
RETURNS bigint
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp SET DateStyle = 'ISO, YMD' SET IntervalStyle = 'postgres' SET TimeZone = 'UTC' SET extra_float_digits = 1 SET bytea_output = 'hex' SET standard_conforming_strings = on SET work_mem = '256MB' SET jit = off AS $$
DECLARE
  b leaderboard.boards := leaderboard._board(board);
  n bigint;
  old_extremes bigint := leaderboard._exact_extremes(b);
BEGIN
  PERFORM leaderboard._require_owner(b);
  EXECUTE format('LOCK TABLE %s IN EXCLUSIVE MODE', b.scopes);
  -- a NULL argument is one not given: a ladder is removed by name, not by a NULL
  IF drop_ladder AND ladder IS NOT NULL THEN
    RAISE EXCEPTION 'a new ladder and drop_ladder cannot be combined' USING ERRCODE = 'invalid_parameter_value',
      HINT = 'Give either ladder => ''...'' or drop_ladder => true.';
  END IF;
  IF drop_calendar AND alter_board.calendar IS NOT NULL THEN
    RAISE EXCEPTION 'a new calendar and drop_calendar cannot be combined' USING ERRCODE = 'invalid_parameter_value',
      HINT = 'Give either calendar => ''...'' or drop_calendar => true.';
  END IF;
  -- the calendar changes no standings row: only the views that count working days
  IF alter_board.calendar IS NOT NULL OR drop_calendar IS TRUE THEN
    b.calendar := CASE WHEN drop_calendar IS TRUE THEN NULL ELSE alter_board.calendar END;
    PERFORM leaderboard._catalog_set_calendar(board, b.calendar);
  END IF;
  -- nothing to change: the board's views are made again (this is how boards made by an
  -- older version get this version's views after ALTER EXTENSION UPDATE) and no row is
  -- rescored
  IF scorecard IS NULL AND ladder IS NULL AND drop_ladder IS NOT TRUE THEN
    PERFORM leaderboard._board_views(b);
    RETURN 0;
  END IF;
  IF scorecard IS NOT NULL THEN
    b.scorecards := leaderboard._board_cards(scorecard, b.periods, b.metric_names);
    PERFORM leaderboard._check_tie_break(b.tie_break, scorecard);
  END IF;
  IF ladder IS NOT NULL THEN
    b.ladder := ladder;
  ELSIF drop_ladder IS TRUE THEN
    b.ladder := NULL;
  END IF;
  -- a card that reads a min or max no card read before: corrections of that metric now
  -- re-read the source, and the stored rows may have forgotten its extremes
  b.source_index := leaderboard._ensure_source_index(b);
  PERFORM leaderboard._catalog_update(board, b.scorecards, b.ladder::text, b.source_index);
  PERFORM leaderboard._board_views(b);
  IF leaderboard._exact_extremes(b) & ~old_extremes <> 0 THEN
    RETURN leaderboard.rebuild(board);
  END IF;
  -- tiers of a rank ladder need every rank: scopes that stopped storing ranks store them
  -- again (the rescore below writes them)
  IF b.ladder IS NOT NULL AND leaderboard.ladder_kind(b.ladder) <> 'points' THEN
    EXECUTE format('UPDATE %s SET ranks_stored = true WHERE NOT ranks_stored', b.scopes);
  END IF;
  -- rescore and re-rank from the stored kpis in one pass: no source row is read; a held
  -- tier carries over only while the ladder stays the same
  EXECUTE (SELECT x.rescore FROM leaderboard._board_statements(board) x) USING ladder IS NULL;
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END $$;
COMMENT ON FUNCTION leaderboard.alter_board(text, jsonb, leaderboard.ladder, boolean, leaderboard.calendar, boolean) IS
  'changes a board''s scorecard or ladder (drop_ladder => true removes it) and rescores its standings from the stored kpis, without reading the source; returns the number of rows whose score, rank or tier it changed; sets its calendar (drop_calendar => true removes it); with neither card nor ladder, only makes the board''s views again';

CREATE OR REPLACE FUNCTION leaderboard._board_views(b leaderboard.boards) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  schema text := quote_ident((SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = b.source));
  cols text := '';
  s_cols text := '';
  p name;
  agent_type text := format_type(leaderboard._expression_type(b.source, quote_ident(b.agent_column), 'agent'), NULL);
  part_ret text := '';
  current_start text := leaderboard._period_start_sql('c.period', format('pg_catalog.now() AT TIME ZONE %L', b.time_zone));
  current_verb text := leaderboard._create_verb(b, format('view %s.%I', schema, b.name || '_current'),
    (SELECT c.relowner FROM pg_class c WHERE c.oid = to_regclass(format('%s.%I', schema, b.name || '_current'))));
  explain_verb text := leaderboard._create_verb(b, format('view %s.%I', schema, b.name || '_explain'),
    (SELECT c.relowner FROM pg_class c WHERE c.oid = to_regclass(format('%s.%I', schema, b.name || '_explain'))));
  -- a scope too large to store ranks (its rows' rank is NULL) is ranked from the score index
  rank_of text := format('COALESCE(s.rank, CASE WHEN s.qualified THEN 1 + (SELECT pg_catalog.count(*) FROM %s a'
                         ' WHERE a.scope_id OPERATOR(pg_catalog.=) s.scope_id AND a.qualified'
                         ' AND a.score OPERATOR(pg_catalog.>) s.score) END)', b.standings);
  around_verb text := leaderboard._create_verb(b, format('function %s.%I', schema, b.name || '_around'),
    (SELECT f.proowner FROM pg_proc f WHERE f.oid = to_regprocedure(format('%s.%I(%s, text, integer)', schema, b.name || '_around', agent_type))));
BEGIN
  FOREACH p IN ARRAY b.partition_by LOOP
    cols := cols || ', ' || quote_ident(p);
    s_cols := s_cols || ', s.' || quote_ident(p);
    part_ret := part_ret || format(', %I %s', p, format_type(leaderboard._expression_type(b.source, quote_ident(p), 'partition'), NULL));
  END LOOP;
  -- The current period of each kind comes from a row per kind, joined to the standings:
  -- a query naming the kind (and partition values) then reads its scope by the score
  -- index, with period_start an index condition, instead of testing every row's period.
  -- A scope too large to store ranks is ranked by a window over its rows (one sort of the
  -- scope), not by a count a row; conditions on the period, the partition columns and the
  -- scope reach the index below the window, others (an agent) are applied above it.
  EXECUTE format(
    '%7$s VIEW %1$s.%2$I AS SELECT s.period, s.period_start%3$s, s.%4$I, s.kpis, s.score, s.qualified, '
    'COALESCE(s.rank, CASE WHEN s.qualified THEN pg_catalog.rank() OVER (PARTITION BY s.period, s.period_start%3$s, s.scope_id '
    'ORDER BY s.qualified DESC, s.score DESC) END) AS rank, s.tier, s.updated_at '
    'FROM (SELECT c.period, %6$s AS period_start FROM pg_catalog.unnest(%8$L::pg_catalog.text[]) AS c(period)) c '
    'JOIN %5$s s ON s.period = c.period AND s.period_start = c.period_start',
    schema, b.name || '_current', s_cols, b.agent_column, b.standings, current_start, current_verb, b.periods);
  EXECUTE format('COMMENT ON VIEW %s.%I IS %L', schema, b.name || '_current',
    format('standings of board %s in the current period of each kind', b.name));
  EXECUTE format(
    -- the explanation's score is the stored one (explain() itself gives the unrounded
    -- float8 its contributions add up to)
    '%7$s VIEW %1$s.%2$I AS SELECT s.period, s.period_start%3$s, s.%4$I, s.score, s.qualified, %8$s AS rank, s.tier, '
    'pg_catalog.jsonb_set(leaderboard.explain(s.kpis, %6$s), ''{score}'', pg_catalog.to_jsonb(s.score)) AS explanation FROM %5$s s',
    schema, b.name || '_explain', s_cols, b.agent_column, b.standings,
    leaderboard._card_sql(b, 's.period'), explain_verb, rank_of);
  EXECUTE format('COMMENT ON VIEW %s.%I IS %L', schema, b.name || '_explain',
    format('why each score of board %s is what it is: per-metric values, normalization and contribution', b.name));
  -- An inlinable SQL function (no SET clause: the planner then inlines its one SELECT into
  -- the caller's query, where a SET clause would have it planned again on every call). Its
  -- body names only qualified objects, so the caller's search_path cannot change it.
  EXECUTE format($f$
    %9$s FUNCTION %1$s.%2$I(agent %3$s, period text DEFAULT 'month', width integer DEFAULT 5)
    RETURNS TABLE (period_start date%4$s, %5$I %3$s, score double precision, qualified boolean, rank bigint, tier text)
    LANGUAGE sql STABLE AS $body$
      SELECT r.* FROM leaderboard._around(%6$L::pg_catalog.regclass, %7$L, $1, $2, $3, %8$L)
        AS r(period_start pg_catalog.date%10$s, %5$I %3$s, score pg_catalog.float8, qualified pg_catalog.bool,
             rank pg_catalog.int8, tier pg_catalog.text)
    $body$ $f$,
    schema, b.name || '_around', agent_type, part_ret, b.agent_column,
    b.standings::text, b.time_zone, b.agent_column, around_verb, part_ret);
  EXECUTE format('COMMENT ON FUNCTION %s.%I(%s, text, integer) IS %L', schema, b.name || '_around', agent_type,
    format('an agent''s neighbours on board %s: width rows above and below in the current period', b.name));
  PERFORM leaderboard._goal_views(b);
END $$;
COMMENT ON FUNCTION leaderboard._board_views(leaderboard.boards) IS
  'internal: (re)creates a board''s views and around-me function';

CREATE OR REPLACE FUNCTION leaderboard._drop_board_objects(b leaderboard.boards) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  schema text := quote_ident((SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                              WHERE c.oid = b.standings));
BEGIN
  IF schema IS NOT NULL THEN
    -- by its full signature: another role's function of the same name is not the board's
    EXECUTE format('DROP FUNCTION IF EXISTS %s.%I(%s, text, integer)', schema, b.name || '_around',
                   (SELECT format_type(a.atttypid, NULL) FROM pg_attribute a
                    WHERE a.attrelid = b.standings AND a.attname = b.agent_column));
    -- only boards keeping day rows have <board>_streaks
    IF to_regclass(format('%s.%I', schema, b.name || '_streaks')) IS NOT NULL THEN
      EXECUTE format('DROP VIEW %s.%I', schema, b.name || '_streaks');
    END IF;
    EXECUTE format('DROP VIEW IF EXISTS %s.%I, %s.%I, %s.%I', schema, b.name || '_current', schema, b.name || '_explain',
                   schema, b.name || '_goals');
    EXECUTE format('DROP TABLE IF EXISTS %s, %s', b.standings, b.scopes);
  END IF;
  PERFORM leaderboard._catalog_delete(b.name);
END $$;
COMMENT ON FUNCTION leaderboard._drop_board_objects(leaderboard.boards) IS
  'internal: drops a board''s standings, scopes, views, around-me function and catalog row (its goals go with the row)';
COMMENT ON FUNCTION leaderboard.drop_board(text) IS
  'drops a board: its triggers, standings, scopes, views, around-me function, goals, catalog row and the source index it created';

REVOKE EXECUTE ON FUNCTION
  leaderboard.working_days(leaderboard.calendar, date, date),
  leaderboard.set_goal(text, text, text, text, numeric, jsonb, text, date, date),
  leaderboard.clear_goal(bigint),
  leaderboard.clear_goal(text, text, text, text, jsonb, text),
  leaderboard.create_board(text, regclass, text, text, text[], jsonb, text[], text[], text,
                           leaderboard.ladder, text, text, text[], leaderboard.calendar),
  leaderboard.alter_board(text, jsonb, leaderboard.ladder, boolean, leaderboard.calendar, boolean),
  leaderboard._goal_row(text, text, text, text, numeric, jsonb, text, date, date),
  leaderboard._check_goal(leaderboard.goals),
  leaderboard._goal_insert(leaderboard.goals),
  leaderboard._goals_delete(bigint[]),
  leaderboard._catalog_set_calendar(text, leaderboard.calendar),
  leaderboard._goal_views(leaderboard.boards),
  leaderboard._period_days(leaderboard.calendar, text, date, date),
  leaderboard._goal_actual(leaderboard.kpis, integer, text),
  leaderboard._goal_rung(numeric[], bigint[], numeric),
  leaderboard._goal_pace(text, numeric, integer, integer)
FROM PUBLIC;
GRANT EXECUTE ON FUNCTION
  leaderboard.working_days(leaderboard.calendar, date, date),
  leaderboard.set_goal(text, text, text, text, numeric, jsonb, text, date, date),
  leaderboard.clear_goal(bigint),
  leaderboard.clear_goal(text, text, text, text, jsonb, text),
  leaderboard.create_board(text, regclass, text, text, text[], jsonb, text[], text[], text,
                           leaderboard.ladder, text, text, text[], leaderboard.calendar),
  leaderboard.alter_board(text, jsonb, leaderboard.ladder, boolean, leaderboard.calendar, boolean),
  leaderboard._goal_row(text, text, text, text, numeric, jsonb, text, date, date),
  leaderboard._check_goal(leaderboard.goals),
  leaderboard._goal_insert(leaderboard.goals),
  leaderboard._goals_delete(bigint[]),
  leaderboard._catalog_set_calendar(text, leaderboard.calendar),
  leaderboard._goal_views(leaderboard.boards),
  leaderboard._period_days(leaderboard.calendar, text, date, date),
  leaderboard._goal_actual(leaderboard.kpis, integer, text),
  leaderboard._goal_rung(numeric[], bigint[], numeric),
  leaderboard._goal_pace(text, numeric, integer, integer)
TO PUBLIC;

-- alter_board with both a calendar and events (the two steps above each changed it)
DROP FUNCTION leaderboard.alter_board(text, jsonb, leaderboard.ladder, boolean, leaderboard.calendar, boolean);
CREATE FUNCTION leaderboard.alter_board(board text, scorecard jsonb DEFAULT NULL, ladder leaderboard.ladder DEFAULT NULL,
                                        drop_ladder boolean DEFAULT false,
                                        calendar leaderboard.calendar DEFAULT NULL, drop_calendar boolean DEFAULT false,
                                        events jsonb DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp SET DateStyle = 'ISO, YMD' SET IntervalStyle = 'postgres' SET TimeZone = 'UTC' SET extra_float_digits = 1 SET bytea_output = 'hex' SET standard_conforming_strings = on SET work_mem = '256MB' SET jit = off AS $$
DECLARE
  b leaderboard.boards := leaderboard._board(board);
  n bigint;
  old_extremes bigint := leaderboard._exact_extremes(b);
BEGIN
  PERFORM leaderboard._require_owner(b);
  EXECUTE format('LOCK TABLE %s IN EXCLUSIVE MODE', b.scopes);
  -- a NULL argument is one not given: a ladder is removed by name, not by a NULL
  IF drop_ladder AND ladder IS NOT NULL THEN
    RAISE EXCEPTION 'a new ladder and drop_ladder cannot be combined' USING ERRCODE = 'invalid_parameter_value',
      HINT = 'Give either ladder => ''...'' or drop_ladder => true.';
  END IF;
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
    PERFORM leaderboard._board_event_trigger(b);
  END IF;
  IF drop_calendar AND alter_board.calendar IS NOT NULL THEN
    RAISE EXCEPTION 'a new calendar and drop_calendar cannot be combined' USING ERRCODE = 'invalid_parameter_value',
      HINT = 'Give either calendar => ''...'' or drop_calendar => true.';
  END IF;
  -- the calendar changes no standings row: only the views that count working days
  IF alter_board.calendar IS NOT NULL OR drop_calendar IS TRUE THEN
    b.calendar := CASE WHEN drop_calendar IS TRUE THEN NULL ELSE alter_board.calendar END;
    PERFORM leaderboard._catalog_set_calendar(board, b.calendar);
  END IF;
  -- nothing to change: the board's views are made again (this is how boards made by an
  -- older version get this version's views after ALTER EXTENSION UPDATE) and no row is
  -- rescored
  IF scorecard IS NULL AND ladder IS NULL AND drop_ladder IS NOT TRUE THEN
    PERFORM leaderboard._board_views(b);
    RETURN 0;
  END IF;
  IF scorecard IS NOT NULL THEN
    b.scorecards := leaderboard._board_cards(scorecard, b.periods, b.metric_names);
    PERFORM leaderboard._check_tie_break(b.tie_break, scorecard);
  END IF;
  -- a card that reads a min or max no card read before: corrections of that metric now
  -- re-read the source, and the stored rows may have forgotten its extremes
  b.source_index := leaderboard._ensure_source_index(b);
  PERFORM leaderboard._catalog_update(board, b.scorecards, b.ladder::text, b.source_index);
  PERFORM leaderboard._board_views(b);
  IF leaderboard._exact_extremes(b) & ~old_extremes <> 0 THEN
    RETURN leaderboard.rebuild(board);
  END IF;
  -- tiers of a rank ladder need every rank: scopes that stopped storing ranks store them
  -- again (the rescore below writes them)
  IF b.ladder IS NOT NULL AND leaderboard.ladder_kind(b.ladder) <> 'points' THEN
    EXECUTE format('UPDATE %s SET ranks_stored = true WHERE NOT ranks_stored', b.scopes);
  END IF;
  -- rescore and re-rank from the stored kpis in one pass: no source row is read; a held
  -- tier carries over only while the ladder stays the same
  EXECUTE (SELECT x.rescore FROM leaderboard._board_statements(board) x) USING ladder IS NULL;
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END $$;
COMMENT ON FUNCTION leaderboard.alter_board(text, jsonb, leaderboard.ladder, boolean, leaderboard.calendar, boolean, jsonb) IS
  'changes a board''s scorecard or ladder (drop_ladder => true removes it) and rescores its standings from the stored kpis, without reading the source; returns the number of rows whose score, rank or tier it changed; sets its calendar (drop_calendar => true removes it) and the events it emits (events => ''{}'' emits none); with neither card nor ladder, only makes the board''s views again';
REVOKE EXECUTE ON FUNCTION leaderboard.alter_board(text, jsonb, leaderboard.ladder, boolean, leaderboard.calendar, boolean, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION leaderboard.alter_board(text, jsonb, leaderboard.ladder, boolean, leaderboard.calendar, boolean, jsonb) TO PUBLIC;

CREATE OR REPLACE FUNCTION leaderboard._drop_board_objects(b leaderboard.boards) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  schema text := quote_ident((SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                              WHERE c.oid = b.standings));
BEGIN
  IF schema IS NOT NULL THEN
    -- by its full signature: another role's function of the same name is not the board's
    EXECUTE format('DROP FUNCTION IF EXISTS %s.%I(%s, text, integer)', schema, b.name || '_around',
                   (SELECT format_type(a.atttypid, NULL) FROM pg_attribute a
                    WHERE a.attrelid = b.standings AND a.attname = b.agent_column));
    -- only boards keeping day rows have <board>_streaks
    IF to_regclass(format('%s.%I', schema, b.name || '_streaks')) IS NOT NULL THEN
      EXECUTE format('DROP VIEW %s.%I', schema, b.name || '_streaks');
    END IF;
    EXECUTE format('DROP VIEW IF EXISTS %s.%I, %s.%I, %s.%I', schema, b.name || '_current', schema, b.name || '_explain',
                   schema, b.name || '_goals');
    EXECUTE format('DROP TABLE IF EXISTS %s, %s', b.standings, b.scopes);
  END IF;
  DELETE FROM leaderboard.events e WHERE e.board = b.name;
  PERFORM leaderboard._catalog_delete(b.name);
END $$;

-- Closing periods: a board's grace and retention, close_periods() freezing ended periods
-- and recording their winners, and the <board>_movement and <board>_badges views
ALTER TABLE leaderboard.boards ADD COLUMN grace interval NOT NULL DEFAULT '1 day',
  ADD COLUMN retention interval, ADD COLUMN closed_before jsonb NOT NULL DEFAULT '{}';
CREATE TABLE leaderboard.closed_periods (
  board         text NOT NULL REFERENCES leaderboard.boards (name) ON DELETE CASCADE,
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
  PRIMARY KEY (board, period, period_start, partition, agent),
  FOREIGN KEY (board, period, period_start) REFERENCES leaderboard.closed_periods ON DELETE CASCADE
);
COMMENT ON TABLE leaderboard.period_winners IS
  'winners of closed periods: the rows ranked 1 in each scope when close_periods closed it, ties included';
SELECT pg_catalog.pg_extension_config_dump('leaderboard.period_winners', '');
GRANT SELECT ON leaderboard.period_winners TO PUBLIC;
CREATE FUNCTION leaderboard._closed_sql(closed_before jsonb, period_sql text, start_sql text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT coalesce('(' || string_agg(format('(%s = %L AND %s < %L::pg_catalog.date)', period_sql, c.key, start_sql, c.value),
                                    ' OR ' ORDER BY c.key) || ')', 'false')
  FROM jsonb_each_text(closed_before) AS c(key, value)
$$;
COMMENT ON FUNCTION leaderboard._closed_sql(jsonb, text, text) IS
  'internal: SQL testing whether the scope of a period and period_start is closed, from a board''s closed_before';

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
                 WHERE c.key = 'all' OR NOT c.key = ANY (b.periods) OR jsonb_typeof(c.value) <> 'string'
                    OR c.value #>> '{}' !~ '^\d{4}-\d{2}-\d{2}$')
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

CREATE FUNCTION leaderboard._closed_before(b leaderboard.boards, at timestamptz) RETURNS jsonb
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT coalesce(jsonb_object_agg(k.kind, greatest(
           coalesce((b.closed_before ->> k.kind)::date, '-infinity'::date),
           date_trunc(k.kind, (at AT TIME ZONE b.time_zone) - b.grace)::date)), '{}'::jsonb)
  FROM unnest(b.periods) AS k(kind) WHERE k.kind <> 'all'
$$;
COMMENT ON FUNCTION leaderboard._closed_before(leaderboard.boards, timestamptz) IS
  'internal: per period kind of a board, the start of its first period not yet closable at a time';

CREATE FUNCTION leaderboard._retained_from(b leaderboard.boards, at timestamptz) RETURNS date
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT ((at AT TIME ZONE b.time_zone) - b.retention)::date WHERE 'day' = ANY (b.periods)
$$;
COMMENT ON FUNCTION leaderboard._retained_from(leaderboard.boards, timestamptz) IS
  'internal: the first day whose rows a board''s retention keeps at a time (NULL: all of them)';

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
  -- as alter_board and rebuild: writers wait, and a concurrent close_periods waits here and
  -- then finds its work done
  EXECUTE format('LOCK TABLE %s IN EXCLUSIVE MODE', b.scopes);
  b := leaderboard._board(board);
  target := leaderboard._closed_before(b, now());
  was := leaderboard._closed_sql(b.closed_before, 'sc.period', 'sc.period_start');
  now_closed := leaderboard._closed_sql(target, 'sc.period', 'sc.period_start');
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
    EXECUTE format('DELETE FROM %s sc WHERE sc.period = ''day'' AND sc.period_start < $1 AND %s', b.standings, now_closed)
      USING kept_from;
    EXECUTE format('DELETE FROM %s sc WHERE sc.period = ''day'' AND sc.period_start < $1 AND %s', b.scopes, now_closed)
      USING kept_from;
  END IF;
  RETURN coalesce(n, 0);
END $$;
COMMENT ON FUNCTION leaderboard.close_periods(text) IS
  'closes the periods of a board that ended more than its grace ago: freezes their standings, records them and their winners, and deletes closed day rows older than its retention; returns the number of scopes closed';

CREATE OR REPLACE FUNCTION leaderboard._board_statements(board text,
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
  part_keys text := '';
  part_match text := '';
  kpi_args text; filter_sql text := '';
  local_n text; scope_key text;
  card_g text; card_s text; card_t text; tier_ins text; tier_upd text := '';
  lo text; hi text; in_period text;
  rank_fn text; ties text := ''; rank_order_s text; rank_order_e text;
  rank_tier text := ''; rank_tier_cmp text := '';
  tie text;
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
  card_g := leaderboard._card_sql(b, 'g.period');
  card_s := leaderboard._card_sql(b, 's.period');
  card_t := leaderboard._card_sql(b, 't.period');
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
  -- side: its bound, or the bound's time in another zone, would be out of range.
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
  IF leaderboard._expression_type(b.source, qt, 'at') = 'timestamptz'::regtype THEN
    lo := format('(%s AT TIME ZONE %L)', lo, b.time_zone);
    hi := format('(%s AT TIME ZONE %L)', hi, b.time_zone);
  ELSIF leaderboard._expression_type(b.source, qt, 'at') = 'date'::regtype THEN
    lo := lo || '::pg_catalog.date'; hi := hi || '::pg_catalog.date';
  END IF;
  in_period := format('s.%1$s >= %2$s AND s.%1$s < %3$s AND (k.period = ''all'' OR %4$s = k.period_start)',
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

  rank_fn := CASE b.rank_style WHEN 'dense_rank' THEN 'pg_catalog.dense_rank()'
                               WHEN 'row_number' THEN 'pg_catalog.row_number()'
                               ELSE 'pg_catalog.rank()' END;
  -- the ORDER BY of the ranking window over the rows of alias s, or e: _tie_break_sql()
  -- gives only names of functions and a metric's position, with {{t}} for the alias
  IF b.rank_style = 'row_number' THEN
    FOREACH tie IN ARRAY b.tie_break LOOP
      ties := ties || ', ' || leaderboard._tie_break_sql(b, tie);
    END LOOP;
  END IF;
  rank_order_s := replace('{{t}}.qualified DESC, {{t}}.score DESC' || ties, '{{t}}', 's');
  rank_order_e := replace('{{t}}.qualified DESC, {{t}}.score DESC' || ties, '{{t}}', 'e');
  IF b.rank_style = 'row_number' THEN
    rank_order_s := rank_order_s || ', s.' || qa;
    rank_order_e := rank_order_e || ', e.' || qa;
  END IF;
  IF b.ladder IS NOT NULL AND NOT leaderboard.ladder_kind(b.ladder) = 'points' THEN
    rank_tier := format(', tier = leaderboard.tier_by_rank(r.rk, r.n, %L::leaderboard.ladder)', b.ladder);
    rank_tier_cmp := format(' OR w.tier IS DISTINCT FROM leaderboard.tier_by_rank(w.rk, w.n, %L::leaderboard.ladder)', b.ladder);
  END IF;
  -- only rows whose rank (or rank tier) changes are joined back and written; rank is in
  -- no index, so those updates are HOT. The scopes re-ranked go between head and tail.
  rerank_head := format(
    'UPDATE %1$s t SET rank = r.rk%2$s FROM ('
    ' SELECT * FROM ('
    '  SELECT s.scope_id, s.period, s.period_start, s.%3$s, s.rank, s.tier, CASE WHEN s.qualified THEN %4$s OVER w END AS rk,'
    '   pg_catalog.count(*) FILTER (WHERE s.qualified) OVER (PARTITION BY s.scope_id) AS n'
    '  FROM %1$s s WHERE ',
    st, rank_tier, qa, rank_fn);
  rerank_tail := format(
    '  WINDOW w AS (PARTITION BY s.scope_id ORDER BY %1$s)) w'
    ' WHERE w.rank IS DISTINCT FROM w.rk%2$s) r'
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
      ' FROM (SELECT scope_key, (pg_catalog.array_agg(%1$s))[1] AS %1$s FROM lb_pending GROUP BY scope_key'
      '       HAVING pg_catalog.count(DISTINCT %1$s) = 1) k'
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

  -- every row rescored from its stored kpis and re-ranked in one pass (alter_board); its
  -- one parameter, a boolean, says whether a points ladder's held tiers are kept.
  -- Rows are joined back by ctid (the EXCLUSIVE lock on the scopes keeps writers out, so
  -- no row moves meanwhile), the window sort carries no kpis, and rows whose score,
  -- qualification, rank and tier all stay are not written: a new ladder alone rewrites
  -- only the rows whose tier changes, as HOT updates.
  rescore := format(
    'UPDATE %1$s t SET score = x.score, qualified = x.qualified, rank = x.rank, tier = x.tier FROM ('
    ' SELECT r.lb_ctid, r.score, r.qualified, CASE WHEN r.lb_ranks_stored THEN r.rank END AS rank, %3$s AS tier FROM ('
    '  SELECT e.lb_ctid, e.score, e.qualified, e.old_tier, e.lb_ranks_stored,'
    '   CASE WHEN e.qualified THEN %4$s OVER (PARTITION BY e.scope_id ORDER BY %5$s) END AS rank,'
    '   pg_catalog.count(*) FILTER (WHERE e.qualified) OVER (PARTITION BY e.scope_id) AS n'
    '  FROM (SELECT s.ctid AS lb_ctid, s.scope_id, s.%2$s, s.tier AS old_tier, sc.ranks_stored AS lb_ranks_stored,'
    '         %6$s AS score, %7$s AS qualified%9$s FROM %1$s s JOIN %8$s sc ON sc.scope_id = s.scope_id'
    '         WHERE NOT %10$s) e) r) x'
    ' WHERE t.ctid = x.lb_ctid'
    '  AND (t.score, t.qualified, t.rank, t.tier) IS DISTINCT FROM (x.score, x.qualified, x.rank, x.tier)',
    st, qa,
    CASE WHEN b.ladder IS NULL THEN 'NULL::pg_catalog.text'
         WHEN leaderboard.ladder_kind(b.ladder) = 'points'
           THEN format('CASE WHEN r.qualified THEN leaderboard.tier(r.score, %L::leaderboard.ladder,'
                       ' CASE WHEN $1 THEN r.old_tier END) END', b.ladder)
         ELSE format('CASE WHEN r.qualified THEN leaderboard.tier_by_rank(r.rank, r.n, %L::leaderboard.ladder) END', b.ladder) END,
    rank_fn, rank_order_e,
    format('leaderboard._board_score(s.kpis, %s)', card_s), format('leaderboard.qualified(s.kpis, %s)', card_s), sc,
    -- the tie-break chain of row_number boards orders by the kpis
    CASE WHEN b.rank_style = 'row_number' THEN ', s.kpis' ELSE '' END,
    -- closed scopes keep the scores, ranks and tiers they closed with
    leaderboard._closed_sql(b.closed_before, 's.period', 's.period_start'));

  -- standings from scratch, ranked, from the groups put between head and tail: from the
  -- source, what rebuild writes and verify compares with
  expected_head := format(
    'SELECT r.scope_key, r.period, r.period_start%1$s, r.%2$s, r.kpis, r.score, r.qualified, r.rank, %3$s AS tier FROM ('
    ' SELECT e.*, CASE WHEN e.qualified THEN %4$s OVER (PARTITION BY e.scope_key ORDER BY %5$s) END AS rank,'
    '  pg_catalog.count(*) FILTER (WHERE e.qualified) OVER (PARTITION BY e.scope_key) AS n'
    ' FROM (SELECT g.*, %6$s AS score, %7$s AS qualified FROM (',
    r_parts, qa,
    CASE WHEN b.ladder IS NULL THEN 'NULL::pg_catalog.text'
         WHEN leaderboard.ladder_kind(b.ladder) = 'points'
           THEN format('CASE WHEN r.qualified THEN leaderboard.tier(r.score, %L::leaderboard.ladder) END', b.ladder)
         ELSE format('CASE WHEN r.qualified THEN leaderboard.tier_by_rank(r.rank, r.n, %L::leaderboard.ladder) END', b.ladder) END,
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

CREATE OR REPLACE FUNCTION leaderboard._check_board_row(b leaderboard.boards) RETURNS void
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
    WHEN leaderboard._expression_type(b.source, quote_ident(b.at_column), 'at')
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
    IF NOT leaderboard._expression_type(b.source, substr(e, 2, length(e) - 2), 'metric') = ANY (supported) THEN
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

CREATE OR REPLACE FUNCTION leaderboard._board_views(b leaderboard.boards) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  schema text := quote_ident((SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = b.source));
  cols text := '';
  s_cols text := '';
  p name;
  agent_type text := format_type(leaderboard._expression_type(b.source, quote_ident(b.agent_column), 'agent'), NULL);
  part_ret text := '';
  current_start text := leaderboard._period_start_sql('c.period', format('pg_catalog.now() AT TIME ZONE %L', b.time_zone));
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
BEGIN
  FOREACH p IN ARRAY b.partition_by LOOP
    cols := cols || ', ' || quote_ident(p);
    s_cols := s_cols || ', s.' || quote_ident(p);
    part_ret := part_ret || format(', %I %s', p, format_type(leaderboard._expression_type(b.source, quote_ident(p), 'partition'), NULL));
    p_match := p_match || format(' AND p.%1$I IS NOT DISTINCT FROM s.%1$I', p);
    m_cols := m_cols || ', m.' || quote_ident(p);
    x_cols := x_cols || ', x.' || quote_ident(p);
    w_cols := w_cols || format(', (w.partition OPERATOR(pg_catalog.->>) %L)::%s AS %I', p, leaderboard._column_type(b.source, p), p);
  END LOOP;
  -- The current period of each kind comes from a row per kind, joined to the standings:
  -- a query naming the kind (and partition values) then reads its scope by the score
  -- index, with period_start an index condition, instead of testing every row's period.
  -- A scope too large to store ranks is ranked by a window over its rows (one sort of the
  -- scope), not by a count a row; conditions on the period, the partition columns and the
  -- scope reach the index below the window, others (an agent) are applied above it.
  EXECUTE format(
    '%7$s VIEW %1$s.%2$I AS SELECT s.period, s.period_start%3$s, s.%4$I, s.kpis, s.score, s.qualified, '
    'COALESCE(s.rank, CASE WHEN s.qualified THEN pg_catalog.rank() OVER (PARTITION BY s.period, s.period_start%3$s, s.scope_id '
    'ORDER BY s.qualified DESC, s.score DESC) END) AS rank, s.tier, s.updated_at '
    'FROM (SELECT c.period, %6$s AS period_start FROM pg_catalog.unnest(%8$L::pg_catalog.text[]) AS c(period)) c '
    'JOIN %5$s s ON s.period = c.period AND s.period_start = c.period_start',
    schema, b.name || '_current', s_cols, b.agent_column, b.standings, current_start, current_verb, b.periods);
  EXECUTE format('COMMENT ON VIEW %s.%I IS %L', schema, b.name || '_current',
    format('standings of board %s in the current period of each kind', b.name));
  EXECUTE format(
    -- the explanation's score is the stored one (explain() itself gives the unrounded
    -- float8 its contributions add up to)
    '%7$s VIEW %1$s.%2$I AS SELECT s.period, s.period_start%3$s, s.%4$I, s.score, s.qualified, %8$s AS rank, s.tier, '
    'pg_catalog.jsonb_set(leaderboard.explain(s.kpis, %6$s), ''{score}'', pg_catalog.to_jsonb(s.score)) AS explanation FROM %5$s s',
    schema, b.name || '_explain', s_cols, b.agent_column, b.standings,
    leaderboard._card_sql(b, 's.period'), explain_verb, rank_of);
  EXECUTE format('COMMENT ON VIEW %s.%I IS %L', schema, b.name || '_explain',
    format('why each score of board %s is what it is: per-metric values, normalization and contribution', b.name));
  -- Movement: each row against the agent's row in the same partition in the period of the
  -- same kind just before (none for 'all'), read by the standings' key.
  EXECUTE format(
    '%7$s VIEW %1$s.%2$I AS SELECT s.period, s.period_start%3$s, s.%4$I, s.score, %8$s AS rank, s.tier,'
    ' p.score AS previous_score, %9$s AS previous_rank, %9$s OPERATOR(pg_catalog.-) %8$s AS rank_change,'
    ' leaderboard._rank_precision(s.score OPERATOR(pg_catalog.-) p.score) AS score_change'
    ' FROM %5$s s LEFT JOIN %5$s p ON p.%4$I OPERATOR(pg_catalog.=) s.%4$I AND p.period OPERATOR(pg_catalog.=) s.period'
    ' AND p.period_start OPERATOR(pg_catalog.=) CASE s.period'
    '  WHEN ''day'' THEN s.period_start OPERATOR(pg_catalog.-) 1'
    '  WHEN ''week'' THEN s.period_start OPERATOR(pg_catalog.-) 7'
    '  WHEN ''month'' THEN (s.period_start OPERATOR(pg_catalog.-) ''1 month''::pg_catalog.interval)::pg_catalog.date'
    '  WHEN ''quarter'' THEN (s.period_start OPERATOR(pg_catalog.-) ''3 months''::pg_catalog.interval)::pg_catalog.date'
    '  WHEN ''year'' THEN (s.period_start OPERATOR(pg_catalog.-) ''1 year''::pg_catalog.interval)::pg_catalog.date END%6$s',
    schema, b.name || '_movement', s_cols, b.agent_column, b.standings, p_match, movement_verb,
    format(rank_sql, 's'), format(rank_sql, 'p'));
  EXECUTE format('COMMENT ON VIEW %s.%I IS %L', schema, b.name || '_movement',
    format('rank and score of each row of board %s against the agent''s row in the previous period of the same kind and partition', b.name));
  -- Badges of closed periods: the winners close_periods recorded, and in each closed scope
  -- the rows with the largest rank gain and the largest score gain (ties all get one).
  EXECUTE format(
    '%6$s VIEW %1$s.%2$I AS'
    ' SELECT ''Top Performer''::pg_catalog.text AS badge, w.period, w.period_start%3$s, w.agent::%7$s AS %4$I,'
    '  w.score, NULL::pg_catalog.int8 AS rank_change, NULL::pg_catalog.float8 AS score_change'
    ' FROM leaderboard.period_winners w WHERE w.board OPERATOR(pg_catalog.=) %8$L'
    ' UNION ALL'
    ' SELECT x.badge, x.period, x.period_start%5$s, x.%4$I, x.score, x.rank_change, x.score_change FROM ('
    '  SELECT b.badge, m.*,'
    '   CASE b.badge WHEN ''Fast Climber'' THEN m.rank_change::pg_catalog.float8 ELSE m.score_change END AS lb_gain,'
    '   pg_catalog.max(CASE b.badge WHEN ''Fast Climber'' THEN m.rank_change::pg_catalog.float8 ELSE m.score_change END)'
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
      SELECT r.* FROM leaderboard._around(%6$L::pg_catalog.regclass, %7$L, $1, $2, $3, %8$L)
        AS r(period_start pg_catalog.date%10$s, %5$I %3$s, score pg_catalog.float8, qualified pg_catalog.bool,
             rank pg_catalog.int8, tier pg_catalog.text)
    $body$ $f$,
    schema, b.name || '_around', agent_type, part_ret, b.agent_column,
    b.standings::text, b.time_zone, b.agent_column, around_verb, part_ret);
  EXECUTE format('COMMENT ON FUNCTION %s.%I(%s, text, integer) IS %L', schema, b.name || '_around', agent_type,
    format('an agent''s neighbours on board %s: width rows above and below in the current period', b.name));
  PERFORM leaderboard._goal_views(b);
END $$;
COMMENT ON FUNCTION leaderboard._board_views(leaderboard.boards) IS
  'internal: (re)creates a board''s views and around-me function';

CREATE OR REPLACE FUNCTION leaderboard.verify(board text)
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
             coalesce(st.scope_key, t.scope_key) AS scope_key, coalesce(st.%4$I, t.%4$I)::text AS agent,
             st.scope_key IS NULL AS s_missing, t.scope_key IS NULL AS e_missing,
             st.kpis AS s_kpis, t.kpis AS e_kpis, st.score AS s_score, t.score AS e_score,
             st.qualified AS s_qualified, t.qualified AS e_qualified, st.rank AS s_rank,
             CASE WHEN st.lb_ranks_stored IS NOT FALSE THEN t.rank END AS e_rank,
             st.tier AS s_tier, t.tier AS e_tier, coalesce(st.score, t.score) AS score,
             coalesce(st.qualified, t.qualified) AS qualified %5$s
      FROM st FULL JOIN t ON st.scope_key = t.scope_key AND st.%4$I = t.%4$I)
    SELECT CASE WHEN x.s_missing THEN 'missing' WHEN x.e_missing THEN 'unexpected' ELSE 'different' END,
           x.period, x.period_start, %6$s, x.agent,
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

CREATE OR REPLACE FUNCTION leaderboard._drop_board_objects(b leaderboard.boards) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  schema text := quote_ident((SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                              WHERE c.oid = b.standings));
BEGIN
  IF schema IS NOT NULL THEN
    -- by its full signature: another role's function of the same name is not the board's
    EXECUTE format('DROP FUNCTION IF EXISTS %s.%I(%s, text, integer)', schema, b.name || '_around',
                   (SELECT format_type(a.atttypid, NULL) FROM pg_attribute a
                    WHERE a.attrelid = b.standings AND a.attname = b.agent_column));
    -- only boards keeping day rows have <board>_streaks
    IF to_regclass(format('%s.%I', schema, b.name || '_streaks')) IS NOT NULL THEN
      EXECUTE format('DROP VIEW %s.%I', schema, b.name || '_streaks');
    END IF;
    EXECUTE format('DROP VIEW IF EXISTS %s.%I, %s.%I, %s.%I, %s.%I, %s.%I', schema, b.name || '_badges', schema, b.name || '_movement',
                   schema, b.name || '_current', schema, b.name || '_explain', schema, b.name || '_goals');
    EXECUTE format('DROP TABLE IF EXISTS %s, %s', b.standings, b.scopes);
  END IF;
  DELETE FROM leaderboard.events e WHERE e.board = b.name;
  PERFORM leaderboard._catalog_delete(b.name);
END $$;
COMMENT ON FUNCTION leaderboard._drop_board_objects(leaderboard.boards) IS
  'internal: drops a board''s standings, scopes, views, around-me function and catalog row (its goals go with the row)';

DROP FUNCTION leaderboard.create_board(text, regclass, text, text, text[], jsonb, text[], text[], text, leaderboard.ladder, text, text, text[], leaderboard.calendar);
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
  IF EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = source AND attname IN ('lb_local', 'lb_kind') AND NOT attisdropped) THEN
    RAISE EXCEPTION 'table % has a column named lb_local or lb_kind, which boards reserve', source
      USING ERRCODE = 'duplicate_column';
  END IF;
  t := leaderboard._expression_type(source, quote_ident(at), 'at');
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
    IF NOT t = ANY (supported) THEN
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
  IF cardinality(b.partition_by) <> (SELECT count(DISTINCT x) FROM unnest(b.partition_by) x) THEN
    RAISE EXCEPTION 'a partition_by column is listed twice' USING ERRCODE = 'invalid_parameter_value';
  END IF;

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

  FOREACH p IN ARRAY b.partition_by LOOP
    parts_ddl := parts_ddl || format(', %I %s', p, leaderboard._column_type(source, p));
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
                 leaderboard._column_type(source, agent), agent);
  b.standings := (schema || '.' || quote_ident(board_name || '_standings'))::regclass;
  -- Three indexes, as every standings write that changes a score adds an entry to each:
  -- the key (one row per scope and agent, as a scope has one period and period_start)
  -- leads with the agent, so around-me and "my rows" read an agent's rows of a period
  -- from it; top-N reads by the scope's columns; re-ranking and neighbours by scope_id.
  EXECUTE format('CREATE INDEX ON %s (period, period_start%s, score DESC)', b.standings, parts_cols);
  EXECUTE format('CREATE INDEX ON %s (scope_id, score, %I)', b.standings, agent);
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

DROP FUNCTION leaderboard.alter_board(text, jsonb, leaderboard.ladder, boolean, leaderboard.calendar, boolean, jsonb);
CREATE FUNCTION leaderboard.alter_board(board text, scorecard jsonb DEFAULT NULL, ladder leaderboard.ladder DEFAULT NULL,
                                        drop_ladder boolean DEFAULT false,
                                        calendar leaderboard.calendar DEFAULT NULL, drop_calendar boolean DEFAULT false,
                                        events jsonb DEFAULT NULL,
                                        grace interval DEFAULT NULL, retention interval DEFAULT NULL,
                                        drop_retention boolean DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp SET DateStyle = 'ISO, YMD' SET IntervalStyle = 'postgres' SET TimeZone = 'UTC' SET extra_float_digits = 1 SET bytea_output = 'hex' SET standard_conforming_strings = on SET work_mem = '256MB' SET jit = off AS $$
DECLARE
  b leaderboard.boards := leaderboard._board(board);
  n bigint;
  old_extremes bigint := leaderboard._exact_extremes(b);
BEGIN
  PERFORM leaderboard._require_owner(b);
  EXECUTE format('LOCK TABLE %s IN EXCLUSIVE MODE', b.scopes);
  -- a NULL argument is one not given: a ladder is removed by name, not by a NULL
  IF drop_ladder AND ladder IS NOT NULL THEN
    RAISE EXCEPTION 'a new ladder and drop_ladder cannot be combined' USING ERRCODE = 'invalid_parameter_value',
      HINT = 'Give either ladder => ''...'' or drop_ladder => true.';
  END IF;
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
    PERFORM leaderboard._board_event_trigger(b);
  END IF;
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
    IF scorecard IS NULL AND ladder IS NULL AND drop_ladder IS NOT TRUE THEN
      RETURN 0;
    END IF;
  END IF;
  -- nothing to change: the board's views are made again (this is how boards made by an
  -- older version get this version's views after ALTER EXTENSION UPDATE) and no row is
  -- rescored
  IF scorecard IS NULL AND ladder IS NULL AND drop_ladder IS NOT TRUE THEN
    PERFORM leaderboard._board_views(b);
    RETURN 0;
  END IF;
  IF scorecard IS NOT NULL THEN
    b.scorecards := leaderboard._board_cards(scorecard, b.periods, b.metric_names);
    PERFORM leaderboard._check_tie_break(b.tie_break, scorecard);
  END IF;
  -- a card that reads a min or max no card read before: corrections of that metric now
  -- re-read the source, and the stored rows may have forgotten its extremes
  b.source_index := leaderboard._ensure_source_index(b);
  PERFORM leaderboard._catalog_update(board, b.scorecards, b.ladder::text, b.source_index);
  PERFORM leaderboard._board_views(b);
  IF leaderboard._exact_extremes(b) & ~old_extremes <> 0 THEN
    RETURN leaderboard.rebuild(board);
  END IF;
  -- tiers of a rank ladder need every rank: scopes that stopped storing ranks store them
  -- again (the rescore below writes them)
  IF b.ladder IS NOT NULL AND leaderboard.ladder_kind(b.ladder) <> 'points' THEN
    EXECUTE format('UPDATE %s SET ranks_stored = true WHERE NOT ranks_stored', b.scopes);
  END IF;
  -- rescore and re-rank from the stored kpis in one pass: no source row is read; a held
  -- tier carries over only while the ladder stays the same
  EXECUTE (SELECT x.rescore FROM leaderboard._board_statements(board) x) USING ladder IS NULL;
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END $$;
COMMENT ON FUNCTION leaderboard.alter_board(text, jsonb, leaderboard.ladder, boolean, leaderboard.calendar, boolean, jsonb, interval, interval, boolean) IS
  'changes a board''s scorecard or ladder (drop_ladder => true removes it) and rescores its open standings from the stored kpis, without reading the source; returns the number of rows whose score, rank or tier it changed; sets its calendar (drop_calendar => true removes it), the events it emits (events => ''{}'' emits none), its grace and retention (drop_retention => true keeps day rows forever); with nothing to change, only makes the board''s views again';

REVOKE EXECUTE ON FUNCTION
  leaderboard._closed_sql(jsonb, text, text),
  leaderboard._catalog_close(text, interval, interval, jsonb, leaderboard.closed_periods[], leaderboard.period_winners[]),
  leaderboard._check_close_settings(interval, interval),
  leaderboard._check_close(text, interval, interval, jsonb, leaderboard.closed_periods[], leaderboard.period_winners[]),
  leaderboard._closed_before(leaderboard.boards, timestamptz),
  leaderboard._retained_from(leaderboard.boards, timestamptz),
  leaderboard.close_periods(text),
  leaderboard.create_board(text, regclass, text, text, text[], jsonb, text[], text[], text,
                           leaderboard.ladder, text, text, text[], leaderboard.calendar, interval, interval),
  leaderboard.alter_board(text, jsonb, leaderboard.ladder, boolean, leaderboard.calendar, boolean, jsonb, interval, interval, boolean)
FROM PUBLIC;
GRANT EXECUTE ON FUNCTION
  leaderboard.create_board(text, regclass, text, text, text[], jsonb, text[], text[], text,
                           leaderboard.ladder, text, text, text[], leaderboard.calendar, interval, interval),
  leaderboard.alter_board(text, jsonb, leaderboard.ladder, boolean, leaderboard.calendar, boolean, jsonb, interval, interval, boolean),
  leaderboard.close_periods(text),
  leaderboard._closed_sql(jsonb, text, text),
  leaderboard._closed_before(leaderboard.boards, timestamptz),
  leaderboard._retained_from(leaderboard.boards, timestamptz),
  leaderboard._check_close_settings(interval, interval),
  leaderboard._check_close(text, interval, interval, jsonb, leaderboard.closed_periods[], leaderboard.period_winners[]),
  leaderboard._catalog_close(text, interval, interval, jsonb, leaderboard.closed_periods[], leaderboard.period_winners[])
TO PUBLIC;

-- Events about goals (goal_met, goal_at_risk, streak_milestone) and check_goals(): after
-- the goals catalog, which they read
CREATE INDEX ON leaderboard.events (board, agent, period_start) WHERE kind = 'goal_at_risk';

-- The events a board may emit: a flag, or a threshold, each.
CREATE OR REPLACE FUNCTION leaderboard._events_config(b leaderboard.boards, events jsonb) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  e record;
  p text;
BEGIN
  IF jsonb_typeof(events) IS DISTINCT FROM 'object' THEN
    RAISE EXCEPTION 'events must be a JSON object' USING ERRCODE = 'invalid_parameter_value',
      HINT = 'For example {"tier_up": true, "new_leader": true, "rank_climb": 5}; {} emits none.';
  END IF;
  FOR e IN SELECT key, value FROM jsonb_each(events) LOOP
    CASE
    WHEN e.key IN ('tier_up', 'tier_down', 'new_leader', 'personal_best') THEN
      IF jsonb_typeof(e.value) <> 'boolean' THEN
        RAISE EXCEPTION 'event "%" takes true or false, not %', e.key, e.value USING ERRCODE = 'invalid_parameter_value';
      END IF;
      IF e.key IN ('tier_up', 'tier_down') AND e.value = 'true' AND b.ladder IS NULL THEN
        RAISE EXCEPTION 'event "%" needs a board with a ladder', e.key USING ERRCODE = 'invalid_parameter_value',
          HINT = 'Keep a ladder on the board, or leave tier_up and tier_down out of its events.';
      END IF;
    WHEN e.key = 'goal_met' THEN
      IF jsonb_typeof(e.value) <> 'boolean' THEN
        RAISE EXCEPTION 'event "%" takes true or false, not %', e.key, e.value USING ERRCODE = 'invalid_parameter_value';
      END IF;
    WHEN e.key = 'goal_at_risk' THEN
      IF jsonb_typeof(e.value) <> 'number' OR NOT (e.value::numeric > 0 AND e.value::numeric < 1) THEN
        RAISE EXCEPTION 'event "goal_at_risk" takes the share of the period after which a goal can be at risk, above 0 and below 1, not %', e.value
          USING ERRCODE = 'invalid_parameter_value', HINT = 'For example {"goal_at_risk": 0.5}: from half of the period''s working days on.';
      END IF;
    WHEN e.key = 'streak_milestone' THEN
      IF jsonb_typeof(e.value) <> 'array' OR jsonb_array_length(e.value) = 0
         OR EXISTS (SELECT 1 FROM jsonb_array_elements(e.value) x
                    WHERE jsonb_typeof(x) <> 'number' OR x::numeric <> trunc(x::numeric) OR x::numeric < 1 OR x::numeric > 366) THEN
        RAISE EXCEPTION 'event "streak_milestone" takes an array of streak lengths in days (1 to 366), not %', e.value
          USING ERRCODE = 'invalid_parameter_value', HINT = 'For example {"streak_milestone": [3, 5, 10, 20]}.';
      END IF;
      IF NOT 'day' = ANY (b.periods) THEN
        RAISE EXCEPTION 'event "streak_milestone" needs a board with a day period' USING ERRCODE = 'invalid_parameter_value',
          HINT = 'Streaks count days on which an agent met a daily goal.';
      END IF;
    WHEN e.key IN ('entered_top_n', 'rank_climb') THEN
      IF jsonb_typeof(e.value) <> 'number' OR e.value::numeric <> trunc(e.value::numeric) OR e.value::numeric < 1
         OR e.value::numeric > 2147483647 THEN
        RAISE EXCEPTION 'event "%" takes a whole number of places of at least 1, not %', e.key, e.value
          USING ERRCODE = 'invalid_parameter_value';
      END IF;
    WHEN e.key = 'periods' THEN
      IF jsonb_typeof(e.value) <> 'array' OR jsonb_array_length(e.value) = 0 THEN
        RAISE EXCEPTION '"periods" takes a non-empty array of the board''s period kinds' USING ERRCODE = 'invalid_parameter_value';
      END IF;
      FOR p IN SELECT x #>> '{}' FROM jsonb_array_elements(e.value) x LOOP
        IF p IS NULL OR NOT p = ANY (b.periods) THEN
          RAISE EXCEPTION 'board "%" has no period "%"', b.name, p USING ERRCODE = 'invalid_parameter_value',
            HINT = format('Its periods are %s.', array_to_string(b.periods, ', '));
        END IF;
      END LOOP;
    ELSE
      RAISE EXCEPTION 'unknown event "%"', e.key USING ERRCODE = 'invalid_parameter_value',
        HINT = 'Events are tier_up, tier_down, new_leader, entered_top_n, rank_climb, personal_best, goal_met, goal_at_risk and streak_milestone; "periods" limits them to some period kinds.';
    END CASE;
  END LOOP;
END $$;
COMMENT ON FUNCTION leaderboard._events_config(leaderboard.boards, jsonb) IS
  'internal: raises 22023 unless events is a valid events setting for the board';

-- SQL for the last day of a period (of kind period, starting on period_start; not 'all').
-- Text, not a function call, so that the events statement is planned once with it.
CREATE FUNCTION leaderboard._period_last_day_sql(period text, period_start text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT format('((%2$s OPERATOR(pg_catalog.+) CASE %1$s WHEN ''day'' THEN interval ''1 day'' WHEN ''week'' THEN interval ''1 week'' '
                'WHEN ''month'' THEN interval ''1 month'' WHEN ''quarter'' THEN interval ''3 months'' ELSE interval ''1 year'' END)::pg_catalog.date '
                'OPERATOR(pg_catalog.-) 1)', period, period_start)
$$;
COMMENT ON FUNCTION leaderboard._period_last_day_sql(text, text) IS
  'internal: SQL giving the last day of a period of a kind other than all';

-- SQL for the day whose goals apply to a standings row: today (in the board's time zone)
-- while its period runs, else the period's first or last day.
CREATE FUNCTION leaderboard._goal_day_sql(period text, period_start text, today text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT format('CASE WHEN %1$s OPERATOR(pg_catalog.=) ''all'' THEN %3$s ELSE GREATEST(%2$s, LEAST(%3$s, %4$s)) END',
                period, period_start, today, leaderboard._period_last_day_sql(period, period_start))
$$;
COMMENT ON FUNCTION leaderboard._goal_day_sql(text, text, text) IS
  'internal: SQL giving the day whose goals apply to a standings row of a period, given today';

-- SQL for the goal ladders of one standings row (its period kind, partition values and
-- agent) in force on a day: per metric and stat, the targets and goal ids of the most
-- specific audience, as <board>_goals picks them; a subquery over the goals catalog.
CREATE FUNCTION leaderboard._goal_ladders_sql(b leaderboard.boards, period text, part text, agent text, on_day text)
RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT format(
    '(SELECT g.metric, g.stat, pg_catalog.array_agg(g.target ORDER BY g.target, g.id) AS targets, '
    'pg_catalog.array_agg(g.id ORDER BY g.target, g.id) AS ids, pg_catalog.array_position(%6$L::pg_catalog.text[], g.metric) AS position '
    'FROM (SELECT g.*, pg_catalog.dense_rank() OVER (PARTITION BY g.metric, g.stat ORDER BY g.agent IS NOT NULL DESC, '
    '(SELECT pg_catalog.count(*) FROM pg_catalog.jsonb_object_keys(g.partition)) DESC, g.partition::pg_catalog.text) AS r '
    'FROM leaderboard.goals g WHERE g.board OPERATOR(pg_catalog.=) %1$L AND g.period OPERATOR(pg_catalog.=) %2$s '
    'AND (g.effective_from IS NULL OR g.effective_from OPERATOR(pg_catalog.<=) %5$s) '
    'AND (g.effective_to IS NULL OR g.effective_to OPERATOR(pg_catalog.>=) %5$s) '
    'AND (g.agent IS NULL OR g.agent OPERATOR(pg_catalog.=) %4$s) '
    'AND (g.partition IS NULL OR %3$s OPERATOR(pg_catalog.@>) g.partition)) g '
    'WHERE g.r OPERATOR(pg_catalog.=) 1 GROUP BY g.metric, g.stat)',
    b.name, period, part, agent, on_day, b.metric_names)
$$;
COMMENT ON FUNCTION leaderboard._goal_ladders_sql(leaderboard.boards, text, text, text, text) IS
  'internal: SQL subquery giving, per metric and stat, the goal ladder (targets, ids) in force on a day for one standings row';

-- SQL for a goal's stat of one metric (its position) in a kpis, as _goal_actual gives it.
CREATE FUNCTION leaderboard._goal_actual_sql(kpis text, metric_position text, stat text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT format('CASE %3$s WHEN ''count'' THEN leaderboard.kpi_count(%1$s, %2$s)::pg_catalog.numeric '
                'WHEN ''sum'' THEN leaderboard.kpi_sum(%1$s, %2$s)::pg_catalog.numeric '
                'ELSE leaderboard.kpi_avg(%1$s, %2$s)::pg_catalog.numeric END', kpis, metric_position, stat)
$$;
COMMENT ON FUNCTION leaderboard._goal_actual_sql(text, text, text) IS
  'internal: SQL giving the count, sum or average of a board metric in a kpis, as goals read it';

-- The SELECTs deriving each event kind a board emits from a relation c of row changes
-- (scope_id, agent, period, period_start, part, old_rank, new_rank, old_tier, new_tier,
-- old_score, new_score, new_qualified, old_kpis, new_kpis; old_* NULL for a new row), each
-- giving (kind, the columns of c, old, new).
CREATE FUNCTION leaderboard._event_branches(b leaderboard.boards) RETURNS text[]
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  ev jsonb := b.events;
  branches text[] := '{}';
  ladder text := quote_literal(b.ladder::text) || '::leaderboard.ladder';
  agent_type text := (SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
                      WHERE a.attrelid = b.standings AND a.attname = b.agent_column);
  rank_cols text := 'pg_catalog.jsonb_build_object(''rank'', c.old_rank), pg_catalog.jsonb_build_object(''rank'', c.new_rank, ''score'', c.new_score)';
  today text := format('(pg_catalog.now() AT TIME ZONE %L)::pg_catalog.date', b.time_zone);
  cal text := format('%L::leaderboard.calendar', coalesce(b.calendar::text, 'Mon-Sun'));
  same_part text := leaderboard._events_partition_sql(b, 's');
  -- a goal ladder of the row and its stat's value before and after the change
  ladders text;
  kind text;
  op text;
BEGIN
  IF b.ladder IS NULL THEN
    ev := ev - 'tier_up' - 'tier_down';
  END IF;
  ladders := format(
    'CROSS JOIN LATERAL %1$s gl CROSS JOIN LATERAL (SELECT %2$s AS old_actual, %3$s AS new_actual) a ',
    leaderboard._goal_ladders_sql(b, 'c.period', 'c.part', 'c.agent', leaderboard._goal_day_sql('c.period', 'c.period_start', today)),
    leaderboard._goal_actual_sql('c.old_kpis', 'gl.position', 'gl.stat'),
    leaderboard._goal_actual_sql('c.new_kpis', 'gl.position', 'gl.stat'));
  -- tier_up and tier_down: the tier's ladder level rises or falls
  FOR kind, op IN VALUES ('tier_up', '>'), ('tier_down', '<') LOOP
    IF ev -> kind = 'true' THEN
      branches := branches || format(
        'SELECT %2$L, c.*, pg_catalog.jsonb_build_object(''tier'', c.old_tier, ''score'', c.old_score), '
        'pg_catalog.jsonb_build_object(''tier'', c.new_tier, ''score'', c.new_score) FROM c '
        'WHERE leaderboard.tier_level(c.new_tier, %1$s) OPERATOR(pg_catalog.%3$s) leaderboard.tier_level(c.old_tier, %1$s)',
        ladder, kind, op);
    END IF;
  END LOOP;
  IF ev -> 'new_leader' = 'true' THEN
    branches := branches || ('SELECT ''new_leader'', c.*, ' || rank_cols || ' FROM c '
      'WHERE c.new_rank OPERATOR(pg_catalog.=) 1 AND (c.old_rank IS NULL OR c.old_rank OPERATOR(pg_catalog.>) 1)');
  END IF;
  IF ev ? 'entered_top_n' THEN
    branches := branches || format('SELECT ''entered_top_n'', c.*, %s FROM c '
      'WHERE c.new_rank OPERATOR(pg_catalog.<=) %2$s AND (c.old_rank IS NULL OR c.old_rank OPERATOR(pg_catalog.>) %2$s)',
      replace(rank_cols, '''score'', c.new_score', format('''score'', c.new_score, ''top'', %s', (ev ->> 'entered_top_n')::int)),
      (ev ->> 'entered_top_n')::int);
  END IF;
  IF ev ? 'rank_climb' THEN
    branches := branches || format('SELECT ''rank_climb'', c.*, %s FROM c '
      'WHERE (c.old_rank OPERATOR(pg_catalog.-) c.new_rank) OPERATOR(pg_catalog.>=) %s',
      replace(rank_cols, '''score'', c.new_score', '''score'', c.new_score, ''places'', c.old_rank OPERATOR(pg_catalog.-) c.new_rank'),
      (ev ->> 'rank_climb')::int);
  END IF;
  IF ev -> 'personal_best' = 'true' THEN
    -- the agent's best qualified score of the earlier periods of the kind, in any partition
    branches := branches || format(
      'SELECT ''personal_best'', c.*, pg_catalog.jsonb_build_object(''best'', pb.best, ''score'', c.old_score), '
      'pg_catalog.jsonb_build_object(''score'', c.new_score) FROM c, LATERAL (SELECT pg_catalog.max(p.score) AS best '
      'FROM %1$s p WHERE p.%2$I OPERATOR(pg_catalog.=) c.agent::%3$s AND p.period OPERATOR(pg_catalog.=) c.period '
      'AND p.period_start OPERATOR(pg_catalog.<) c.period_start AND p.qualified) pb '
      'WHERE c.new_qualified AND c.new_score OPERATOR(pg_catalog.>) pb.best '
      'AND (c.old_score IS NULL OR c.old_score OPERATOR(pg_catalog.<=) pb.best)',
      b.standings, b.agent_column, agent_type);
  END IF;
  IF ev -> 'goal_met' = 'true' THEN
    -- each rung of a goal ladder the change reaches
    branches := branches || ('SELECT ''goal_met'', c.*, pg_catalog.jsonb_build_object(''actual'', a.old_actual), '
      'pg_catalog.jsonb_build_object(''metric'', gl.metric, ''stat'', gl.stat, ''target'', t.target, ''goal_id'', t.id, ''actual'', a.new_actual) '
      'FROM c ' || ladders ||
      'CROSS JOIN LATERAL ROWS FROM (pg_catalog.unnest(gl.targets), pg_catalog.unnest(gl.ids)) AS t(target, id) '
      'WHERE a.new_actual OPERATOR(pg_catalog.>=) t.target AND (a.old_actual IS NULL OR a.old_actual OPERATOR(pg_catalog.<) t.target)');
  END IF;
  IF ev ? 'streak_milestone' THEN
    -- a day whose daily goal (its ladder's first rung) the change meets ends a run of met
    -- working days; a run as long as a milestone is announced. Each earlier day is met by
    -- the goal in force on it; the run is read back at most as far as the longest milestone.
    branches := branches || format(
      'SELECT ''streak_milestone'', c.*, pg_catalog.jsonb_build_object(''days'', st.days OPERATOR(pg_catalog.-) 1), '
      'pg_catalog.jsonb_build_object(''days'', st.days, ''metric'', gl.metric, ''stat'', gl.stat, ''target'', gl.targets[1]) '
      'FROM c %1$s'
      'CROSS JOIN LATERAL (SELECT leaderboard.current(leaderboard.streak_agg(s.period_start, '
      ' (SELECT %2$s OPERATOR(pg_catalog.>=) d.targets[1] FROM %3$s d '
      '   WHERE d.metric OPERATOR(pg_catalog.=) gl.metric AND d.stat OPERATOR(pg_catalog.=) gl.stat), %4$s), c.period_start) AS days '
      ' FROM %5$s s WHERE s.%6$I OPERATOR(pg_catalog.=) c.agent::%7$s AND s.period OPERATOR(pg_catalog.=) ''day'' '
      ' AND %8$s OPERATOR(pg_catalog.=) c.part AND s.period_start OPERATOR(pg_catalog.<=) c.period_start '
      ' AND s.period_start OPERATOR(pg_catalog.>) (c.period_start OPERATOR(pg_catalog.-) %9$s)) st '
      'WHERE c.period OPERATOR(pg_catalog.=) ''day'' AND a.new_actual OPERATOR(pg_catalog.>=) gl.targets[1] '
      'AND (a.old_actual IS NULL OR a.old_actual OPERATOR(pg_catalog.<) gl.targets[1]) '
      'AND st.days OPERATOR(pg_catalog.=) ANY (%10$L::pg_catalog.int4[])',
      ladders, leaderboard._goal_actual_sql('s.kpis', 'gl.position', 'gl.stat'),
      leaderboard._goal_ladders_sql(b, '''day''', 'c.part', 'c.agent', 's.period_start'),
      cal, b.standings, b.agent_column, agent_type, same_part,
      -- calendar days enough for the longest milestone's working days, weekends and holidays
      2 * (SELECT max(x::int) FROM jsonb_array_elements_text(ev -> 'streak_milestone') x) + 31,
      (SELECT array_agg(x::int) FROM jsonb_array_elements_text(ev -> 'streak_milestone') x));
  END IF;
  IF ev ? 'goal_at_risk' THEN
    -- past the set share of the period's working days, the rung to reach is not met and
    -- the pace falls short of it; once per agent, period and goal
    branches := branches || format(
      'SELECT ''goal_at_risk'', c.*, NULL::pg_catalog.jsonb, '
      'pg_catalog.jsonb_build_object(''metric'', gl.metric, ''stat'', gl.stat, ''target'', r.target, ''goal_id'', r.goal_id, '
      '''actual'', a.new_actual, ''pace'', p.pace, ''working_days_elapsed'', d.days_elapsed, ''working_days'', d.days_total) '
      'FROM c %1$s'
      -- the rung to reach: the lowest target not met (as _goal_rung); the working days of
      -- the period, elapsed and in all (as _period_days); the pace (as _goal_pace), spliced
      -- in so that the statement is planned once with them
      'CROSS JOIN LATERAL (SELECT x.target, x.id AS goal_id '
      ' FROM ROWS FROM (pg_catalog.unnest(gl.targets), pg_catalog.unnest(gl.ids)) AS x(target, id) '
      ' WHERE x.target OPERATOR(pg_catalog.>) a.new_actual ORDER BY x.target, x.id LIMIT 1) r '
      'CROSS JOIN LATERAL (SELECT leaderboard.working_days(%2$s, c.period_start, LEAST(%3$s, y.last)) AS days_elapsed, '
      ' leaderboard.working_days(%2$s, c.period_start, y.last) AS days_total '
      ' FROM (SELECT %7$s AS last) y '
      ' WHERE c.period OPERATOR(pg_catalog.<>) ''all'') d '
      'CROSS JOIN LATERAL (SELECT CASE WHEN gl.stat OPERATOR(pg_catalog.=) ANY (''{avg,rate}''::pg_catalog.text[]) THEN a.new_actual '
      ' WHEN d.days_elapsed OPERATOR(pg_catalog.=) 0 THEN NULL '
      ' ELSE pg_catalog.trim_scale(a.new_actual OPERATOR(pg_catalog.*) d.days_total OPERATOR(pg_catalog./) d.days_elapsed) END AS pace) p '
      'WHERE %6$s OPERATOR(pg_catalog.=) %3$s '
      'AND d.days_total OPERATOR(pg_catalog.>) 0 '
      'AND (d.days_elapsed::pg_catalog.numeric OPERATOR(pg_catalog./) d.days_total) OPERATOR(pg_catalog.>=) %4$s '
      'AND a.new_actual OPERATOR(pg_catalog.<) r.target AND p.pace OPERATOR(pg_catalog.<) r.target '
      -- a lookup a row by the partial index, not an anti-join over the board's events
      'AND (SELECT x.id FROM leaderboard.events x WHERE x.board OPERATOR(pg_catalog.=) %5$L '
      ' AND x.agent OPERATOR(pg_catalog.=) c.agent AND x.period_start OPERATOR(pg_catalog.=) c.period_start '
      ' AND x.kind OPERATOR(pg_catalog.=) ''goal_at_risk'' AND x.period OPERATOR(pg_catalog.=) c.period '
      ' AND x.partition OPERATOR(pg_catalog.=) c.part AND x.new OPERATOR(pg_catalog.->>) ''goal_id'' OPERATOR(pg_catalog.=) r.goal_id::pg_catalog.text '
      ' LIMIT 1) IS NULL',
      ladders, cal, today, (ev ->> 'goal_at_risk')::numeric, b.name,
      leaderboard._goal_day_sql('c.period', 'c.period_start', today),
      leaderboard._period_last_day_sql('c.period', 'c.period_start'));
  END IF;
  RETURN branches;
END $$;
COMMENT ON FUNCTION leaderboard._event_branches(leaderboard.boards) IS
  'internal: the SELECT deriving each event kind a board emits from a relation c of standings row changes';

-- Writes the events of the branches over c (a WITH item), and sends one NOTIFY leaderboard.
CREATE FUNCTION leaderboard._events_write_sql(b leaderboard.boards, c text, branches text[]) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT format(
    'WITH c AS MATERIALIZED (%1$s), '
    'e(kind, scope_id, agent, period, period_start, part, old_rank, new_rank, old_tier, new_tier, old_score, new_score, '
    'new_qualified, old_kpis, new_kpis, old, new) AS (%2$s), '
    'ins AS (INSERT INTO leaderboard.events (board, kind, agent, partition, period, period_start, old, new) '
    'SELECT %3$L, e.kind, e.agent, e.part, e.period, e.period_start, e.old, e.new FROM e '
    'ORDER BY e.period, e.period_start, e.part::pg_catalog.text, e.agent, e.kind '
    'RETURNING id, kind, agent, partition, period, period_start, old, new) '
    'SELECT pg_catalog.count(*), pg_catalog.pg_notify(''leaderboard'', leaderboard._events_payload(%3$L, '
    'pg_catalog.jsonb_agg(pg_catalog.to_jsonb(ins) ORDER BY ins.id))) FROM ins HAVING pg_catalog.count(*) OPERATOR(pg_catalog.>) 0',
    c, array_to_string(branches, ' UNION ALL '), b.name)
$$;
COMMENT ON FUNCTION leaderboard._events_write_sql(leaderboard.boards, text, text[]) IS
  'internal: the statement writing and announcing the events derived by branches over the row changes c';

-- The partition values of a scopes row sc as a JSON object (the events' partition).
CREATE FUNCTION leaderboard._events_partition_sql(b leaderboard.boards, alias text) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT CASE WHEN cardinality(b.partition_by) = 0 THEN '''{}''::pg_catalog.jsonb'
         ELSE 'pg_catalog.jsonb_build_object(' ||
              (SELECT string_agg(format('%L, %s.%I', q, alias, q), ', ') FROM unnest(b.partition_by) q) || ')' END
$$;
COMMENT ON FUNCTION leaderboard._events_partition_sql(leaderboard.boards, text) IS
  'internal: SQL giving the partition values of a scopes or standings row as a JSON object';

-- The statement the commit-time apply runs with the net row changes of its standings
-- ($1..$11: scope, agent, rank before and after, tier before and after, score before and
-- after, qualified after, kpis before and after; NULL before: a new row): derives the
-- board's events, writes them, and sends one NOTIFY leaderboard. NULL when the board emits
-- no events.
CREATE OR REPLACE FUNCTION leaderboard._events_sql(board text) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  b leaderboard.boards := leaderboard._board(board);
  branches text[];
  periods text[];
BEGIN
  IF b.events IS NULL THEN
    RETURN NULL;
  END IF;
  branches := leaderboard._event_branches(b);
  IF cardinality(branches) = 0 THEN
    RETURN NULL;
  END IF;
  periods := coalesce((SELECT array_agg(x #>> '{}') FROM jsonb_array_elements(b.events -> 'periods') x), b.periods);
  RETURN leaderboard._events_write_sql(b, format(
    'SELECT x.scope_id, x.agent, sc.period, sc.period_start, %1$s AS part, '
    'x.old_rank, x.new_rank, x.old_tier, x.new_tier, x.old_score, x.new_score, x.new_qualified, x.old_kpis, x.new_kpis '
    'FROM ROWS FROM (pg_catalog.unnest($1::pg_catalog.int8[]), pg_catalog.unnest($2::pg_catalog.text[]), '
    'pg_catalog.unnest($3::pg_catalog.int8[]), pg_catalog.unnest($4::pg_catalog.int8[]), pg_catalog.unnest($5::pg_catalog.text[]), '
    'pg_catalog.unnest($6::pg_catalog.text[]), pg_catalog.unnest($7::pg_catalog.float8[]), pg_catalog.unnest($8::pg_catalog.float8[]), '
    'pg_catalog.unnest($9::pg_catalog.bool[]), pg_catalog.unnest($10::leaderboard.kpis[]), pg_catalog.unnest($11::leaderboard.kpis[])) '
    'AS x(scope_id, agent, old_rank, new_rank, old_tier, new_tier, old_score, new_score, new_qualified, old_kpis, new_kpis) '
    -- a lookup by id for each of the few changed rows, never a scan of the scopes (OFFSET 0
    -- keeps the planner from making it a join it could hash)
    'CROSS JOIN LATERAL (SELECT sc.* FROM %2$s sc WHERE sc.scope_id OPERATOR(pg_catalog.=) x.scope_id '
    'AND sc.period OPERATOR(pg_catalog.=) ANY (%3$L::pg_catalog.text[]) OFFSET 0) sc',
    leaderboard._events_partition_sql(b, 'sc'), b.scopes, periods), branches);
END $$;
COMMENT ON FUNCTION leaderboard._events_sql(text) IS
  'internal: the statement deriving, writing and announcing the events of a board''s commit-time apply, or NULL';

-- Goals fall at risk as days pass without calls, which no commit announces: this checks
-- every agent of the current periods, as a commit touching its row would. Scheduled like
-- close_periods (pg_cron); holds off the board's writers' commits while it runs.
CREATE FUNCTION leaderboard.check_goals(board text) RETURNS bigint
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp SET DateStyle = 'ISO, YMD' SET TimeZone = 'UTC' AS $$
DECLARE
  b leaderboard.boards := leaderboard._board(board);
  today text := format('(pg_catalog.now() AT TIME ZONE %L)::pg_catalog.date', b.time_zone);
  periods text[];
  n bigint;
BEGIN
  PERFORM leaderboard._require_owner(b);
  IF NOT coalesce(b.events ? 'goal_at_risk', false) THEN
    RETURN 0;
  END IF;
  periods := coalesce((SELECT array_agg(x #>> '{}') FROM jsonb_array_elements(b.events -> 'periods') x), b.periods);
  b.events := jsonb_build_object('goal_at_risk', b.events -> 'goal_at_risk');
  EXECUTE format('LOCK TABLE %s IN EXCLUSIVE MODE', b.scopes);
  EXECUTE leaderboard._events_write_sql(b, format(
    'SELECT s.scope_id, s.%1$I::pg_catalog.text AS agent, s.period, s.period_start, %2$s AS part, '
    's.rank AS old_rank, s.rank AS new_rank, s.tier AS old_tier, s.tier AS new_tier, s.score AS old_score, s.score AS new_score, '
    's.qualified AS new_qualified, s.kpis AS old_kpis, s.kpis AS new_kpis '
    'FROM %3$s s WHERE s.period OPERATOR(pg_catalog.=) ANY (%4$L::pg_catalog.text[]) '
    'AND %6$s OPERATOR(pg_catalog.=) %5$s',
    b.agent_column, leaderboard._events_partition_sql(b, 's'), b.standings, periods, today,
    leaderboard._goal_day_sql('s.period', 's.period_start', today)),
    leaderboard._event_branches(b)) INTO n;
  RETURN coalesce(n, 0);
END $$;
COMMENT ON FUNCTION leaderboard.check_goals(text) IS
  'announces goal_at_risk for the agents of a board''s current periods whose pace falls short of their goal, once per agent, period and goal; returns how many';

REVOKE EXECUTE ON FUNCTION leaderboard._period_last_day_sql(text, text), leaderboard._goal_day_sql(text, text, text), leaderboard._goal_ladders_sql(leaderboard.boards, text, text, text, text),
  leaderboard._goal_actual_sql(text, text, text),
  leaderboard._event_branches(leaderboard.boards), leaderboard._events_write_sql(leaderboard.boards, text, text[]),
  leaderboard._events_partition_sql(leaderboard.boards, text), leaderboard.check_goals(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION leaderboard._period_last_day_sql(text, text), leaderboard._goal_day_sql(text, text, text), leaderboard._goal_ladders_sql(leaderboard.boards, text, text, text, text),
  leaderboard._goal_actual_sql(text, text, text),
  leaderboard._event_branches(leaderboard.boards), leaderboard._events_write_sql(leaderboard.boards, text, text[]),
  leaderboard._events_partition_sql(leaderboard.boards, text), leaderboard.check_goals(text) TO PUBLIC;

-- close_periods under REPEATABLE READ or SERIALIZABLE: 40001 unless its snapshot sees the
-- scopes it closes as they are
-- Under REPEATABLE READ or SERIALIZABLE, close_periods reads its transaction's snapshot:
-- it raises 40001 unless that snapshot sees the scopes it closes as they are.
CREATE FUNCTION leaderboard._check_snapshot_current(board text, query text) RETURNS void
  AS 'MODULE_PATHNAME', 'board_check_snapshot_current' LANGUAGE C STRICT;
COMMENT ON FUNCTION leaderboard._check_snapshot_current(text, text) IS
  'internal: under REPEATABLE READ or SERIALIZABLE, raises 40001 when a query, run as the caller, gives another result with the latest snapshot than with the transaction''s';

CREATE OR REPLACE FUNCTION leaderboard.close_periods(board text) RETURNS integer
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
  -- as alter_board and rebuild: writers wait, and a concurrent close_periods waits here and
  -- then finds its work done
  EXECUTE format('LOCK TABLE %s IN EXCLUSIVE MODE', b.scopes);
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
    EXECUTE format('DELETE FROM %s sc WHERE sc.period = ''day'' AND sc.period_start < $1 AND %s', b.standings, now_closed)
      USING kept_from;
    EXECUTE format('DELETE FROM %s sc WHERE sc.period = ''day'' AND sc.period_start < $1 AND %s', b.scopes, now_closed)
      USING kept_from;
  END IF;
  RETURN coalesce(n, 0);
END $$;
COMMENT ON FUNCTION leaderboard.close_periods(text) IS
  'closes the periods of a board that ended more than its grace ago: freezes their standings, records them and their winners, and deletes closed day rows older than its retention; returns the number of scopes closed';

REVOKE EXECUTE ON FUNCTION leaderboard._check_snapshot_current(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION leaderboard._check_snapshot_current(text, text) TO PUBLIC;

-- Campaigns: a board with a window (create_campaign), whose 'all' period close_periods
-- closes once the window has ended plus the grace
ALTER TABLE leaderboard.boards ADD COLUMN starts timestamptz, ADD COLUMN ends timestamptz;
CREATE VIEW leaderboard.campaigns AS
  SELECT b.name AS board, b.source, b.owner, b.starts, b.ends, b.grace, b.time_zone,
         b.closed_before OPERATOR(pg_catalog.?) 'all' AS closed
  FROM leaderboard.boards b WHERE b.starts IS NOT NULL;
COMMENT ON VIEW leaderboard.campaigns IS
  'campaigns (boards create_campaign made): their window, grace, and whether close_periods has closed them';
GRANT SELECT ON leaderboard.campaigns TO PUBLIC;

CREATE OR REPLACE FUNCTION leaderboard._check_board_row(b leaderboard.boards) RETURNS void
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
    WHEN leaderboard._expression_type(b.source, quote_ident(b.at_column), 'at')
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
    IF NOT leaderboard._expression_type(b.source, substr(e, 2, length(e) - 2), 'metric') = ANY (supported) THEN
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

CREATE OR REPLACE FUNCTION leaderboard._check_close(board text, grace interval, retention interval, closed_before jsonb,
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

-- A campaign's window as a filter over its source: starts <= at < ends. A timestamp or date
-- column holds local times of the board's zone, so it is compared with the window's local
-- times, which keeps the filter immutable (a timestamptz bound would not be for it).
CREATE FUNCTION leaderboard._campaign_window(source regclass, at text, time_zone text, starts timestamptz, ends timestamptz)
RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp SET DateStyle = 'ISO, YMD' SET TimeZone = 'UTC' AS $$
  SELECT CASE WHEN leaderboard._expression_type(source, quote_ident(at), 'at') = 'timestamptz'::regtype
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
  RETURN standings;
END $$;
COMMENT ON FUNCTION leaderboard.create_campaign(text, regclass, text, text, text[], jsonb, timestamptz, timestamptz, text[], text,
                                                leaderboard.ladder, text, text, text[], leaderboard.calendar, interval, text) IS
  'declares a campaign: a board over the calls with starts <= at < ends, with the one period all, which close_periods closes once ends plus the grace has passed; source, agent, at and metrics given or taken from board';

REVOKE EXECUTE ON FUNCTION
  leaderboard._campaign_window(regclass, text, text, timestamptz, timestamptz),
  leaderboard._check_window(text, timestamptz, timestamptz),
  leaderboard._catalog_set_window(text, timestamptz, timestamptz),
  leaderboard.create_campaign(text, regclass, text, text, text[], jsonb, timestamptz, timestamptz, text[], text,
                              leaderboard.ladder, text, text, text[], leaderboard.calendar, interval, text)
FROM PUBLIC;
GRANT EXECUTE ON FUNCTION
  leaderboard._campaign_window(regclass, text, text, timestamptz, timestamptz),
  leaderboard._check_window(text, timestamptz, timestamptz),
  leaderboard._catalog_set_window(text, timestamptz, timestamptz),
  leaderboard.create_campaign(text, regclass, text, text, text[], jsonb, timestamptz, timestamptz, text[], text,
                              leaderboard.ladder, text, text, text[], leaderboard.calendar, interval, text)
TO PUBLIC;

-- working_days counts in C: the goals' pace reads it for every row
CREATE OR REPLACE FUNCTION leaderboard.working_days(cal leaderboard.calendar, first date, last date) RETURNS integer
  AS 'MODULE_PATHNAME', 'calendar_working_days' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- Events: the commit-time apply runs a statement for only the kinds its row changes can
-- announce
-- The statement the commit-time apply runs with the net row changes of its standings
-- ($1..$11: scope, agent, rank before and after, tier before and after, score before and
-- after, qualified after, kpis before and after; NULL before: a new row): derives the
-- events b emits, writes them, and sends one NOTIFY leaderboard. NULL when b emits no
-- events.
CREATE FUNCTION leaderboard._events_statement(b leaderboard.boards) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  branches text[];
  periods text[];
BEGIN
  IF b.events IS NULL THEN
    RETURN NULL;
  END IF;
  branches := leaderboard._event_branches(b);
  IF cardinality(branches) = 0 THEN
    RETURN NULL;
  END IF;
  periods := coalesce((SELECT array_agg(x #>> '{}') FROM jsonb_array_elements(b.events -> 'periods') x), b.periods);
  RETURN leaderboard._events_write_sql(b, format(
    'SELECT x.scope_id, x.agent, sc.period, sc.period_start, %1$s AS part, '
    'x.old_rank, x.new_rank, x.old_tier, x.new_tier, x.old_score, x.new_score, x.new_qualified, x.old_kpis, x.new_kpis '
    'FROM ROWS FROM (pg_catalog.unnest($1::pg_catalog.int8[]), pg_catalog.unnest($2::pg_catalog.text[]), '
    'pg_catalog.unnest($3::pg_catalog.int8[]), pg_catalog.unnest($4::pg_catalog.int8[]), pg_catalog.unnest($5::pg_catalog.text[]), '
    'pg_catalog.unnest($6::pg_catalog.text[]), pg_catalog.unnest($7::pg_catalog.float8[]), pg_catalog.unnest($8::pg_catalog.float8[]), '
    'pg_catalog.unnest($9::pg_catalog.bool[]), pg_catalog.unnest($10::leaderboard.kpis[]), pg_catalog.unnest($11::leaderboard.kpis[])) '
    'AS x(scope_id, agent, old_rank, new_rank, old_tier, new_tier, old_score, new_score, new_qualified, old_kpis, new_kpis) '
    -- a lookup by id for each of the few changed rows, never a scan of the scopes (OFFSET 0
    -- keeps the planner from making it a join it could hash)
    'CROSS JOIN LATERAL (SELECT sc.* FROM %2$s sc WHERE sc.scope_id OPERATOR(pg_catalog.=) x.scope_id '
    'AND sc.period OPERATOR(pg_catalog.=) ANY (%3$L::pg_catalog.text[]) OFFSET 0) sc',
    leaderboard._events_partition_sql(b, 'sc'), b.scopes, periods), branches);
END $$;
COMMENT ON FUNCTION leaderboard._events_statement(leaderboard.boards) IS
  'internal: the statement deriving, writing and announcing the events a board emits from its commit-time apply''s row changes, or NULL';

-- A board's events statement.
CREATE OR REPLACE FUNCTION leaderboard._events_sql(board text) RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT leaderboard._events_statement(leaderboard._board(board))
$$;
COMMENT ON FUNCTION leaderboard._events_sql(text) IS
  'internal: the statement deriving, writing and announcing the events of a board''s commit-time apply, or NULL';

-- A board's events statement for some of the kinds it emits: the commit-time apply runs it
-- when its row changes can announce only those.
CREATE FUNCTION leaderboard._events_sql(board text, kinds text[]) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  b leaderboard.boards := leaderboard._board(board);
BEGIN
  b.events := (SELECT jsonb_object_agg(e.key, e.value) FROM jsonb_each(b.events) e
               WHERE e.key = 'periods' OR e.key = ANY (kinds));
  RETURN leaderboard._events_statement(b);
END $$;
COMMENT ON FUNCTION leaderboard._events_sql(text, text[]) IS
  'internal: the statement deriving, writing and announcing the events of some kinds of a board''s commit-time apply, or NULL';

REVOKE EXECUTE ON FUNCTION
  leaderboard._events_statement(leaderboard.boards),
  leaderboard._events_sql(text, text[])
FROM PUBLIC;
GRANT EXECUTE ON FUNCTION
  leaderboard._events_statement(leaderboard.boards),
  leaderboard._events_sql(text, text[])
TO PUBLIC;

-- Standings keep two indexes: the (period, period_start, partitions, score) one is gone, as
-- every new row and every score change paid an entry in it; top-N reads find their scope
-- in the scopes table, by a new index on its period, period_start and partitions, and read
-- its rows by (scope_id, score, agent). <board>_current, <board>_goals, check_goals and
-- close_periods' retention go through the scopes; existing boards' indexes are changed
-- here and their views made again by alter_board(name), as the update asks above.
CREATE OR REPLACE FUNCTION leaderboard._board_views(b leaderboard.boards) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  schema text := quote_ident((SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = b.source));
  cols text := '';
  s_cols text := '';
  sc_cols text := '';
  p name;
  agent_type text := format_type(leaderboard._expression_type(b.source, quote_ident(b.agent_column), 'agent'), NULL);
  part_ret text := '';
  current_start text := leaderboard._period_start_sql('c.period', format('pg_catalog.now() AT TIME ZONE %L', b.time_zone));
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
BEGIN
  FOREACH p IN ARRAY b.partition_by LOOP
    cols := cols || ', ' || quote_ident(p);
    s_cols := s_cols || ', s.' || quote_ident(p);
    sc_cols := sc_cols || ', sc.' || quote_ident(p);
    part_ret := part_ret || format(', %I %s', p, format_type(leaderboard._expression_type(b.source, quote_ident(p), 'partition'), NULL));
    p_match := p_match || format(' AND p.%1$I IS NOT DISTINCT FROM s.%1$I', p);
    m_cols := m_cols || ', m.' || quote_ident(p);
    x_cols := x_cols || ', x.' || quote_ident(p);
    w_cols := w_cols || format(', (w.partition OPERATOR(pg_catalog.->>) %L)::%s AS %I', p, leaderboard._column_type(b.source, p), p);
  END LOOP;
  -- The current period of each kind comes from a row per kind, joined to the scopes and
  -- through them to the standings: a query naming the kind (and partition values) finds
  -- its scopes by the scopes' index, with period_start an index condition, and reads their
  -- rows by the (scope_id, score, agent) index, instead of testing every row's period.
  -- A scope too large to store ranks is ranked by a window over its rows (one sort of the
  -- scope), not by a count a row; conditions on the period, the partition columns and the
  -- scope reach the indexes below the window, others (an agent) are applied above it. The
  -- scope's rows are read best first (the index backwards), so that the window's sort, of
  -- the same order but for the few rows that do not qualify, finds them nearly in order:
  -- read the other way, the sort of a 100-row scope cost as much as the rest of a top 10.
  EXECUTE format(
    '%7$s VIEW %1$s.%2$I AS SELECT sc.period, sc.period_start%3$s, s.%4$I, s.kpis, s.score, s.qualified, '
    'COALESCE(s.rank, CASE WHEN s.qualified THEN pg_catalog.rank() OVER (PARTITION BY s.scope_id, sc.period, sc.period_start%3$s '
    'ORDER BY s.qualified DESC, s.score DESC) END) AS rank, s.tier, s.updated_at '
    'FROM (SELECT c.period, %6$s AS period_start FROM pg_catalog.unnest(%8$L::pg_catalog.text[]) AS c(period)) c '
    'JOIN %9$s sc ON sc.period = c.period AND sc.period_start = c.period_start '
    'CROSS JOIN LATERAL (SELECT s.* FROM %5$s s WHERE s.scope_id = sc.scope_id ORDER BY s.score DESC) s',
    schema, b.name || '_current', sc_cols, b.agent_column, b.standings, current_start, current_verb, b.periods,
    b.scopes);
  EXECUTE format('COMMENT ON VIEW %s.%I IS %L', schema, b.name || '_current',
    format('standings of board %s in the current period of each kind', b.name));
  EXECUTE format(
    -- the explanation's score is the stored one (explain() itself gives the unrounded
    -- float8 its contributions add up to)
    '%7$s VIEW %1$s.%2$I AS SELECT s.period, s.period_start%3$s, s.%4$I, s.score, s.qualified, %8$s AS rank, s.tier, '
    'pg_catalog.jsonb_set(leaderboard.explain(s.kpis, %6$s), ''{score}'', pg_catalog.to_jsonb(s.score)) AS explanation FROM %5$s s',
    schema, b.name || '_explain', s_cols, b.agent_column, b.standings,
    leaderboard._card_sql(b, 's.period'), explain_verb, rank_of);
  EXECUTE format('COMMENT ON VIEW %s.%I IS %L', schema, b.name || '_explain',
    format('why each score of board %s is what it is: per-metric values, normalization and contribution', b.name));
  -- Movement: each row against the agent's row in the same partition in the period of the
  -- same kind just before (none for 'all'), read by the standings' key.
  EXECUTE format(
    '%7$s VIEW %1$s.%2$I AS SELECT s.period, s.period_start%3$s, s.%4$I, s.score, %8$s AS rank, s.tier,'
    ' p.score AS previous_score, %9$s AS previous_rank, %9$s OPERATOR(pg_catalog.-) %8$s AS rank_change,'
    ' leaderboard._rank_precision(s.score OPERATOR(pg_catalog.-) p.score) AS score_change'
    ' FROM %5$s s LEFT JOIN %5$s p ON p.%4$I OPERATOR(pg_catalog.=) s.%4$I AND p.period OPERATOR(pg_catalog.=) s.period'
    ' AND p.period_start OPERATOR(pg_catalog.=) CASE s.period'
    '  WHEN ''day'' THEN s.period_start OPERATOR(pg_catalog.-) 1'
    '  WHEN ''week'' THEN s.period_start OPERATOR(pg_catalog.-) 7'
    '  WHEN ''month'' THEN (s.period_start OPERATOR(pg_catalog.-) ''1 month''::pg_catalog.interval)::pg_catalog.date'
    '  WHEN ''quarter'' THEN (s.period_start OPERATOR(pg_catalog.-) ''3 months''::pg_catalog.interval)::pg_catalog.date'
    '  WHEN ''year'' THEN (s.period_start OPERATOR(pg_catalog.-) ''1 year''::pg_catalog.interval)::pg_catalog.date END%6$s',
    schema, b.name || '_movement', s_cols, b.agent_column, b.standings, p_match, movement_verb,
    format(rank_sql, 's'), format(rank_sql, 'p'));
  EXECUTE format('COMMENT ON VIEW %s.%I IS %L', schema, b.name || '_movement',
    format('rank and score of each row of board %s against the agent''s row in the previous period of the same kind and partition', b.name));
  -- Badges of closed periods: the winners close_periods recorded, and in each closed scope
  -- the rows with the largest rank gain and the largest score gain (ties all get one).
  EXECUTE format(
    '%6$s VIEW %1$s.%2$I AS'
    ' SELECT ''Top Performer''::pg_catalog.text AS badge, w.period, w.period_start%3$s, w.agent::%7$s AS %4$I,'
    '  w.score, NULL::pg_catalog.int8 AS rank_change, NULL::pg_catalog.float8 AS score_change'
    ' FROM leaderboard.period_winners w WHERE w.board OPERATOR(pg_catalog.=) %8$L'
    ' UNION ALL'
    ' SELECT x.badge, x.period, x.period_start%5$s, x.%4$I, x.score, x.rank_change, x.score_change FROM ('
    '  SELECT b.badge, m.*,'
    '   CASE b.badge WHEN ''Fast Climber'' THEN m.rank_change::pg_catalog.float8 ELSE m.score_change END AS lb_gain,'
    '   pg_catalog.max(CASE b.badge WHEN ''Fast Climber'' THEN m.rank_change::pg_catalog.float8 ELSE m.score_change END)'
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
      SELECT r.* FROM leaderboard._around(%6$L::pg_catalog.regclass, %7$L, $1, $2, $3, %8$L)
        AS r(period_start pg_catalog.date%10$s, %5$I %3$s, score pg_catalog.float8, qualified pg_catalog.bool,
             rank pg_catalog.int8, tier pg_catalog.text)
    $body$ $f$,
    schema, b.name || '_around', agent_type, part_ret, b.agent_column,
    b.standings::text, b.time_zone, b.agent_column, around_verb, part_ret);
  EXECUTE format('COMMENT ON FUNCTION %s.%I(%s, text, integer) IS %L', schema, b.name || '_around', agent_type,
    format('an agent''s neighbours on board %s: width rows above and below in the current period', b.name));
  PERFORM leaderboard._goal_views(b);
END $$;
CREATE OR REPLACE FUNCTION leaderboard.create_board(
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
  IF EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = source AND attname IN ('lb_local', 'lb_kind') AND NOT attisdropped) THEN
    RAISE EXCEPTION 'table % has a column named lb_local or lb_kind, which boards reserve', source
      USING ERRCODE = 'duplicate_column';
  END IF;
  t := leaderboard._expression_type(source, quote_ident(at), 'at');
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
    IF NOT t = ANY (supported) THEN
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
  IF cardinality(b.partition_by) <> (SELECT count(DISTINCT x) FROM unnest(b.partition_by) x) THEN
    RAISE EXCEPTION 'a partition_by column is listed twice' USING ERRCODE = 'invalid_parameter_value';
  END IF;

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

  FOREACH p IN ARRAY b.partition_by LOOP
    parts_ddl := parts_ddl || format(', %I %s', p, leaderboard._column_type(source, p));
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
                 leaderboard._column_type(source, agent), agent);
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
CREATE OR REPLACE FUNCTION leaderboard.close_periods(board text) RETURNS integer
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
  -- as alter_board and rebuild: writers wait, and a concurrent close_periods waits here and
  -- then finds its work done
  EXECUTE format('LOCK TABLE %s IN EXCLUSIVE MODE', b.scopes);
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
CREATE OR REPLACE FUNCTION leaderboard._goal_views(b leaderboard.boards) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  schema text := quote_ident((SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = b.source));
  s_cols text := '';
  m_cols text := '';
  x_cols text := '';
  l_cols text := '';
  part_obj text := '''{}''::pg_catalog.jsonb';
  p name;
  cal text := format('%L::leaderboard.calendar', coalesce(b.calendar::text, 'Mon-Sun'));
  today text := format('(pg_catalog.now() AT TIME ZONE %L)::pg_catalog.date', b.time_zone);
  goals_verb text := leaderboard._create_verb(b, format('view %s.%I', schema, b.name || '_goals'),
    (SELECT c.relowner FROM pg_class c WHERE c.oid = to_regclass(format('%s.%I', schema, b.name || '_goals'))));
  streaks_verb text;
  matching text[] := '{}';
  day_sql text;
BEGIN
  FOREACH p IN ARRAY b.partition_by LOOP
    s_cols := s_cols || ', s.' || quote_ident(p);
    m_cols := m_cols || ', m.' || quote_ident(p);
    x_cols := x_cols || 'x.' || quote_ident(p) || ', ';
    l_cols := l_cols || ', l.' || quote_ident(p);
  END LOOP;
  IF cardinality(b.partition_by) > 0 THEN
    part_obj := 'pg_catalog.jsonb_build_object(' ||
      (SELECT string_agg(format('%L, s.%I', q, q), ', ') FROM unnest(b.partition_by) q) || ')';
  END IF;
  -- the goals of a standings row s in force on its day (today in <board>_goals)
  FOREACH day_sql IN ARRAY ARRAY['c.lb_today', 's.period_start'] LOOP
    matching := matching || format(
      'JOIN leaderboard.goals g ON g.board = %2$L AND g.period = s.period'
      ' AND (g.effective_from IS NULL OR g.effective_from <= %1$s) AND (g.effective_to IS NULL OR g.effective_to >= %1$s)'
      ' AND (g.agent IS NULL OR g.agent = s.%3$I::pg_catalog.text) AND (g.partition IS NULL OR %4$s @> g.partition)',
      day_sql, b.name, b.agent_column, part_obj);
  END LOOP;
  EXECUTE format(
    '%1$s VIEW %2$s.%3$I AS '
    'WITH c AS ('
    ' SELECT k.period, k.period_start, k.lb_today, d.days_elapsed, d.days_total FROM ('
    '  SELECT k.period, %4$s AS period_start, t.lb_today'
    '  FROM (SELECT %5$s AS lb_today) t, pg_catalog.unnest(%6$L::pg_catalog.text[]) AS k(period)) k'
    ' CROSS JOIN LATERAL leaderboard._period_days(%7$s, k.period, k.period_start, k.lb_today) d), '
    'm AS ('
    ' SELECT c.period, c.period_start, c.days_elapsed, c.days_total, s.scope_id%8$s, s.%9$I, g.metric, g.stat, g.id, g.target,'
    '  leaderboard._goal_actual(s.kpis, pg_catalog.array_position(%10$L::pg_catalog.text[], g.metric), g.stat) AS actual,'
    '  pg_catalog.dense_rank() OVER (PARTITION BY s.scope_id, s.%9$I, g.metric, g.stat'
    '   ORDER BY g.agent IS NOT NULL DESC, (SELECT pg_catalog.count(*) FROM pg_catalog.jsonb_object_keys(g.partition)) DESC,'
    '   g.partition::pg_catalog.text) AS lb_rank'
    ' FROM c JOIN %15$s sc ON sc.period = c.period AND sc.period_start = c.period_start'
    ' JOIN %11$s s ON s.scope_id = sc.scope_id %12$s) '
    'SELECT l.period, l.period_start%13$s, l.%9$I, l.metric, l.stat, r.target, r.rungs, r.rungs_met, r.goal_id,'
    ' l.actual, pg_catalog.trim_scale(l.actual / r.target) AS progress, p.pace, p.pace >= r.target AS on_track,'
    ' l.days_elapsed AS working_days_elapsed, l.days_total AS working_days '
    'FROM (SELECT m.period, m.period_start, m.days_elapsed, m.days_total, m.scope_id%14$s, m.%9$I, m.metric, m.stat, m.actual,'
    '       pg_catalog.array_agg(m.target ORDER BY m.target, m.id) AS targets, pg_catalog.array_agg(m.id ORDER BY m.target, m.id) AS ids'
    '      FROM m WHERE m.lb_rank = 1'
    '      GROUP BY m.period, m.period_start, m.days_elapsed, m.days_total, m.scope_id%14$s, m.%9$I, m.metric, m.stat, m.actual) l '
    'CROSS JOIN LATERAL leaderboard._goal_rung(l.targets, l.ids, l.actual) r '
    'CROSS JOIN LATERAL (SELECT leaderboard._goal_pace(l.stat, l.actual, l.days_elapsed, l.days_total) AS pace) p',
    goals_verb, schema, b.name || '_goals',
    leaderboard._period_start_sql('k.period', 't.lb_today::pg_catalog.timestamp'), today, b.periods, cal,
    s_cols, b.agent_column, b.metric_names, b.standings, matching[1],
    l_cols, m_cols, b.scopes);
  EXECUTE format('COMMENT ON VIEW %s.%I IS %L', schema, b.name || '_goals',
    format('goals of board %s in force today: per agent and current period, the target, actual, progress and pace', b.name));

  IF NOT 'day' = ANY (b.periods) THEN
    RETURN;
  END IF;
  streaks_verb := leaderboard._create_verb(b, format('view %s.%I', schema, b.name || '_streaks'),
    (SELECT c.relowner FROM pg_class c WHERE c.oid = to_regclass(format('%s.%I', schema, b.name || '_streaks'))));
  -- a day is met when its actual reaches the lowest rung of the daily goal ladder in force
  -- that day; days out of the streak type's range (before year 1) are left out
  EXECUTE format(
    '%1$s VIEW %2$s.%3$I AS '
    'SELECT %12$s x.%6$I, x.metric, x.stat, leaderboard.longest(x.streak) AS longest_streak,'
    ' leaderboard.longest_start(x.streak) AS longest_start, leaderboard.current(x.streak, %4$s) AS current_streak,'
    ' leaderboard.met_days(x.streak) AS met_days, x.streak '
    'FROM (SELECT m.metric, m.stat%5$s, m.%6$I, leaderboard.streak_agg(m.period_start, m.actual >= m.target, %7$s) AS streak'
    '      FROM (SELECT s.period_start%8$s, s.%6$I, g.metric, g.stat, g.target,'
    '             leaderboard._goal_actual(s.kpis, pg_catalog.array_position(%9$L::pg_catalog.text[], g.metric), g.stat) AS actual,'
    '             pg_catalog.dense_rank() OVER (PARTITION BY s.scope_id, s.%6$I, g.metric, g.stat'
    '              ORDER BY g.agent IS NOT NULL DESC, (SELECT pg_catalog.count(*) FROM pg_catalog.jsonb_object_keys(g.partition)) DESC,'
    '              g.partition::pg_catalog.text) AS lb_rank'
    '            FROM %10$s s %11$s'
    '            WHERE s.period = ''day'' AND s.period_start >= ''0001-01-01''::pg_catalog.date) m'
    '      WHERE m.lb_rank = 1'
    '      GROUP BY m.metric, m.stat%5$s, m.%6$I) x',
    streaks_verb, schema, b.name || '_streaks', today, m_cols, b.agent_column, cal, s_cols, b.metric_names,
    b.standings, matching[2], x_cols);
  EXECUTE format('COMMENT ON VIEW %s.%I IS %L', schema, b.name || '_streaks',
    format('streaks of board %s: per agent and partition, runs of working days on which the agent met a daily goal', b.name));
END $$;
CREATE OR REPLACE FUNCTION leaderboard.check_goals(board text) RETURNS bigint
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp SET DateStyle = 'ISO, YMD' SET TimeZone = 'UTC' AS $$
DECLARE
  b leaderboard.boards := leaderboard._board(board);
  today text := format('(pg_catalog.now() AT TIME ZONE %L)::pg_catalog.date', b.time_zone);
  periods text[];
  n bigint;
BEGIN
  PERFORM leaderboard._require_owner(b);
  IF NOT coalesce(b.events ? 'goal_at_risk', false) THEN
    RETURN 0;
  END IF;
  periods := coalesce((SELECT array_agg(x #>> '{}') FROM jsonb_array_elements(b.events -> 'periods') x), b.periods);
  b.events := jsonb_build_object('goal_at_risk', b.events -> 'goal_at_risk');
  EXECUTE format('LOCK TABLE %s IN EXCLUSIVE MODE', b.scopes);
  EXECUTE leaderboard._events_write_sql(b, format(
    'SELECT s.scope_id, s.%1$I::pg_catalog.text AS agent, s.period, s.period_start, %2$s AS part, '
    's.rank AS old_rank, s.rank AS new_rank, s.tier AS old_tier, s.tier AS new_tier, s.score AS old_score, s.score AS new_score, '
    's.qualified AS new_qualified, s.kpis AS old_kpis, s.kpis AS new_kpis '
    'FROM %7$s sc JOIN %3$s s ON s.scope_id OPERATOR(pg_catalog.=) sc.scope_id '
    'WHERE sc.period OPERATOR(pg_catalog.=) ANY (%4$L::pg_catalog.text[]) '
    'AND %6$s OPERATOR(pg_catalog.=) %5$s',
    b.agent_column, leaderboard._events_partition_sql(b, 's'), b.standings, periods, today,
    leaderboard._goal_day_sql('sc.period', 'sc.period_start', today), b.scopes),
    leaderboard._event_branches(b)) INTO n;
  RETURN coalesce(n, 0);
END $$;

DO $$
DECLARE
  b leaderboard.boards;
  idx text;
  parts_cols text;
BEGIN
  FOR b IN SELECT * FROM leaderboard.boards ORDER BY name LOOP
    FOR idx IN
      SELECT format('%I.%I', n.nspname, c.relname)
      FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE i.indrelid = b.standings AND NOT i.indisprimary
        AND (SELECT a.attname FROM pg_attribute a WHERE a.attrelid = i.indrelid AND a.attnum = i.indkey[0]) = 'period'
    LOOP
      EXECUTE format('DROP INDEX %s', idx);
    END LOOP;
    SELECT coalesce(string_agg(', ' || quote_ident(p), '' ORDER BY o), '') INTO parts_cols
    FROM unnest(b.partition_by) WITH ORDINALITY AS x(p, o);
    EXECUTE format('CREATE INDEX ON %s (period, period_start%s)', b.scopes, parts_cols);
  END LOOP;
END $$;

-- Scorecards with effective dates: a card can take effect on a date, scoring the periods
-- that start on or after it; <board>_explain says which card scored a row (card_from)
ALTER TABLE leaderboard.boards ADD COLUMN card_versions jsonb NOT NULL DEFAULT '[]';

CREATE FUNCTION leaderboard._cards(b leaderboard.boards)
RETURNS TABLE (period text, effective_from date, card text)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT c.key, NULL::date, c.value FROM pg_catalog.jsonb_each_text(b.scorecards) c
  UNION ALL
  SELECT c.key, (v OPERATOR(pg_catalog.->>) 'from')::date, c.value
  FROM pg_catalog.jsonb_array_elements(b.card_versions) v,
       pg_catalog.jsonb_each_text(v OPERATOR(pg_catalog.->) 'scorecards') c
$$;
COMMENT ON FUNCTION leaderboard._cards(leaderboard.boards) IS
  'internal: every scorecard of a board by period kind, with the date it takes effect (NULL: the first)';

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

DROP FUNCTION leaderboard._card_sql(leaderboard.boards, text);
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

CREATE OR REPLACE FUNCTION leaderboard._board_statements(board text,
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
  part_keys text := '';
  part_match text := '';
  kpi_args text; filter_sql text := '';
  local_n text; scope_key text;
  card_g text; card_s text; card_t text; tier_ins text; tier_upd text := '';
  lo text; hi text; in_period text;
  rank_fn text; ties text := ''; rank_order_s text; rank_order_e text;
  rank_tier text := ''; rank_tier_cmp text := '';
  tie text;
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
  -- side: its bound, or the bound's time in another zone, would be out of range.
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
  IF leaderboard._expression_type(b.source, qt, 'at') = 'timestamptz'::regtype THEN
    lo := format('(%s AT TIME ZONE %L)', lo, b.time_zone);
    hi := format('(%s AT TIME ZONE %L)', hi, b.time_zone);
  ELSIF leaderboard._expression_type(b.source, qt, 'at') = 'date'::regtype THEN
    lo := lo || '::pg_catalog.date'; hi := hi || '::pg_catalog.date';
  END IF;
  in_period := format('s.%1$s >= %2$s AND s.%1$s < %3$s AND (k.period = ''all'' OR %4$s = k.period_start)',
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

  rank_fn := CASE b.rank_style WHEN 'dense_rank' THEN 'pg_catalog.dense_rank()'
                               WHEN 'row_number' THEN 'pg_catalog.row_number()'
                               ELSE 'pg_catalog.rank()' END;
  -- the ORDER BY of the ranking window over the rows of alias s, or e: _tie_break_sql()
  -- gives only names of functions and a metric's position, with {{t}} for the alias
  IF b.rank_style = 'row_number' THEN
    FOREACH tie IN ARRAY b.tie_break LOOP
      ties := ties || ', ' || leaderboard._tie_break_sql(b, tie);
    END LOOP;
  END IF;
  rank_order_s := replace('{{t}}.qualified DESC, {{t}}.score DESC' || ties, '{{t}}', 's');
  rank_order_e := replace('{{t}}.qualified DESC, {{t}}.score DESC' || ties, '{{t}}', 'e');
  IF b.rank_style = 'row_number' THEN
    rank_order_s := rank_order_s || ', s.' || qa;
    rank_order_e := rank_order_e || ', e.' || qa;
  END IF;
  IF b.ladder IS NOT NULL AND NOT leaderboard.ladder_kind(b.ladder) = 'points' THEN
    rank_tier := format(', tier = leaderboard.tier_by_rank(r.rk, r.n, %L::leaderboard.ladder)', b.ladder);
    rank_tier_cmp := format(' OR w.tier IS DISTINCT FROM leaderboard.tier_by_rank(w.rk, w.n, %L::leaderboard.ladder)', b.ladder);
  END IF;
  -- only rows whose rank (or rank tier) changes are joined back and written; rank is in
  -- no index, so those updates are HOT. The scopes re-ranked go between head and tail.
  rerank_head := format(
    'UPDATE %1$s t SET rank = r.rk%2$s FROM ('
    ' SELECT * FROM ('
    '  SELECT s.scope_id, s.period, s.period_start, s.%3$s, s.rank, s.tier, CASE WHEN s.qualified THEN %4$s OVER w END AS rk,'
    '   pg_catalog.count(*) FILTER (WHERE s.qualified) OVER (PARTITION BY s.scope_id) AS n'
    '  FROM %1$s s WHERE ',
    st, rank_tier, qa, rank_fn);
  rerank_tail := format(
    '  WINDOW w AS (PARTITION BY s.scope_id ORDER BY %1$s)) w'
    ' WHERE w.rank IS DISTINCT FROM w.rk%2$s) r'
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
      ' FROM (SELECT scope_key, (pg_catalog.array_agg(%1$s))[1] AS %1$s FROM lb_pending GROUP BY scope_key'
      '       HAVING pg_catalog.count(DISTINCT %1$s) = 1) k'
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

  -- every row rescored from its stored kpis and re-ranked in one pass (alter_board); its
  -- one parameter, a boolean, says whether a points ladder's held tiers are kept.
  -- Rows are joined back by ctid (the EXCLUSIVE lock on the scopes keeps writers out, so
  -- no row moves meanwhile), the window sort carries no kpis, and rows whose score,
  -- qualification, rank and tier all stay are not written: a new ladder alone rewrites
  -- only the rows whose tier changes, as HOT updates.
  rescore := format(
    'UPDATE %1$s t SET score = x.score, qualified = x.qualified, rank = x.rank, tier = x.tier FROM ('
    ' SELECT r.lb_ctid, r.score, r.qualified, CASE WHEN r.lb_ranks_stored THEN r.rank END AS rank, %3$s AS tier FROM ('
    '  SELECT e.lb_ctid, e.score, e.qualified, e.old_tier, e.lb_ranks_stored,'
    '   CASE WHEN e.qualified THEN %4$s OVER (PARTITION BY e.scope_id ORDER BY %5$s) END AS rank,'
    '   pg_catalog.count(*) FILTER (WHERE e.qualified) OVER (PARTITION BY e.scope_id) AS n'
    '  FROM (SELECT s.ctid AS lb_ctid, s.scope_id, s.%2$s, s.tier AS old_tier, sc.ranks_stored AS lb_ranks_stored,'
    '         %6$s AS score, %7$s AS qualified%9$s FROM %1$s s JOIN %8$s sc ON sc.scope_id = s.scope_id'
    '         WHERE NOT %10$s) e) r) x'
    ' WHERE t.ctid = x.lb_ctid'
    '  AND (t.score, t.qualified, t.rank, t.tier) IS DISTINCT FROM (x.score, x.qualified, x.rank, x.tier)',
    st, qa,
    CASE WHEN b.ladder IS NULL THEN 'NULL::pg_catalog.text'
         WHEN leaderboard.ladder_kind(b.ladder) = 'points'
           THEN format('CASE WHEN r.qualified THEN leaderboard.tier(r.score, %L::leaderboard.ladder,'
                       ' CASE WHEN $1 THEN r.old_tier END) END', b.ladder)
         ELSE format('CASE WHEN r.qualified THEN leaderboard.tier_by_rank(r.rank, r.n, %L::leaderboard.ladder) END', b.ladder) END,
    rank_fn, rank_order_e,
    format('leaderboard._board_score(s.kpis, %s)', card_s), format('leaderboard.qualified(s.kpis, %s)', card_s), sc,
    -- the tie-break chain of row_number boards orders by the kpis
    CASE WHEN b.rank_style = 'row_number' THEN ', s.kpis' ELSE '' END,
    -- closed scopes keep the scores, ranks and tiers they closed with
    leaderboard._closed_sql(b.closed_before, 's.period', 's.period_start'));

  -- standings from scratch, ranked, from the groups put between head and tail: from the
  -- source, what rebuild writes and verify compares with
  expected_head := format(
    'SELECT r.scope_key, r.period, r.period_start%1$s, r.%2$s, r.kpis, r.score, r.qualified, r.rank, %3$s AS tier FROM ('
    ' SELECT e.*, CASE WHEN e.qualified THEN %4$s OVER (PARTITION BY e.scope_key ORDER BY %5$s) END AS rank,'
    '  pg_catalog.count(*) FILTER (WHERE e.qualified) OVER (PARTITION BY e.scope_key) AS n'
    ' FROM (SELECT g.*, %6$s AS score, %7$s AS qualified FROM (',
    r_parts, qa,
    CASE WHEN b.ladder IS NULL THEN 'NULL::pg_catalog.text'
         WHEN leaderboard.ladder_kind(b.ladder) = 'points'
           THEN format('CASE WHEN r.qualified THEN leaderboard.tier(r.score, %L::leaderboard.ladder) END', b.ladder)
         ELSE format('CASE WHEN r.qualified THEN leaderboard.tier_by_rank(r.rank, r.n, %L::leaderboard.ladder) END', b.ladder) END,
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

CREATE OR REPLACE FUNCTION leaderboard._board_views(b leaderboard.boards) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  schema text := quote_ident((SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = b.source));
  cols text := '';
  s_cols text := '';
  p name;
  agent_type text := format_type(leaderboard._expression_type(b.source, quote_ident(b.agent_column), 'agent'), NULL);
  part_ret text := '';
  current_start text := leaderboard._period_start_sql('c.period', format('pg_catalog.now() AT TIME ZONE %L', b.time_zone));
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
BEGIN
  FOREACH p IN ARRAY b.partition_by LOOP
    cols := cols || ', ' || quote_ident(p);
    s_cols := s_cols || ', s.' || quote_ident(p);
    part_ret := part_ret || format(', %I %s', p, format_type(leaderboard._expression_type(b.source, quote_ident(p), 'partition'), NULL));
    p_match := p_match || format(' AND p.%1$I IS NOT DISTINCT FROM s.%1$I', p);
    m_cols := m_cols || ', m.' || quote_ident(p);
    x_cols := x_cols || ', x.' || quote_ident(p);
    w_cols := w_cols || format(', (w.partition OPERATOR(pg_catalog.->>) %L)::%s AS %I', p, leaderboard._column_type(b.source, p), p);
  END LOOP;
  -- The current period of each kind comes from a row per kind, joined to the standings:
  -- a query naming the kind (and partition values) then reads its scope by the score
  -- index, with period_start an index condition, instead of testing every row's period.
  -- A scope too large to store ranks is ranked by a window over its rows (one sort of the
  -- scope), not by a count a row; conditions on the period, the partition columns and the
  -- scope reach the index below the window, others (an agent) are applied above it.
  EXECUTE format(
    '%7$s VIEW %1$s.%2$I AS SELECT s.period, s.period_start%3$s, s.%4$I, s.kpis, s.score, s.qualified, '
    'COALESCE(s.rank, CASE WHEN s.qualified THEN pg_catalog.rank() OVER (PARTITION BY s.period, s.period_start%3$s, s.scope_id '
    'ORDER BY s.qualified DESC, s.score DESC) END) AS rank, s.tier, s.updated_at '
    'FROM (SELECT c.period, %6$s AS period_start FROM pg_catalog.unnest(%8$L::pg_catalog.text[]) AS c(period)) c '
    'JOIN %5$s s ON s.period = c.period AND s.period_start = c.period_start',
    schema, b.name || '_current', s_cols, b.agent_column, b.standings, current_start, current_verb, b.periods);
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
    ' AND p.period_start OPERATOR(pg_catalog.=) CASE s.period'
    '  WHEN ''day'' THEN s.period_start OPERATOR(pg_catalog.-) 1'
    '  WHEN ''week'' THEN s.period_start OPERATOR(pg_catalog.-) 7'
    '  WHEN ''month'' THEN (s.period_start OPERATOR(pg_catalog.-) ''1 month''::pg_catalog.interval)::pg_catalog.date'
    '  WHEN ''quarter'' THEN (s.period_start OPERATOR(pg_catalog.-) ''3 months''::pg_catalog.interval)::pg_catalog.date'
    '  WHEN ''year'' THEN (s.period_start OPERATOR(pg_catalog.-) ''1 year''::pg_catalog.interval)::pg_catalog.date END%6$s',
    schema, b.name || '_movement', s_cols, b.agent_column, b.standings, p_match, movement_verb,
    format(rank_sql, 's'), format(rank_sql, 'p'));
  EXECUTE format('COMMENT ON VIEW %s.%I IS %L', schema, b.name || '_movement',
    format('rank and score of each row of board %s against the agent''s row in the previous period of the same kind and partition', b.name));
  -- Badges of closed periods: the winners close_periods recorded, and in each closed scope
  -- the rows with the largest rank gain and the largest score gain (ties all get one).
  EXECUTE format(
    '%6$s VIEW %1$s.%2$I AS'
    ' SELECT ''Top Performer''::pg_catalog.text AS badge, w.period, w.period_start%3$s, w.agent::%7$s AS %4$I,'
    '  w.score, NULL::pg_catalog.int8 AS rank_change, NULL::pg_catalog.float8 AS score_change'
    ' FROM leaderboard.period_winners w WHERE w.board OPERATOR(pg_catalog.=) %8$L'
    ' UNION ALL'
    ' SELECT x.badge, x.period, x.period_start%5$s, x.%4$I, x.score, x.rank_change, x.score_change FROM ('
    '  SELECT b.badge, m.*,'
    '   CASE b.badge WHEN ''Fast Climber'' THEN m.rank_change::pg_catalog.float8 ELSE m.score_change END AS lb_gain,'
    '   pg_catalog.max(CASE b.badge WHEN ''Fast Climber'' THEN m.rank_change::pg_catalog.float8 ELSE m.score_change END)'
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
      SELECT r.* FROM leaderboard._around(%6$L::pg_catalog.regclass, %7$L, $1, $2, $3, %8$L)
        AS r(period_start pg_catalog.date%10$s, %5$I %3$s, score pg_catalog.float8, qualified pg_catalog.bool,
             rank pg_catalog.int8, tier pg_catalog.text)
    $body$ $f$,
    schema, b.name || '_around', agent_type, part_ret, b.agent_column,
    b.standings::text, b.time_zone, b.agent_column, around_verb, part_ret);
  EXECUTE format('COMMENT ON FUNCTION %s.%I(%s, text, integer) IS %L', schema, b.name || '_around', agent_type,
    format('an agent''s neighbours on board %s: width rows above and below in the current period', b.name));
  PERFORM leaderboard._goal_views(b);
END $$;
COMMENT ON FUNCTION leaderboard._board_views(leaderboard.boards) IS
  'internal: (re)creates a board''s views and around-me function';

CREATE OR REPLACE FUNCTION leaderboard._check_board_row(b leaderboard.boards) RETURNS void
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

CREATE OR REPLACE FUNCTION leaderboard._exact_extremes(b leaderboard.boards) RETURNS bigint
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT coalesce(sum(DISTINCT 1::bigint << (m.i - 1)::integer), 0)::bigint
  FROM leaderboard._cards(b) c,
       jsonb_array_elements(c.card::jsonb -> 'metrics') e,
       unnest(b.metric_names) WITH ORDINALITY AS m(name, i)
  WHERE e ->> 'name' = m.name AND e ->> 'stat' IN ('min', 'max')
$$;
COMMENT ON FUNCTION leaderboard._exact_extremes(leaderboard.boards) IS
  'internal: bits of the metrics whose min or max a card of the board reads';

CREATE OR REPLACE FUNCTION leaderboard.rolling(board text, days integer, as_of date DEFAULT NULL)
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
  SELECT max(c.value::date) INTO closed FROM jsonb_each_text(b.closed_before) c WHERE c.key <> 'all';
  IF closed > effective_from THEN
    RAISE EXCEPTION 'board "%" has closed periods starting on or after %', b.name, effective_from
      USING ERRCODE = 'object_not_in_prerequisite_state',
            DETAIL = format('Its periods before %s are closed; closed periods keep the scores they closed with.', closed),
            HINT = format('Give an effective_from of %s or later.', closed);
  END IF;
END $$;
COMMENT ON FUNCTION leaderboard._check_effective_from(leaderboard.boards, jsonb, date) IS
  'internal: raises unless a card can take effect on the date: given with a card, finite, on a board with dated periods, none of them closed from that date on';

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

CREATE OR REPLACE FUNCTION leaderboard.create_board(
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
  IF EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = source AND attname IN ('lb_local', 'lb_kind') AND NOT attisdropped) THEN
    RAISE EXCEPTION 'table % has a column named lb_local or lb_kind, which boards reserve', source
      USING ERRCODE = 'duplicate_column';
  END IF;
  t := leaderboard._expression_type(source, quote_ident(at), 'at');
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
    IF NOT t = ANY (supported) THEN
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
  IF cardinality(b.partition_by) <> (SELECT count(DISTINCT x) FROM unnest(b.partition_by) x) THEN
    RAISE EXCEPTION 'a partition_by column is listed twice' USING ERRCODE = 'invalid_parameter_value';
  END IF;

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

  FOREACH p IN ARRAY b.partition_by LOOP
    parts_ddl := parts_ddl || format(', %I %s', p, leaderboard._column_type(source, p));
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
                 leaderboard._column_type(source, agent), agent);
  b.standings := (schema || '.' || quote_ident(board_name || '_standings'))::regclass;
  -- Three indexes, as every standings write that changes a score adds an entry to each:
  -- the key (one row per scope and agent, as a scope has one period and period_start)
  -- leads with the agent, so around-me and "my rows" read an agent's rows of a period
  -- from it; top-N reads by the scope's columns; re-ranking and neighbours by scope_id.
  EXECUTE format('CREATE INDEX ON %s (period, period_start%s, score DESC)', b.standings, parts_cols);
  EXECUTE format('CREATE INDEX ON %s (scope_id, score, %I)', b.standings, agent);
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


DROP FUNCTION leaderboard.alter_board(text, jsonb, leaderboard.ladder, boolean, leaderboard.calendar, boolean, jsonb, interval, interval, boolean);
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
  old_extremes bigint := leaderboard._exact_extremes(b);
BEGIN
  PERFORM leaderboard._require_owner(b);
  EXECUTE format('LOCK TABLE %s IN EXCLUSIVE MODE', b.scopes);
  IF effective_from IS NOT NULL THEN
    PERFORM leaderboard._check_effective_from(b, scorecard, effective_from);
  END IF;
  -- a NULL argument is one not given: a ladder is removed by name, not by a NULL
  IF drop_ladder AND ladder IS NOT NULL THEN
    RAISE EXCEPTION 'a new ladder and drop_ladder cannot be combined' USING ERRCODE = 'invalid_parameter_value',
      HINT = 'Give either ladder => ''...'' or drop_ladder => true.';
  END IF;
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
    PERFORM leaderboard._board_event_trigger(b);
  END IF;
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
    IF scorecard IS NULL AND ladder IS NULL AND drop_ladder IS NOT TRUE THEN
      RETURN 0;
    END IF;
  END IF;
  -- nothing to change: the board's views are made again (this is how boards made by an
  -- older version get this version's views after ALTER EXTENSION UPDATE) and no row is
  -- rescored
  IF scorecard IS NULL AND ladder IS NULL AND drop_ladder IS NOT TRUE THEN
    PERFORM leaderboard._board_views(b);
    RETURN 0;
  END IF;
  IF scorecard IS NOT NULL THEN
    PERFORM leaderboard._check_tie_break(b.tie_break, scorecard);
    IF effective_from IS NULL THEN
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
  -- rescore and re-rank from the stored kpis in one pass: no source row is read; a held
  -- tier carries over only while the ladder stays the same
  EXECUTE (SELECT x.rescore FROM leaderboard._board_statements(board) x) USING ladder IS NULL;
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END $$;
COMMENT ON FUNCTION leaderboard.alter_board(text, jsonb, leaderboard.ladder, boolean, leaderboard.calendar, boolean, jsonb, interval, interval, boolean, date) IS
  'changes a board''s scorecard (for every period, or with effective_from for the periods that start on or after that date) or ladder (drop_ladder => true removes it) and rescores its open standings from the stored kpis, without reading the source; returns the number of rows whose score, rank or tier it changed; sets its calendar (drop_calendar => true removes it), the events it emits (events => ''{}'' emits none), its grace and retention (drop_retention => true keeps day rows forever); with nothing to change, only makes the board''s views again';

REVOKE EXECUTE ON FUNCTION
  leaderboard._cards(leaderboard.boards),
  leaderboard._card_sql(leaderboard.boards, text, text, text),
  leaderboard._check_effective_from(leaderboard.boards, jsonb, date),
  leaderboard._check_card_versions(text, jsonb),
  leaderboard._catalog_set_card_versions(text, jsonb),
  leaderboard.alter_board(text, jsonb, leaderboard.ladder, boolean, leaderboard.calendar, boolean, jsonb, interval, interval, boolean, date)
FROM PUBLIC;
GRANT EXECUTE ON FUNCTION
  leaderboard._cards(leaderboard.boards),
  leaderboard._card_sql(leaderboard.boards, text, text, text),
  leaderboard._check_effective_from(leaderboard.boards, jsonb, date),
  leaderboard._check_card_versions(text, jsonb),
  leaderboard._catalog_set_card_versions(text, jsonb),
  leaderboard.alter_board(text, jsonb, leaderboard.ladder, boolean, leaderboard.calendar, boolean, jsonb, interval, interval, boolean, date)
TO PUBLIC;
-- (<board>_explain gains card_from when each board's views are made again: the update's
-- notice asks for alter_board(board) on every board)

-- A campaign's goals pace over the working days of its window: <board>_goals and the
-- goal_at_risk events splice the same SQL for a period's working days
CREATE FUNCTION leaderboard._period_days_sql(b leaderboard.boards, period text, period_start text, as_of text, cal text)
RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT format('(SELECT leaderboard.working_days(%1$s, y.first, LEAST(%2$s, y.last)) AS days_elapsed, '
                'leaderboard.working_days(%1$s, y.first, y.last) AS days_total FROM (SELECT %3$s AS first, %4$s AS last) y)',
                cal, as_of,
                CASE WHEN b.ends IS NULL
                     THEN format('CASE WHEN %s OPERATOR(pg_catalog.<>) ''all'' THEN %s END', period, period_start)
                     ELSE format('%L::pg_catalog.date', (b.starts AT TIME ZONE b.time_zone)::date) END,
                CASE WHEN b.ends IS NULL
                     THEN format('CASE WHEN %s OPERATOR(pg_catalog.<>) ''all'' THEN %s END', period,
                                 leaderboard._period_last_day_sql(period, period_start))
                     ELSE format('%L::pg_catalog.date', ((b.ends AT TIME ZONE b.time_zone) - interval '1 microsecond')::date) END)
$$;
COMMENT ON FUNCTION leaderboard._period_days_sql(leaderboard.boards, text, text, text, text) IS
  'internal: SQL giving the working days of a period elapsed by a day and in all, over a campaign''s window for its period all';

DROP FUNCTION leaderboard._period_days(leaderboard.calendar, text, date, date);
CREATE OR REPLACE FUNCTION leaderboard._goal_views(b leaderboard.boards) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  schema text := quote_ident((SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = b.source));
  s_cols text := '';
  m_cols text := '';
  x_cols text := '';
  l_cols text := '';
  part_obj text := '''{}''::pg_catalog.jsonb';
  p name;
  cal text := format('%L::leaderboard.calendar', coalesce(b.calendar::text, 'Mon-Sun'));
  today text := format('(pg_catalog.now() AT TIME ZONE %L)::pg_catalog.date', b.time_zone);
  goals_verb text := leaderboard._create_verb(b, format('view %s.%I', schema, b.name || '_goals'),
    (SELECT c.relowner FROM pg_class c WHERE c.oid = to_regclass(format('%s.%I', schema, b.name || '_goals'))));
  streaks_verb text;
  matching text[] := '{}';
  day_sql text;
BEGIN
  FOREACH p IN ARRAY b.partition_by LOOP
    s_cols := s_cols || ', s.' || quote_ident(p);
    m_cols := m_cols || ', m.' || quote_ident(p);
    x_cols := x_cols || 'x.' || quote_ident(p) || ', ';
    l_cols := l_cols || ', l.' || quote_ident(p);
  END LOOP;
  IF cardinality(b.partition_by) > 0 THEN
    part_obj := 'pg_catalog.jsonb_build_object(' ||
      (SELECT string_agg(format('%L, s.%I', q, q), ', ') FROM unnest(b.partition_by) q) || ')';
  END IF;
  -- the goals of a standings row s in force on its day (today in <board>_goals)
  FOREACH day_sql IN ARRAY ARRAY['c.lb_today', 's.period_start'] LOOP
    matching := matching || format(
      'JOIN leaderboard.goals g ON g.board = %2$L AND g.period = s.period'
      ' AND (g.effective_from IS NULL OR g.effective_from <= %1$s) AND (g.effective_to IS NULL OR g.effective_to >= %1$s)'
      ' AND (g.agent IS NULL OR g.agent = s.%3$I::pg_catalog.text) AND (g.partition IS NULL OR %4$s @> g.partition)',
      day_sql, b.name, b.agent_column, part_obj);
  END LOOP;
  EXECUTE format(
    '%1$s VIEW %2$s.%3$I AS '
    'WITH c AS ('
    ' SELECT k.period, k.period_start, k.lb_today, d.days_elapsed, d.days_total FROM ('
    '  SELECT k.period, %4$s AS period_start, t.lb_today'
    '  FROM (SELECT %5$s AS lb_today) t, pg_catalog.unnest(%6$L::pg_catalog.text[]) AS k(period)) k'
    ' CROSS JOIN LATERAL %7$s d), '
    'm AS ('
    ' SELECT c.period, c.period_start, c.days_elapsed, c.days_total, s.scope_id%8$s, s.%9$I, g.metric, g.stat, g.id, g.target,'
    '  leaderboard._goal_actual(s.kpis, pg_catalog.array_position(%10$L::pg_catalog.text[], g.metric), g.stat) AS actual,'
    '  pg_catalog.dense_rank() OVER (PARTITION BY s.scope_id, s.%9$I, g.metric, g.stat'
    '   ORDER BY g.agent IS NOT NULL DESC, (SELECT pg_catalog.count(*) FROM pg_catalog.jsonb_object_keys(g.partition)) DESC,'
    '   g.partition::pg_catalog.text) AS lb_rank'
    ' FROM c JOIN %11$s s ON s.period = c.period AND s.period_start = c.period_start %12$s) '
    'SELECT l.period, l.period_start%13$s, l.%9$I, l.metric, l.stat, r.target, r.rungs, r.rungs_met, r.goal_id,'
    ' l.actual, pg_catalog.trim_scale(l.actual / r.target) AS progress, p.pace, p.pace >= r.target AS on_track,'
    ' l.days_elapsed AS working_days_elapsed, l.days_total AS working_days '
    'FROM (SELECT m.period, m.period_start, m.days_elapsed, m.days_total, m.scope_id%14$s, m.%9$I, m.metric, m.stat, m.actual,'
    '       pg_catalog.array_agg(m.target ORDER BY m.target, m.id) AS targets, pg_catalog.array_agg(m.id ORDER BY m.target, m.id) AS ids'
    '      FROM m WHERE m.lb_rank = 1'
    '      GROUP BY m.period, m.period_start, m.days_elapsed, m.days_total, m.scope_id%14$s, m.%9$I, m.metric, m.stat, m.actual) l '
    'CROSS JOIN LATERAL leaderboard._goal_rung(l.targets, l.ids, l.actual) r '
    'CROSS JOIN LATERAL (SELECT leaderboard._goal_pace(l.stat, l.actual, l.days_elapsed, l.days_total) AS pace) p',
    goals_verb, schema, b.name || '_goals',
    leaderboard._period_start_sql('k.period', 't.lb_today::pg_catalog.timestamp'), today, b.periods,
    leaderboard._period_days_sql(b, 'k.period', 'k.period_start', 'k.lb_today', cal),
    s_cols, b.agent_column, b.metric_names, b.standings, matching[1],
    l_cols, m_cols);
  EXECUTE format('COMMENT ON VIEW %s.%I IS %L', schema, b.name || '_goals',
    format('goals of board %s in force today: per agent and current period, the target, actual, progress and pace', b.name));

  IF NOT 'day' = ANY (b.periods) THEN
    RETURN;
  END IF;
  streaks_verb := leaderboard._create_verb(b, format('view %s.%I', schema, b.name || '_streaks'),
    (SELECT c.relowner FROM pg_class c WHERE c.oid = to_regclass(format('%s.%I', schema, b.name || '_streaks'))));
  -- a day is met when its actual reaches the lowest rung of the daily goal ladder in force
  -- that day; days out of the streak type's range (before year 1) are left out
  EXECUTE format(
    '%1$s VIEW %2$s.%3$I AS '
    'SELECT %12$s x.%6$I, x.metric, x.stat, leaderboard.longest(x.streak) AS longest_streak,'
    ' leaderboard.longest_start(x.streak) AS longest_start, leaderboard.current(x.streak, %4$s) AS current_streak,'
    ' leaderboard.met_days(x.streak) AS met_days, x.streak '
    'FROM (SELECT m.metric, m.stat%5$s, m.%6$I, leaderboard.streak_agg(m.period_start, m.actual >= m.target, %7$s) AS streak'
    '      FROM (SELECT s.period_start%8$s, s.%6$I, g.metric, g.stat, g.target,'
    '             leaderboard._goal_actual(s.kpis, pg_catalog.array_position(%9$L::pg_catalog.text[], g.metric), g.stat) AS actual,'
    '             pg_catalog.dense_rank() OVER (PARTITION BY s.scope_id, s.%6$I, g.metric, g.stat'
    '              ORDER BY g.agent IS NOT NULL DESC, (SELECT pg_catalog.count(*) FROM pg_catalog.jsonb_object_keys(g.partition)) DESC,'
    '              g.partition::pg_catalog.text) AS lb_rank'
    '            FROM %10$s s %11$s'
    '            WHERE s.period = ''day'' AND s.period_start >= ''0001-01-01''::pg_catalog.date) m'
    '      WHERE m.lb_rank = 1'
    '      GROUP BY m.metric, m.stat%5$s, m.%6$I) x',
    streaks_verb, schema, b.name || '_streaks', today, m_cols, b.agent_column, cal, s_cols, b.metric_names,
    b.standings, matching[2], x_cols);
  EXECUTE format('COMMENT ON VIEW %s.%I IS %L', schema, b.name || '_streaks',
    format('streaks of board %s: per agent and partition, runs of working days on which the agent met a daily goal', b.name));
END $$;
COMMENT ON FUNCTION leaderboard._goal_views(leaderboard.boards) IS
  'internal: (re)creates a board''s <board>_goals view and, for a board keeping day rows, its <board>_streaks view';

CREATE OR REPLACE FUNCTION leaderboard._event_branches(b leaderboard.boards) RETURNS text[]
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  ev jsonb := b.events;
  branches text[] := '{}';
  ladder text := quote_literal(b.ladder::text) || '::leaderboard.ladder';
  agent_type text := (SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
                      WHERE a.attrelid = b.standings AND a.attname = b.agent_column);
  rank_cols text := 'pg_catalog.jsonb_build_object(''rank'', c.old_rank), pg_catalog.jsonb_build_object(''rank'', c.new_rank, ''score'', c.new_score)';
  today text := format('(pg_catalog.now() AT TIME ZONE %L)::pg_catalog.date', b.time_zone);
  cal text := format('%L::leaderboard.calendar', coalesce(b.calendar::text, 'Mon-Sun'));
  same_part text := leaderboard._events_partition_sql(b, 's');
  -- a goal ladder of the row and its stat's value before and after the change
  ladders text;
  kind text;
  op text;
BEGIN
  IF b.ladder IS NULL THEN
    ev := ev - 'tier_up' - 'tier_down';
  END IF;
  ladders := format(
    'CROSS JOIN LATERAL %1$s gl CROSS JOIN LATERAL (SELECT %2$s AS old_actual, %3$s AS new_actual) a ',
    leaderboard._goal_ladders_sql(b, 'c.period', 'c.part', 'c.agent', leaderboard._goal_day_sql('c.period', 'c.period_start', today)),
    leaderboard._goal_actual_sql('c.old_kpis', 'gl.position', 'gl.stat'),
    leaderboard._goal_actual_sql('c.new_kpis', 'gl.position', 'gl.stat'));
  -- tier_up and tier_down: the tier's ladder level rises or falls
  FOR kind, op IN VALUES ('tier_up', '>'), ('tier_down', '<') LOOP
    IF ev -> kind = 'true' THEN
      branches := branches || format(
        'SELECT %2$L, c.*, pg_catalog.jsonb_build_object(''tier'', c.old_tier, ''score'', c.old_score), '
        'pg_catalog.jsonb_build_object(''tier'', c.new_tier, ''score'', c.new_score) FROM c '
        'WHERE leaderboard.tier_level(c.new_tier, %1$s) OPERATOR(pg_catalog.%3$s) leaderboard.tier_level(c.old_tier, %1$s)',
        ladder, kind, op);
    END IF;
  END LOOP;
  IF ev -> 'new_leader' = 'true' THEN
    branches := branches || ('SELECT ''new_leader'', c.*, ' || rank_cols || ' FROM c '
      'WHERE c.new_rank OPERATOR(pg_catalog.=) 1 AND (c.old_rank IS NULL OR c.old_rank OPERATOR(pg_catalog.>) 1)');
  END IF;
  IF ev ? 'entered_top_n' THEN
    branches := branches || format('SELECT ''entered_top_n'', c.*, %s FROM c '
      'WHERE c.new_rank OPERATOR(pg_catalog.<=) %2$s AND (c.old_rank IS NULL OR c.old_rank OPERATOR(pg_catalog.>) %2$s)',
      replace(rank_cols, '''score'', c.new_score', format('''score'', c.new_score, ''top'', %s', (ev ->> 'entered_top_n')::int)),
      (ev ->> 'entered_top_n')::int);
  END IF;
  IF ev ? 'rank_climb' THEN
    branches := branches || format('SELECT ''rank_climb'', c.*, %s FROM c '
      'WHERE (c.old_rank OPERATOR(pg_catalog.-) c.new_rank) OPERATOR(pg_catalog.>=) %s',
      replace(rank_cols, '''score'', c.new_score', '''score'', c.new_score, ''places'', c.old_rank OPERATOR(pg_catalog.-) c.new_rank'),
      (ev ->> 'rank_climb')::int);
  END IF;
  IF ev -> 'personal_best' = 'true' THEN
    -- the agent's best qualified score of the earlier periods of the kind, in any partition
    branches := branches || format(
      'SELECT ''personal_best'', c.*, pg_catalog.jsonb_build_object(''best'', pb.best, ''score'', c.old_score), '
      'pg_catalog.jsonb_build_object(''score'', c.new_score) FROM c, LATERAL (SELECT pg_catalog.max(p.score) AS best '
      'FROM %1$s p WHERE p.%2$I OPERATOR(pg_catalog.=) c.agent::%3$s AND p.period OPERATOR(pg_catalog.=) c.period '
      'AND p.period_start OPERATOR(pg_catalog.<) c.period_start AND p.qualified) pb '
      'WHERE c.new_qualified AND c.new_score OPERATOR(pg_catalog.>) pb.best '
      'AND (c.old_score IS NULL OR c.old_score OPERATOR(pg_catalog.<=) pb.best)',
      b.standings, b.agent_column, agent_type);
  END IF;
  IF ev -> 'goal_met' = 'true' THEN
    -- each rung of a goal ladder the change reaches
    branches := branches || ('SELECT ''goal_met'', c.*, pg_catalog.jsonb_build_object(''actual'', a.old_actual), '
      'pg_catalog.jsonb_build_object(''metric'', gl.metric, ''stat'', gl.stat, ''target'', t.target, ''goal_id'', t.id, ''actual'', a.new_actual) '
      'FROM c ' || ladders ||
      'CROSS JOIN LATERAL ROWS FROM (pg_catalog.unnest(gl.targets), pg_catalog.unnest(gl.ids)) AS t(target, id) '
      'WHERE a.new_actual OPERATOR(pg_catalog.>=) t.target AND (a.old_actual IS NULL OR a.old_actual OPERATOR(pg_catalog.<) t.target)');
  END IF;
  IF ev ? 'streak_milestone' THEN
    -- a day whose daily goal (its ladder's first rung) the change meets ends a run of met
    -- working days; a run as long as a milestone is announced. Each earlier day is met by
    -- the goal in force on it; the run is read back at most as far as the longest milestone.
    branches := branches || format(
      'SELECT ''streak_milestone'', c.*, pg_catalog.jsonb_build_object(''days'', st.days OPERATOR(pg_catalog.-) 1), '
      'pg_catalog.jsonb_build_object(''days'', st.days, ''metric'', gl.metric, ''stat'', gl.stat, ''target'', gl.targets[1]) '
      'FROM c %1$s'
      'CROSS JOIN LATERAL (SELECT leaderboard.current(leaderboard.streak_agg(s.period_start, '
      ' (SELECT %2$s OPERATOR(pg_catalog.>=) d.targets[1] FROM %3$s d '
      '   WHERE d.metric OPERATOR(pg_catalog.=) gl.metric AND d.stat OPERATOR(pg_catalog.=) gl.stat), %4$s), c.period_start) AS days '
      ' FROM %5$s s WHERE s.%6$I OPERATOR(pg_catalog.=) c.agent::%7$s AND s.period OPERATOR(pg_catalog.=) ''day'' '
      ' AND %8$s OPERATOR(pg_catalog.=) c.part AND s.period_start OPERATOR(pg_catalog.<=) c.period_start '
      ' AND s.period_start OPERATOR(pg_catalog.>) (c.period_start OPERATOR(pg_catalog.-) %9$s)) st '
      'WHERE c.period OPERATOR(pg_catalog.=) ''day'' AND a.new_actual OPERATOR(pg_catalog.>=) gl.targets[1] '
      'AND (a.old_actual IS NULL OR a.old_actual OPERATOR(pg_catalog.<) gl.targets[1]) '
      'AND st.days OPERATOR(pg_catalog.=) ANY (%10$L::pg_catalog.int4[])',
      ladders, leaderboard._goal_actual_sql('s.kpis', 'gl.position', 'gl.stat'),
      leaderboard._goal_ladders_sql(b, '''day''', 'c.part', 'c.agent', 's.period_start'),
      cal, b.standings, b.agent_column, agent_type, same_part,
      -- calendar days enough for the longest milestone's working days, weekends and holidays
      2 * (SELECT max(x::int) FROM jsonb_array_elements_text(ev -> 'streak_milestone') x) + 31,
      (SELECT array_agg(x::int) FROM jsonb_array_elements_text(ev -> 'streak_milestone') x));
  END IF;
  IF ev ? 'goal_at_risk' THEN
    -- past the set share of the period's working days, the rung to reach is not met and
    -- the pace falls short of it; once per agent, period and goal
    branches := branches || format(
      'SELECT ''goal_at_risk'', c.*, NULL::pg_catalog.jsonb, '
      'pg_catalog.jsonb_build_object(''metric'', gl.metric, ''stat'', gl.stat, ''target'', r.target, ''goal_id'', r.goal_id, '
      '''actual'', a.new_actual, ''pace'', p.pace, ''working_days_elapsed'', d.days_elapsed, ''working_days'', d.days_total) '
      'FROM c %1$s'
      -- the rung to reach: the lowest target not met (as _goal_rung); the working days of
      -- the period, elapsed and in all (_period_days_sql); the pace (as _goal_pace), spliced
      -- in so that the statement is planned once with them
      'CROSS JOIN LATERAL (SELECT x.target, x.id AS goal_id '
      ' FROM ROWS FROM (pg_catalog.unnest(gl.targets), pg_catalog.unnest(gl.ids)) AS x(target, id) '
      ' WHERE x.target OPERATOR(pg_catalog.>) a.new_actual ORDER BY x.target, x.id LIMIT 1) r '
      'CROSS JOIN LATERAL %7$s d '
      'CROSS JOIN LATERAL (SELECT CASE WHEN gl.stat OPERATOR(pg_catalog.=) ANY (''{avg,rate}''::pg_catalog.text[]) THEN a.new_actual '
      ' WHEN d.days_elapsed OPERATOR(pg_catalog.=) 0 THEN NULL '
      ' ELSE pg_catalog.trim_scale(a.new_actual OPERATOR(pg_catalog.*) d.days_total OPERATOR(pg_catalog./) d.days_elapsed) END AS pace) p '
      'WHERE %6$s OPERATOR(pg_catalog.=) %3$s '
      'AND d.days_total OPERATOR(pg_catalog.>) 0 '
      'AND (d.days_elapsed::pg_catalog.numeric OPERATOR(pg_catalog./) d.days_total) OPERATOR(pg_catalog.>=) %4$s '
      'AND a.new_actual OPERATOR(pg_catalog.<) r.target AND p.pace OPERATOR(pg_catalog.<) r.target '
      -- a lookup a row by the partial index, not an anti-join over the board's events
      'AND (SELECT x.id FROM leaderboard.events x WHERE x.board OPERATOR(pg_catalog.=) %5$L '
      ' AND x.agent OPERATOR(pg_catalog.=) c.agent AND x.period_start OPERATOR(pg_catalog.=) c.period_start '
      ' AND x.kind OPERATOR(pg_catalog.=) ''goal_at_risk'' AND x.period OPERATOR(pg_catalog.=) c.period '
      ' AND x.partition OPERATOR(pg_catalog.=) c.part AND x.new OPERATOR(pg_catalog.->>) ''goal_id'' OPERATOR(pg_catalog.=) r.goal_id::pg_catalog.text '
      ' LIMIT 1) IS NULL',
      ladders, cal, today, (ev ->> 'goal_at_risk')::numeric, b.name,
      leaderboard._goal_day_sql('c.period', 'c.period_start', today),
      leaderboard._period_days_sql(b, 'c.period', 'c.period_start', today, cal));
  END IF;
  RETURN branches;
END $$;
COMMENT ON FUNCTION leaderboard._event_branches(leaderboard.boards) IS
  'internal: the SELECT deriving each event kind a board emits from a relation c of standings row changes';

CREATE OR REPLACE FUNCTION leaderboard.create_campaign(
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

COMMENT ON FUNCTION leaderboard._goal_pace(text, numeric, integer, integer) IS
  'internal: the projected end-of-period value of a goal''s stat from the working days elapsed and in the period';

REVOKE EXECUTE ON FUNCTION leaderboard._period_days_sql(leaderboard.boards, text, text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION leaderboard._period_days_sql(leaderboard.boards, text, text, text, text) TO PUBLIC;
-- (each campaign's <board>_goals counts its window's days once alter_board(board) makes
-- its views again)

-- The functions both changes above rewrote, as they are now
CREATE OR REPLACE FUNCTION leaderboard.create_board(
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
  IF EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = source AND attname IN ('lb_local', 'lb_kind') AND NOT attisdropped) THEN
    RAISE EXCEPTION 'table % has a column named lb_local or lb_kind, which boards reserve', source
      USING ERRCODE = 'duplicate_column';
  END IF;
  t := leaderboard._expression_type(source, quote_ident(at), 'at');
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
    IF NOT t = ANY (supported) THEN
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
  IF cardinality(b.partition_by) <> (SELECT count(DISTINCT x) FROM unnest(b.partition_by) x) THEN
    RAISE EXCEPTION 'a partition_by column is listed twice' USING ERRCODE = 'invalid_parameter_value';
  END IF;

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

  FOREACH p IN ARRAY b.partition_by LOOP
    parts_ddl := parts_ddl || format(', %I %s', p, leaderboard._column_type(source, p));
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
                 leaderboard._column_type(source, agent), agent);
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

CREATE OR REPLACE FUNCTION leaderboard._board_views(b leaderboard.boards) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  schema text := quote_ident((SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = b.source));
  cols text := '';
  s_cols text := '';
  sc_cols text := '';
  p name;
  agent_type text := format_type(leaderboard._expression_type(b.source, quote_ident(b.agent_column), 'agent'), NULL);
  part_ret text := '';
  current_start text := leaderboard._period_start_sql('c.period', format('pg_catalog.now() AT TIME ZONE %L', b.time_zone));
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
BEGIN
  FOREACH p IN ARRAY b.partition_by LOOP
    cols := cols || ', ' || quote_ident(p);
    s_cols := s_cols || ', s.' || quote_ident(p);
    sc_cols := sc_cols || ', sc.' || quote_ident(p);
    part_ret := part_ret || format(', %I %s', p, format_type(leaderboard._expression_type(b.source, quote_ident(p), 'partition'), NULL));
    p_match := p_match || format(' AND p.%1$I IS NOT DISTINCT FROM s.%1$I', p);
    m_cols := m_cols || ', m.' || quote_ident(p);
    x_cols := x_cols || ', x.' || quote_ident(p);
    w_cols := w_cols || format(', (w.partition OPERATOR(pg_catalog.->>) %L)::%s AS %I', p, leaderboard._column_type(b.source, p), p);
  END LOOP;
  -- The current period of each kind comes from a row per kind, joined to the scopes and
  -- through them to the standings: a query naming the kind (and partition values) finds
  -- its scopes by the scopes' index, with period_start an index condition, and reads their
  -- rows by the (scope_id, score, agent) index, instead of testing every row's period.
  -- A scope too large to store ranks is ranked by a window over its rows (one sort of the
  -- scope), not by a count a row; conditions on the period, the partition columns and the
  -- scope reach the indexes below the window, others (an agent) are applied above it. The
  -- scope's rows are read best first (the index backwards), so that the window's sort, of
  -- the same order but for the few rows that do not qualify, finds them nearly in order:
  -- read the other way, the sort of a 100-row scope cost as much as the rest of a top 10.
  EXECUTE format(
    '%7$s VIEW %1$s.%2$I AS SELECT sc.period, sc.period_start%3$s, s.%4$I, s.kpis, s.score, s.qualified, '
    'COALESCE(s.rank, CASE WHEN s.qualified THEN pg_catalog.rank() OVER (PARTITION BY s.scope_id, sc.period, sc.period_start%3$s '
    'ORDER BY s.qualified DESC, s.score DESC) END) AS rank, s.tier, s.updated_at '
    'FROM (SELECT c.period, %6$s AS period_start FROM pg_catalog.unnest(%8$L::pg_catalog.text[]) AS c(period)) c '
    'JOIN %9$s sc ON sc.period = c.period AND sc.period_start = c.period_start '
    'CROSS JOIN LATERAL (SELECT s.* FROM %5$s s WHERE s.scope_id = sc.scope_id ORDER BY s.score DESC) s',
    schema, b.name || '_current', sc_cols, b.agent_column, b.standings, current_start, current_verb, b.periods,
    b.scopes);
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
    ' AND p.period_start OPERATOR(pg_catalog.=) CASE s.period'
    '  WHEN ''day'' THEN s.period_start OPERATOR(pg_catalog.-) 1'
    '  WHEN ''week'' THEN s.period_start OPERATOR(pg_catalog.-) 7'
    '  WHEN ''month'' THEN (s.period_start OPERATOR(pg_catalog.-) ''1 month''::pg_catalog.interval)::pg_catalog.date'
    '  WHEN ''quarter'' THEN (s.period_start OPERATOR(pg_catalog.-) ''3 months''::pg_catalog.interval)::pg_catalog.date'
    '  WHEN ''year'' THEN (s.period_start OPERATOR(pg_catalog.-) ''1 year''::pg_catalog.interval)::pg_catalog.date END%6$s',
    schema, b.name || '_movement', s_cols, b.agent_column, b.standings, p_match, movement_verb,
    format(rank_sql, 's'), format(rank_sql, 'p'));
  EXECUTE format('COMMENT ON VIEW %s.%I IS %L', schema, b.name || '_movement',
    format('rank and score of each row of board %s against the agent''s row in the previous period of the same kind and partition', b.name));
  -- Badges of closed periods: the winners close_periods recorded, and in each closed scope
  -- the rows with the largest rank gain and the largest score gain (ties all get one).
  EXECUTE format(
    '%6$s VIEW %1$s.%2$I AS'
    ' SELECT ''Top Performer''::pg_catalog.text AS badge, w.period, w.period_start%3$s, w.agent::%7$s AS %4$I,'
    '  w.score, NULL::pg_catalog.int8 AS rank_change, NULL::pg_catalog.float8 AS score_change'
    ' FROM leaderboard.period_winners w WHERE w.board OPERATOR(pg_catalog.=) %8$L'
    ' UNION ALL'
    ' SELECT x.badge, x.period, x.period_start%5$s, x.%4$I, x.score, x.rank_change, x.score_change FROM ('
    '  SELECT b.badge, m.*,'
    '   CASE b.badge WHEN ''Fast Climber'' THEN m.rank_change::pg_catalog.float8 ELSE m.score_change END AS lb_gain,'
    '   pg_catalog.max(CASE b.badge WHEN ''Fast Climber'' THEN m.rank_change::pg_catalog.float8 ELSE m.score_change END)'
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
      SELECT r.* FROM leaderboard._around(%6$L::pg_catalog.regclass, %7$L, $1, $2, $3, %8$L)
        AS r(period_start pg_catalog.date%10$s, %5$I %3$s, score pg_catalog.float8, qualified pg_catalog.bool,
             rank pg_catalog.int8, tier pg_catalog.text)
    $body$ $f$,
    schema, b.name || '_around', agent_type, part_ret, b.agent_column,
    b.standings::text, b.time_zone, b.agent_column, around_verb, part_ret);
  EXECUTE format('COMMENT ON FUNCTION %s.%I(%s, text, integer) IS %L', schema, b.name || '_around', agent_type,
    format('an agent''s neighbours on board %s: width rows above and below in the current period', b.name));
  PERFORM leaderboard._goal_views(b);
END $$;
COMMENT ON FUNCTION leaderboard._board_views(leaderboard.boards) IS
  'internal: (re)creates a board''s views and around-me function';

CREATE OR REPLACE FUNCTION leaderboard._goal_views(b leaderboard.boards) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  schema text := leaderboard._board_schema(b);
  s_cols text := '';
  m_cols text := '';
  x_cols text := '';
  l_cols text := '';
  p name;
  cal text := format('%L::leaderboard.calendar', coalesce(b.calendar::text, 'Mon-Sun'));
  today text := format('(pg_catalog.now() AT TIME ZONE %L)::pg_catalog.date', b.time_zone);
  goals_verb text := leaderboard._create_verb(b, format('view %s.%I', schema, b.name || '_goals'),
    (SELECT c.relowner FROM pg_class c WHERE c.oid = to_regclass(format('%s.%I', schema, b.name || '_goals'))));
  streaks_verb text;
  matching text[] := '{}';
  day_sql text;
BEGIN
  FOREACH p IN ARRAY b.partition_by LOOP
    s_cols := s_cols || ', s.' || quote_ident(p);
    m_cols := m_cols || ', m.' || quote_ident(p);
    x_cols := x_cols || 'x.' || quote_ident(p) || ', ';
    l_cols := l_cols || ', l.' || quote_ident(p);
  END LOOP;
  -- the goals of a standings row s in force on its day (today in <board>_goals); the
  -- agent, as its partition, compared as a value: its text depends on the reader's settings
  FOREACH day_sql IN ARRAY ARRAY['c.lb_today', 's.period_start'] LOOP
    matching := matching || format(
      'JOIN leaderboard.goals g ON g.board = %2$L AND g.period = s.period'
      ' AND (g.effective_from IS NULL OR g.effective_from <= %1$s) AND (g.effective_to IS NULL OR g.effective_to >= %1$s)'
      ' AND CASE WHEN g.board OPERATOR(pg_catalog.<>) %2$L OR g.agent IS NULL THEN true'
      '  ELSE s.%3$I OPERATOR(pg_catalog.=) g.agent::%5$s END AND %4$s',
      day_sql, b.name, b.agent_column, leaderboard._goal_partition_sql(b, 's', NULL),
      leaderboard._column_base_type(b.source, b.agent_column));
  END LOOP;
  EXECUTE format(
    '%1$s VIEW %2$s.%3$I AS '
    'WITH c AS ('
    ' SELECT k.period, k.period_start, k.lb_today, d.days_elapsed, d.days_total FROM ('
    '  SELECT k.period, %4$s AS period_start, t.lb_today'
    '  FROM (SELECT %5$s AS lb_today) t, pg_catalog.unnest(%6$L::pg_catalog.text[]) AS k(period)) k'
    ' CROSS JOIN LATERAL %7$s d), '
    'm AS ('
    ' SELECT c.period, c.period_start, c.days_elapsed, c.days_total, s.scope_id%8$s, s.%9$I, g.metric, g.stat, g.id, g.target,'
    '  leaderboard._goal_actual(s.kpis, pg_catalog.array_position(%10$L::pg_catalog.text[], g.metric), g.stat) AS actual,'
    '  pg_catalog.dense_rank() OVER (PARTITION BY s.scope_id, s.%9$I, g.metric, g.stat'
    '   ORDER BY g.agent IS NOT NULL DESC, (SELECT pg_catalog.count(*) FROM pg_catalog.jsonb_object_keys(g.partition)) DESC,'
    '   g.partition::pg_catalog.text) AS lb_rank'
    ' FROM c JOIN %15$s sc ON sc.period = c.period AND sc.period_start = c.period_start'
    ' JOIN %11$s s ON s.scope_id = sc.scope_id %12$s) '
    'SELECT l.period, l.period_start%13$s, l.%9$I, l.metric, l.stat, r.target, r.rungs, r.rungs_met, r.goal_id,'
    ' l.actual, pg_catalog.trim_scale(l.actual / r.target) AS progress, p.pace, p.pace >= r.target AS on_track,'
    ' l.days_elapsed AS working_days_elapsed, l.days_total AS working_days '
    'FROM (SELECT m.period, m.period_start, m.days_elapsed, m.days_total, m.scope_id%14$s, m.%9$I, m.metric, m.stat, m.actual,'
    '       pg_catalog.array_agg(m.target ORDER BY m.target, m.id) AS targets, pg_catalog.array_agg(m.id ORDER BY m.target, m.id) AS lb_ids'
    '      FROM m WHERE m.lb_rank = 1'
    '      GROUP BY m.period, m.period_start, m.days_elapsed, m.days_total, m.scope_id%14$s, m.%9$I, m.metric, m.stat, m.actual) l '
    'CROSS JOIN LATERAL leaderboard._goal_rung(l.targets, l.lb_ids, l.actual) r '
    'CROSS JOIN LATERAL (SELECT leaderboard._goal_pace(l.stat, l.actual, l.days_elapsed, l.days_total) AS pace) p',
    goals_verb, schema, b.name || '_goals',
    leaderboard._period_start_sql('k.period', 't.lb_today::pg_catalog.timestamp'), today, b.periods,
    leaderboard._period_days_sql(b, 'k.period', 'k.period_start', 'k.lb_today', cal),
    s_cols, b.agent_column, b.metric_names, b.standings, matching[1],
    l_cols, m_cols, b.scopes);
  EXECUTE format('COMMENT ON VIEW %s.%I IS %L', schema, b.name || '_goals',
    format('goals of board %s in force today: per agent and current period, the target, actual, progress and pace', b.name));

  IF NOT 'day' = ANY (b.periods) THEN
    RETURN;
  END IF;
  streaks_verb := leaderboard._create_verb(b, format('view %s.%I', schema, b.name || '_streaks'),
    (SELECT c.relowner FROM pg_class c WHERE c.oid = to_regclass(format('%s.%I', schema, b.name || '_streaks'))));
  -- a day is met when its actual reaches the lowest rung of the daily goal ladder in force
  -- that day; days out of the streak type's range (before year 1) are left out, and so are
  -- days more than 36000 days before today or 524 after it: a streak spans at most 36525
  -- days, and one call of a mistyped year would fail the view for every reader
  EXECUTE format(
    '%1$s VIEW %2$s.%3$I AS '
    'SELECT %12$s x.%6$I, x.metric, x.stat, leaderboard.longest(x.streak) AS longest_streak,'
    ' leaderboard.longest_start(x.streak) AS longest_start, leaderboard.current(x.streak, %4$s) AS current_streak,'
    ' leaderboard.met_days(x.streak) AS met_days, x.streak '
    'FROM (SELECT m.metric, m.stat%5$s, m.%6$I, leaderboard.streak_agg(m.period_start, m.actual >= m.target, %7$s) AS streak'
    '      FROM (SELECT s.period_start%8$s, s.%6$I, g.metric, g.stat, g.target,'
    '             leaderboard._goal_actual(s.kpis, pg_catalog.array_position(%9$L::pg_catalog.text[], g.metric), g.stat) AS actual,'
    '             pg_catalog.dense_rank() OVER (PARTITION BY s.scope_id, s.%6$I, g.metric, g.stat'
    '              ORDER BY g.agent IS NOT NULL DESC, (SELECT pg_catalog.count(*) FROM pg_catalog.jsonb_object_keys(g.partition)) DESC,'
    '              g.partition::pg_catalog.text) AS lb_rank'
    '            FROM %10$s s %11$s'
    '            WHERE s.period = ''day'' AND s.period_start >= ''0001-01-01''::pg_catalog.date'
    '             AND s.period_start >= (%4$s) OPERATOR(pg_catalog.-) 36000'
    '             AND s.period_start <= (%4$s) OPERATOR(pg_catalog.+) 524) m'
    '      WHERE m.lb_rank = 1'
    '      GROUP BY m.metric, m.stat%5$s, m.%6$I) x',
    streaks_verb, schema, b.name || '_streaks', today, m_cols, b.agent_column, cal, s_cols, b.metric_names,
    b.standings, matching[2], x_cols);
  EXECUTE format('COMMENT ON VIEW %s.%I IS %L', schema, b.name || '_streaks',
    format('streaks of board %s: per agent and partition, runs of working days on which the agent met a daily goal', b.name));
END $$;
COMMENT ON FUNCTION leaderboard._goal_views(leaderboard.boards) IS
  'internal: (re)creates a board''s <board>_goals view and, for a board keeping day rows, its <board>_streaks view';

CREATE OR REPLACE FUNCTION leaderboard.close_periods(board text) RETURNS integer
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

CREATE OR REPLACE FUNCTION leaderboard.check_goals(board text) RETURNS bigint
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp SET DateStyle = 'ISO, YMD' SET TimeZone = 'UTC'
  SET IntervalStyle = 'postgres' SET extra_float_digits = 1 AS $$
DECLARE
  b leaderboard.boards := leaderboard._board(board);
  today text := format('(pg_catalog.now() AT TIME ZONE %L)::pg_catalog.date', b.time_zone);
  periods text[];
  n bigint;
BEGIN
  PERFORM leaderboard._require_owner(b);
  IF NOT coalesce(b.events ? 'goal_at_risk', false) THEN
    RETURN 0;
  END IF;
  -- once per agent, period and goal: the check reads the events committed before it
  IF current_setting('transaction_isolation') <> 'read committed' THEN
    RAISE EXCEPTION 'check_goals must run in a READ COMMITTED transaction' USING ERRCODE = 'active_sql_transaction',
      DETAIL = 'Under a transaction snapshot it would not see the goal_at_risk events committed since, and would announce them again.',
      HINT = 'Call it on its own, as a scheduled job does.';
  END IF;
  PERFORM leaderboard._lock_scopes(b);
  -- the events setting as an alter_board this waited for left it
  b := leaderboard._board_after_lock(board, b);
  IF NOT coalesce(b.events ? 'goal_at_risk', false) THEN
    RETURN 0;
  END IF;
  periods := coalesce((SELECT array_agg(x #>> '{}') FROM jsonb_array_elements(b.events -> 'periods') x), b.periods);
  b.events := jsonb_build_object('goal_at_risk', b.events -> 'goal_at_risk');
  EXECUTE leaderboard._events_write_sql(b, format(
    'SELECT s.scope_id, s.%1$I::pg_catalog.text AS agent, s.period, s.period_start, %2$s AS part, '
    's.rank AS old_rank, s.rank AS new_rank, s.tier AS old_tier, s.tier AS new_tier, s.score AS old_score, s.score AS new_score, '
    's.qualified AS new_qualified, s.kpis AS old_kpis, s.kpis AS new_kpis '
    'FROM %7$s sc JOIN %3$s s ON s.scope_id OPERATOR(pg_catalog.=) sc.scope_id '
    'WHERE sc.period OPERATOR(pg_catalog.=) ANY (%4$L::pg_catalog.text[]) '
    'AND %6$s OPERATOR(pg_catalog.=) %5$s',
    b.agent_column, leaderboard._events_partition_sql(b, 's'), b.standings, periods, today,
    leaderboard._goal_day_sql('sc.period', 'sc.period_start', today), b.scopes),
    leaderboard._event_branches(b)) INTO n;
  -- a REPEATABLE READ writer of these scopes whose snapshot is older than this commit
  -- would not see the events and could announce them again: new versions of their scope
  -- rows make its commit-time apply, which locks them, raise 40001
  IF n > 0 THEN
    EXECUTE format('UPDATE %1$s sc SET version = sc.version OPERATOR(pg_catalog.+) 1 '
                   'WHERE (sc.period, sc.period_start, %2$s) IN (SELECT e.period, e.period_start, e.partition '
                   'FROM leaderboard.events e WHERE e.board OPERATOR(pg_catalog.=) %3$L '
                   'AND e.kind OPERATOR(pg_catalog.=) ''goal_at_risk'' AND e.xid OPERATOR(pg_catalog.=) pg_catalog.pg_current_xact_id())',
                   b.scopes, leaderboard._events_partition_sql(b, 'sc'), b.name);
  END IF;
  RETURN coalesce(n, 0);
END $$;
COMMENT ON FUNCTION leaderboard.check_goals(text) IS
  'announces goal_at_risk for the agents of a board''s current periods whose pace falls short of their goal, once per agent, period and goal; returns how many';


-- Later cards order ties as the first card does and score no closed period; a campaign's
-- goals are at risk only within its window
CREATE OR REPLACE FUNCTION leaderboard._check_card_versions(board text, versions jsonb) RETURNS void
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
    -- a card new to the board scores no closed period
    WHEN EXISTS (SELECT 1 FROM jsonb_array_elements(versions) v
                 WHERE NOT b.card_versions @> jsonb_build_array(v)
                   AND (v ->> 'from')::date < (SELECT max(c.value::date) FROM jsonb_each_text(b.closed_before) c
                                               WHERE c.key <> 'all'))
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

CREATE OR REPLACE FUNCTION leaderboard._period_days_sql(b leaderboard.boards, period text, period_start text, as_of text, cal text)
RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT format('(SELECT leaderboard.working_days(%1$s, y.first, LEAST(%2$s, y.last)) AS days_elapsed, '
                'leaderboard.working_days(%1$s, y.first, y.last) AS days_total, y.first AS first_day, y.last AS last_day '
                'FROM (SELECT %3$s AS first, %4$s AS last) y)',
                cal, as_of,
                CASE WHEN b.ends IS NULL
                     THEN format('CASE WHEN %s OPERATOR(pg_catalog.<>) ''all'' THEN %s END', period, period_start)
                     ELSE format('%L::pg_catalog.date', (b.starts AT TIME ZONE b.time_zone)::date) END,
                CASE WHEN b.ends IS NULL
                     THEN format('CASE WHEN %s OPERATOR(pg_catalog.<>) ''all'' THEN %s END', period,
                                 leaderboard._period_last_day_sql(period, period_start))
                     ELSE format('%L::pg_catalog.date', ((b.ends AT TIME ZONE b.time_zone) - interval '1 microsecond')::date) END)
$$;
COMMENT ON FUNCTION leaderboard._period_days_sql(leaderboard.boards, text, text, text, text) IS
  'internal: SQL giving the working days of a period elapsed by a day and in all, over a campaign''s window for its period all';

CREATE OR REPLACE FUNCTION leaderboard._event_branches(b leaderboard.boards) RETURNS text[]
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  ev jsonb := b.events;
  branches text[] := '{}';
  ladder text := quote_literal(b.ladder::text) || '::leaderboard.ladder';
  -- casts of agents run as the owner at commit: never into a domain (_column_base_type)
  agent_type text := leaderboard._column_base_type(b.standings, b.agent_column);
  rank_cols text := 'pg_catalog.jsonb_build_object(''rank'', c.old_rank), pg_catalog.jsonb_build_object(''rank'', c.new_rank, ''score'', c.new_score)';
  today text := format('(pg_catalog.now() AT TIME ZONE %L)::pg_catalog.date', b.time_zone);
  cal text := format('%L::leaderboard.calendar', coalesce(b.calendar::text, 'Mon-Sun'));
  same_part text := leaderboard._events_partition_sql(b, 's');
  -- a goal ladder of the row and its stat's value before and after the change
  ladders text;
  kind text;
  op text;
BEGIN
  IF b.ladder IS NULL THEN
    ev := ev - 'tier_up' - 'tier_down';
  END IF;
  ladders := format(
    'CROSS JOIN LATERAL %1$s gl CROSS JOIN LATERAL (SELECT %2$s AS old_actual, %3$s AS new_actual) a ',
    leaderboard._goal_ladders_sql(b, 'c.period', 'c.part', 'c.agent', leaderboard._goal_day_sql('c.period', 'c.period_start', today)),
    leaderboard._goal_actual_sql('c.old_kpis', 'gl.position', 'gl.stat'),
    leaderboard._goal_actual_sql('c.new_kpis', 'gl.position', 'gl.stat'));
  -- tier_up and tier_down: the tier's ladder level rises or falls
  FOR kind, op IN VALUES ('tier_up', '>'), ('tier_down', '<') LOOP
    IF ev -> kind = 'true' THEN
      branches := branches || format(
        'SELECT %2$L, c.*, pg_catalog.jsonb_build_object(''tier'', c.old_tier, ''score'', c.old_score), '
        'pg_catalog.jsonb_build_object(''tier'', c.new_tier, ''score'', c.new_score) FROM c '
        'WHERE leaderboard.tier_level(c.new_tier, %1$s) OPERATOR(pg_catalog.%3$s) leaderboard.tier_level(c.old_tier, %1$s)',
        ladder, kind, op);
    END IF;
  END LOOP;
  IF ev -> 'new_leader' = 'true' THEN
    branches := branches || ('SELECT ''new_leader'', c.*, ' || rank_cols || ' FROM c '
      'WHERE c.new_rank OPERATOR(pg_catalog.=) 1 AND (c.old_rank IS NULL OR c.old_rank OPERATOR(pg_catalog.>) 1)');
  END IF;
  IF ev ? 'entered_top_n' THEN
    branches := branches || format('SELECT ''entered_top_n'', c.*, %s FROM c '
      'WHERE c.new_rank OPERATOR(pg_catalog.<=) %2$s AND (c.old_rank IS NULL OR c.old_rank OPERATOR(pg_catalog.>) %2$s)',
      replace(rank_cols, '''score'', c.new_score', format('''score'', c.new_score, ''top'', %s', (ev ->> 'entered_top_n')::int)),
      (ev ->> 'entered_top_n')::int);
  END IF;
  IF ev ? 'rank_climb' THEN
    branches := branches || format('SELECT ''rank_climb'', c.*, %s FROM c '
      'WHERE (c.old_rank OPERATOR(pg_catalog.-) c.new_rank) OPERATOR(pg_catalog.>=) %s',
      replace(rank_cols, '''score'', c.new_score', '''score'', c.new_score, ''places'', c.old_rank OPERATOR(pg_catalog.-) c.new_rank'),
      (ev ->> 'rank_climb')::int);
  END IF;
  IF ev -> 'personal_best' = 'true' THEN
    -- the agent's best qualified score of the earlier periods of the kind, in any partition;
    -- an old score that was not qualified had not passed it (the stored qualified is the
    -- card in force's verdict on the kpis)
    branches := branches || format(
      'SELECT ''personal_best'', c.*, pg_catalog.jsonb_build_object(''best'', pb.best, ''score'', c.old_score), '
      'pg_catalog.jsonb_build_object(''score'', c.new_score) FROM c, LATERAL (SELECT pg_catalog.max(p.score) AS best '
      'FROM %1$s p WHERE p.%2$I OPERATOR(pg_catalog.=) c.agent::%3$s AND p.period OPERATOR(pg_catalog.=) c.period '
      'AND p.period_start OPERATOR(pg_catalog.<) c.period_start AND p.qualified) pb '
      'WHERE c.new_qualified AND c.new_score OPERATOR(pg_catalog.>) pb.best '
      'AND (c.old_score IS NULL OR c.old_score OPERATOR(pg_catalog.<=) pb.best OR NOT leaderboard.qualified(c.old_kpis, %4$s))',
      b.standings, b.agent_column, agent_type, leaderboard._card_sql(b, 'c.period', 'c.period_start'));
  END IF;
  IF ev -> 'goal_met' = 'true' THEN
    -- each rung of a goal ladder the change reaches
    branches := branches || ('SELECT ''goal_met'', c.*, pg_catalog.jsonb_build_object(''actual'', a.old_actual), '
      'pg_catalog.jsonb_build_object(''metric'', gl.metric, ''stat'', gl.stat, ''target'', t.target, ''goal_id'', t.id, ''actual'', a.new_actual) '
      'FROM c ' || ladders ||
      'CROSS JOIN LATERAL ROWS FROM (pg_catalog.unnest(gl.targets), pg_catalog.unnest(gl.ids)) AS t(target, id) '
      'WHERE a.new_actual OPERATOR(pg_catalog.>=) t.target AND (a.old_actual IS NULL OR a.old_actual OPERATOR(pg_catalog.<) t.target)');
  END IF;
  IF ev ? 'streak_milestone' THEN
    -- a working day whose daily goal (its ladder's first rung) the change meets ends a run
    -- of met working days; a run as long as a milestone is announced (a day off neither
    -- extends nor ends one). Each earlier day is met by the goal in force on it; the run
    -- is read back at most as far as the longest milestone.
    branches := branches || format(
      'SELECT ''streak_milestone'', c.*, pg_catalog.jsonb_build_object(''days'', st.days OPERATOR(pg_catalog.-) 1), '
      'pg_catalog.jsonb_build_object(''days'', st.days, ''metric'', gl.metric, ''stat'', gl.stat, ''target'', gl.targets[1]) '
      'FROM c %1$s'
      'CROSS JOIN LATERAL (SELECT leaderboard.current(leaderboard.streak_agg(s.period_start, '
      ' (SELECT %2$s OPERATOR(pg_catalog.>=) d.targets[1] FROM %3$s d '
      '   WHERE d.metric OPERATOR(pg_catalog.=) gl.metric AND d.stat OPERATOR(pg_catalog.=) gl.stat), %4$s), c.period_start) AS days '
      ' FROM %5$s s WHERE s.%6$I OPERATOR(pg_catalog.=) c.agent::%7$s AND s.period OPERATOR(pg_catalog.=) ''day'' '
      ' AND %8$s OPERATOR(pg_catalog.=) c.part AND s.period_start OPERATOR(pg_catalog.<=) c.period_start '
      ' AND s.period_start OPERATOR(pg_catalog.>) (c.period_start OPERATOR(pg_catalog.-) %9$s)) st '
      'WHERE c.period OPERATOR(pg_catalog.=) ''day'' AND leaderboard.is_working_day(%4$s, c.period_start) '
      'AND a.new_actual OPERATOR(pg_catalog.>=) gl.targets[1] '
      'AND (a.old_actual IS NULL OR a.old_actual OPERATOR(pg_catalog.<) gl.targets[1]) '
      'AND st.days OPERATOR(pg_catalog.=) ANY (%10$L::pg_catalog.int4[])',
      ladders, leaderboard._goal_actual_sql('s.kpis', 'gl.position', 'gl.stat'),
      leaderboard._goal_ladders_sql(b, '''day''', 'c.part', 'c.agent', 's.period_start'),
      cal, b.standings, b.agent_column, agent_type, same_part,
      -- calendar days enough for the longest milestone's working days, weekends and holidays
      2 * (SELECT max(x::int) FROM jsonb_array_elements_text(ev -> 'streak_milestone') x) + 31,
      (SELECT array_agg(x::int) FROM jsonb_array_elements_text(ev -> 'streak_milestone') x));
  END IF;
  IF ev ? 'goal_at_risk' THEN
    -- past the set share of the period's working days, the rung to reach is not met and
    -- the pace falls short of it; once per agent, period and goal
    branches := branches || format(
      'SELECT ''goal_at_risk'', c.*, NULL::pg_catalog.jsonb, '
      'pg_catalog.jsonb_build_object(''metric'', gl.metric, ''stat'', gl.stat, ''target'', r.target, ''goal_id'', r.goal_id, '
      '''actual'', a.new_actual, ''pace'', p.pace, ''working_days_elapsed'', d.days_elapsed, ''working_days'', d.days_total) '
      'FROM c %1$s'
      -- the rung to reach: the lowest target not met (as _goal_rung); the working days of
      -- the period, elapsed and in all (_period_days_sql); the pace (as _goal_pace), spliced
      -- in so that the statement is planned once with them
      'CROSS JOIN LATERAL (SELECT x.target, x.id AS goal_id '
      ' FROM ROWS FROM (pg_catalog.unnest(gl.targets), pg_catalog.unnest(gl.ids)) AS x(target, id) '
      ' WHERE x.target OPERATOR(pg_catalog.>) a.new_actual ORDER BY x.target, x.id LIMIT 1) r '
      'CROSS JOIN LATERAL %7$s d '
      'CROSS JOIN LATERAL (SELECT CASE WHEN gl.stat OPERATOR(pg_catalog.=) ANY (''{avg,rate}''::pg_catalog.text[]) THEN a.new_actual '
      ' WHEN d.days_elapsed OPERATOR(pg_catalog.=) 0 THEN NULL '
      ' ELSE pg_catalog.trim_scale(a.new_actual OPERATOR(pg_catalog.*) d.days_total OPERATOR(pg_catalog./) d.days_elapsed) END AS pace) p '
      -- the period runs today: a campaign's period all only within its window
      'WHERE %6$s OPERATOR(pg_catalog.=) %3$s '
      'AND %3$s OPERATOR(pg_catalog.>=) d.first_day AND %3$s OPERATOR(pg_catalog.<=) d.last_day '
      'AND d.days_total OPERATOR(pg_catalog.>) 0 '
      'AND (d.days_elapsed::pg_catalog.numeric OPERATOR(pg_catalog./) d.days_total) OPERATOR(pg_catalog.>=) %4$s '
      'AND a.new_actual OPERATOR(pg_catalog.<) r.target AND p.pace OPERATOR(pg_catalog.<) r.target '
      -- a lookup a row by the partial index, not an anti-join over the board's events
      'AND (SELECT x.id FROM leaderboard.events x WHERE x.board OPERATOR(pg_catalog.=) %5$L '
      ' AND x.agent OPERATOR(pg_catalog.=) c.agent AND x.period_start OPERATOR(pg_catalog.=) c.period_start '
      ' AND x.kind OPERATOR(pg_catalog.=) ''goal_at_risk'' AND x.period OPERATOR(pg_catalog.=) c.period '
      ' AND x.partition OPERATOR(pg_catalog.=) c.part AND x.new OPERATOR(pg_catalog.->>) ''goal_id'' OPERATOR(pg_catalog.=) r.goal_id::pg_catalog.text '
      ' LIMIT 1) IS NULL',
      ladders, cal, today, (ev ->> 'goal_at_risk')::numeric, b.name,
      leaderboard._goal_day_sql('c.period', 'c.period_start', today),
      leaderboard._period_days_sql(b, 'c.period', 'c.period_start', today, cal));
  END IF;
  RETURN branches;
END $$;
COMMENT ON FUNCTION leaderboard._event_branches(leaderboard.boards) IS
  'internal: the SELECT deriving each event kind a board emits from a relation c of standings row changes';


-- A campaign's window days from one function, for the SQL and the apply's check in C
CREATE FUNCTION leaderboard._campaign_days(b leaderboard.boards, OUT first_day date, OUT last_day date)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT (b.starts AT TIME ZONE b.time_zone)::date,
         ((b.ends AT TIME ZONE b.time_zone) - interval '1 microsecond')::date
$$;
COMMENT ON FUNCTION leaderboard._campaign_days(leaderboard.boards) IS
  'internal: the first and last day of a campaign''s window in its time zone; NULL for other boards';

CREATE OR REPLACE FUNCTION leaderboard._period_days_sql(b leaderboard.boards, period text, period_start text, as_of text, cal text)
RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT format('(SELECT leaderboard.working_days(%1$s, y.first, LEAST(%2$s, y.last)) AS days_elapsed, '
                'leaderboard.working_days(%1$s, y.first, y.last) AS days_total, y.first AS first_day, y.last AS last_day '
                'FROM (SELECT %3$s AS first, %4$s AS last) y)',
                cal, as_of,
                CASE WHEN b.ends IS NULL
                     THEN format('CASE WHEN %s OPERATOR(pg_catalog.<>) ''all'' THEN %s END', period, period_start)
                     ELSE format('%L::pg_catalog.date', w.first_day) END,
                CASE WHEN b.ends IS NULL
                     THEN format('CASE WHEN %s OPERATOR(pg_catalog.<>) ''all'' THEN %s END', period,
                                 leaderboard._period_last_day_sql(period, period_start))
                     ELSE format('%L::pg_catalog.date', w.last_day) END)
  FROM leaderboard._campaign_days(b) w
$$;
COMMENT ON FUNCTION leaderboard._period_days_sql(leaderboard.boards, text, text, text, text) IS
  'internal: SQL giving the working days of a period elapsed by a day and in all, over a campaign''s window for its period all';

REVOKE EXECUTE ON FUNCTION leaderboard._campaign_days(leaderboard.boards) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION leaderboard._campaign_days(leaderboard.boards) TO PUBLIC;

-- alter_board rescoring: a scope where at least half the scores change takes a new
-- scope_id and its rows are written again under it, with keys new to both indexes; the
-- other scopes' rows are updated in place where they change
CREATE OR REPLACE FUNCTION leaderboard._board_statements(board text,
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
  rank_fn text; ties text := ''; rank_order_s text; rank_order_e text;
  rank_tier text := ''; rank_tier_cmp text := '';
  tie text;
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
  -- side: its bound, or the bound's time in another zone, would be out of range.
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
  IF leaderboard._expression_type(b.source, qt, 'at') = 'timestamptz'::regtype THEN
    lo := format('(%s AT TIME ZONE %L)', lo, b.time_zone);
    hi := format('(%s AT TIME ZONE %L)', hi, b.time_zone);
  ELSIF leaderboard._expression_type(b.source, qt, 'at') = 'date'::regtype THEN
    lo := lo || '::pg_catalog.date'; hi := hi || '::pg_catalog.date';
  END IF;
  in_period := format('s.%1$s >= %2$s AND s.%1$s < %3$s AND (k.period = ''all'' OR %4$s = k.period_start)',
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

  rank_fn := CASE b.rank_style WHEN 'dense_rank' THEN 'pg_catalog.dense_rank()'
                               WHEN 'row_number' THEN 'pg_catalog.row_number()'
                               ELSE 'pg_catalog.rank()' END;
  -- the ORDER BY of the ranking window over the rows of alias s, or e: _tie_break_sql()
  -- gives only names of functions and a metric's position, with {{t}} for the alias
  IF b.rank_style = 'row_number' THEN
    FOREACH tie IN ARRAY b.tie_break LOOP
      ties := ties || ', ' || leaderboard._tie_break_sql(b, tie);
    END LOOP;
  END IF;
  rank_order_s := replace('{{t}}.qualified DESC, {{t}}.score DESC' || ties, '{{t}}', 's');
  rank_order_e := replace('{{t}}.qualified DESC, {{t}}.score DESC' || ties, '{{t}}', 'e');
  IF b.rank_style = 'row_number' THEN
    rank_order_s := rank_order_s || ', s.' || qa;
    rank_order_e := rank_order_e || ', e.' || qa;
  END IF;
  IF b.ladder IS NOT NULL AND NOT leaderboard.ladder_kind(b.ladder) = 'points' THEN
    rank_tier := format(', tier = leaderboard.tier_by_rank(r.rk, r.n, %L::leaderboard.ladder)', b.ladder);
    rank_tier_cmp := format(' OR w.tier IS DISTINCT FROM leaderboard.tier_by_rank(w.rk, w.n, %L::leaderboard.ladder)', b.ladder);
  END IF;
  -- only rows whose rank (or rank tier) changes are joined back and written; rank is in
  -- no index, so those updates are HOT. The scopes re-ranked go between head and tail.
  rerank_head := format(
    'UPDATE %1$s t SET rank = r.rk%2$s FROM ('
    ' SELECT * FROM ('
    '  SELECT s.scope_id, s.period, s.period_start, s.%3$s, s.rank, s.tier, CASE WHEN s.qualified THEN %4$s OVER w END AS rk,'
    '   pg_catalog.count(*) FILTER (WHERE s.qualified) OVER (PARTITION BY s.scope_id) AS n'
    '  FROM %1$s s WHERE ',
    st, rank_tier, qa, rank_fn);
  rerank_tail := format(
    '  WINDOW w AS (PARTITION BY s.scope_id ORDER BY %1$s)) w'
    ' WHERE w.rank IS DISTINCT FROM w.rk%2$s) r'
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
      ' FROM (SELECT scope_key, (pg_catalog.array_agg(%1$s))[1] AS %1$s FROM lb_pending GROUP BY scope_key'
      '       HAVING pg_catalog.count(DISTINCT %1$s) = 1) k'
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
    '  pg_catalog.count(*) FILTER (WHERE e.qualified) OVER (PARTITION BY e.scope_key) AS n'
    ' FROM (SELECT g.*, %6$s AS score, %7$s AS qualified FROM (',
    r_parts, qa,
    CASE WHEN b.ladder IS NULL THEN 'NULL::pg_catalog.text'
         WHEN leaderboard.ladder_kind(b.ladder) = 'points'
           THEN format('CASE WHEN r.qualified THEN leaderboard.tier(r.score, %L::leaderboard.ladder) END', b.ladder)
         ELSE format('CASE WHEN r.qualified THEN leaderboard.tier_by_rank(r.rank, r.n, %L::leaderboard.ladder) END', b.ladder) END,
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

CREATE OR REPLACE FUNCTION leaderboard.alter_board(board text, scorecard jsonb DEFAULT NULL, ladder leaderboard.ladder DEFAULT NULL,
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
  old_extremes bigint := leaderboard._exact_extremes(b);
BEGIN
  PERFORM leaderboard._require_owner(b);
  EXECUTE format('LOCK TABLE %s IN EXCLUSIVE MODE', b.scopes);
  IF effective_from IS NOT NULL THEN
    PERFORM leaderboard._check_effective_from(b, scorecard, effective_from);
  END IF;
  -- a NULL argument is one not given: a ladder is removed by name, not by a NULL
  IF drop_ladder AND ladder IS NOT NULL THEN
    RAISE EXCEPTION 'a new ladder and drop_ladder cannot be combined' USING ERRCODE = 'invalid_parameter_value',
      HINT = 'Give either ladder => ''...'' or drop_ladder => true.';
  END IF;
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
    PERFORM leaderboard._board_event_trigger(b);
  END IF;
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
    IF scorecard IS NULL AND ladder IS NULL AND drop_ladder IS NOT TRUE THEN
      RETURN 0;
    END IF;
  END IF;
  -- nothing to change: the board's views are made again (this is how boards made by an
  -- older version get this version's views after ALTER EXTENSION UPDATE) and no row is
  -- rescored
  IF scorecard IS NULL AND ladder IS NULL AND drop_ladder IS NOT TRUE THEN
    PERFORM leaderboard._board_views(b);
    RETURN 0;
  END IF;
  IF scorecard IS NOT NULL THEN
    PERFORM leaderboard._check_tie_break(b.tie_break, scorecard);
    IF effective_from IS NULL THEN
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
  EXECUTE (SELECT x.rescore FROM leaderboard._board_statements(board) x) INTO n USING ladder IS NULL;
  RETURN n;
END $$;

-- <board>_current reads scopes that store ranks and scopes too large to store them in two
-- branches, so that the first runs no window (a board's views are made again by
-- alter_board(name), as the update asks above)
CREATE OR REPLACE FUNCTION leaderboard._board_views(b leaderboard.boards) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  schema text := quote_ident((SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = b.source));
  cols text := '';
  s_cols text := '';
  sc_cols text := '';
  p name;
  agent_type text := format_type(leaderboard._expression_type(b.source, quote_ident(b.agent_column), 'agent'), NULL);
  part_ret text := '';
  current_start text := leaderboard._period_start_sql('c.period', format('pg_catalog.now() AT TIME ZONE %L', b.time_zone));
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
BEGIN
  FOREACH p IN ARRAY b.partition_by LOOP
    cols := cols || ', ' || quote_ident(p);
    s_cols := s_cols || ', s.' || quote_ident(p);
    sc_cols := sc_cols || ', sc.' || quote_ident(p);
    part_ret := part_ret || format(', %I %s', p, format_type(leaderboard._expression_type(b.source, quote_ident(p), 'partition'), NULL));
    p_match := p_match || format(' AND p.%1$I IS NOT DISTINCT FROM s.%1$I', p);
    m_cols := m_cols || ', m.' || quote_ident(p);
    x_cols := x_cols || ', x.' || quote_ident(p);
    w_cols := w_cols || format(', (w.partition OPERATOR(pg_catalog.->>) %L)::%s AS %I', p, leaderboard._column_type(b.source, p), p);
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
  EXECUTE format(
    '%7$s VIEW %1$s.%2$I AS SELECT sc.period, sc.period_start%3$s, s.%4$I, s.kpis, s.score, s.qualified, '
    's.rank, s.tier, s.updated_at '
    '%6$s AND sc.ranks_stored '
    'CROSS JOIN LATERAL (SELECT s.* FROM %5$s s WHERE s.scope_id = sc.scope_id) s '
    'UNION ALL SELECT sc.period, sc.period_start%3$s, s.%4$I, s.kpis, s.score, s.qualified, '
    'CASE WHEN s.qualified THEN pg_catalog.rank() OVER (PARTITION BY s.scope_id, sc.period, sc.period_start%3$s '
    'ORDER BY s.qualified DESC, s.score DESC) END, s.tier, s.updated_at '
    '%6$s AND NOT sc.ranks_stored '
    'CROSS JOIN LATERAL (SELECT s.* FROM %5$s s WHERE s.scope_id = sc.scope_id ORDER BY s.score DESC) s',
    schema, b.name || '_current', sc_cols, b.agent_column, b.standings,
    -- the scopes of the current period of each kind, in both branches
    format('FROM (SELECT c.period, %s AS period_start FROM pg_catalog.unnest(%L::pg_catalog.text[]) AS c(period)) c '
           'JOIN %s sc ON sc.period = c.period AND sc.period_start = c.period_start',
           current_start, b.periods, b.scopes),
    current_verb);
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
    ' AND p.period_start OPERATOR(pg_catalog.=) CASE s.period'
    '  WHEN ''day'' THEN s.period_start OPERATOR(pg_catalog.-) 1'
    '  WHEN ''week'' THEN s.period_start OPERATOR(pg_catalog.-) 7'
    '  WHEN ''month'' THEN (s.period_start OPERATOR(pg_catalog.-) ''1 month''::pg_catalog.interval)::pg_catalog.date'
    '  WHEN ''quarter'' THEN (s.period_start OPERATOR(pg_catalog.-) ''3 months''::pg_catalog.interval)::pg_catalog.date'
    '  WHEN ''year'' THEN (s.period_start OPERATOR(pg_catalog.-) ''1 year''::pg_catalog.interval)::pg_catalog.date END%6$s',
    schema, b.name || '_movement', s_cols, b.agent_column, b.standings, p_match, movement_verb,
    format(rank_sql, 's'), format(rank_sql, 'p'));
  EXECUTE format('COMMENT ON VIEW %s.%I IS %L', schema, b.name || '_movement',
    format('rank and score of each row of board %s against the agent''s row in the previous period of the same kind and partition', b.name));
  -- Badges of closed periods: the winners close_periods recorded, and in each closed scope
  -- the rows with the largest rank gain and the largest score gain (ties all get one).
  EXECUTE format(
    '%6$s VIEW %1$s.%2$I AS'
    ' SELECT ''Top Performer''::pg_catalog.text AS badge, w.period, w.period_start%3$s, w.agent::%7$s AS %4$I,'
    '  w.score, NULL::pg_catalog.int8 AS rank_change, NULL::pg_catalog.float8 AS score_change'
    ' FROM leaderboard.period_winners w WHERE w.board OPERATOR(pg_catalog.=) %8$L'
    ' UNION ALL'
    ' SELECT x.badge, x.period, x.period_start%5$s, x.%4$I, x.score, x.rank_change, x.score_change FROM ('
    '  SELECT b.badge, m.*,'
    '   CASE b.badge WHEN ''Fast Climber'' THEN m.rank_change::pg_catalog.float8 ELSE m.score_change END AS lb_gain,'
    '   pg_catalog.max(CASE b.badge WHEN ''Fast Climber'' THEN m.rank_change::pg_catalog.float8 ELSE m.score_change END)'
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
      SELECT r.* FROM leaderboard._around(%6$L::pg_catalog.regclass, %7$L, $1, $2, $3, %8$L)
        AS r(period_start pg_catalog.date%10$s, %5$I %3$s, score pg_catalog.float8, qualified pg_catalog.bool,
             rank pg_catalog.int8, tier pg_catalog.text)
    $body$ $f$,
    schema, b.name || '_around', agent_type, part_ret, b.agent_column,
    b.standings::text, b.time_zone, b.agent_column, around_verb, part_ret);
  EXECUTE format('COMMENT ON FUNCTION %s.%I(%s, text, integer) IS %L', schema, b.name || '_around', agent_type,
    format('an agent''s neighbours on board %s: width rows above and below in the current period', b.name));
  PERFORM leaderboard._goal_views(b);
END $$;

-- Top-N reads at index speed: <board>_top(partition values, period, n) reads one scope
-- best first from the standings' score index instead of sorting it; boards made before
-- get theirs from alter_board(name), as every board's views
-- Not STRICT: a board without partition columns passes a NULL partition record.
CREATE FUNCTION leaderboard._top(standings regclass, scopes regclass, time_zone text, rank_style text,
  agent_column text, partition_columns text[], partition record, period text, n integer) RETURNS SETOF record
  AS 'MODULE_PATHNAME', 'board_top' LANGUAGE C STABLE;
COMMENT ON FUNCTION leaderboard._top(regclass, regclass, text, text, text, text[], record, text, integer) IS
  'internal: the rows of <board>_top read best first from the standings'' score index, as the caller';
REVOKE EXECUTE ON FUNCTION leaderboard._top(regclass, regclass, text, text, text, text[], record, text, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION leaderboard._top(regclass, regclass, text, text, text, text[], record, text, integer) TO PUBLIC;

-- <board>_current ... ORDER BY rank LIMIT n over one scope, planned as a read of the score
-- index (leaderboard.top_n_plan); the view finds its current period by a function of the
-- library, which loads the library (and its planner hook) in a backend that reads it.
-- Boards made before get the view from alter_board(name), as every board's views; their
-- views are planned so as they are.
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
REVOKE EXECUTE ON FUNCTION leaderboard._current_period_start(text, text), leaderboard._current_top(regclass, record, text, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION leaderboard._current_period_start(text, text), leaderboard._current_top(regclass, record, text, bigint) TO PUBLIC;

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
REVOKE EXECUTE ON FUNCTION leaderboard._current_view_sql(leaderboard.boards) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION leaderboard._current_view_sql(leaderboard.boards) TO PUBLIC;

CREATE OR REPLACE FUNCTION leaderboard._board_views(b leaderboard.boards) RETURNS void
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

CREATE OR REPLACE FUNCTION leaderboard._drop_board_objects(b leaderboard.boards) RETURNS void
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

CREATE OR REPLACE FUNCTION leaderboard.create_board(
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

-- The board's statements name their own columns lb_rk and lb_n, not rk and n, which an
-- agent or partition column of the source may be called
CREATE OR REPLACE FUNCTION leaderboard._board_statements(board text,
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

-- Agent and partition columns named like a board's own columns are refused at creation
-- (above), and verify() names its own agent column lb_agent, which a partition column
-- called agent no longer makes ambiguous
CREATE OR REPLACE FUNCTION leaderboard.verify(board text)
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

-- Sources whose rows could change unseen by their board's triggers, and the board's
-- triggers themselves, are kept out by event triggers; drop_board deletes the catalog row
-- before it drops the triggers.
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
  'internal: raises 0A000 when rows could reach or leave a board''s source without firing its triggers (a partition or inheritance child as source, inheritance children, foreign or unlogged partitions)';

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

CREATE OR REPLACE FUNCTION leaderboard._board_triggers(b leaderboard.boards) RETURNS integer
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

CREATE OR REPLACE FUNCTION leaderboard.drop_board(board text) RETURNS void
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
REVOKE EXECUTE ON FUNCTION leaderboard._source_family(regclass), leaderboard._check_source_family(text, regclass),
  leaderboard._board_triggers_not_as_made(regclass[]), leaderboard._changes_source_family(pg_ddl_command),
  leaderboard._replaces_trigger(pg_ddl_command) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION leaderboard._source_family(regclass), leaderboard._check_source_family(text, regclass),
  leaderboard._board_triggers_not_as_made(regclass[]), leaderboard._changes_source_family(pg_ddl_command),
  leaderboard._replaces_trigger(pg_ddl_command) TO PUBLIC;
REVOKE EXECUTE ON FUNCTION leaderboard._refuse_unseen_tables(), leaderboard._keep_board_triggers(),
  leaderboard._board_functions_ddl(), leaderboard._board_enum_renamed() FROM PUBLIC;

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
REVOKE EXECUTE ON FUNCTION leaderboard._board_functions_cascade() FROM PUBLIC;

-- The first day of the period of the given kind containing a local time.
-- The month, quarter and year holding the first day of the timestamp range (4714-11-24
-- BC) would start before it, out of range: they start on that day, as period_start() in
-- board_fold.c has them. A call at -infinity or infinity is in the period starting then.
CREATE OR REPLACE FUNCTION leaderboard._period_start_sql(kind text, local_time text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT format('CASE WHEN %1$s = ''all'' THEN ''-infinity''::pg_catalog.date '
                'WHEN %1$s IN (''month'', ''quarter'', ''year'') AND pg_catalog.isfinite(%2$s) AND %2$s < CASE WHEN %1$s = ''month'' '
                'THEN ''4714-12-01 BC''::pg_catalog.timestamp ELSE ''4713-01-01 BC''::pg_catalog.timestamp END '
                'THEN ''4714-11-24 BC''::pg_catalog.date '
                'ELSE pg_catalog.date_trunc(%1$s, %2$s)::pg_catalog.date END', kind, local_time)
$$;
COMMENT ON FUNCTION leaderboard._period_start_sql(text, text) IS
  'internal: SQL for the start of the period of kind containing a local timestamp';

-- The triggers count every row of the source (transition tables bypass row-level
-- security); a recomputation the policies filter would drop the rows they hide from the
-- role reading (the owner is subject to them under FORCE ROW LEVEL SECURITY, or once the
-- table has another owner). The same C check serves the commit-time apply
-- (board_context.c).
CREATE FUNCTION leaderboard._require_source_unfiltered(b leaderboard.boards) RETURNS void
  AS 'MODULE_PATHNAME', 'board_require_source_unfiltered' LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION leaderboard._require_source_unfiltered(leaderboard.boards) IS
  'internal: raises 42501 when row-level security filters the board''s source for the current user';
REVOKE EXECUTE ON FUNCTION leaderboard._require_source_unfiltered(leaderboard.boards) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION leaderboard._require_source_unfiltered(leaderboard.boards) TO PUBLIC;

CREATE OR REPLACE FUNCTION leaderboard.rebuild(board text) RETURNS bigint
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

CREATE OR REPLACE FUNCTION leaderboard.verify(board text)
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
REVOKE EXECUTE ON FUNCTION leaderboard._base_type(regtype) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION leaderboard._base_type(regtype) TO PUBLIC;

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

REVOKE EXECUTE ON FUNCTION leaderboard._text_forms_type(regtype), leaderboard._type_parts(regtype) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION leaderboard._text_forms_type(regtype), leaderboard._type_parts(regtype) TO PUBLIC;
REVOKE EXECUTE ON FUNCTION leaderboard._equal_means_identical(regtype) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION leaderboard._equal_means_identical(regtype) TO PUBLIC;

-- a column a board reads is not dropped along with something else
CREATE OR REPLACE FUNCTION leaderboard._drop_boards_of_dropped_sources() RETURNS event_trigger
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

CREATE FUNCTION leaderboard._source_read(board text) RETURNS void
  AS 'MODULE_PATHNAME', 'board_source_read' LANGUAGE C STRICT;
COMMENT ON FUNCTION leaderboard._source_read(text) IS
  'internal: after rebuild() read the source of a board the caller owns, the commit rebuilds it instead of applying again what the transaction captured before';
REVOKE EXECUTE ON FUNCTION leaderboard._source_read(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION leaderboard._source_read(text) TO PUBLIC;
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

-- ALTER TYPE ... CASCADE of the composite type of a typed source is checked too
CREATE OR REPLACE FUNCTION leaderboard._follow_partitions() RETURNS event_trigger
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
DROP EVENT TRIGGER leaderboard_follow_partitions;
CREATE EVENT TRIGGER leaderboard_follow_partitions ON ddl_command_end
  WHEN TAG IN ('CREATE TABLE', 'ALTER TABLE', 'ALTER TYPE')
  EXECUTE FUNCTION leaderboard._follow_partitions();
COMMENT ON EVENT TRIGGER leaderboard_follow_partitions IS
  'adds board triggers to new partitions of partitioned sources and drops them from detached partitions';
ALTER EVENT TRIGGER leaderboard_follow_partitions ENABLE ALWAYS;

-- No foreign key ties the configuration tables to each other: pg_restore -j loads their
-- data in parallel; _catalog_delete deletes what refers to a board.
ALTER TABLE leaderboard.period_winners DROP CONSTRAINT period_winners_board_period_period_start_fkey;
ALTER TABLE leaderboard.closed_periods DROP CONSTRAINT closed_periods_board_fkey;
ALTER TABLE leaderboard.goals DROP CONSTRAINT goals_board_fkey;

-- a column added or renamed to a name the board's statements reserve is refused
CREATE OR REPLACE FUNCTION leaderboard._check_board_source(b leaderboard.boards) RETURNS void
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


-- a card without effective_from leaves closed periods the cards they closed with
CREATE OR REPLACE FUNCTION leaderboard._cards(b leaderboard.boards)
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
REVOKE EXECUTE ON FUNCTION leaderboard._card_in_force(leaderboard.boards, text, date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION leaderboard._card_in_force(leaderboard.boards, text, date) TO PUBLIC;
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
REVOKE EXECUTE ON FUNCTION leaderboard._cards_for_open_periods(leaderboard.boards, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION leaderboard._cards_for_open_periods(leaderboard.boards, jsonb) TO PUBLIC;
CREATE OR REPLACE FUNCTION leaderboard._check_card_versions(board text, versions jsonb) RETURNS void
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
CREATE OR REPLACE FUNCTION leaderboard.alter_board(board text, scorecard jsonb DEFAULT NULL, ladder leaderboard.ladder DEFAULT NULL,
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
REVOKE EXECUTE ON FUNCTION leaderboard._column_collate(regclass, name) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION leaderboard._column_collate(regclass, name) TO PUBLIC;

CREATE OR REPLACE FUNCTION leaderboard._check_source_family(board_name text, source regclass) RETURNS void
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

CREATE OR REPLACE FUNCTION leaderboard._local_time_sql(b leaderboard.boards, value_sql text) RETURNS text
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

CREATE OR REPLACE FUNCTION leaderboard._campaign_window(source regclass, at text, time_zone text, starts timestamptz, ends timestamptz)
RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp SET DateStyle = 'ISO, YMD' SET TimeZone = 'UTC' AS $$
  SELECT CASE WHEN leaderboard._base_type(leaderboard._expression_type(source, quote_ident(at), 'at')) = 'timestamptz'::regtype
    THEN format('(%1$I >= %2$L::pg_catalog.timestamptz AND %1$I < %3$L::pg_catalog.timestamptz)', at, starts, ends)
    ELSE format('(%1$I >= %2$L::pg_catalog.timestamp AND %1$I < %3$L::pg_catalog.timestamp)', at,
                starts AT TIME ZONE time_zone, ends AT TIME ZONE time_zone) END
$$;
COMMENT ON FUNCTION leaderboard._campaign_window(regclass, text, text, timestamptz, timestamptz) IS
  'internal: a campaign''s window as a filter over its source (starts <= at < ends), in the at column''s type';

CREATE FUNCTION leaderboard._goal_partition_sql(b leaderboard.boards, row_alias text, part_json text) RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  -- the casts run only for the board's own goals, whose values are of its columns' types
  SELECT CASE WHEN cardinality(b.partition_by) = 0 THEN 'true' ELSE
    format('CASE WHEN g.board OPERATOR(pg_catalog.<>) %L THEN false WHEN g.partition IS NULL THEN true ELSE ', b.name) || string_agg(format(
      '(NOT g.partition OPERATOR(pg_catalog.?) %1$L OR CASE WHEN g.partition OPERATOR(pg_catalog.->) %1$L '
      'OPERATOR(pg_catalog.=) ''null''::pg_catalog.jsonb THEN %2$s IS NULL '
      'ELSE %2$s OPERATOR(pg_catalog.=) (g.partition OPERATOR(pg_catalog.->>) %1$L)::%3$s END)',
      q, CASE WHEN row_alias IS NOT NULL THEN format('%s.%I', row_alias, q)
              ELSE format('(%s OPERATOR(pg_catalog.->>) %L)::%s', part_json, q, leaderboard._column_type(b.source, q)) END,
      leaderboard._column_type(b.source, q)), ' AND ' ORDER BY o) || ' END' END
  FROM unnest(b.partition_by) WITH ORDINALITY AS x(q, o)
$$;
COMMENT ON FUNCTION leaderboard._goal_partition_sql(leaderboard.boards, text, text) IS
  'internal: SQL testing that a goal''s partition names a row''s partition values, compared as values of the columns'' types';

CREATE OR REPLACE FUNCTION leaderboard._goal_ladders_sql(b leaderboard.boards, period text, part text, agent text, on_day text)
RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT format(
    '(SELECT g.metric, g.stat, pg_catalog.array_agg(g.target ORDER BY g.target, g.id) AS targets, '
    'pg_catalog.array_agg(g.id ORDER BY g.target, g.id) AS ids, pg_catalog.array_position(%6$L::pg_catalog.text[], g.metric) AS position '
    'FROM (SELECT g.*, pg_catalog.dense_rank() OVER (PARTITION BY g.metric, g.stat ORDER BY g.agent IS NOT NULL DESC, '
    '(SELECT pg_catalog.count(*) FROM pg_catalog.jsonb_object_keys(g.partition)) DESC, g.partition::pg_catalog.text) AS r '
    'FROM leaderboard.goals g WHERE g.board OPERATOR(pg_catalog.=) %1$L AND g.period OPERATOR(pg_catalog.=) %2$s '
    'AND (g.effective_from IS NULL OR g.effective_from OPERATOR(pg_catalog.<=) %5$s) '
    'AND (g.effective_to IS NULL OR g.effective_to OPERATOR(pg_catalog.>=) %5$s) '
    'AND (g.agent IS NULL OR g.agent OPERATOR(pg_catalog.=) %4$s) '
    'AND %3$s) g '
    'WHERE g.r OPERATOR(pg_catalog.=) 1 GROUP BY g.metric, g.stat)',
    b.name, period, leaderboard._goal_partition_sql(b, NULL, part), agent, on_day, b.metric_names)
$$;
COMMENT ON FUNCTION leaderboard._goal_ladders_sql(leaderboard.boards, text, text, text, text) IS
  'internal: SQL subquery giving, per metric and stat, the goal ladder (targets, ids) in force on a day for one standings row';

CREATE OR REPLACE FUNCTION leaderboard._goal_row(board text, metric text, stat text, period text, target numeric,
  partition jsonb, agent text, effective_from date, effective_to date) RETURNS leaderboard.goals
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  b leaderboard.boards := leaderboard._board(board);
  g leaderboard.goals;
  k text;
  v jsonb;
  canon jsonb := '{}';
BEGIN
  PERFORM leaderboard._require_owner(b);
  IF metric IS NULL OR NOT metric = ANY (b.metric_names) THEN
    RAISE EXCEPTION 'board "%" has no metric "%"', b.name, metric USING ERRCODE = 'invalid_parameter_value',
      DETAIL = format('The board''s metrics are: %s.', array_to_string(b.metric_names, ', ')),
      HINT = 'A goal is set on one of the board''s metrics.';
  END IF;
  IF stat IS NULL OR NOT stat IN ('count', 'sum', 'avg', 'rate') THEN
    RAISE EXCEPTION 'unknown goal stat "%"', stat USING ERRCODE = 'invalid_parameter_value',
      HINT = 'Goal stats are count, sum, avg and rate.';
  END IF;
  IF period IS NULL OR NOT period = ANY (b.periods) THEN
    RAISE EXCEPTION 'board "%" has no period "%"', b.name, period USING ERRCODE = 'invalid_parameter_value',
      DETAIL = format('The board''s periods are: %s.', array_to_string(b.periods, ', ')),
      HINT = 'A goal is set on a period kind the board keeps.';
  END IF;
  IF target IS NULL THEN
    RAISE EXCEPTION 'a goal needs a target' USING ERRCODE = 'null_value_not_allowed';
  END IF;
  IF NOT (target > 0 AND target < 'Infinity') THEN
    RAISE EXCEPTION 'goal target must be a positive number, not %', target USING ERRCODE = 'invalid_parameter_value',
      HINT = 'A goal is met when the stat reaches its target: give a number above 0.';
  END IF;
  IF NOT isfinite(effective_from) OR NOT isfinite(effective_to) THEN
    RAISE EXCEPTION 'goal effective dates must be finite' USING ERRCODE = 'invalid_parameter_value',
      HINT = 'Leave effective_from or effective_to NULL for a goal open on that side.';
  END IF;
  IF effective_from > effective_to THEN
    RAISE EXCEPTION 'goal effective_to % is before effective_from %', effective_to, effective_from
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF partition IS NOT NULL THEN
    IF jsonb_typeof(partition) <> 'object' THEN
      RAISE EXCEPTION 'goal partition must be a JSON object, not %', partition USING ERRCODE = 'invalid_parameter_value',
        HINT = 'Give the values of the board''s partition columns, e.g. {"team_id": 7}.';
    END IF;
    FOR k, v IN SELECT e.key, e.value FROM jsonb_each(partition) e ORDER BY e.key LOOP
      IF NOT k = ANY (b.partition_by) THEN
        RAISE EXCEPTION 'board "%" is not partitioned by "%"', b.name, k USING ERRCODE = 'invalid_parameter_value',
          DETAIL = CASE WHEN cardinality(b.partition_by) = 0 THEN 'The board has no partition columns.'
                        ELSE format('The board''s partition columns are: %s.', array_to_string(b.partition_by, ', ')) END;
      END IF;
      -- goals match partitions by the values' text forms cast back (_goal_partition_sql),
      -- which a JSON array or object is not
      IF (SELECT t.typcategory = 'A' OR t.typtype = 'c' FROM pg_type t
          WHERE t.oid = leaderboard._column_base_type(b.source, k)::regtype) THEN
        RAISE EXCEPTION 'a goal cannot name a value of partition column "%" of board "%"', k, b.name
          USING ERRCODE = 'feature_not_supported',
                DETAIL = format('Its type, %s, is an array or composite type.', leaderboard._column_base_type(b.source, k)),
                HINT = 'Set the goal for every partition, or for one agent.';
      END IF;
      IF jsonb_typeof(v) IN ('object', 'array') THEN
        RAISE EXCEPTION 'goal partition value of "%" must be a scalar, not %', k, v USING ERRCODE = 'invalid_parameter_value';
      END IF;
      IF jsonb_typeof(v) <> 'null' THEN
        EXECUTE format('SELECT leaderboard._canon_jsonb(%L::%s)', v #>> '{}', leaderboard._column_base_type(b.source, k)) INTO v;
      END IF;
      canon := canon || jsonb_build_object(k, v);
    END LOOP;
  END IF;
  IF agent IS NOT NULL THEN
    -- a goal names its agent by text, which equal values of such a type may not share
    -- (numeric 1 and 1.0): the goal would miss the agent's standings
    DECLARE
      kt text := leaderboard._text_forms_type((SELECT a.atttypid FROM pg_catalog.pg_attribute a
                                                WHERE a.attrelid = b.source AND a.attname = b.agent_column)::pg_catalog.regtype);
    BEGIN
      IF kt IS NOT NULL THEN
        RAISE EXCEPTION 'a goal cannot name one agent of board "%": its agent column''s type holds %, whose equal values can have other text forms', b.name, kt
          USING ERRCODE = 'feature_not_supported',
                HINT = 'Set the goal for everyone or a partition, or declare the board over a generated agent column in one text form (an integer, or trim_scale(col)::text).';
      END IF;
    END;
    EXECUTE format('SELECT leaderboard._canon_text(%L::%s)', agent, leaderboard._column_base_type(b.source, b.agent_column)) INTO agent;
  END IF;
  g.board := b.name; g.metric := metric; g.stat := stat; g.period := period; g.target := target;
  g.partition := CASE WHEN canon <> '{}' THEN canon END; g.agent := agent;
  g.effective_from := effective_from; g.effective_to := effective_to;
  RETURN g;
END $$;
COMMENT ON FUNCTION leaderboard._goal_row(text, text, text, text, numeric, jsonb, text, date, date) IS
  'internal: a goal row as set_goal writes it, every argument checked and the partition and agent in canonical form';
REVOKE EXECUTE ON FUNCTION leaderboard._goal_partition_sql(leaderboard.boards, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION leaderboard._goal_partition_sql(leaderboard.boards, text, text) TO PUBLIC;

CREATE FUNCTION leaderboard._captured(board text) RETURNS boolean
  AS 'MODULE_PATHNAME', 'board_captured' LANGUAGE C STRICT;
COMMENT ON FUNCTION leaderboard._captured(text) IS
  'internal: whether this transaction holds changes of a board''s calls not yet applied';
REVOKE EXECUTE ON FUNCTION leaderboard._captured(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION leaderboard._captured(text) TO PUBLIC;

CREATE FUNCTION leaderboard._check_milestone_retention(events jsonb, retention interval) RETURNS void
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  -- checked before _events_config() checks the milestones: only valid ones count here,
  -- and none when the events leave out the day rows milestones need
  longest numeric := CASE WHEN NOT events ? 'periods' OR events -> 'periods' @> '["day"]' THEN
                       (SELECT max(x::numeric) FROM jsonb_array_elements(
                          CASE WHEN jsonb_typeof(events -> 'streak_milestone') = 'array' THEN events -> 'streak_milestone' END) x
                        WHERE jsonb_typeof(x) = 'number' AND x::numeric BETWEEN 1 AND 366) END;
BEGIN
  IF retention IS NOT NULL AND longest IS NOT NULL AND retention < (2 * longest + 31) * interval '1 day' THEN
    RAISE EXCEPTION 'a retention of % keeps too few day rows for a streak milestone of % days', retention, longest
      USING ERRCODE = 'invalid_parameter_value',
            DETAIL = format('A streak milestone reads the day rows of the last %s days.', 2 * longest + 31),
            HINT = format('Keep day rows at least %s days, or set shorter milestones.', 2 * longest + 31);
  END IF;
END $$;
COMMENT ON FUNCTION leaderboard._check_milestone_retention(jsonb, interval) IS
  'internal: raises 22023 when a retention would delete day rows a streak milestone of the events setting reads';
REVOKE EXECUTE ON FUNCTION leaderboard._check_milestone_retention(jsonb, interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION leaderboard._check_milestone_retention(jsonb, interval) TO PUBLIC;

CREATE FUNCTION leaderboard._canon_jsonb(v anyelement) RETURNS jsonb
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
  SET TimeZone = 'UTC' SET DateStyle = 'ISO, YMD' SET IntervalStyle = 'postgres' SET extra_float_digits = 1
  SET bytea_output = 'hex' AS $$
  SELECT pg_catalog.to_jsonb(v)
$$;
COMMENT ON FUNCTION leaderboard._canon_jsonb(anyelement) IS
  'internal: to_jsonb of a value under fixed TimeZone, DateStyle, IntervalStyle, extra_float_digits and bytea_output';

CREATE FUNCTION leaderboard._canon_text(v anyelement) RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
  SET TimeZone = 'UTC' SET DateStyle = 'ISO, YMD' SET IntervalStyle = 'postgres' SET extra_float_digits = 1
  SET bytea_output = 'hex' AS $$
  SELECT v::pg_catalog.text
$$;
COMMENT ON FUNCTION leaderboard._canon_text(anyelement) IS
  'internal: the text form of a value under fixed TimeZone, DateStyle, IntervalStyle, extra_float_digits and bytea_output';
REVOKE EXECUTE ON FUNCTION leaderboard._canon_jsonb(anyelement), leaderboard._canon_text(anyelement) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION leaderboard._canon_jsonb(anyelement), leaderboard._canon_text(anyelement) TO PUBLIC;

-- <board>_around of a row_number board picks its neighbours by rank: _around takes the
-- board's rank style (boards made before call it without, as a rank() board)
DROP FUNCTION leaderboard._around(regclass, text, anyelement, text, integer, text);
CREATE FUNCTION leaderboard._around(standings regclass, time_zone text, agent anyelement,
  period text, width integer, agent_column text, rank_style text DEFAULT 'rank') RETURNS SETOF record
  AS 'MODULE_PATHNAME', 'board_around' LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION leaderboard._around(regclass, text, anyelement, text, integer, text, text) IS
  'internal: the rows of <board>_around read from the standings indexes, as the caller; a row_number board''s neighbours by rank';
REVOKE EXECUTE ON FUNCTION leaderboard._around(regclass, text, anyelement, text, integer, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION leaderboard._around(regclass, text, anyelement, text, integer, text, text) TO PUBLIC;

CREATE OR REPLACE FUNCTION leaderboard._events_payload(board text, events jsonb) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT jsonb_build_object('board', board, 'xid', events -> 0 -> 'xid', 'count', jsonb_array_length(events),
                            'first_id', events -> 0 -> 'id',
                            'last_id', events -> (jsonb_array_length(events) - 1) -> 'id')::text
$$;
COMMENT ON FUNCTION leaderboard._events_payload(text, jsonb) IS
  'internal: the NOTIFY leaderboard payload of one commit''s events of a board: the board, the xid, the count and the range of ids';

CREATE OR REPLACE FUNCTION leaderboard._events_write_sql(b leaderboard.boards, c text, branches text[]) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT format(
    'WITH c AS MATERIALIZED (%1$s), '
    'e(kind, scope_id, agent, period, period_start, part, old_rank, new_rank, old_tier, new_tier, old_score, new_score, '
    'new_qualified, old_kpis, new_kpis, old, new) AS (%2$s), '
    'ins AS (INSERT INTO leaderboard.events (board, kind, agent, partition, period, period_start, old, new) '
    'SELECT %3$L, e.kind, e.agent, e.part, e.period, e.period_start, e.old, e.new FROM e '
    'ORDER BY e.period, e.period_start, e.part::pg_catalog.text, e.agent, e.kind '
    'RETURNING id, xid, kind, agent, partition, period, period_start, old, new) '
    'SELECT pg_catalog.count(*), pg_catalog.pg_notify(''leaderboard'', leaderboard._events_payload(%3$L, '
    'pg_catalog.jsonb_agg(pg_catalog.to_jsonb(ins) ORDER BY ins.id))) FROM ins HAVING pg_catalog.count(*) OPERATOR(pg_catalog.>) 0',
    c, array_to_string(branches, ' UNION ALL '), b.name)
$$;
COMMENT ON FUNCTION leaderboard._events_write_sql(leaderboard.boards, text, text[]) IS
  'internal: the statement writing and announcing the events derived by branches over the row changes c';

CREATE FUNCTION leaderboard._column_base_type(source regclass, col name) RETURNS text
LANGUAGE sql STABLE STRICT SET search_path = pg_catalog, pg_temp AS $$
  SELECT CASE WHEN t.typtype = 'd' THEN format_type(leaderboard._base_type(a.atttypid)::oid, NULL)
              ELSE format_type(a.atttypid, a.atttypmod) END
  FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
  WHERE a.attrelid = source AND a.attname = col AND a.attnum > 0 AND NOT a.attisdropped
$$;
COMMENT ON FUNCTION leaderboard._column_base_type(regclass, name) IS
  'internal: a source column''s type for casts that run no other role''s code: a domain as the type it is over';
REVOKE EXECUTE ON FUNCTION leaderboard._column_base_type(regclass, name) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION leaderboard._column_base_type(regclass, name) TO PUBLIC;

CREATE OR REPLACE FUNCTION leaderboard._goal_partition_sql(b leaderboard.boards, row_alias text, part_json text) RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  -- the casts run only for the board's own goals, whose values are of its columns' types
  SELECT CASE WHEN cardinality(b.partition_by) = 0 THEN 'true' ELSE
    format('CASE WHEN g.board OPERATOR(pg_catalog.<>) %L THEN false WHEN g.partition IS NULL THEN true ELSE ', b.name) || string_agg(format(
      '(NOT g.partition OPERATOR(pg_catalog.?) %1$L OR CASE WHEN g.partition OPERATOR(pg_catalog.->) %1$L '
      'OPERATOR(pg_catalog.=) ''null''::pg_catalog.jsonb THEN %2$s IS NULL '
      'ELSE %2$s OPERATOR(pg_catalog.=) (g.partition OPERATOR(pg_catalog.->>) %1$L)::%3$s END)',
      q, CASE WHEN row_alias IS NOT NULL THEN format('%s.%I', row_alias, q)
              ELSE format('(%s OPERATOR(pg_catalog.->>) %L)::%s', part_json, q, leaderboard._column_base_type(b.source, q)) END,
      leaderboard._column_base_type(b.source, q)), ' AND ' ORDER BY o) || ' END' END
  FROM unnest(b.partition_by) WITH ORDINALITY AS x(q, o)
$$;
COMMENT ON FUNCTION leaderboard._goal_partition_sql(leaderboard.boards, text, text) IS
  'internal: SQL testing that a goal''s partition names a row''s partition values, compared as values of the columns'' types';

CREATE OR REPLACE FUNCTION leaderboard._board_event_trigger(b leaderboard.boards) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  mode "char" := (SELECT t.tgenabled FROM pg_trigger t WHERE t.tgrelid = b.standings AND t.tgname = 'lb_events');
BEGIN
  IF b.events IS NULL AND mode <> 'D' THEN
    EXECUTE format('ALTER TABLE %s DISABLE TRIGGER lb_events', b.standings);
  ELSIF b.events IS NOT NULL AND mode IS NULL THEN
    EXECUTE format('CREATE TRIGGER lb_events AFTER INSERT OR UPDATE OR DELETE ON %s '
                   'FOR EACH ROW EXECUTE FUNCTION leaderboard._board_event_row()', b.standings);
    EXECUTE format('ALTER TABLE %s ENABLE ALWAYS TRIGGER lb_events', b.standings);
  ELSIF b.events IS NOT NULL AND mode <> 'A' THEN
    EXECUTE format('ALTER TABLE %s ENABLE ALWAYS TRIGGER lb_events', b.standings);
  END IF;
END $$;
COMMENT ON FUNCTION leaderboard._board_event_trigger(leaderboard.boards) IS
  'internal: creates, enables or disables the events trigger on a board''s standings as its events setting says';

CREATE OR REPLACE FUNCTION leaderboard._wrong_trigger_modes(tables regclass[])
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

CREATE OR REPLACE FUNCTION leaderboard._keep_trigger_modes() RETURNS event_trigger
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
REVOKE EXECUTE ON FUNCTION leaderboard._board_after_lock(text, leaderboard.boards) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION leaderboard._board_after_lock(text, leaderboard.boards) TO PUBLIC;

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
REVOKE EXECUTE ON FUNCTION leaderboard._board_indexes(leaderboard.boards) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION leaderboard._board_indexes(leaderboard.boards) TO PUBLIC;

CREATE OR REPLACE FUNCTION leaderboard._check_tie_break(tie_break text[], card jsonb) RETURNS void
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

CREATE FUNCTION leaderboard._board_schema(b leaderboard.boards) RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT quote_ident(coalesce(
    (SELECT n.nspname FROM pg_class v JOIN pg_namespace n ON n.oid = v.relnamespace
     WHERE v.relkind = 'v' AND v.relname = b.name || '_current'
       AND EXISTS (SELECT 1 FROM pg_rewrite r JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid
                   WHERE r.ev_class = v.oid AND d.refclassid = 'pg_class'::regclass AND d.refobjid = b.standings)
     ORDER BY v.oid LIMIT 1),
    (SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = b.standings)))
$$;
COMMENT ON FUNCTION leaderboard._board_schema(leaderboard.boards) IS
  'internal: the schema of a board''s views and functions (that of its <board>_current view, else of its standings), quoted';
REVOKE EXECUTE ON FUNCTION leaderboard._board_schema(leaderboard.boards) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION leaderboard._board_schema(leaderboard.boards) TO PUBLIC;

CREATE FUNCTION leaderboard._period_start_on_or_after(kind text, day date) RETURNS date
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT CASE WHEN date_trunc(kind, day::timestamp)::date = day THEN day
              ELSE (date_trunc(kind, day::timestamp) + ('1 ' || kind)::interval)::date END
$$;
COMMENT ON FUNCTION leaderboard._period_start_on_or_after(text, date) IS
  'internal: the start of the first period of a kind (day .. year) starting on or after a day';

CREATE OR REPLACE FUNCTION leaderboard._check_effective_from(b leaderboard.boards, scorecard jsonb, effective_from date)
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
REVOKE EXECUTE ON FUNCTION leaderboard._period_start_on_or_after(text, date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION leaderboard._period_start_on_or_after(text, date) TO PUBLIC;

CREATE FUNCTION leaderboard._period_length(kind text) RETURNS interval
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT CASE kind WHEN 'day' THEN interval '1 day' WHEN 'week' THEN interval '7 days'
                   WHEN 'month' THEN interval '1 month' WHEN 'quarter' THEN interval '3 months'
                   WHEN 'year' THEN interval '1 year' END
$$;
COMMENT ON FUNCTION leaderboard._period_length(text) IS
  'internal: the length of a period of a kind (day .. year) as an interval';

CREATE OR REPLACE FUNCTION leaderboard._period_start_on_or_after(kind text, day date) RETURNS date
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT CASE WHEN date_trunc(kind, day::timestamp)::date = day THEN day
              ELSE (date_trunc(kind, day::timestamp) + leaderboard._period_length(kind))::date END
$$;
COMMENT ON FUNCTION leaderboard._period_start_on_or_after(text, date) IS
  'internal: the start of the first period of a kind (day .. year) starting on or after a day';

CREATE OR REPLACE FUNCTION leaderboard._board_schema(b leaderboard.boards) RETURNS text
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
REVOKE EXECUTE ON FUNCTION leaderboard._period_length(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION leaderboard._period_length(text) TO PUBLIC;

CREATE FUNCTION leaderboard._zone_is_abbreviation(tz text) RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT upper(tz) IN ('CET', 'EET', 'EST', 'HST', 'MET', 'MST', 'WET')
      OR EXISTS (SELECT 1 FROM pg_timezone_abbrevs a
                 WHERE upper(a.abbrev) = upper(tz)
                   AND NOT (upper(tz) IN ('UTC', 'GMT', 'UCT', 'ZULU') AND a.utc_offset = interval '0' AND NOT a.is_dst))
$$;
COMMENT ON FUNCTION leaderboard._zone_is_abbreviation(text) IS
  'internal: whether a zone name is also a time zone abbreviation that can mean another offset than the zone (CET, EST, ...)';
REVOKE EXECUTE ON FUNCTION leaderboard._zone_is_abbreviation(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION leaderboard._zone_is_abbreviation(text) TO PUBLIC;

CREATE FUNCTION leaderboard._rank_fn_sql(rank_style text) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT CASE rank_style WHEN 'dense_rank' THEN 'pg_catalog.dense_rank()'
                         WHEN 'row_number' THEN 'pg_catalog.row_number()'
                         ELSE 'pg_catalog.rank()' END
$$;
COMMENT ON FUNCTION leaderboard._rank_fn_sql(text) IS
  'internal: the window function of a rank style';

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
REVOKE EXECUTE ON FUNCTION leaderboard._rank_fn_sql(text), leaderboard._rank_order_sql(leaderboard.boards, text, text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION leaderboard._rank_fn_sql(text), leaderboard._rank_order_sql(leaderboard.boards, text, text, text, text) TO PUBLIC;

-- Events are deleted by their board's owner through delete_events: DELETE on the table
-- would let any role lock it in any mode and stall every board's commits
CREATE FUNCTION leaderboard.delete_events(board text, before timestamptz DEFAULT NULL) RETURNS bigint
  AS 'MODULE_PATHNAME', 'board_events_delete' LANGUAGE C;
COMMENT ON FUNCTION leaderboard.delete_events(text, timestamptz) IS
  'deletes the events of a board the caller owns written before a time (all of them when NULL); returns how many';
REVOKE EXECUTE ON FUNCTION leaderboard.delete_events(text, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION leaderboard.delete_events(text, timestamptz) TO PUBLIC;
REVOKE DELETE ON leaderboard.events FROM PUBLIC;

CREATE FUNCTION leaderboard._writing_statement_running() RETURNS boolean
  AS 'MODULE_PATHNAME', 'board_writing_statement_running' LANGUAGE C;
COMMENT ON FUNCTION leaderboard._writing_statement_running() IS
  'internal: whether the caller runs inside a statement that writes, whose captures have not arrived yet';
REVOKE EXECUTE ON FUNCTION leaderboard._writing_statement_running() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION leaderboard._writing_statement_running() TO PUBLIC;

CREATE FUNCTION leaderboard._created_in_transaction(rel regclass) RETURNS boolean
  AS 'MODULE_PATHNAME', 'board_created_in_transaction' LANGUAGE C STRICT;
COMMENT ON FUNCTION leaderboard._created_in_transaction(regclass) IS
  'internal: whether this transaction created a relation (NULL when there is none)';

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
REVOKE EXECUTE ON FUNCTION leaderboard._lock_scopes(leaderboard.boards) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION leaderboard._lock_scopes(leaderboard.boards) TO PUBLIC;
REVOKE EXECUTE ON FUNCTION leaderboard._created_in_transaction(regclass) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION leaderboard._created_in_transaction(regclass) TO PUBLIC;

CREATE OR REPLACE FUNCTION leaderboard._closed_before(b leaderboard.boards, at timestamptz) RETURNS jsonb
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
