-- Who may execute what. Nothing is executable by PUBLIC unless granted back below, so a
-- function added later stays closed until it is listed here (and in
-- test/pgtap/privileges.sql, which checks this list).
REVOKE EXECUTE ON ALL ROUTINES IN SCHEMA leaderboard FROM PUBLIC;

-- The documented API: the types' functions and aggregates, and the board functions.
GRANT EXECUTE ON FUNCTION
  leaderboard.rows(leaderboard.kpis),
  leaderboard.kpi_count(leaderboard.kpis, integer),
  leaderboard.kpi_sum(leaderboard.kpis, integer),
  leaderboard.kpi_avg(leaderboard.kpis, integer),
  leaderboard.kpi_min(leaderboard.kpis, integer),
  leaderboard.kpi_max(leaderboard.kpis, integer),
  leaderboard.kpi_agg("any"),
  leaderboard.kpi_merge(leaderboard.kpis),
  leaderboard.score(leaderboard.kpis, leaderboard.scorecard),
  leaderboard.qualified(leaderboard.kpis, leaderboard.scorecard),
  leaderboard.explain(leaderboard.kpis, leaderboard.scorecard),
  leaderboard.is_working_day(leaderboard.calendar, date),
  leaderboard.longest(leaderboard.streak),
  leaderboard.longest_start(leaderboard.streak),
  leaderboard.current(leaderboard.streak, date),
  leaderboard.met_days(leaderboard.streak),
  leaderboard.streak_calendar(leaderboard.streak),
  leaderboard.streak_agg(date, boolean),
  leaderboard.streak_agg(date, boolean, leaderboard.calendar),
  leaderboard.streak_merge(leaderboard.streak),
  leaderboard.tier(double precision, leaderboard.ladder),
  leaderboard.tier(double precision, leaderboard.ladder, text),
  leaderboard.tier_level(double precision, leaderboard.ladder),
  leaderboard.tier_level(text, leaderboard.ladder),
  leaderboard.next_tier(double precision, leaderboard.ladder),
  leaderboard.to_next_tier(double precision, leaderboard.ladder),
  leaderboard.tier_progress(double precision, leaderboard.ladder),
  leaderboard.tier_by_rank(bigint, bigint, leaderboard.ladder),
  leaderboard.tier_counts(double precision, leaderboard.ladder),
  leaderboard.ladder_kind(leaderboard.ladder),
  leaderboard.create_board(text, regclass, text, text, text[], jsonb, text[], text[], text,
                           leaderboard.ladder, text, text, text[], leaderboard.calendar, interval, interval),
  leaderboard.alter_board(text, jsonb, leaderboard.ladder, boolean, leaderboard.calendar, boolean, jsonb, interval, interval, boolean, date),
  leaderboard.close_periods(text),
  leaderboard.check_goals(text),
  leaderboard.create_campaign(text, regclass, text, text, text[], jsonb, timestamptz, timestamptz, text[], text,
                              leaderboard.ladder, text, text, text[], leaderboard.calendar, interval, text),
  leaderboard.rebuild(text),
  leaderboard.verify(text),
  leaderboard.drop_board(text),
  leaderboard.delete_events(text, timestamptz),
  leaderboard.rolling(text, integer, date),
  leaderboard.working_days(leaderboard.calendar, date, date),
  leaderboard.set_goal(text, text, text, text, numeric, jsonb, text, date, date),
  leaderboard.clear_goal(bigint),
  leaderboard.clear_goal(text, text, text, text, jsonb, text)
TO PUBLIC;

-- The types' text and binary I/O (as for every built-in type) and the functions of their
-- operators, which PostgreSQL checks for EXECUTE as the user of the query. Aggregate
-- support functions (transition, combine, serial, deserial, final) stay revoked: an
-- aggregate's are checked as its owner, and called directly they would take internal
-- states and bytes from anyone.
GRANT EXECUTE ON FUNCTION
  leaderboard.kpis_in(cstring), leaderboard.kpis_out(leaderboard.kpis),
  leaderboard.kpis_recv(internal), leaderboard.kpis_send(leaderboard.kpis),
  leaderboard.kpis_eq(leaderboard.kpis, leaderboard.kpis),
  leaderboard.kpis_ne(leaderboard.kpis, leaderboard.kpis),
  leaderboard.kpis_hash(leaderboard.kpis),
  leaderboard.kpis_add(leaderboard.kpis, leaderboard.kpis),
  leaderboard.scorecard_in(cstring), leaderboard.scorecard_out(leaderboard.scorecard),
  leaderboard.scorecard_recv(internal), leaderboard.scorecard_send(leaderboard.scorecard),
  leaderboard.calendar_in(cstring), leaderboard.calendar_out(leaderboard.calendar),
  leaderboard.calendar_recv(internal), leaderboard.calendar_send(leaderboard.calendar),
  leaderboard.calendar_eq(leaderboard.calendar, leaderboard.calendar),
  leaderboard.calendar_ne(leaderboard.calendar, leaderboard.calendar),
  leaderboard.streak_in(cstring), leaderboard.streak_out(leaderboard.streak),
  leaderboard.streak_recv(internal), leaderboard.streak_send(leaderboard.streak),
  leaderboard.streak_union(leaderboard.streak, leaderboard.streak),
  leaderboard.streak_eq(leaderboard.streak, leaderboard.streak),
  leaderboard.streak_ne(leaderboard.streak, leaderboard.streak),
  leaderboard.ladder_in(cstring), leaderboard.ladder_out(leaderboard.ladder),
  leaderboard.ladder_recv(internal), leaderboard.ladder_send(leaderboard.ladder)
TO PUBLIC;

-- Internal functions that run as an ordinary role by design, because the board API, the
-- generated <board>_around and the event triggers are not SECURITY DEFINER: whoever calls
-- them (a board's owner, its reader, a role altering or dropping its own table) calls
-- these as itself. Each does only what its caller may do anyway, or checks the caller's
-- rights itself before reading, locking or writing anything (README, "Security").
GRANT EXECUTE ON FUNCTION
  -- called by create_board, alter_board, rebuild, verify, drop_board, rolling and check_goals
  leaderboard._board(text),
  leaderboard._board_after_lock(text, leaderboard.boards),
  leaderboard._board_indexes(leaderboard.boards),
  leaderboard._board_schema(leaderboard.boards),
  leaderboard._zone_is_abbreviation(text),
  leaderboard._rank_fn_sql(text),
  leaderboard._rank_order_sql(leaderboard.boards, text, text, text, text),
  leaderboard._require_owner(leaderboard.boards),
  leaderboard._lock_scopes(leaderboard.boards),
  leaderboard._created_in_transaction(regclass),
  leaderboard._require_source_unfiltered(leaderboard.boards),
  leaderboard._board_cards(jsonb, text[], text[]),
  leaderboard._align_card(jsonb, text[], text),
  leaderboard._column_type(regclass, name),
  leaderboard._column_collate(regclass, name),
  leaderboard._column_base_type(regclass, name),
  leaderboard._text_forms_type(regtype),
  leaderboard._equal_means_identical(regtype),
  leaderboard._type_parts(regtype),
  leaderboard._base_type(regtype),
  leaderboard._create_verb(leaderboard.boards, text, oid),
  leaderboard._board_views(leaderboard.boards),
  leaderboard._board_statements(text),
  leaderboard._local_time_sql(leaderboard.boards, text),
  leaderboard._period_start_sql(text, text),
  leaderboard._card_sql(leaderboard.boards, text, text, text),
  leaderboard._cards(leaderboard.boards),
  leaderboard._card_in_force(leaderboard.boards, text, date),
  leaderboard._cards_for_open_periods(leaderboard.boards, jsonb),
  leaderboard._tie_break_sql(leaderboard.boards, text),
  leaderboard._kpis_close(leaderboard.kpis, leaderboard.kpis, integer),
  leaderboard._board_score(leaderboard.kpis, leaderboard.scorecard),
  leaderboard._rank_precision(double precision),
  leaderboard._kpis_correct(leaderboard.kpis, leaderboard.kpis, leaderboard.kpis),
  leaderboard._exact_extremes(leaderboard.boards),
  leaderboard._needs_recompute(leaderboard.boards),
  leaderboard._ensure_source_index(leaderboard.boards),
  leaderboard._closed_sql(jsonb, text, text),
  leaderboard._closed_before(leaderboard.boards, timestamptz),
  leaderboard._retained_from(leaderboard.boards, timestamptz),
  leaderboard._check_close_settings(interval, interval),
  -- create_board and source DDL: read the catalog
  leaderboard._source_family(regclass),
  leaderboard._check_source_family(text, regclass),
  leaderboard._board_triggers_not_as_made(regclass[]),
  -- runs its query as the caller, who may run it anyway
  leaderboard._check_snapshot_current(text, text),
  -- create_campaign: the window's SQL, and its check before the catalog is written as its
  -- owner (only for a board the caller owns)
  leaderboard._campaign_window(regclass, text, text, timestamptz, timestamptz),
  leaderboard._check_window(text, timestamptz, timestamptz),
  leaderboard._catalog_set_window(text, timestamptz, timestamptz),
  -- check the caller's rights before writing the catalog as its owner; the row must be one
  -- create_board would write
  leaderboard._check_board_row(leaderboard.boards),
  leaderboard._agent_at_indexes(regclass, name, name),
  leaderboard._check_tie_break(text[], jsonb),
  leaderboard._catalog_insert(leaderboard.boards),
  leaderboard._catalog_update(text, jsonb, text, name),
  leaderboard._catalog_delete(text),
  leaderboard._source_read(text),
  leaderboard._captured(text),
  leaderboard._writing_statement_running(),
  leaderboard._check_close(text, interval, interval, jsonb, leaderboard.closed_periods[], leaderboard.period_winners[]),
  leaderboard._catalog_close(text, interval, interval, jsonb, leaderboard.closed_periods[], leaderboard.period_winners[]),
  leaderboard._catalog_set_events(text, jsonb),
  leaderboard._check_card_versions(text, jsonb),
  leaderboard._period_start_on_or_after(text, date),
  leaderboard._period_length(text),
  leaderboard._check_effective_from(leaderboard.boards, jsonb, date),
  leaderboard._catalog_set_card_versions(text, jsonb),
  leaderboard._events_config(leaderboard.boards, jsonb),
  leaderboard._check_milestone_retention(jsonb, interval),
  -- called by the commit-time apply as the board's owner, and by alter_board
  leaderboard._events_sql(text),
  leaderboard._events_sql(text, text[]),
  leaderboard._events_statement(leaderboard.boards),
  leaderboard._events_payload(text, jsonb),
  leaderboard._board_event_trigger(leaderboard.boards),
  leaderboard._board_event_row(),
  leaderboard._event_branches(leaderboard.boards),
  leaderboard._events_write_sql(leaderboard.boards, text, text[]),
  leaderboard._events_partition_sql(leaderboard.boards, text),
  leaderboard._period_last_day_sql(text, text),
  leaderboard._goal_day_sql(text, text, text),
  leaderboard._goal_ladders_sql(leaderboard.boards, text, text, text, text),
  leaderboard._goal_partition_sql(leaderboard.boards, text, text),
  leaderboard._canon_jsonb(anyelement),
  leaderboard._canon_text(anyelement),
  leaderboard._goal_actual_sql(text, text, text),
  -- check SELECT on the relation before opening it
  leaderboard._expression_type(regclass, text, text),
  leaderboard._expression_sql(regclass, text, text),
  leaderboard._expression_columns(regclass, text),
  leaderboard._around(regclass, text, anyelement, text, integer, text, text),
  leaderboard._top(regclass, regclass, text, text, text, text[], record, text, integer),
  leaderboard._current_top(regclass, record, text, bigint),
  -- CREATE TRIGGER checks EXECUTE on the trigger function as the role creating the board,
  -- or the partition that gets its triggers; firing checks the trigger against the catalog
  leaderboard._board_capture(),
  leaderboard._board_capture_row(),
  -- called by create_board and by the event triggers, as the role running the DDL
  leaderboard._board_triggers(leaderboard.boards),
  leaderboard._drop_board_objects(leaderboard.boards),
  leaderboard._check_board_source(leaderboard.boards),
  leaderboard._check_retyped_columns(),
  leaderboard._retyped_columns(pg_ddl_command, regclass),
  leaderboard._changes_partitions(pg_ddl_command),
  leaderboard._changes_source_family(pg_ddl_command),
  leaderboard._replaces_trigger(pg_ddl_command),
  leaderboard._wrong_trigger_modes(regclass[]),
  -- set_goal, clear_goal and alter_board: check the caller owns the board before writing
  -- the goals or the catalog as its owner; the goal must be one set_goal would write
  leaderboard._goal_row(text, text, text, text, numeric, jsonb, text, date, date),
  leaderboard._check_goal(leaderboard.goals),
  leaderboard._goal_insert(leaderboard.goals),
  leaderboard._goals_delete(bigint[]),
  leaderboard._catalog_set_calendar(text, leaderboard.calendar),
  -- called by create_board and alter_board, DDL as the caller
  leaderboard._goal_views(leaderboard.boards),
  -- read by <board>_current as its reader (pure)
  leaderboard._current_period_start(text, text),
  -- the top-N plan of <board>_current checks the view against it (pure)
  leaderboard._current_view_sql(leaderboard.boards),
  -- read by <board>_goals and <board>_streaks as their reader (pure)
  leaderboard._period_days_sql(leaderboard.boards, text, text, text, text),
  leaderboard._campaign_days(leaderboard.boards),
  leaderboard._goal_actual(leaderboard.kpis, integer, text),
  leaderboard._goal_rung(numeric[], bigint[], numeric),
  leaderboard._goal_pace(text, numeric, integer, integer)
TO PUBLIC;
