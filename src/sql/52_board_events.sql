-- Events: what the commit-time apply announces (tier_up, new_leader, ...), in
-- leaderboard.events and by NOTIFY leaderboard.

CREATE TABLE leaderboard.events (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
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
  new           jsonb
);
CREATE INDEX ON leaderboard.events (board, id);
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
