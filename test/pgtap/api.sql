-- The shape of the extension's SQL API: schema and packaging, the public functions and
-- their signatures, comments, pinned search_path, volatility and parallel safety, and
-- the catalog table's place in dumps. The catalog queries cover every object the
-- extension owns, so objects added later are held to the same rules.
BEGIN;
SELECT plan(100);

-- packaging: fixed schema, not relocatable, not trusted
SELECT has_extension('leaderboard', 'the extension is installed');
SELECT has_schema('leaderboard', 'schema leaderboard exists');
SELECT is((SELECT n.nspname::text FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
           WHERE e.extname = 'leaderboard'), 'leaderboard', 'the extension lives in schema leaderboard');
SELECT is((SELECT extrelocatable FROM pg_extension WHERE extname = 'leaderboard'), false,
          'the extension is not relocatable');
SELECT is((SELECT bool_or(trusted) FROM pg_available_extension_versions WHERE name = 'leaderboard'), false,
          'the extension is not trusted: only a superuser installs it');

-- every object the extension owns has a comment
SELECT is_empty($$
  SELECT pg_describe_object(d.classid, d.objid, d.objsubid)
  FROM pg_depend d
  WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
    AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'leaderboard')
    AND NOT EXISTS (SELECT 1 FROM pg_description c
                    WHERE c.classoid = d.classid AND c.objoid = d.objid AND c.objsubid = 0)$$,
  'every function, aggregate, type, operator, operator class and table of the extension has a COMMENT');
-- and every function, table, view and sequence in schema leaderboard belongs to it
SELECT is_empty($$
  SELECT p.oid::regprocedure::text FROM pg_proc p
  WHERE p.pronamespace = 'leaderboard'::regnamespace
    AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
  UNION ALL
  SELECT c.oid::regclass::text FROM pg_class c
  WHERE c.relnamespace = 'leaderboard'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
    AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')$$,
  'schema leaderboard holds only objects of the extension');

-- every SQL or PL/pgSQL function pins search_path; pg_temp is named last so that temporary
-- objects can never shadow pg_catalog (C functions resolve no names and are exempt)
SELECT is_empty($$
  SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
  WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
    AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'leaderboard')
    AND p.prolang NOT IN (SELECT oid FROM pg_language WHERE lanname IN ('c', 'internal'))
    AND NOT coalesce('search_path=pg_catalog, pg_temp' = ANY (p.proconfig), false)$$,
  'every SQL and PL/pgSQL function of the extension runs with search_path = pg_catalog, pg_temp');
SELECT is_empty($$
  SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
  WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'leaderboard') AND d.deptype = 'e' AND p.prosecdef$$,
  'no function of the extension is SECURITY DEFINER');
SELECT is_empty($$
  SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
  WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'leaderboard') AND d.deptype = 'e'
    AND p.prolang = (SELECT oid FROM pg_language WHERE lanname = 'c') AND p.probin <> '$libdir/leaderboard'$$,
  'every C function of the extension comes from $libdir/leaderboard');

-- the types, their I/O and accessors, and the aggregates: IMMUTABLE and PARALLEL SAFE;
-- only the board API (which reads and writes tables) and its internal helpers are not
SELECT is_empty($$
  SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
  WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'leaderboard') AND d.deptype = 'e'
    AND p.proname NOT LIKE '\_%'
    AND p.proname NOT IN ('create_board', 'alter_board', 'drop_board', 'delete_events', 'rebuild', 'verify', 'rolling', 'set_goal', 'clear_goal', 'close_periods', 'check_goals', 'create_campaign')
    AND (p.provolatile <> 'i' OR p.proparallel <> 's')$$,
  'every type, accessor and aggregate function is IMMUTABLE PARALLEL SAFE');
-- STRICT everywhere except where NULL has a meaning: aggregate transition, combine and
-- final functions over internal state, and tier(score, ladder, previous tier)
SELECT set_eq($$
  SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
  WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'leaderboard') AND d.deptype = 'e'
    AND p.prokind = 'f' AND NOT p.proisstrict AND p.proname NOT LIKE '\_%'
    AND p.proname NOT IN ('create_board', 'alter_board', 'drop_board', 'delete_events', 'rebuild', 'verify', 'rolling', 'set_goal', 'clear_goal', 'close_periods', 'check_goals', 'create_campaign')$$,
  ARRAY['leaderboard.kpi_agg_transfn(internal,"any")', 'leaderboard.kpi_merge_transfn(internal,leaderboard.kpis)',
        'leaderboard.kpis_agg_combine(internal,internal)', 'leaderboard.kpis_agg_final(internal)',
        'leaderboard.tier(double precision,leaderboard.ladder,text)',
        'leaderboard.tier_counts_transfn(internal,double precision,leaderboard.ladder)',
        'leaderboard.tier_counts_combinefn(internal,internal)', 'leaderboard.tier_counts_finalfn(internal)',
        'leaderboard.streak_agg_transfn(internal,date,boolean)',
        'leaderboard.streak_agg_transfn(internal,date,boolean,leaderboard.calendar)',
        'leaderboard.streak_merge_transfn(internal,leaderboard.streak)',
        'leaderboard.streak_agg_combine(internal,internal)', 'leaderboard.streak_agg_final(internal)'],
  'only aggregate support functions over internal state and tier(score, ladder, previous) are not STRICT');
SELECT is_empty($$
  SELECT a.aggfnoid::regprocedure::text FROM pg_aggregate a JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = a.aggfnoid
  WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'leaderboard') AND d.deptype = 'e'
    AND (a.aggcombinefn = 0 OR (a.aggtranstype = 'internal'::regtype AND (a.aggserialfn = 0 OR a.aggdeserialfn = 0)))$$,
  'every aggregate has a combine function, and serial/deserial functions when its state is internal');

-- types and their I/O functions
SELECT has_type('leaderboard', 'kpis', 'type kpis exists');
SELECT has_type('leaderboard', 'scorecard', 'type scorecard exists');
SELECT has_type('leaderboard', 'ladder', 'type ladder exists');
SELECT is((SELECT array_agg(t.typname || ':' || t.typinput::text || ',' || t.typoutput::text || ',' || t.typreceive::text || ',' || t.typsend::text ORDER BY t.typname)
           FROM pg_type t WHERE t.typnamespace = 'leaderboard'::regnamespace AND t.typname IN ('kpis', 'scorecard', 'ladder')),
          ARRAY['kpis:leaderboard.kpis_in,leaderboard.kpis_out,leaderboard.kpis_recv,leaderboard.kpis_send',
                'ladder:leaderboard.ladder_in,leaderboard.ladder_out,leaderboard.ladder_recv,leaderboard.ladder_send',
                'scorecard:leaderboard.scorecard_in,leaderboard.scorecard_out,leaderboard.scorecard_recv,leaderboard.scorecard_send'],
          'each type has text and binary I/O (in, out, recv, send)');

-- kpis: aggregates, operators, accessors
SELECT is_aggregate('leaderboard', 'kpi_agg', ARRAY['"any"'], 'kpi_agg(VARIADIC "any") is an aggregate');
SELECT is((SELECT provariadic::regtype::text FROM pg_proc WHERE oid = 'leaderboard.kpi_agg("any")'::regprocedure), '"any"',
          'kpi_agg is VARIADIC "any"');
SELECT function_returns('leaderboard', 'kpi_agg', ARRAY['"any"'], 'leaderboard.kpis', 'kpi_agg returns kpis');
SELECT is_aggregate('leaderboard', 'kpi_merge', ARRAY['leaderboard.kpis'], 'kpi_merge(kpis) is an aggregate');
SELECT function_returns('leaderboard', 'kpi_merge', ARRAY['leaderboard.kpis'], 'leaderboard.kpis', 'kpi_merge returns kpis');
SELECT has_operator('leaderboard.kpis', 'leaderboard', '+', 'leaderboard.kpis', 'leaderboard.kpis', 'kpis + kpis -> kpis');
SELECT has_operator('leaderboard.kpis', 'leaderboard', '=', 'leaderboard.kpis', 'boolean', 'kpis = kpis');
SELECT has_function('leaderboard', 'rows', ARRAY['leaderboard.kpis'], 'rows(kpis)');
SELECT function_returns('leaderboard', 'rows', ARRAY['leaderboard.kpis'], 'bigint', 'rows(kpis) returns bigint');
SELECT has_function('leaderboard', 'kpi_count', ARRAY['leaderboard.kpis', 'integer'], 'kpi_count(kpis, integer)');
SELECT function_returns('leaderboard', 'kpi_count', ARRAY['leaderboard.kpis', 'integer'], 'bigint', 'kpi_count returns bigint');
SELECT has_function('leaderboard', 'kpi_sum', ARRAY['leaderboard.kpis', 'integer'], 'kpi_sum(kpis, integer)');
SELECT has_function('leaderboard', 'kpi_avg', ARRAY['leaderboard.kpis', 'integer'], 'kpi_avg(kpis, integer)');
SELECT has_function('leaderboard', 'kpi_min', ARRAY['leaderboard.kpis', 'integer'], 'kpi_min(kpis, integer)');
SELECT has_function('leaderboard', 'kpi_max', ARRAY['leaderboard.kpis', 'integer'], 'kpi_max(kpis, integer)');
SELECT is((SELECT array_agg(DISTINCT prorettype::regtype::text) FROM pg_proc
           WHERE pronamespace = 'leaderboard'::regnamespace AND proname IN ('kpi_sum', 'kpi_avg', 'kpi_min', 'kpi_max')),
          ARRAY['double precision'], 'kpi_sum, kpi_avg, kpi_min and kpi_max return double precision');

-- scorecard: score, qualified, explain
SELECT has_function('leaderboard', 'score', ARRAY['leaderboard.kpis', 'leaderboard.scorecard'], 'score(kpis, scorecard)');
SELECT function_returns('leaderboard', 'score', ARRAY['leaderboard.kpis', 'leaderboard.scorecard'], 'double precision', 'score returns double precision');
SELECT has_function('leaderboard', 'qualified', ARRAY['leaderboard.kpis', 'leaderboard.scorecard'], 'qualified(kpis, scorecard)');
SELECT function_returns('leaderboard', 'qualified', ARRAY['leaderboard.kpis', 'leaderboard.scorecard'], 'boolean', 'qualified returns boolean');
SELECT has_function('leaderboard', 'explain', ARRAY['leaderboard.kpis', 'leaderboard.scorecard'], 'explain(kpis, scorecard)');
SELECT function_returns('leaderboard', 'explain', ARRAY['leaderboard.kpis', 'leaderboard.scorecard'], 'jsonb', 'explain returns jsonb');

-- ladder: placement functions and tier_counts
SELECT has_function('leaderboard', 'tier', ARRAY['double precision', 'leaderboard.ladder'], 'tier(score, ladder)');
SELECT has_function('leaderboard', 'tier', ARRAY['double precision', 'leaderboard.ladder', 'text'], 'tier(score, ladder, previous_tier)');
SELECT function_returns('leaderboard', 'tier', ARRAY['double precision', 'leaderboard.ladder', 'text'], 'text', 'tier returns text');
SELECT has_function('leaderboard', 'tier_by_rank', ARRAY['bigint', 'bigint', 'leaderboard.ladder'], 'tier_by_rank(rank, of, ladder)');
SELECT function_returns('leaderboard', 'tier_by_rank', ARRAY['bigint', 'bigint', 'leaderboard.ladder'], 'text', 'tier_by_rank returns text');
SELECT has_function('leaderboard', 'tier_level', ARRAY['double precision', 'leaderboard.ladder'], 'tier_level(score, ladder)');
SELECT has_function('leaderboard', 'tier_level', ARRAY['text', 'leaderboard.ladder'], 'tier_level(tier, ladder)');
SELECT has_function('leaderboard', 'next_tier', ARRAY['double precision', 'leaderboard.ladder'], 'next_tier(score, ladder)');
SELECT has_function('leaderboard', 'to_next_tier', ARRAY['double precision', 'leaderboard.ladder'], 'to_next_tier(score, ladder)');
SELECT has_function('leaderboard', 'tier_progress', ARRAY['double precision', 'leaderboard.ladder'], 'tier_progress(score, ladder)');
SELECT has_function('leaderboard', 'ladder_kind', ARRAY['leaderboard.ladder'], 'ladder_kind(ladder)');
SELECT is_aggregate('leaderboard', 'tier_counts', ARRAY['double precision', 'leaderboard.ladder'], 'tier_counts(score, ladder) is an aggregate');
SELECT function_returns('leaderboard', 'tier_counts', ARRAY['double precision', 'leaderboard.ladder'], 'jsonb', 'tier_counts returns jsonb');

-- the board API, with its argument names (callers use named notation)
SELECT has_function('leaderboard', 'create_board',
  ARRAY['text', 'regclass', 'text', 'text', 'text[]', 'jsonb', 'text[]', 'text[]', 'text', 'leaderboard.ladder', 'text', 'text', 'text[]', 'leaderboard.calendar', 'interval', 'interval'],
  'create_board(name, source, agent, at, metrics, scorecard, periods, partition_by, filter, ladder, time_zone, rank_style, tie_break, calendar, grace, retention)');
SELECT is((SELECT proargnames FROM pg_proc WHERE oid = 'leaderboard.create_board(text, regclass, text, text, text[], jsonb, text[], text[], text, leaderboard.ladder, text, text, text[], leaderboard.calendar, interval, interval)'::regprocedure),
          ARRAY['name', 'source', 'agent', 'at', 'metrics', 'scorecard', 'periods', 'partition_by', 'filter', 'ladder', 'time_zone', 'rank_style', 'tie_break', 'calendar', 'grace', 'retention'],
          'create_board argument names');
SELECT is((SELECT pronargdefaults FROM pg_proc WHERE oid = 'leaderboard.create_board(text, regclass, text, text, text[], jsonb, text[], text[], text, leaderboard.ladder, text, text, text[], leaderboard.calendar, interval, interval)'::regprocedure),
          10::smallint, 'create_board: periods and everything after it have defaults');
SELECT function_returns('leaderboard', 'create_board',
  ARRAY['text', 'regclass', 'text', 'text', 'text[]', 'jsonb', 'text[]', 'text[]', 'text', 'leaderboard.ladder', 'text', 'text', 'text[]', 'leaderboard.calendar', 'interval', 'interval'],
  'regclass', 'create_board returns the standings table');
SELECT has_function('leaderboard', 'alter_board', ARRAY['text', 'jsonb', 'leaderboard.ladder', 'boolean', 'leaderboard.calendar', 'boolean', 'jsonb', 'interval', 'interval', 'boolean', 'date'],
  'alter_board(board, scorecard, ladder, drop_ladder, calendar, drop_calendar, events, grace, retention, drop_retention, effective_from)');
SELECT is((SELECT proargnames FROM pg_proc WHERE oid = 'leaderboard.alter_board(text, jsonb, leaderboard.ladder, boolean, leaderboard.calendar, boolean, jsonb, interval, interval, boolean, date)'::regprocedure),
          ARRAY['board', 'scorecard', 'ladder', 'drop_ladder', 'calendar', 'drop_calendar', 'events', 'grace', 'retention', 'drop_retention', 'effective_from'], 'alter_board argument names');
SELECT function_returns('leaderboard', 'alter_board', ARRAY['text', 'jsonb', 'leaderboard.ladder', 'boolean', 'leaderboard.calendar', 'boolean', 'jsonb', 'interval', 'interval', 'boolean', 'date'], 'bigint', 'alter_board returns the number of rows it changed');
SELECT has_function('leaderboard', 'close_periods', ARRAY['text'], 'close_periods(board)');
SELECT function_returns('leaderboard', 'close_periods', ARRAY['text'], 'integer', 'close_periods returns the number of scopes it closed');
SELECT has_function('leaderboard', 'check_goals', ARRAY['text'], 'check_goals(board)');
SELECT function_returns('leaderboard', 'check_goals', ARRAY['text'], 'bigint', 'check_goals returns the number of goal_at_risk events it wrote');
SELECT has_function('leaderboard', 'create_campaign',
  ARRAY['text', 'regclass', 'text', 'text', 'text[]', 'jsonb', 'timestamptz', 'timestamptz', 'text[]', 'text', 'leaderboard.ladder', 'text', 'text', 'text[]', 'leaderboard.calendar', 'interval', 'text'],
  'create_campaign(name, source, agent, at, metrics, scorecard, starts, ends, partition_by, filter, ladder, time_zone, rank_style, tie_break, calendar, grace, board)');
SELECT function_returns('leaderboard', 'create_campaign',
  ARRAY['text', 'regclass', 'text', 'text', 'text[]', 'jsonb', 'timestamp with time zone', 'timestamp with time zone', 'text[]', 'text', 'leaderboard.ladder', 'text', 'text', 'text[]', 'leaderboard.calendar', 'interval', 'text'],
  'regclass', 'create_campaign returns the standings table');
SELECT has_function('leaderboard', 'drop_board', ARRAY['text'], 'drop_board(board)');
SELECT function_returns('leaderboard', 'drop_board', ARRAY['text'], 'void', 'drop_board returns void');
SELECT has_function('leaderboard', 'rebuild', ARRAY['text'], 'rebuild(board)');
SELECT function_returns('leaderboard', 'rebuild', ARRAY['text'], 'bigint', 'rebuild returns the standings row count');
SELECT has_function('leaderboard', 'verify', ARRAY['text'], 'verify(board)');
SELECT function_returns('leaderboard', 'verify', ARRAY['text'], 'setof record', 'verify returns rows');
SELECT is((SELECT proargnames FROM pg_proc WHERE oid = 'leaderboard.verify(text)'::regprocedure),
          ARRAY['board', 'problem', 'period', 'period_start', 'partition', 'agent', 'stored', 'expected'],
          'verify returns (problem, period, period_start, partition, agent, stored, expected)');
SELECT has_function('leaderboard', 'rolling', ARRAY['text', 'integer', 'date'], 'rolling(board, days, as_of)');
SELECT is((SELECT proargnames FROM pg_proc WHERE oid = 'leaderboard.rolling(text, integer, date)'::regprocedure),
          ARRAY['board', 'days', 'as_of', 'partition', 'agent', 'kpis', 'score', 'qualified', 'rank'],
          'rolling returns (partition, agent, kpis, score, qualified, rank)');
SELECT is((SELECT array_agg(p.proname::text ORDER BY p.proname) FROM pg_proc p
           WHERE p.pronamespace = 'leaderboard'::regnamespace
             AND p.proname IN ('create_board', 'alter_board', 'drop_board', 'rebuild', 'verify', 'rolling', 'set_goal', 'clear_goal', 'close_periods', 'check_goals', 'create_campaign')
             AND p.provolatile = 'v'),
          ARRAY['alter_board', 'check_goals', 'clear_goal', 'clear_goal', 'close_periods', 'create_board', 'create_campaign', 'drop_board', 'rebuild', 'set_goal', 'verify'],
          'the board functions that write are VOLATILE (rolling only reads)');

-- goals: set_goal, clear_goal (by id and by audience) and working_days
SELECT has_function('leaderboard', 'set_goal', ARRAY['text', 'text', 'text', 'text', 'numeric', 'jsonb', 'text', 'date', 'date'],
  'set_goal(board, metric, stat, period, target, partition, agent, effective_from, effective_to)');
SELECT is((SELECT proargnames FROM pg_proc WHERE oid = 'leaderboard.set_goal(text, text, text, text, numeric, jsonb, text, date, date)'::regprocedure),
          ARRAY['board', 'metric', 'stat', 'period', 'target', 'partition', 'agent', 'effective_from', 'effective_to'],
          'set_goal argument names');
SELECT function_returns('leaderboard', 'set_goal', ARRAY['text', 'text', 'text', 'text', 'numeric', 'jsonb', 'text', 'date', 'date'],
  'bigint', 'set_goal returns the goal''s id');
SELECT function_returns('leaderboard', 'clear_goal', ARRAY['bigint'], 'void', 'clear_goal(goal_id) returns void');
SELECT is((SELECT proargnames FROM pg_proc WHERE oid = 'leaderboard.clear_goal(text, text, text, text, jsonb, text)'::regprocedure),
          ARRAY['board', 'metric', 'stat', 'period', 'partition', 'agent'], 'clear_goal(board, ...) argument names');
SELECT function_returns('leaderboard', 'clear_goal', ARRAY['text', 'text', 'text', 'text', 'jsonb', 'text'], 'integer',
  'clear_goal(board, metric, stat, period, partition, agent) returns how many goals it removed');
SELECT function_returns('leaderboard', 'working_days', ARRAY['leaderboard.calendar', 'date', 'date'], 'integer',
  'working_days(cal, first, last) returns integer');

-- the catalog: a config table, readable by everyone, written only by the board API
SELECT has_table('leaderboard', 'boards', 'table leaderboard.boards exists');
SELECT ok((SELECT 'leaderboard.boards'::regclass = ANY (extconfig) FROM pg_extension WHERE extname = 'leaderboard'),
          'leaderboard.boards is an extension config table (pg_dump keeps its rows)');
SELECT is((SELECT extcondition[array_position(extconfig, 'leaderboard.boards'::regclass)] FROM pg_extension WHERE extname = 'leaderboard'),
          '', 'pg_dump keeps every row of leaderboard.boards');
SELECT col_type_is('leaderboard', 'boards', 'source', 'regclass', 'boards.source is a regclass');
SELECT col_type_is('leaderboard', 'boards', 'owner', 'regrole', 'boards.owner is a regrole');
SELECT table_privs_are('leaderboard', 'boards', 'public', ARRAY['SELECT'],
                       'PUBLIC may read leaderboard.boards and do nothing else with it');
SELECT ok((SELECT ARRAY['leaderboard.goals'::regclass, 'leaderboard.goals_id_seq'::regclass]::oid[] <@ extconfig FROM pg_extension WHERE extname = 'leaderboard'),
          'leaderboard.goals and its id sequence are extension config tables (pg_dump keeps the goals and the next id)');
SELECT table_privs_are('leaderboard', 'goals', 'public', ARRAY['SELECT'],
                       'PUBLIC may read leaderboard.goals and do nothing else with it');
SELECT col_type_is('leaderboard', 'boards', 'calendar', 'leaderboard.calendar', 'boards.calendar is a calendar');
SELECT col_type_is('leaderboard', 'boards', 'card_versions', 'jsonb', 'boards.card_versions is jsonb');
SELECT has_view('leaderboard', 'scorecard_versions', 'view leaderboard.scorecard_versions exists');
SELECT columns_are('leaderboard', 'scorecard_versions', ARRAY['board', 'period', 'effective_from', 'effective_to', 'scorecard'],
                   'scorecard_versions: board, period, effective_from, effective_to, scorecard');
SELECT table_privs_are('leaderboard', 'scorecard_versions', 'public', ARRAY['SELECT'],
                       'PUBLIC may read leaderboard.scorecard_versions and do nothing else with it');
SELECT ok((SELECT NOT ('leaderboard.pending'::regclass = ANY (extconfig)) FROM pg_extension WHERE extname = 'leaderboard'),
          'leaderboard.pending (transient sentinel rows) is not dumped');
SELECT table_privs_are('leaderboard', 'pending', 'public', ARRAY['INSERT'],
                       'PUBLIC may only insert into leaderboard.pending');
SELECT schema_privs_are('leaderboard', 'public', ARRAY['USAGE'],
                        'PUBLIC may use schema leaderboard (writers of a board source need nothing else)');
SELECT trigger_is('leaderboard', 'pending', 'apply_at_commit', 'leaderboard', '_board_commit',
                  'the commit-time apply is the trigger of leaderboard.pending');
SELECT ok((SELECT tgdeferrable AND tginitdeferred FROM pg_trigger WHERE tgrelid = 'leaderboard.pending'::regclass AND tgname = 'apply_at_commit'),
          'the commit-time apply is DEFERRABLE INITIALLY DEFERRED');

SELECT * FROM finish();
ROLLBACK;
