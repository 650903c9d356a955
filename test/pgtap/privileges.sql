-- What PUBLIC may execute in schema leaderboard: the documented API and the types' I/O and
-- operator functions, plus the internal functions listed below with the reason each must
-- stay executable; nothing else. Every internal function left executable checks the
-- caller's rights itself: the checks are tested here as a role with no privileges.
BEGIN;
SELECT plan(30);
SET LOCAL client_min_messages = warning;

CREATE TEMP TABLE api (sig text);
INSERT INTO api VALUES
  -- kpis
  ('leaderboard.rows(leaderboard.kpis)'), ('leaderboard.kpi_count(leaderboard.kpis,integer)'),
  ('leaderboard.kpi_sum(leaderboard.kpis,integer)'), ('leaderboard.kpi_avg(leaderboard.kpis,integer)'),
  ('leaderboard.kpi_min(leaderboard.kpis,integer)'), ('leaderboard.kpi_max(leaderboard.kpis,integer)'),
  ('leaderboard.kpi_agg("any")'), ('leaderboard.kpi_merge(leaderboard.kpis)'),
  -- scorecards
  ('leaderboard.score(leaderboard.kpis,leaderboard.scorecard)'),
  ('leaderboard.qualified(leaderboard.kpis,leaderboard.scorecard)'),
  ('leaderboard.explain(leaderboard.kpis,leaderboard.scorecard)'),
  -- streaks and calendars
  ('leaderboard.is_working_day(leaderboard.calendar,date)'), ('leaderboard.longest(leaderboard.streak)'),
  ('leaderboard.longest_start(leaderboard.streak)'), ('leaderboard.current(leaderboard.streak,date)'),
  ('leaderboard.met_days(leaderboard.streak)'), ('leaderboard.streak_calendar(leaderboard.streak)'),
  ('leaderboard.streak_agg(date,boolean)'), ('leaderboard.streak_agg(date,boolean,leaderboard.calendar)'),
  ('leaderboard.streak_merge(leaderboard.streak)'),
  -- ladders
  ('leaderboard.tier(double precision,leaderboard.ladder)'), ('leaderboard.tier(double precision,leaderboard.ladder,text)'),
  ('leaderboard.tier_level(double precision,leaderboard.ladder)'), ('leaderboard.tier_level(text,leaderboard.ladder)'),
  ('leaderboard.next_tier(double precision,leaderboard.ladder)'), ('leaderboard.to_next_tier(double precision,leaderboard.ladder)'),
  ('leaderboard.tier_progress(double precision,leaderboard.ladder)'), ('leaderboard.tier_by_rank(bigint,bigint,leaderboard.ladder)'),
  ('leaderboard.tier_counts(double precision,leaderboard.ladder)'), ('leaderboard.ladder_kind(leaderboard.ladder)'),
  -- live boards
  ('leaderboard.create_board(text,regclass,text,text,text[],jsonb,text[],text[],text,leaderboard.ladder,text,text,text[],leaderboard.calendar,interval,interval)'),
  ('leaderboard.alter_board(text,jsonb,leaderboard.ladder,boolean,leaderboard.calendar,boolean,jsonb,interval,interval,boolean,date)'), ('leaderboard.rebuild(text)'), ('leaderboard.verify(text)'),
  ('leaderboard.close_periods(text)'), ('leaderboard.check_goals(text)'),
  ('leaderboard.create_campaign(text,regclass,text,text,text[],jsonb,timestamp with time zone,timestamp with time zone,text[],text,leaderboard.ladder,text,text,text[],leaderboard.calendar,interval,text)'),
  ('leaderboard.drop_board(text)'), ('leaderboard.delete_events(text,timestamp with time zone)'), ('leaderboard.rolling(text,integer,date)'),
  -- goals
  ('leaderboard.working_days(leaderboard.calendar,date,date)'),
  ('leaderboard.set_goal(text,text,text,text,numeric,jsonb,text,date,date)'),
  ('leaderboard.clear_goal(bigint)'), ('leaderboard.clear_goal(text,text,text,text,jsonb,text)');

-- the functions of the types' I/O and of their operators (PostgreSQL checks an operator's
-- function for EXECUTE as the user of the query)
CREATE TEMP TABLE type_support (sig text);
INSERT INTO type_support
SELECT f::regprocedure::text FROM pg_type t, unnest(ARRAY[t.typinput, t.typoutput, t.typreceive, t.typsend]::oid[]) f
WHERE t.typnamespace = 'leaderboard'::regnamespace AND t.typtype = 'b' AND t.typelem = 0
UNION SELECT o.oprcode::regprocedure::text FROM pg_operator o WHERE o.oprnamespace = 'leaderboard'::regnamespace
UNION SELECT p.amproc::regprocedure::text FROM pg_amproc p
      JOIN pg_opfamily f ON f.oid = p.amprocfamily WHERE f.opfnamespace = 'leaderboard'::regnamespace;

-- internal functions that ordinary roles call as themselves, and why
CREATE TEMP TABLE internal_public (sig text, reason text);
INSERT INTO internal_public VALUES
  ('leaderboard._board(text)', 'board API: reads the public catalog'),
  ('leaderboard._board_after_lock(text,leaderboard.boards)', 'alter_board: reads the public catalog again after its lock'),
  ('leaderboard._board_indexes(leaderboard.boards)', 'alter_board: makes missing indexes on tables the caller owns'),
  ('leaderboard._board_schema(leaderboard.boards)', 'board API: reads the system catalogs'),
  ('leaderboard._zone_is_abbreviation(text)', 'create_board: reads the system catalogs'),
  ('leaderboard._rank_fn_sql(text)', 'board statements, rolling: SQL text (pure)'),
  ('leaderboard._rank_order_sql(leaderboard.boards,text,text,text,text)', 'board statements, rolling: SQL text from the public catalog'),
  ('leaderboard._require_owner(leaderboard.boards)', 'board API: raises unless the caller owns the board'),
  ('leaderboard._lock_scopes(leaderboard.boards)', 'rebuild, alter_board, close_periods, check_goals: LOCK TABLE as the caller, who owns the board'),
  ('leaderboard._created_in_transaction(regclass)', '_lock_scopes: reads only the caller''s own transaction''s relation cache'),
  ('leaderboard._require_source_unfiltered(leaderboard.boards)', 'board API: raises when row-level security filters the source for the caller'),
  ('leaderboard._board_cards(jsonb,text[],text[])', 'create_board, alter_board: validates a card (pure)'),
  ('leaderboard._align_card(jsonb,text[],text)', 'create_board, alter_board: aligns a card (pure)'),
  ('leaderboard._column_type(regclass,name)', 'create_board: a column''s type from pg_attribute'),
  ('leaderboard._column_collate(regclass,name)', 'create_board and the board statements: a column''s collation from pg_attribute'),
  ('leaderboard._column_base_type(regclass,name)', 'the board statements, goals and views: a column''s type from pg_attribute and pg_type'),
  ('leaderboard._text_forms_type(regtype)', 'create_board and set_goal: reads pg_type, pg_range and pg_attribute'),
  ('leaderboard._equal_means_identical(regtype)', 'create_board and set_goal: reads a type''s btree operator class'),
  ('leaderboard._base_type(regtype)', 'create_board: reads pg_type'),
  ('leaderboard._type_parts(regtype)', 'create_board, set_goal and enum renames: reads pg_type, pg_range and pg_attribute'),
  ('leaderboard._create_verb(leaderboard.boards,text,oid)', 'create_board, alter_board: CREATE or CREATE OR REPLACE (pure)'),
  ('leaderboard._board_views(leaderboard.boards)', 'create_board, alter_board: DDL as the caller'),
  ('leaderboard._board_statements(text)', 'rebuild, verify, alter_board: SQL text from the public catalog'),
  ('leaderboard._local_time_sql(leaderboard.boards,text)', 'statement generation (pure)'),
  ('leaderboard._period_start_sql(text,text)', 'statement generation (pure)'),
  ('leaderboard._card_sql(leaderboard.boards,text,text,text)', 'statement generation (pure)'),
  ('leaderboard._cards(leaderboard.boards)', 'statement generation, leaderboard.scorecard_versions: reads a catalog row given (pure)'),
  ('leaderboard._card_in_force(leaderboard.boards,text,date)', 'alter_board, card version checks: reads a catalog row given (pure)'),
  ('leaderboard._cards_for_open_periods(leaderboard.boards,jsonb)', 'alter_board: computes from a catalog row given (pure)'),
  ('leaderboard._tie_break_sql(leaderboard.boards,text)', 'statement generation (pure)'),
  ('leaderboard._kpis_close(leaderboard.kpis,leaderboard.kpis,integer)', 'verify: compares kpis (pure)'),
  ('leaderboard._board_score(leaderboard.kpis,leaderboard.scorecard)', 'rebuild, verify, rolling: the stored score (pure)'),
  ('leaderboard._rank_precision(double precision)', 'rebuild, verify: tie-break rounding (pure)'),
  ('leaderboard._kpis_correct(leaderboard.kpis,leaderboard.kpis,leaderboard.kpis)', 'commit-time apply as the owner: a correction as a delta (pure)'),
  ('leaderboard._exact_extremes(leaderboard.boards)', 'statement generation, direct apply: metrics whose min or max a card reads (pure)'),
  ('leaderboard._needs_recompute(leaderboard.boards)', 'create_board, alter_board, statement generation as the owner: checks SELECT before reading metric types'),
  ('leaderboard._ensure_source_index(leaderboard.boards)', 'create_board, alter_board: CREATE INDEX as the caller'),
  ('leaderboard._check_board_row(leaderboard.boards)', '_catalog_insert: checks a row as create_board would'),
  ('leaderboard._agent_at_indexes(regclass,name,name)', 'create_board, drop_board, _check_board_row: the source''s (agent, at) indexes, from the catalogs'),
  ('leaderboard._check_tie_break(text[],jsonb)', 'create_board, alter_board: checks a tie-break against a card (pure)'),
  ('leaderboard._catalog_insert(leaderboard.boards)', 'create_board: checks owner, tables and row, then writes'),
  ('leaderboard._catalog_update(text,jsonb,text,name)', 'alter_board: checks the board''s owner and cards, then writes'),
  ('leaderboard._catalog_delete(text)', 'drop_board, source drop: checks the board''s owner, then deletes'),
  ('leaderboard._source_read(text)', 'rebuild: checks the board''s owner, then marks only the caller''s own transaction'),
  ('leaderboard._captured(text)', 'close_periods: reads only the caller''s own transaction''s state'),
  ('leaderboard._writing_statement_running()', 'close_periods: reads only the caller''s own statements'' state'),
  ('leaderboard._catalog_set_events(text,jsonb)', 'alter_board: checks the board''s owner and the setting, then writes'),
  ('leaderboard._catalog_set_card_versions(text,jsonb)', 'alter_board: checks the board''s owner and the cards, then writes'),
  ('leaderboard._check_card_versions(text,jsonb)', 'alter_board: checks cards taking effect later (reads the public catalog)'),
  ('leaderboard._period_start_on_or_after(text,date)', 'alter_board: date arithmetic (pure)'),
  ('leaderboard._period_length(text)', 'alter_board: date arithmetic (pure)'),
  ('leaderboard._check_effective_from(leaderboard.boards,jsonb,date)', 'alter_board: checks an effective date (pure)'),
  ('leaderboard._events_config(leaderboard.boards,jsonb)', 'alter_board: checks an events setting (pure)'),
  ('leaderboard._check_milestone_retention(jsonb,interval)', 'alter_board: checks a retention against the milestones (pure)'),
  ('leaderboard._events_sql(text)', 'commit-time apply as the owner: SQL text from the public catalog'),
  ('leaderboard._events_sql(text,text[])', 'commit-time apply as the owner: SQL text from the public catalog'),
  ('leaderboard._events_statement(leaderboard.boards)', 'events statement generation: SQL text (pure but for the column types it reads)'),
  ('leaderboard._events_payload(text,jsonb)', 'commit-time apply as the owner: the NOTIFY payload (pure)'),
  ('leaderboard._board_event_trigger(leaderboard.boards)', 'alter_board: CREATE, ENABLE or DISABLE TRIGGER on the standings as the caller'),
  ('leaderboard._board_event_row()', 'CREATE TRIGGER by the board owner; records only during the owner''s commit-time apply'),
  ('leaderboard._event_branches(leaderboard.boards)', 'events statement generation: SQL text (pure but for the column types it reads)'),
  ('leaderboard._events_write_sql(leaderboard.boards,text,text[])', 'events statement generation: SQL text (pure)'),
  ('leaderboard._events_partition_sql(leaderboard.boards,text)', 'events statement generation: SQL text (pure)'),
  ('leaderboard._period_last_day_sql(text,text)', 'events statement generation: SQL text (pure)'),
  ('leaderboard._goal_day_sql(text,text,text)', 'events statement generation: SQL text (pure)'),
  ('leaderboard._goal_ladders_sql(leaderboard.boards,text,text,text,text)', 'events statement generation: SQL text (pure)'),
  ('leaderboard._goal_partition_sql(leaderboard.boards,text,text)', 'goal views and events statement generation: SQL text (pure)'),
  ('leaderboard._canon_jsonb(anyelement)', 'set_goal: a value''s JSON form (pure)'),
  ('leaderboard._canon_text(anyelement)', 'set_goal: a value''s text form (pure)'),
  ('leaderboard._goal_actual_sql(text,text,text)', 'events statement generation: SQL text (pure)'),
  ('leaderboard._catalog_close(text,interval,interval,jsonb,leaderboard.closed_periods[],leaderboard.period_winners[])', 'close_periods, alter_board: checks the board''s owner and the close, then writes'),
  ('leaderboard._check_close(text,interval,interval,jsonb,leaderboard.closed_periods[],leaderboard.period_winners[])', '_catalog_close: checks a close as close_periods would make it (reads the public catalog)'),
  ('leaderboard._check_close_settings(interval,interval)', 'create_board, alter_board: checks grace and retention (pure)'),
  ('leaderboard._check_snapshot_current(text,text)', 'close_periods: runs a query as the caller, with two snapshots'),
  ('leaderboard._campaign_window(regclass,text,text,timestamp with time zone,timestamp with time zone)', 'create_campaign, _check_window: SQL text; checks SELECT before reading the column type'),
  ('leaderboard._check_window(text,timestamp with time zone,timestamp with time zone)', '_catalog_set_window: checks a window as create_campaign gives it (reads the public catalog)'),
  ('leaderboard._catalog_set_window(text,timestamp with time zone,timestamp with time zone)', 'create_campaign: checks the board''s owner and the window, then writes'),
  ('leaderboard._closed_sql(jsonb,text,text)', 'statement generation, verify, close_periods: SQL text (pure)'),
  ('leaderboard._closed_before(leaderboard.boards,timestamp with time zone)', 'close_periods: the periods that may close (pure)'),
  ('leaderboard._retained_from(leaderboard.boards,timestamp with time zone)', 'close_periods: the first day retention keeps (pure)'),
  ('leaderboard._expression_type(regclass,text,text)', 'create_board, source DDL: checks SELECT before opening'),
  ('leaderboard._expression_sql(regclass,text,text)', 'create_board, statement generation: checks SELECT before opening'),
  ('leaderboard._expression_columns(regclass,text)', 'source DDL: checks SELECT before opening'),
  ('leaderboard._around(regclass,text,anyelement,text,integer,text,text)', '<board>_around, as its caller: checks SELECT before opening'),
  ('leaderboard._top(regclass,regclass,text,text,text,text[],record,text,integer)', '<board>_top, as its caller: checks SELECT before opening'),
  ('leaderboard._current_top(regclass,record,text,bigint)', 'the top-N plan of <board>_current, as its caller: checks SELECT before opening'),
  ('leaderboard._current_period_start(text,text)', '<board>_current: the current period''s start (pure)'),
  ('leaderboard._current_view_sql(leaderboard.boards)', 'the top-N plan of <board>_current: the view''s query, as the caller (pure)'),
  ('leaderboard._board_capture()', 'CREATE TRIGGER by the board owner or partition creator; checked against the catalog when fired'),
  ('leaderboard._board_capture_row()', 'CREATE TRIGGER by the board owner; checked against the catalog when fired'),
  ('leaderboard._board_triggers(leaderboard.boards)', 'create_board, partition DDL: CREATE TRIGGER as the caller'),
  ('leaderboard._drop_board_objects(leaderboard.boards)', 'drop_board, source drop: DROP as the caller'),
  ('leaderboard._check_board_source(leaderboard.boards)', 'source DDL: refuses a change that breaks a board'),
  ('leaderboard._source_family(regclass)', 'create_board, source DDL: reads pg_inherits'),
  ('leaderboard._board_triggers_not_as_made(regclass[])', 'trigger DDL: reads pg_trigger'),
  ('leaderboard._check_source_family(text,regclass)', 'create_board, source DDL: refuses a source whose rows could reach it unseen (reads the catalog)'),
  ('leaderboard._check_retyped_columns()', 'source DDL: works only inside the event trigger'),
  ('leaderboard._retyped_columns(pg_ddl_command,regclass)', 'source DDL: its pg_ddl_command exists only inside the event trigger'),
  ('leaderboard._changes_partitions(pg_ddl_command)', 'partition DDL: its pg_ddl_command exists only inside the event trigger'),
  ('leaderboard._changes_source_family(pg_ddl_command)', 'table DDL: its pg_ddl_command exists only inside the event trigger'),
  ('leaderboard._replaces_trigger(pg_ddl_command)', 'trigger DDL: its pg_ddl_command exists only inside the event trigger'),
  ('leaderboard._wrong_trigger_modes(regclass[])', 'trigger DDL: reads pg_trigger'),
  ('leaderboard._goal_row(text,text,text,text,numeric,jsonb,text,date,date)', 'set_goal, clear_goal: raises unless the caller owns the board, checks a goal'),
  ('leaderboard._check_goal(leaderboard.goals)', '_goal_insert: checks a row as set_goal would'),
  ('leaderboard._goal_insert(leaderboard.goals)', 'set_goal: checks the board''s owner and the row, then writes'),
  ('leaderboard._goals_delete(bigint[])', 'clear_goal: checks the owner of every goal''s board, then deletes'),
  ('leaderboard._catalog_set_calendar(text,leaderboard.calendar)', 'alter_board: checks the board''s owner, then writes'),
  ('leaderboard._goal_views(leaderboard.boards)', 'create_board, alter_board: DDL as the caller'),
  ('leaderboard._period_days_sql(leaderboard.boards,text,text,text,text)', '<board>_goals and the events statement generation: SQL text (pure)'),
  ('leaderboard._campaign_days(leaderboard.boards)', '<board>_goals, the events statement generation and the commit-time apply: a catalog row given (pure)'),
  ('leaderboard._goal_actual(leaderboard.kpis,integer,text)', '<board>_goals, <board>_streaks, as their reader (pure)'),
  ('leaderboard._goal_rung(numeric[],bigint[],numeric)', '<board>_goals, as its reader (pure)'),
  ('leaderboard._goal_pace(text,numeric,integer,integer)', '<board>_goals, as its reader (pure)');

CREATE TEMP VIEW executable AS
  SELECT p.oid::regprocedure::text AS sig FROM pg_proc p
  WHERE p.pronamespace = 'leaderboard'::regnamespace AND has_function_privilege('public', p.oid, 'EXECUTE');

SELECT set_eq($$SELECT sig FROM executable WHERE sig NOT LIKE 'leaderboard.\_%'$$,
              $$SELECT sig FROM api UNION SELECT sig FROM type_support$$,
              'PUBLIC executes exactly the documented API and the types'' I/O and operator functions');
SELECT set_eq($$SELECT sig FROM executable WHERE sig LIKE 'leaderboard.\_%'$$,
              $$SELECT sig FROM internal_public$$,
              'PUBLIC executes no internal function but those listed with a reason');
SELECT is_empty($$SELECT sig FROM api WHERE to_regprocedure(sig) IS NULL
                  UNION ALL SELECT sig FROM internal_public WHERE to_regprocedure(sig) IS NULL$$,
                'every listed function exists');
SELECT set_eq($$SELECT p.oid::regprocedure::text FROM pg_proc p
                WHERE p.pronamespace = 'leaderboard'::regnamespace AND p.prorettype IN ('trigger'::regtype, 'event_trigger'::regtype)
                  AND NOT has_function_privilege('public', p.oid, 'EXECUTE')$$,
              ARRAY['leaderboard._board_commit()', 'leaderboard._drop_boards_of_dropped_sources()',
                    'leaderboard._follow_partitions()', 'leaderboard._board_partitions_moved()',
                    'leaderboard._keep_trigger_modes()', 'leaderboard._refuse_unseen_tables()',
                    'leaderboard._keep_board_triggers()', 'leaderboard._board_functions_ddl()', 'leaderboard._board_functions_cascade()',
                    'leaderboard._board_enum_renamed()'],
              'the commit-time apply and the event trigger functions are not executable by PUBLIC (firing checks no EXECUTE)');
SELECT is_empty($$SELECT f::regprocedure::text FROM pg_aggregate a,
                    unnest(ARRAY[a.aggtransfn, a.aggfinalfn, a.aggcombinefn, a.aggserialfn, a.aggdeserialfn]::oid[]) f
                  WHERE a.aggfnoid::regprocedure::text LIKE 'leaderboard.%' AND f <> 0
                    AND has_function_privilege('public', f, 'EXECUTE')$$,
                'no aggregate support function is executable by PUBLIC (an aggregate''s are checked as its owner)');

-- == As a role with no privileges
CREATE ROLE lbp_nobody;
CREATE ROLE lbp_owner;
CREATE SCHEMA lbp AUTHORIZATION lbp_owner;
GRANT USAGE ON SCHEMA lbp TO lbp_nobody;
SET ROLE lbp_owner;
CREATE TABLE lbp.calls (agent_id int NOT NULL, at timestamptz NOT NULL, n int NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE lbp.calls_2026 PARTITION OF lbp.calls FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
INSERT INTO lbp.calls VALUES (1, '2026-03-05 10:00+00', 3), (2, '2026-03-05 11:00+00', 5);
SELECT lives_ok($$SELECT leaderboard.create_board(name => 'lbp', source => 'lbp.calls', agent => 'agent_id', at => 'at',
                    metrics => ARRAY['n'], periods => ARRAY['day', 'all'], time_zone => 'UTC',
                    scorecard => '{"metrics": [{"name": "n", "stat": "sum"}]}')$$,
                'a role owning a partitioned table (not a superuser) creates a board over it');
GRANT INSERT ON lbp.calls TO lbp_nobody;
RESET ROLE;

SET ROLE lbp_nobody;
SELECT is((SELECT leaderboard.rows(leaderboard.kpi_agg(x)) FROM generate_series(1, 3) x), 3::bigint,
          'the aggregates work for a role that may not execute their support functions');
SELECT throws_ok($$SELECT leaderboard._expression_type('lbp.lbp_standings'::regclass, 'score', 'metric')$$, '42501',
                 'permission denied for table lbp_standings', '_expression_type of a table the caller may not read: 42501');
SELECT throws_ok($$SELECT leaderboard._expression_sql('lbp.lbp_standings'::regclass, 'score', 'metric')$$, '42501',
                 'permission denied for table lbp_standings', '_expression_sql of a table the caller may not read: 42501');
SELECT throws_ok($$SELECT leaderboard._expression_columns('lbp.lbp_standings'::regclass, 'score')$$, '42501',
                 'permission denied for table lbp_standings', '_expression_columns of a table the caller may not read: 42501');
SELECT throws_ok($$SELECT * FROM leaderboard._around('lbp.lbp_standings'::regclass, 'UTC', 1, 'day', 1, 'agent_id')
                     AS r(period_start date, agent_id int, score float8, qualified bool, rank int8, tier text)$$,
                 '42501', 'permission denied for table lbp_standings', '_around of standings the caller may not read: 42501');
SELECT throws_ok($$SELECT leaderboard._expression_type(0, 'score', 'metric')$$, '42P01', NULL,
                 '_expression_type of no relation: 42P01');
-- a writer with INSERT alone writes; the apply (its trigger not executable by PUBLIC) runs
SELECT lives_ok($$INSERT INTO lbp.calls VALUES (1, '2026-03-05 12:00+00', 4)$$, 'a writer with INSERT alone inserts');
SELECT lives_ok($$SET CONSTRAINTS ALL IMMEDIATE$$, 'and its commit-time apply runs');
SET CONSTRAINTS ALL DEFERRED;
RESET ROLE;

-- the owner's DDL fires the event triggers as the owner
SET ROLE lbp_owner;
SELECT lives_ok($$CREATE TABLE lbp.calls_2027 PARTITION OF lbp.calls FOR VALUES FROM ('2027-01-01') TO ('2028-01-01')$$,
                'the owner adds a partition (the event trigger gives it the board''s triggers)');
SELECT is((SELECT count(*)::int FROM pg_trigger WHERE tgrelid = 'lbp.calls_2027'::regclass AND tgname LIKE 'lb\_lbp\_%'), 5,
          'the new partition has the board''s four statement triggers and the row trigger''s clone');
SELECT lives_ok($$ALTER TABLE lbp.calls_2026 DISABLE TRIGGER USER$$, 'the owner disables triggers on a partition');
SELECT is((SELECT count(*)::int FROM pg_trigger WHERE tgrelid = 'lbp.calls_2026'::regclass AND tgname LIKE 'lb\_lbp\_%' AND tgenabled = 'D'), 0,
          'and the event trigger put the board''s triggers back');
SELECT lives_ok($$ALTER TABLE lbp.calls DETACH PARTITION lbp.calls_2026$$, 'the owner detaches a non-empty partition');
SET CONSTRAINTS ALL IMMEDIATE;
SET CONSTRAINTS ALL DEFERRED;
SELECT is_empty($$SELECT * FROM leaderboard.verify('lbp')$$, 'the board is exact after all that');

-- _catalog_insert refuses rows create_board would not write, over the caller's own tables
CREATE TABLE lbp.x_standings AS SELECT * FROM lbp.lbp_standings WITH NO DATA;
CREATE TABLE lbp.x_scopes AS SELECT * FROM lbp.lbp_scopes WITH NO DATA;
CREATE TEMP TABLE lbp_row AS
  SELECT jsonb_populate_record(b, '{"name": "x", "standings": "lbp.x_standings", "scopes": "lbp.x_scopes"}') AS r
  FROM leaderboard.boards b WHERE name = 'lbp';
SELECT lives_ok($$SELECT leaderboard._catalog_insert(r) FROM lbp_row$$,
                'control: a copy of a board''s row, over tables named and shaped as create_board makes them, is written');
DO $$ BEGIN PERFORM leaderboard._catalog_delete('x'); END $$;
SELECT throws_ok($$SELECT leaderboard._catalog_insert(jsonb_populate_record(r, '{"metric_exprs": ["(n) + (1) AS y"]}')) FROM lbp_row$$,
                 '22023', NULL, 'a metric create_board would not have written is refused');
SELECT throws_ok($$SELECT leaderboard._catalog_insert(jsonb_populate_record(r, '{"metric_exprs": ["(n) + (1)"]}')) FROM lbp_row$$,
                 '42601', NULL, 'a metric create_board would have refused (not one expression) is refused');
SELECT throws_ok($$SELECT leaderboard._catalog_insert(jsonb_populate_record(r, '{"metric_exprs": ["(extract(hour from at)::int)"]}')) FROM lbp_row$$,
                 '42P17', NULL, 'a metric create_board would have refused (not immutable) is refused');
SELECT throws_ok($$SELECT leaderboard._catalog_insert(jsonb_populate_record(r, jsonb_build_object('scorecards',
                     jsonb_build_object('day', ((r).scorecards ->> 'day')::jsonb, 'all', ((r).scorecards ->> 'all')::jsonb)))) FROM lbp_row$$,
                 '22023', NULL, 'scorecards not in the form create_board stores them are refused');
SELECT throws_ok($$SELECT leaderboard._catalog_insert(jsonb_populate_record(r, '{"periods": ["day", "fortnight"]}')) FROM lbp_row$$,
                 '22023', NULL, 'an unknown period is refused');
SELECT throws_ok($$SELECT leaderboard._catalog_insert(jsonb_populate_record(r, '{"standings": "lbp.calls_2027"}')) FROM lbp_row$$,
                 '22023', NULL, 'standings that are not the board''s own table are refused');
SELECT throws_ok($$SELECT leaderboard._catalog_update('lbp', jsonb_build_object('day', scorecards -> 'day'), NULL)
                   FROM leaderboard.boards WHERE name = 'lbp'$$, '22023', NULL,
                 '_catalog_update refuses scorecards alter_board would not write');
SELECT lives_ok($$DROP TABLE lbp.calls$$, 'the owner drops the source');
SELECT ok(NOT EXISTS (SELECT FROM leaderboard.boards WHERE name = 'lbp') AND to_regclass('lbp.lbp_standings') IS NULL,
          'and the event trigger dropped its board');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
