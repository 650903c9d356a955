-- The security model of live boards (DESIGN §3), one test per guarantee. Each test fails
-- if the protection it names is taken away.
--
-- Cast: the board's owner is the role running this file; lbt_writer may only INSERT into
-- the calls table; lbt_reader may only read the board's two views; lbt_mallory owns a
-- schema of her own and nothing of the board's; lbt_trigger holds the TRIGGER privilege on
-- the calls table. The commit-time apply is run inside the test transaction with
-- SET CONSTRAINTS ALL IMMEDIATE, as the role that wrote, exactly as COMMIT would run it.
BEGIN;
SELECT plan(105);
SET LOCAL client_min_messages = warning;

CREATE ROLE lbt_writer;
CREATE ROLE lbt_reader;
CREATE ROLE lbt_mallory;
CREATE ROLE lbt_trigger;
CREATE SCHEMA lbt;
CREATE SCHEMA lbt_mallory AUTHORIZATION lbt_mallory;
GRANT USAGE ON SCHEMA lbt TO lbt_writer, lbt_reader, lbt_mallory, lbt_trigger;

CREATE TABLE lbt.calls (
  call_id bigserial PRIMARY KEY, agent_id int NOT NULL, team_id int NOT NULL,
  started_at timestamptz NOT NULL, handle_seconds int NOT NULL, converted boolean NOT NULL,
  note text, called_on date);
-- a metric that raises unless it is evaluated as the board's owner with a pinned
-- search_path: every insert below that succeeds ran the board's expressions as the owner
DO $$ BEGIN
  EXECUTE format($f$
    CREATE FUNCTION lbt.as_owner(v integer) RETURNS integer IMMUTABLE LANGUAGE plpgsql AS $b$
    BEGIN
      IF current_user <> %L OR current_setting('search_path') NOT LIKE 'pg_catalog%%' THEN
        RAISE EXCEPTION 'board expression evaluated as %% with search_path %%', current_user, current_setting('search_path');
      END IF;
      RETURN v;
    END $b$ $f$, current_user);
END $$;
-- two calls exist before the board: they load at creation
INSERT INTO lbt.calls (agent_id, team_id, started_at, handle_seconds, converted)
VALUES (1, 1, now(), 100, true), (1, 1, now(), 120, true);
SELECT is(leaderboard.create_board(name => 'lbt_floor', source => 'lbt.calls', agent => 'agent_id', at => 'started_at',
  metrics => ARRAY['converted AS conv', 'lbt.as_owner(handle_seconds) AS aht', 'call_id AS calls',
                   $$extract(hour from started_at AT TIME ZONE 'America/New_York')::int AS local_hour$$],
  scorecard => '{"metrics": [{"name": "conv", "stat": "rate", "weight": 50, "target": 0.5},
                             {"name": "calls", "stat": "count", "weight": 50, "target": 4}]}',
  periods => ARRAY['day', 'week'], partition_by => ARRAY['team_id'], time_zone => 'America/New_York')::text,
  'lbt.lbt_floor_standings', 'the owner creates a board over its calls table');
GRANT INSERT ON lbt.calls TO lbt_writer;
GRANT USAGE ON SEQUENCE lbt.calls_call_id_seq TO lbt_writer;
GRANT SELECT ON lbt.lbt_floor_current, lbt.lbt_floor_explain TO lbt_reader;
GRANT TRIGGER ON lbt.calls TO lbt_trigger;

-- == What a board creates belongs to its creator, and nobody else gets any privilege on it
SELECT is((SELECT owner::text FROM leaderboard.boards WHERE name = 'lbt_floor'), current_user::text,
          'the catalog records the creating role as the board''s owner');
SELECT is((SELECT array_agg(DISTINCT pg_get_userbyid(relowner)::text) FROM pg_class
           WHERE relnamespace = 'lbt'::regnamespace AND relname LIKE 'lbt\_floor\_%'),
          ARRAY[current_user::text], 'standings, scopes and both views are owned by the board''s owner');
SELECT is((SELECT array_agg(relacl::text) FROM pg_class
           WHERE oid IN ('lbt.lbt_floor_standings'::regclass, 'lbt.lbt_floor_scopes'::regclass)),
          ARRAY[NULL, NULL]::text[], 'standings and scopes are created with no grants');
SELECT is((SELECT pg_get_userbyid(proowner)::text || ' ' || prosecdef::text || ' ' || coalesce(array_to_string(proconfig, ','), 'no settings')
           FROM pg_proc WHERE oid = 'lbt.lbt_floor_around(integer, text, integer)'::regprocedure),
          current_user::text || ' false no settings',
          '<board>_around belongs to the owner, is not SECURITY DEFINER and has no SET clause (it is inlined)');
SELECT is((SELECT pg_get_userbyid(proowner)::text || ' ' || prosecdef::text || ' ' || coalesce(array_to_string(proconfig, ','), 'no settings')
           FROM pg_proc WHERE proname = 'lbt_floor_top' AND pronamespace = 'lbt'::regnamespace),
          current_user::text || ' false no settings',
          '<board>_top belongs to the owner, is not SECURITY DEFINER and has no SET clause (it is inlined)');
-- inlined into the caller's query, its body is parsed with the caller's search_path: it
-- names only qualified objects, so a schema shadowing its function and types changes nothing
CREATE SCHEMA lbt_shadow;
CREATE FUNCTION lbt_shadow._around(regclass, text, anyelement, text, integer, text, text) RETURNS SETOF record
  LANGUAGE sql AS 'SELECT NULL::record WHERE false';
CREATE DOMAIN lbt_shadow.float8 AS pg_catalog.numeric;
CREATE DOMAIN lbt_shadow.int8 AS pg_catalog.numeric;
CREATE TEMP TABLE around_plain AS SELECT * FROM lbt.lbt_floor_around(1, 'day', 1);
SELECT ok((SELECT count(*) FROM around_plain) > 0, 'agent 1 has neighbours today');
SET search_path = lbt_shadow, leaderboard, public, pg_catalog;
SELECT results_eq($$SELECT * FROM lbt.lbt_floor_around(1, 'day', 1)$$, $$SELECT * FROM around_plain$$,
                  '<board>_around gives the same rows whatever the caller''s search_path');
RESET search_path;
DROP SCHEMA lbt_shadow CASCADE;
-- it reads the standings directly, so under row-level security it refuses rather than
-- bypass the policies
ALTER TABLE lbt.lbt_floor_standings ENABLE ROW LEVEL SECURITY;
GRANT SELECT ON lbt.lbt_floor_standings TO lbt_reader;
SET ROLE lbt_reader;
SELECT throws_ok($$SELECT * FROM lbt.lbt_floor_around(1, 'day', 1)$$, '0A000', NULL,
                 '<board>_around refuses a standings table under row-level security');
RESET ROLE;
REVOKE SELECT ON lbt.lbt_floor_standings FROM lbt_reader;
ALTER TABLE lbt.lbt_floor_standings DISABLE ROW LEVEL SECURITY;

-- == Only a board's owner manages it (lbt_mallory owns neither the source nor the board)
SET ROLE lbt_mallory;
SELECT throws_ok($$SELECT leaderboard.create_board(name => 'lbt_stolen', source => 'lbt.calls', agent => 'agent_id',
                     at => 'started_at', metrics => ARRAY['call_id AS calls'],
                     scorecard => '{"metrics": [{"name": "calls", "stat": "count"}]}')$$,
                 '42501', 'must be owner of table lbt.calls',
                 'create_board over a table the caller does not own: 42501');
SELECT throws_ok($$SELECT leaderboard.alter_board('lbt_floor', scorecard => '{"metrics": [{"name": "calls", "stat": "count"}]}')$$,
                 '42501', 'must be owner of board "lbt_floor"', 'alter_board of another role''s board: 42501');
SELECT throws_ok($$SELECT leaderboard.drop_board('lbt_floor')$$,
                 '42501', 'must be owner of board "lbt_floor"', 'drop_board of another role''s board: 42501');
SELECT throws_ok($$SELECT leaderboard.rebuild('lbt_floor')$$,
                 '42501', 'must be owner of board "lbt_floor"', 'rebuild of another role''s board: 42501');
SELECT throws_ok($$SELECT * FROM leaderboard.verify('lbt_floor')$$,
                 '42501', 'must be owner of board "lbt_floor"', 'verify of another role''s board: 42501');
-- the catalog is readable by everyone and writable by no one but the board API
SELECT lives_ok($$SELECT count(*) FROM leaderboard.boards$$, 'anyone may read leaderboard.boards');
SELECT throws_ok($$INSERT INTO leaderboard.boards SELECT * FROM leaderboard.boards WHERE name = 'lbt_floor'$$,
                 '42501', NULL, 'a non-owner cannot INSERT into leaderboard.boards');
SELECT throws_ok($$UPDATE leaderboard.boards SET owner = 'lbt_mallory' WHERE name = 'lbt_floor'$$,
                 '42501', NULL, 'a non-owner cannot UPDATE leaderboard.boards (e.g. to make a board run as her)');
SELECT throws_ok($$DELETE FROM leaderboard.boards WHERE name = 'lbt_floor'$$,
                 '42501', NULL, 'a non-owner cannot DELETE from leaderboard.boards');
SELECT throws_ok($$TRUNCATE leaderboard.boards$$, '42501', NULL, 'a non-owner cannot TRUNCATE leaderboard.boards');
-- no role may lock the shared catalog tables in a mode that stalls other roles' commits
-- (DELETE on a table would allow any mode in PostgreSQL 15): events are deleted by their
-- board's owner through delete_events
SELECT throws_ok($$LOCK TABLE leaderboard.events IN ACCESS EXCLUSIVE MODE$$, '42501', NULL,
                 'a role cannot lock leaderboard.events ACCESS EXCLUSIVE');
SELECT throws_ok($$DELETE FROM leaderboard.events$$, '42501', NULL, 'nobody deletes from leaderboard.events directly');
SELECT throws_ok($$SELECT leaderboard.delete_events('lbt_floor')$$,
                 '42501', 'must be owner of board "lbt_floor"', 'delete_events of another role''s board: 42501');
SELECT throws_ok($$LOCK TABLE leaderboard.goals IN SHARE MODE$$, '42501', NULL, 'a role cannot lock leaderboard.goals SHARE');
SELECT throws_ok($$LOCK TABLE leaderboard.boards IN SHARE MODE$$, '42501', NULL, 'a role cannot lock leaderboard.boards SHARE');
-- internal functions with NULL arguments raise, never crash
SELECT throws_ok($$SELECT leaderboard._catalog_update(NULL, NULL, NULL, NULL)$$, '22004', NULL,
                 '_catalog_update with a NULL board: 22004');
SELECT throws_ok($$SELECT leaderboard.delete_events(NULL)$$, '22004', NULL, 'delete_events of a NULL board: 22004');
SELECT throws_ok($$SELECT leaderboard.delete_events('no_such_board')$$, '42704', NULL, 'delete_events of an unknown board: 42704');
-- the event trigger that drops the boards of dropped tables reads the catalog as whoever
-- drops a table: a role that has nothing to do with any board still drops its own
CREATE TABLE lbt_mallory.scratch (id int);
SELECT lives_ok($$DROP TABLE lbt_mallory.scratch$$, 'a role unrelated to any board can drop its own tables');
-- nor the board's tables
SELECT throws_ok($$INSERT INTO lbt.lbt_floor_standings (scope_id, period, period_start, team_id, agent_id, kpis, score, qualified, updated_at)
                   SELECT 1, 'day', current_date, 1, 99, kpis, 1e9, true, now() FROM lbt.lbt_floor_standings LIMIT 1$$,
                 '42501', NULL, 'a non-owner cannot INSERT standings');
SELECT throws_ok($$UPDATE lbt.lbt_floor_standings SET score = 1e9$$, '42501', NULL, 'a non-owner cannot UPDATE standings');
SELECT throws_ok($$DELETE FROM lbt.lbt_floor_standings$$, '42501', NULL, 'a non-owner cannot DELETE standings');
SELECT throws_ok($$UPDATE lbt.lbt_floor_scopes SET version = 0$$, '42501', NULL, 'a non-owner cannot write scopes');
-- her own table qualifies, but FORCE ROW LEVEL SECURITY does not let a board (whose
-- transition tables bypass policies) read it without BYPASSRLS
CREATE TABLE lbt_mallory.forced (agent_id int, at timestamptz, n int);
ALTER TABLE lbt_mallory.forced ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
SELECT throws_ok($$SELECT leaderboard.create_board(name => 'lbt_forced', source => 'lbt_mallory.forced', agent => 'agent_id',
                     at => 'at', metrics => ARRAY['n'], scorecard => '{"metrics": [{"name": "n", "stat": "sum"}]}')$$,
                 '42501', 'table lbt_mallory.forced forces row-level security',
                 'create_board over a FORCE ROW LEVEL SECURITY table without BYPASSRLS: 42501');
RESET ROLE;

-- == A writer needs INSERT on the calls table and nothing else; the board's statements
-- run as the board's owner
SET ROLE lbt_writer;
SELECT lives_ok($$INSERT INTO lbt.calls (agent_id, team_id, started_at, handle_seconds, converted)
                  VALUES (1, 1, now(), 200, false), (2, 1, now(), 90, true), (2, 1, now(), 95, true)$$,
                'a writer with only INSERT on the calls table can insert calls');
SELECT lives_ok($$SET CONSTRAINTS ALL IMMEDIATE$$, 'and its commit-time apply succeeds');
SET CONSTRAINTS ALL DEFERRED;
SELECT throws_ok($$SELECT * FROM lbt.lbt_floor_standings$$, '42501', NULL,
                 'the writer still cannot read the standings it just fed');
SELECT throws_ok($$SELECT * FROM lbt.lbt_floor_scopes$$, '42501', NULL, 'nor the scopes');
SELECT throws_ok($$UPDATE lbt.lbt_floor_standings SET score = 1e9$$, '42501', NULL, 'nor write the standings');
SELECT throws_ok($$SELECT lbt.as_owner(1)$$, 'P0001', NULL,
                 'control: the metric probe raises when evaluated as the writer');
RESET ROLE;
SELECT results_eq($$SELECT agent_id, leaderboard.rows(kpis)::int, rank::int FROM lbt.lbt_floor_standings
                    WHERE period = 'day' ORDER BY agent_id$$,
                  $$VALUES (1, 3, 1), (2, 2, 2)$$,
                  'the writer''s calls are in the standings (agent 1: 2 + 1 calls, 2 of 3 converted; agent 2: 2 of 2)');
SELECT is_empty($$SELECT * FROM leaderboard.verify('lbt_floor')$$,
                'the standings equal a from-scratch recomputation');

-- == A reader granted SELECT on the two views only
SET ROLE lbt_reader;
SELECT results_eq($$SELECT period, agent_id, rank::int FROM lbt.lbt_floor_current ORDER BY period, agent_id$$,
                  $$VALUES ('day', 1, 1), ('day', 2, 2), ('week', 1, 1), ('week', 2, 2)$$,
                  'a reader granted SELECT on <board>_current alone reads the current standings');
SELECT results_eq($$SELECT agent_id, (explanation ->> 'score')::float8 = score FROM lbt.lbt_floor_explain
                    WHERE period = 'day' ORDER BY agent_id$$,
                  $$VALUES (1, true), (2, true)$$,
                  'a reader granted SELECT on <board>_explain alone reads the explanations');
SELECT throws_ok($$SELECT * FROM lbt.lbt_floor_standings$$, '42501', NULL, 'the reader cannot read the standings table');
SELECT throws_ok($$UPDATE lbt.lbt_floor_current SET score = 1e9$$, '55000', NULL,
                 'the reader cannot write through the current view (a join: not auto-updatable)');
SELECT throws_ok($$SELECT * FROM lbt.lbt_floor_around(1, 'day', 1)$$, '42501', NULL,
                 '<board>_around runs as its caller: it needs SELECT on the standings');
SELECT throws_ok($$SELECT * FROM lbt.lbt_floor_top(1, 'day')$$, '42501', NULL,
                 '<board>_top runs as its caller: it needs SELECT on the board''s tables');
SELECT throws_ok($$SELECT * FROM leaderboard.rolling('lbt_floor', 7)$$, '42501', NULL,
                 'rolling() runs as its caller: it needs SELECT on the standings');
RESET ROLE;

-- == Forged triggers: the capture trigger finds its board from the catalog, checks that the
-- firing table is the board's source and that the trigger is the board's own for that event
SET ROLE lbt_mallory;
CREATE TABLE lbt_mallory.mine (agent_id int NOT NULL, team_id int NOT NULL, started_at timestamptz NOT NULL,
  handle_seconds int NOT NULL, converted boolean NOT NULL);
CREATE TRIGGER lb_lbt_floor_ins AFTER INSERT ON lbt_mallory.mine REFERENCING NEW TABLE AS lb_new
  FOR EACH STATEMENT EXECUTE FUNCTION leaderboard._board_capture();
SELECT throws_ok($$INSERT INTO lbt_mallory.mine VALUES (66, 1, now(), 1, true)$$,
                 '42501', 'trigger "lb_lbt_floor_ins" on table "mine" does not belong to board "lbt_floor"',
                 'a trigger named like a board''s, on another table, is refused');
CREATE TABLE lbt_mallory.mine2 (LIKE lbt_mallory.mine);
CREATE TRIGGER lb_mine2_ins AFTER INSERT ON lbt_mallory.mine2 REFERENCING NEW TABLE AS lb_new
  FOR EACH STATEMENT EXECUTE FUNCTION leaderboard._board_capture('lbt_floor');
SELECT throws_ok($$INSERT INTO lbt_mallory.mine2 VALUES (66, 1, now(), 1, true)$$,
                 '42704', 'board "mine2" does not exist',
                 'trigger arguments are never read: naming a board in TG_ARGV does nothing');
CREATE TABLE lbt_mallory.mine3 (LIKE lbt_mallory.mine);
CREATE TRIGGER lb_lbt_floor_ins AFTER INSERT ON lbt_mallory.mine3
  FOR EACH ROW EXECUTE FUNCTION leaderboard._board_capture();
SELECT throws_ok($$INSERT INTO lbt_mallory.mine3 VALUES (66, 1, now(), 1, true)$$,
                 '39P01', NULL, 'a row-level capture trigger is refused');
CREATE TABLE lbt_mallory.mine4 (id int);
SELECT throws_ok($$CREATE CONSTRAINT TRIGGER apply_at_commit AFTER INSERT ON lbt_mallory.mine4
                   FOR EACH ROW EXECUTE FUNCTION leaderboard._board_commit()$$,
                 '42501', 'permission denied for function leaderboard._board_commit',
                 'the commit-time apply cannot be made the trigger of another table: PUBLIC may not execute it');
RESET ROLE;
CREATE CONSTRAINT TRIGGER apply_at_commit AFTER INSERT ON lbt_mallory.mine4
  FOR EACH ROW EXECUTE FUNCTION leaderboard._board_commit();
SET ROLE lbt_mallory;
SELECT throws_ok($$INSERT INTO lbt_mallory.mine4 VALUES (1)$$,
                 '39P01', NULL, 'and made so by a superuser, it refuses to run from any table but leaderboard.pending');
-- sentinel rows anyone may add only queue an apply of the inserter's own captured changes
SELECT lives_ok($$INSERT INTO leaderboard.pending DEFAULT VALUES$$, 'anyone may queue an apply');
SELECT lives_ok($$SET CONSTRAINTS ALL IMMEDIATE$$, 'an apply with nothing captured is harmless');
SET CONSTRAINTS ALL DEFERRED;
RESET ROLE;
SELECT is((SELECT count(*)::int FROM leaderboard.pending), 0, 'applied sentinel rows are gone');
-- a role with the TRIGGER privilege on the source adds a second capture trigger to it
SET ROLE lbt_trigger;
CREATE TRIGGER lb_lbt_floor_x AFTER INSERT ON lbt.calls REFERENCING NEW TABLE AS lb_new
  FOR EACH STATEMENT EXECUTE FUNCTION leaderboard._board_capture();
RESET ROLE;
SET ROLE lbt_writer;
SELECT throws_ok($$INSERT INTO lbt.calls (agent_id, team_id, started_at, handle_seconds, converted) VALUES (2, 1, now(), 90, true)$$,
                 '42501', 'trigger "lb_lbt_floor_x" on table "calls" is not a trigger of a leaderboard board',
                 'a second capture trigger on the source (it would count every row twice) is refused');
RESET ROLE;
DROP TRIGGER lb_lbt_floor_x ON lbt.calls;
SELECT results_eq($$SELECT agent_id, leaderboard.rows(kpis)::int FROM lbt.lbt_floor_standings WHERE period = 'day' ORDER BY agent_id$$,
                  $$VALUES (1, 3), (2, 2)$$, 'no forged trigger changed the standings');

-- == Names resolve the same whatever the writer's search_path: a schema first on it
-- holds an operator and functions the board's statements use; each raises if called
CREATE SCHEMA lbt_evil;
GRANT USAGE ON SCHEMA lbt_evil TO PUBLIC;
CREATE FUNCTION lbt_evil.text_eq(text, text) RETURNS boolean LANGUAGE plpgsql AS
  $$BEGIN RAISE EXCEPTION 'lbt_evil.=(text, text) called'; END$$;
CREATE OPERATOR lbt_evil.= (LEFTARG = text, RIGHTARG = text, FUNCTION = lbt_evil.text_eq);
CREATE FUNCTION lbt_evil.date_eq(date, date) RETURNS boolean LANGUAGE plpgsql AS
  $$BEGIN RAISE EXCEPTION 'lbt_evil.=(date, date) called'; END$$;
CREATE OPERATOR lbt_evil.= (LEFTARG = date, RIGHTARG = date, FUNCTION = lbt_evil.date_eq);
CREATE FUNCTION lbt_evil.kpis_plus(leaderboard.kpis, leaderboard.kpis) RETURNS leaderboard.kpis LANGUAGE plpgsql AS
  $$BEGIN RAISE EXCEPTION 'lbt_evil.+(kpis, kpis) called'; END$$;
CREATE OPERATOR lbt_evil.+ (LEFTARG = leaderboard.kpis, RIGHTARG = leaderboard.kpis, FUNCTION = lbt_evil.kpis_plus);
CREATE FUNCTION lbt_evil.score(leaderboard.kpis, leaderboard.scorecard) RETURNS float8 LANGUAGE plpgsql AS
  $$BEGIN RAISE EXCEPTION 'lbt_evil.score called'; END$$;
CREATE FUNCTION lbt_evil.qualified(leaderboard.kpis, leaderboard.scorecard) RETURNS boolean LANGUAGE plpgsql AS
  $$BEGIN RAISE EXCEPTION 'lbt_evil.qualified called'; END$$;
CREATE FUNCTION lbt_evil.date_trunc(text, timestamp) RETURNS timestamp LANGUAGE plpgsql AS
  $$BEGIN RAISE EXCEPTION 'lbt_evil.date_trunc called'; END$$;
-- the writer's session runs with lbt_evil first (a function-level SET, so that pgTAP itself
-- never runs under it); an INSERT into an existing group and a new agent, then the apply
CREATE FUNCTION lbt.write_under_evil_path() RETURNS text LANGUAGE plpgsql
SET search_path = lbt_evil, pg_catalog, leaderboard, public AS $$
BEGIN
  INSERT INTO lbt.calls (agent_id, team_id, started_at, handle_seconds, converted)
  VALUES (3, 1, pg_catalog.now(), 100, true), (3, 1, pg_catalog.now(), 110, false), (1, 1, pg_catalog.now(), 130, true);
  SET CONSTRAINTS ALL IMMEDIATE;
  SET CONSTRAINTS ALL DEFERRED;
  RETURN 'applied';
END $$;
SET ROLE lbt_writer;
SELECT lives_ok($$SELECT lbt.write_under_evil_path()$$,
          'a writer whose search_path starts with a hostile schema inserts and applies without calling any of it');
RESET ROLE;
SELECT results_eq($$SELECT agent_id, leaderboard.rows(kpis)::int FROM lbt.lbt_floor_standings WHERE period = 'day' ORDER BY agent_id$$,
                  $$VALUES (1, 4), (2, 2), (3, 2)$$, 'and the standings counted those calls');
CREATE FUNCTION lbt.owner_under_evil_path() RETURNS bigint LANGUAGE plpgsql
SET search_path = lbt_evil, pg_catalog, leaderboard, public AS $$
BEGIN
  PERFORM leaderboard.rebuild('lbt_floor');
  PERFORM leaderboard.alter_board('lbt_floor', ladder => 'Bronze: 0, Silver: 60');
  RETURN (SELECT pg_catalog.count(*) FROM leaderboard.verify('lbt_floor'));
END $$;
SELECT is(lbt.owner_under_evil_path(), 0::bigint,
          'rebuild, alter_board and verify under the hostile search_path call none of it and agree');

-- == A temporary type cannot stand in for pg_catalog's: the writer's own domain named
-- timestamptz does not make the board read a timestamptz column as a timestamp and move a
-- call to another day (DISCARD PLANS makes this session plan the board's statements
-- afresh, as a new session would)
CREATE FUNCTION lbt.write_with_temp_timestamptz() RETURNS text LANGUAGE plpgsql SET TimeZone = 'Asia/Tokyo' AS $$
BEGIN
  CREATE DOMAIN pg_temp.timestamptz AS integer;
  DISCARD PLANS;
  INSERT INTO lbt.calls (agent_id, team_id, started_at, handle_seconds, converted)
  VALUES (6, 1, '2026-10-05 23:30:00-04', 100, true);
  SET CONSTRAINTS ALL IMMEDIATE;
  SET CONSTRAINTS ALL DEFERRED;
  DROP DOMAIN pg_temp.timestamptz;
  RETURN 'applied';
END $$;
SET ROLE lbt_writer;
SELECT lives_ok($$SELECT lbt.write_with_temp_timestamptz()$$, 'a writer with a temporary type named timestamptz inserts');
RESET ROLE;
SELECT results_eq($$SELECT period, period_start FROM lbt.lbt_floor_standings WHERE agent_id = 6 ORDER BY period$$,
                  $$VALUES ('day', date '2026-10-05'), ('week', date '2026-10-05')$$,
                  'its call at 23:30 New York time is on the board''s day, 2026-10-05, not 2026-10-06');

-- == The writer's settings do not change what the board computes
CREATE FUNCTION lbt.write_with_sql_datestyle() RETURNS text LANGUAGE plpgsql SET DateStyle = 'SQL, DMY' AS $$
BEGIN
  INSERT INTO lbt.calls (agent_id, team_id, started_at, handle_seconds, converted) VALUES (4, 1, pg_catalog.now(), 100, true);
  SET CONSTRAINTS ALL IMMEDIATE;
  SET CONSTRAINTS ALL DEFERRED;
  RETURN 'applied';
END $$;
SET ROLE lbt_writer;
SELECT lives_ok($$SELECT lbt.write_with_sql_datestyle()$$, 'a writer with DateStyle SQL, DMY inserts');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM lbt.lbt_floor_scopes
           WHERE period = 'day' AND period_start = (now() AT TIME ZONE 'America/New_York')::date),
          1, 'its call joins today''s scope: the writer''s DateStyle does not split a scope in two');
SELECT results_eq($$SELECT agent_id, rank::int FROM lbt.lbt_floor_current WHERE period = 'day' ORDER BY rank, agent_id$$,
                  $$SELECT agent_id, (rank() OVER (ORDER BY score DESC))::int FROM lbt.lbt_floor_current
                    WHERE period = 'day' ORDER BY 2, 1$$,
                  'today''s ranks are one ranking over every agent');
CREATE FUNCTION lbt.write_in_tokyo() RETURNS text LANGUAGE plpgsql SET TimeZone = 'Asia/Tokyo' AS $$
BEGIN
  INSERT INTO lbt.calls (agent_id, team_id, started_at, handle_seconds, converted)
  VALUES (5, 1, '2026-10-05 09:30:00-04', 100, true);
  SET CONSTRAINTS ALL IMMEDIATE;
  SET CONSTRAINTS ALL DEFERRED;
  RETURN 'applied';
END $$;
SET ROLE lbt_writer;
SELECT lives_ok($$SELECT lbt.write_in_tokyo()$$, 'a writer in the Asia/Tokyo time zone inserts');
RESET ROLE;
CREATE TEMP TABLE lbt_hour AS
  SELECT leaderboard.kpi_min(kpis, 4) AS hour FROM lbt.lbt_floor_standings WHERE agent_id = 5 AND period = 'day';
SELECT is((SELECT hour FROM lbt_hour), 9::float8,
          'a metric reading the local hour of a timestamptz reads it in its own zone, not the writer''s (22 in Tokyo)');
SET TimeZone = 'Pacific/Honolulu';
SELECT is_empty($$SELECT * FROM leaderboard.verify('lbt_floor')$$,
                'verify from a session in another time zone finds the standings exact');
SELECT cmp_ok(leaderboard.rebuild('lbt_floor'), '>', 0::bigint, 'rebuild from that session');
RESET TimeZone;
SELECT is((SELECT leaderboard.kpi_min(kpis, 4) FROM lbt.lbt_floor_standings WHERE agent_id = 5 AND period = 'day'),
          (SELECT hour FROM lbt_hour), 'and rebuild reads that hour as the trigger did');
-- what a string literal in the owner's filter means, and how a bytea partition value is
-- spelled in a scope key, do not depend on the writer's standard_conforming_strings and
-- bytea_output (the first writer of a board in a session prepares its statements)
CREATE TABLE lbt.notes (agent_id int NOT NULL, at timestamptz NOT NULL, tag bytea, note text);
GRANT INSERT ON lbt.notes TO lbt_writer;
INSERT INTO lbt.notes VALUES (2, now(), '\x01', 'first');
SELECT is(leaderboard.create_board(name => 'lbt_notes', source => 'lbt.notes', agent => 'agent_id', at => 'at',
            metrics => ARRAY['agent_id AS n'], scorecard => '{"metrics": [{"name": "n", "stat": "count"}]}',
            filter => $f$note <> 'a\b'$f$, partition_by => ARRAY['tag'], periods => ARRAY['all'])::text,
          'lbt.lbt_notes_standings', 'a board partitioned by a bytea, whose filter compares with a backslash');
CREATE FUNCTION lbt.write_with_old_strings() RETURNS text LANGUAGE plpgsql
SET standard_conforming_strings = off SET escape_string_warning = off SET bytea_output = 'escape' AS $$
BEGIN
  INSERT INTO lbt.notes VALUES (1, pg_catalog.now(), E'\\001', E'a\\b'), (1, pg_catalog.now(), E'\\001', 'other');
  SET CONSTRAINTS ALL IMMEDIATE;
  SET CONSTRAINTS ALL DEFERRED;
  RETURN 'applied';
END $$;
SET ROLE lbt_writer;
SELECT lives_ok($$SELECT lbt.write_with_old_strings()$$,
          'a writer with standard_conforming_strings off and bytea_output escape inserts');
RESET ROLE;
SELECT results_eq($$SELECT agent_id, leaderboard.rows(kpis)::int FROM lbt.lbt_notes_standings ORDER BY agent_id$$,
                  $$VALUES (1, 1), (2, 1)$$, 'the filter still excludes the note a\b: only agent 1''s other call counts');
SELECT is((SELECT count(*)::int FROM lbt.lbt_notes_scopes), 1, 'both agents are in the one scope of tag \x01');
SELECT is_empty($$SELECT * FROM leaderboard.verify('lbt_notes')$$, 'and verify agrees');

-- == Objects named like a board's are never taken over
SET ROLE lbt_mallory;
SELECT throws_ok($$CREATE FUNCTION lbt.x() RETURNS int LANGUAGE sql AS 'SELECT 1'$$, '42501', NULL,
                 'control: lbt_mallory cannot create objects in schema lbt yet');
RESET ROLE;
GRANT CREATE ON SCHEMA lbt TO lbt_mallory;
SET ROLE lbt_mallory;
CREATE FUNCTION lbt.lbt_sales_around(agent integer, period text DEFAULT 'month', width integer DEFAULT 5)
  RETURNS TABLE (period_start date, team_id integer, agent_id integer, score double precision, qualified boolean, rank bigint, tier text)
  LANGUAGE sql AS $$SELECT NULL::date, 1, 1, 1e9::float8, true, 1::bigint, 'Platinum'$$;
CREATE FUNCTION lbt.lbt_floor_around(agent text) RETURNS integer LANGUAGE sql AS 'SELECT 1';
RESET ROLE;
SELECT throws_ok($$SELECT leaderboard.create_board(name => 'lbt_sales', source => 'lbt.calls', agent => 'agent_id', at => 'started_at',
                     metrics => ARRAY['call_id AS calls'], scorecard => '{"metrics": [{"name": "calls", "stat": "count"}]}',
                     partition_by => ARRAY['team_id'])$$,
                 '42723', NULL,
                 'create_board refuses to adopt a <board>_around function another role created first');
SELECT is((SELECT pg_get_userbyid(proowner)::text || ': ' || prosrc FROM pg_proc WHERE oid = 'lbt.lbt_sales_around(integer, text, integer)'::regprocedure),
          $$lbt_mallory: SELECT NULL::date, 1, 1, 1e9::float8, true, 1::bigint, 'Platinum'$$,
          'and leaves that function as it was: her body, her ownership');
-- the owner drops the current view; mallory puts her own in its place
DROP VIEW lbt.lbt_floor_current;
SET ROLE lbt_mallory;
CREATE VIEW lbt.lbt_floor_current AS SELECT 1 AS x;
RESET ROLE;
SELECT throws_ok($$SELECT leaderboard.alter_board('lbt_floor', ladder => 'Bronze: 0')$$,
                 '42501', NULL, 'alter_board refuses to replace a view of the board''s name owned by another role');
SELECT is((SELECT pg_get_viewdef('lbt.lbt_floor_current'::regclass)), ' SELECT 1 AS x;',
          'and leaves that view as it was');
DROP VIEW lbt.lbt_floor_current;
SELECT lives_ok($$SELECT leaderboard.drop_board('lbt_floor')$$,
                'drop_board works although another role created an overload of <board>_around');
SELECT ok(to_regprocedure('lbt.lbt_floor_around(text)') IS NOT NULL AND to_regprocedure('lbt.lbt_floor_around(integer, text, integer)') IS NULL,
          'it dropped the board''s around function, not the overload');
SELECT is((SELECT count(*)::int FROM pg_trigger WHERE tgrelid = 'lbt.calls'::regclass AND NOT tgisinternal), 0,
          'and every trigger of the board');
-- dropping a source drops its boards (an event trigger), whatever overloads exist
CREATE TABLE lbt.calls2 (agent_id int NOT NULL, at timestamptz NOT NULL);
DO $$ BEGIN
  PERFORM leaderboard.create_board(name => 'lbt_other', source => 'lbt.calls2', agent => 'agent_id', at => 'at',
    metrics => ARRAY['agent_id AS n'], scorecard => '{"metrics": [{"name": "n", "stat": "count"}]}');
END $$;
SET ROLE lbt_mallory;
CREATE FUNCTION lbt.lbt_other_around(agent text) RETURNS integer LANGUAGE sql AS 'SELECT 1';
RESET ROLE;
SELECT lives_ok($$DROP TABLE lbt.calls2$$,
                'the owner drops a board''s source although another role created an overload of <board>_around');
SELECT ok(NOT EXISTS (SELECT FROM leaderboard.boards WHERE name = 'lbt_other')
          AND to_regclass('lbt.lbt_other_standings') IS NULL AND to_regprocedure('lbt.lbt_other_around(integer, text, integer)') IS NULL
          AND to_regprocedure('lbt.lbt_other_around(text)') IS NOT NULL,
          'the board went with its source; the overload stayed');

-- == create_board validates its arguments, with the right SQLSTATE for each mistake
CREATE FUNCTION lbt.board_with(args text) RETURNS regclass LANGUAGE plpgsql AS $$
DECLARE
  result regclass;
BEGIN
  EXECUTE format($q$SELECT leaderboard.create_board(%s)$q$, concat_ws(', ',
    CASE WHEN args !~ 'name =>' THEN $a$name => 'lbt_v'$a$ END,
    $a$source => 'lbt.calls'$a$,
    CASE WHEN args !~ 'agent =>' THEN $a$agent => 'agent_id'$a$ END,
    CASE WHEN args !~ 'at =>' THEN $a$at => 'started_at'$a$ END,
    CASE WHEN args !~ 'metrics =>' THEN $a$metrics => ARRAY['call_id AS calls']$a$ END,
    CASE WHEN args !~ 'scorecard =>' THEN $a$scorecard => '{"metrics": [{"name": "calls", "stat": "count"}]}'$a$ END,
    nullif(args, ''))) INTO result;
  RETURN result;
END $$;
SELECT lives_ok($$SELECT lbt.board_with('')$$, 'control: the defaults of these cases make a valid board');
DO $$ BEGIN PERFORM leaderboard.drop_board('lbt_v'); END $$;
SELECT throws_ok($$SELECT lbt.board_with($a$agent => 'nope'$a$)$$, '42703', NULL, 'unknown agent column: 42703');
SELECT throws_ok($$SELECT lbt.board_with($a$metrics => ARRAY['nope AS n']$a$)$$, '42703', NULL,
                 'metric over an unknown column: 42703');
SELECT throws_ok($$SELECT lbt.board_with($a$metrics => ARRAY['handle_seconds * random() AS r']$a$)$$, '42P17',
                 'board metric "handle_seconds * random()" is not immutable', 'volatile metric expression: 42P17');
SELECT throws_ok($$SELECT lbt.board_with($a$metrics => ARRAY['extract(hour from started_at)::int AS h']$a$)$$, '42P17',
                 'board metric "extract(hour from started_at)::int" is not immutable',
                 'a metric reading the hour of a timestamptz in the session''s time zone: 42P17');
SELECT throws_ok($$SELECT lbt.board_with($a$metrics => ARRAY['(SELECT 1) AS one']$a$)$$, '0A000', NULL,
                 'metric with a subquery: 0A000');
SELECT throws_ok($$SELECT lbt.board_with($a$metrics => ARRAY['sum(handle_seconds) AS s']$a$)$$, '42803', NULL,
                 'metric with an aggregate: 42803');
SELECT throws_ok($$SELECT lbt.board_with($a$metrics => ARRAY['1); DROP TABLE lbt.calls; SELECT (1 AS x']$a$)$$, '42601', NULL,
                 'a metric cannot smuggle in another statement: 42601');
SELECT throws_ok($$SELECT lbt.board_with($a$filter => 'true) OR (true'$a$)$$, '42601', NULL,
                 'a filter cannot close its parenthesis: 42601');
SELECT throws_ok($$SELECT lbt.board_with($a$metrics => ARRAY['note']$a$)$$, '42804',
                 'metric "note" is of type text, which kpi_agg does not accept', 'text metric: 42804');
SELECT throws_ok($$SELECT lbt.board_with($a$scorecard => '{"metrics": [{"name": "aht", "stat": "avg"}]}'$a$)$$, '22023',
                 'scorecard metric "aht" is not a board metric', 'card metric that is not a board metric: 22023');
SELECT throws_ok($$SELECT lbt.board_with($a$periods => ARRAY['day', 'fortnight']$a$)$$, '22023',
                 'unknown period "fortnight"', 'unknown period: 22023');
SELECT throws_ok($$SELECT lbt.board_with($a$time_zone => 'Mars/Olympus_Mons'$a$)$$, '22023',
                 'unknown time zone "Mars/Olympus_Mons"', 'unknown time zone: 22023');
SELECT throws_ok($$SELECT lbt.board_with($a$name => 'Bad-Name'$a$)$$, '22023', 'invalid board name "Bad-Name"',
                 'bad board name: 22023');
SELECT throws_ok($$SELECT lbt.board_with($a$at => 'handle_seconds'$a$)$$, '42804',
                 'time column "handle_seconds" is of type integer, not timestamptz, timestamp or date',
                 'time column of the wrong type: 42804');
SELECT throws_ok($$SELECT lbt.board_with($a$filter => 'handle_seconds'$a$)$$, '42804',
                 'filter "handle_seconds" is of type integer, not boolean', 'filter that is not boolean: 42804');
DO $$ BEGIN PERFORM lbt.board_with($a$name => 'lbt_twice'$a$); END $$;
SELECT throws_ok($$SELECT lbt.board_with($a$name => 'lbt_twice'$a$)$$, '42710', 'board "lbt_twice" already exists',
                 'duplicate board: 42710');
DO $$ BEGIN PERFORM leaderboard.drop_board('lbt_twice'); END $$;
CREATE TABLE lbt.lbt_taken_standings (x int);
SELECT throws_ok($$SELECT lbt.board_with($a$name => 'lbt_taken'$a$)$$, '42P07', NULL,
                 'a relation already named like the board''s: 42P07');
SELECT throws_ok($$SELECT leaderboard.rebuild('lbt_nosuch')$$, '42704', 'board "lbt_nosuch" does not exist',
                 'unknown board: 42704');

SELECT * FROM finish();
ROLLBACK;
