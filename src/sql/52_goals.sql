-- Goals and pace: targets on a board metric's stat per period kind (leaderboard.goals,
-- written only by set_goal and clear_goal), the working days pace counts, and the
-- <board>_goals and <board>_streaks views that _board_views makes with _goal_views.

CREATE TABLE leaderboard.goals (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  board          text NOT NULL,
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
  AS 'MODULE_PATHNAME', 'calendar_working_days' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION leaderboard.working_days(leaderboard.calendar, date, date) IS
  'number of working days of the calendar from first to last, both included (0 when last is before first)';

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
-- elapsed yet, and for counts and sums over a period 'all' that is not a campaign's (it
-- has no end).
CREATE FUNCTION leaderboard._goal_pace(stat text, actual numeric, days_elapsed integer, days_total integer)
RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT CASE WHEN stat IN ('avg', 'rate') THEN actual
              WHEN days_total IS NULL OR days_elapsed IS NULL OR days_elapsed = 0 THEN NULL
              ELSE trim_scale(actual * days_total / days_elapsed) END
$$;
COMMENT ON FUNCTION leaderboard._goal_pace(text, numeric, integer, integer) IS
  'internal: the projected end-of-period value of a goal''s stat from the working days elapsed and in the period';

-- A value's JSON and text forms as goals store them: under fixed settings, so that the
-- same value set from sessions with other TimeZone, DateStyle, IntervalStyle,
-- extra_float_digits or bytea_output is stored alike (the value itself is read in the
-- caller's), as the board's own statements print it.
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
