-- Events: what the commit-time apply announces (tier_up, new_leader, ...), in
-- leaderboard.events and by NOTIFY leaderboard.

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
-- goal_at_risk is announced once per agent, period and goal
CREATE INDEX ON leaderboard.events (board, agent, period_start) WHERE kind = 'goal_at_risk';
COMMENT ON TABLE leaderboard.events IS
  'events of live boards, one row per event, written by the commit that caused it; each role sees the events of the boards it owns';
COMMENT ON SEQUENCE leaderboard.events_id_seq IS 'ids of leaderboard.events, in the order events were written';
SELECT pg_catalog.pg_extension_config_dump('leaderboard.events', '');
SELECT pg_catalog.pg_extension_config_dump('leaderboard.events_id_seq', '');
-- A board's events are its owner's, like its standings: the commit-time apply writes them
-- as the owner, and the owner may read them (and grant a view over them) and delete them
-- with leaderboard.delete_events(): DELETE on the table would let any role, as every role
-- may own a board, lock it in any mode (PostgreSQL 15) and stall every board's commits.
ALTER TABLE leaderboard.events ENABLE ROW LEVEL SECURITY;
CREATE POLICY board_owner ON leaderboard.events
  USING (pg_catalog.pg_has_role((SELECT b.owner FROM leaderboard.boards b WHERE b.name OPERATOR(pg_catalog.=) events.board), 'USAGE'));
GRANT SELECT, INSERT ON leaderboard.events TO PUBLIC;

CREATE FUNCTION leaderboard._board_event_row() RETURNS trigger
  AS 'MODULE_PATHNAME', 'board_event_row' LANGUAGE C;
COMMENT ON FUNCTION leaderboard._board_event_row() IS
  'internal: row trigger on the standings of a board that emits events, recording the changes of the commit-time apply';

CREATE FUNCTION leaderboard.delete_events(board text, before timestamptz DEFAULT NULL) RETURNS bigint
  AS 'MODULE_PATHNAME', 'board_events_delete' LANGUAGE C;
COMMENT ON FUNCTION leaderboard.delete_events(text, timestamptz) IS
  'deletes the events of a board the caller owns written before a time (all of them when NULL); returns how many';

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

-- A streak milestone is read back from the day rows of 2 x the longest milestone + 31
-- days (_event_branches): a retention deleting day rows sooner would cut runs short.
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

-- The days a campaign's period all runs, in its time zone: from the day it starts to the
-- day before it ends (its calls have starts <= at < ends); both NULL for other boards.
CREATE FUNCTION leaderboard._campaign_days(b leaderboard.boards, OUT first_day date, OUT last_day date)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT (b.starts AT TIME ZONE b.time_zone)::date,
         ((b.ends AT TIME ZONE b.time_zone) - interval '1 microsecond')::date
$$;
COMMENT ON FUNCTION leaderboard._campaign_days(leaderboard.boards) IS
  'internal: the first and last day of a campaign''s window in its time zone; NULL for other boards';

-- SQL for the working days of a period, elapsed by as_of (today included) and in all, as a
-- one-row subquery (days_elapsed, days_total, first_day, last_day) over the SQL of its kind
-- and start: a period runs from its start to the day before the next one of its kind; a
-- campaign's period all over its window (_campaign_days); another board's period all
-- never ends (both NULL). Spliced into <board>_goals and the goal_at_risk events.
CREATE FUNCTION leaderboard._period_days_sql(b leaderboard.boards, period text, period_start text, as_of text, cal text)
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

-- SQL for the day whose goals apply to a standings row: today (in the board's time zone)
-- while its period runs, else the period's first or last day.
CREATE FUNCTION leaderboard._goal_day_sql(period text, period_start text, today text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT format('CASE WHEN %1$s OPERATOR(pg_catalog.=) ''all'' THEN %3$s ELSE GREATEST(%2$s, LEAST(%3$s, %4$s)) END',
                period, period_start, today, leaderboard._period_last_day_sql(period, period_start))
$$;
COMMENT ON FUNCTION leaderboard._goal_day_sql(text, text, text) IS
  'internal: SQL giving the day whose goals apply to a standings row of a period, given today';

-- SQL true when a goal g's partition (NULL: every partition) names the partition values
-- of a row: the columns of row_alias, or (row_alias NULL) the members of the JSON object
-- part_json. Compared as values of the columns' types, not as JSON text: the text form of
-- a timestamptz, a float or an interval depends on the reader's settings.
CREATE FUNCTION leaderboard._goal_partition_sql(b leaderboard.boards, row_alias text, part_json text) RETURNS text
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
    'AND %3$s) g '
    'WHERE g.r OPERATOR(pg_catalog.=) 1 GROUP BY g.metric, g.stat)',
    b.name, period, leaderboard._goal_partition_sql(b, NULL, part), agent, on_day, b.metric_names)
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
    'RETURNING id, xid, kind, agent, partition, period, period_start, old, new) '
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
CREATE FUNCTION leaderboard._events_sql(board text) RETURNS text
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

-- Goals fall at risk as days pass without calls, which no commit announces: this checks
-- every agent of the current periods, as a commit touching its row would. Scheduled like
-- close_periods (pg_cron); holds off the board's writers' commits while it runs.
CREATE FUNCTION leaderboard.check_goals(board text) RETURNS bigint
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

-- The NOTIFY payload of one commit's events of a board: the board, the transaction (the
-- events' xid: commits to other scopes draw ids from the sequence at the same time, so a
-- commit's ids need not be contiguous), how many and the range of their ids in
-- leaderboard.events. Not the events themselves: any role that can connect may LISTEN on
-- any channel, and the events show the board's standings, which are its owner's; a
-- listener reads them under its own rights (row-level security).
CREATE FUNCTION leaderboard._events_payload(board text, events jsonb) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT jsonb_build_object('board', board, 'xid', events -> 0 -> 'xid', 'count', jsonb_array_length(events),
                            'first_id', events -> 0 -> 'id',
                            'last_id', events -> (jsonb_array_length(events) - 1) -> 'id')::text
$$;
COMMENT ON FUNCTION leaderboard._events_payload(text, jsonb) IS
  'internal: the NOTIFY leaderboard payload of one commit''s events of a board: the board, the xid, the count and the range of ids';

-- The row trigger that records the apply's changes, on the standings of a board that
-- emits events; it fires always, also for sessions in replica mode, where the apply runs
-- too. One found in another mode (ALTER TABLE ... DISABLE/ENABLE TRIGGER ALL, as
-- pg_restore --disable-triggers runs it, makes it fire in ordinary sessions only) is put
-- back in it. Events turned off disable it rather than drop it: DROP TRIGGER would lock
-- the standings against their readers, while the scopes table is locked against writers
-- that may have read them, a deadlock.
CREATE FUNCTION leaderboard._board_event_trigger(b leaderboard.boards) RETURNS void
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
