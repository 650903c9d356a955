-- A function a board's metric or filter calls: CREATE OR REPLACE FUNCTION or ALTER FUNCTION
-- of it rebuilds the board at commit, so that the rows counted before agree with a
-- recomputation under the new definition; dropping it, renaming it or moving it to another
-- schema, or making it anything but immutable, fails (2BP01).
\set VERBOSITY default
\set SHOW_CONTEXT never
CREATE SCHEMA fx;
CREATE FUNCTION fx.weight(h int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT h * 2';
CREATE FUNCTION fx.counted(h int) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT h > 0';
CREATE FUNCTION fx.plus(a int, b int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT a + b';
CREATE OPERATOR fx.## (LEFTARG = int, RIGHTARG = int, FUNCTION = fx.plus);
CREATE TABLE fx_calls (agent_id int NOT NULL, at date NOT NULL, h int NOT NULL);
INSERT INTO fx_calls SELECT 1 + i % 3, date '2026-10-01' + i % 5, i % 4 FROM generate_series(1, 60) i;
SELECT leaderboard.create_board(name => 'fx', source => 'fx_calls', agent => 'agent_id', at => 'at',
  metrics => ARRAY['fx.weight(h) AS w', 'h OPERATOR(fx.##) 1 AS p'], filter => 'fx.counted(h)',
  periods => ARRAY['all'], scorecard => '{"metrics": [{"name": "w", "stat": "sum"}, {"name": "p", "stat": "sum"}]}') IS NOT NULL AS created;
SELECT agent_id, leaderboard.kpi_sum(kpis, 1) AS w, leaderboard.kpi_sum(kpis, 2) AS p FROM fx_standings ORDER BY 1;

-- a new definition counts every row, those before it included
CREATE OR REPLACE FUNCTION fx.weight(h int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT h * 10';
SELECT agent_id, leaderboard.kpi_sum(kpis, 1) AS w FROM fx_standings ORDER BY 1;
SELECT count(*) AS differences FROM leaderboard.verify('fx');
-- the function behind an operator, and the filter's
CREATE OR REPLACE FUNCTION fx.plus(a int, b int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT a + 2 * b';
CREATE OR REPLACE FUNCTION fx.counted(h int) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT h > 1';
INSERT INTO fx_calls VALUES (1, '2026-10-09', 3), (2, '2026-10-09', 1);
SELECT agent_id, leaderboard.rows(kpis) AS rows, leaderboard.kpi_sum(kpis, 1) AS w, leaderboard.kpi_sum(kpis, 2) AS p
FROM fx_standings ORDER BY 1;
SELECT count(*) AS differences FROM leaderboard.verify('fx');
-- rolled back, the change leaves the board as it was
BEGIN;
CREATE OR REPLACE FUNCTION fx.weight(h int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT h * 100';
SELECT count(*) AS differences_before_commit FROM leaderboard.verify('fx');
ROLLBACK;
SELECT count(*) AS differences FROM leaderboard.verify('fx');
-- within a transaction that writes calls too
BEGIN;
INSERT INTO fx_calls VALUES (3, '2026-10-09', 2);
ALTER FUNCTION fx.weight(int) COST 5;
INSERT INTO fx_calls VALUES (3, '2026-10-09', 3);
COMMIT;
SELECT count(*) AS differences FROM leaderboard.verify('fx');

-- what would break the board or let it drift is refused
DROP FUNCTION fx.weight(int);
\echo :LAST_ERROR_SQLSTATE
DROP FUNCTION fx.plus(int, int) CASCADE;
DROP ROUTINE fx.counted(int);
ALTER FUNCTION fx.weight(int) RENAME TO weight2;
ALTER FUNCTION fx.weight(int) SET SCHEMA public;
ALTER FUNCTION fx.weight(int) STABLE;
\echo :LAST_ERROR_SQLSTATE
CREATE OR REPLACE FUNCTION fx.counted(h int) RETURNS boolean LANGUAGE sql VOLATILE AS 'SELECT h > random()';
SELECT p.proname, p.provolatile FROM pg_proc p WHERE p.pronamespace = 'fx'::regnamespace ORDER BY 1;

-- a function owner who cannot see every schema the expression names: the board's owner
-- reads the expression, and the replacement still rebuilds it
CREATE SCHEMA fx_hidden;
CREATE FUNCTION fx_hidden.base(h int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT h';
CREATE ROLE fx_user;
GRANT USAGE, CREATE ON SCHEMA fx TO fx_user;
ALTER FUNCTION fx.plus(int, int) OWNER TO fx_user;
SELECT leaderboard.create_board(name => 'fx_mix', source => 'fx_calls', agent => 'agent_id', at => 'at',
  metrics => ARRAY['fx_hidden.base(h) OPERATOR(fx.##) 1 AS q'], periods => ARRAY['all'],
  scorecard => '{"metrics": [{"name": "q", "stat": "sum"}]}') IS NOT NULL AS created;
SET ROLE fx_user;
CREATE OR REPLACE FUNCTION fx.plus(a int, b int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT a + 5 * b';
DROP FUNCTION fx.plus(int, int) CASCADE;
-- a schema it does not own: PostgreSQL's own refusal, naming no board
DROP SCHEMA fx CASCADE;
RESET ROLE;
SELECT count(*) AS differences FROM leaderboard.verify('fx_mix');
SELECT leaderboard.drop_board('fx_mix');
ALTER FUNCTION fx.plus(int, int) OWNER TO CURRENT_USER;
REVOKE ALL ON SCHEMA fx FROM fx_user;
DROP ROLE fx_user;
DROP SCHEMA fx_hidden CASCADE;

-- other functions, and other changes to these, go on
CREATE FUNCTION fx.other(h int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT h';
ALTER FUNCTION fx.other(int) RENAME TO other2;
DROP FUNCTION fx.other2(int);
CREATE ROLE fx_role;
ALTER FUNCTION fx.weight(int) OWNER TO fx_role;
ALTER FUNCTION fx.weight(int) OWNER TO CURRENT_USER;
DROP ROLE fx_role;

-- dropped or moved with its schema, owner or extension
DROP SCHEMA fx CASCADE;
ALTER SCHEMA fx RENAME TO fx_renamed;
CREATE ROLE fx_owner;
ALTER FUNCTION fx.counted(int) OWNER TO fx_owner;
DROP OWNED BY fx_owner;
ALTER FUNCTION fx.counted(int) OWNER TO CURRENT_USER;
DROP ROLE fx_owner;
CREATE EXTENSION cube;
SELECT leaderboard.create_board(name => 'fx_ext', source => 'fx_calls', agent => 'agent_id', at => 'at',
  metrics => ARRAY['public.cube_dim(public.cube(h::float8)) AS d'], periods => ARRAY['all'],
  scorecard => '{"metrics": [{"name": "d", "stat": "sum"}]}') IS NOT NULL AS created;
DROP EXTENSION cube;
ALTER EXTENSION cube SET SCHEMA fx;
SELECT leaderboard.drop_board('fx_ext');
DROP EXTENSION cube;
-- DROP OWNED drops the extensions the role owns, and their functions with them
CREATE ROLE fx_ext_owner;
DO $$ BEGIN EXECUTE format('GRANT CREATE ON DATABASE %I TO fx_ext_owner', current_database()); END $$;
SET ROLE fx_ext_owner;
CREATE EXTENSION cube;
RESET ROLE;
SELECT leaderboard.create_board(name => 'fx_ext', source => 'fx_calls', agent => 'agent_id', at => 'at',
  metrics => ARRAY['public.cube_dim(public.cube(h::float8)) AS d'], periods => ARRAY['all'],
  scorecard => '{"metrics": [{"name": "d", "stat": "sum"}]}') IS NOT NULL AS created;
DROP OWNED BY fx_ext_owner;
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS cube_extensions FROM pg_extension WHERE extname = 'cube';
SELECT leaderboard.drop_board('fx_ext');
DROP OWNED BY fx_ext_owner;
DROP ROLE fx_ext_owner;
-- a schema holding the source too takes the board along
CREATE SCHEMA fx_all;
CREATE FUNCTION fx_all.f(h int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT h';
CREATE TABLE fx_all.calls (agent_id int NOT NULL, at date NOT NULL, h int NOT NULL);
SELECT leaderboard.create_board(name => 'fx_all', source => 'fx_all.calls', agent => 'agent_id', at => 'at',
  metrics => ARRAY['fx_all.f(h) AS w'], periods => ARRAY['all'],
  scorecard => '{"metrics": [{"name": "w", "stat": "sum"}]}') IS NOT NULL AS created;
SET client_min_messages = warning;
DROP SCHEMA fx_all CASCADE;
RESET client_min_messages;
SELECT count(*) AS boards FROM leaderboard.boards WHERE name = 'fx_all';

-- a function that goes only as a dependent of what a DROP ... CASCADE drops: a function
-- whose SQL-standard body calls the one dropped, one taking a type of a dropped schema
CREATE FUNCTION public.fx_base(h int) RETURNS int LANGUAGE sql IMMUTABLE RETURN h * 2;
CREATE FUNCTION public.fx_atomic(h int) RETURNS int IMMUTABLE BEGIN ATOMIC SELECT public.fx_base(h); END;
CREATE SCHEMA fx_types;
CREATE DOMAIN fx_types.secs AS int;
CREATE FUNCTION public.fx_of(h fx_types.secs) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT h';
SELECT leaderboard.create_board(name => 'fx_dep', source => 'fx_calls', agent => 'agent_id', at => 'at',
  metrics => ARRAY['public.fx_atomic(h) AS a', 'public.fx_of(h::fx_types.secs) AS t'], periods => ARRAY['all'],
  scorecard => '{"metrics": [{"name": "a", "stat": "sum"}, {"name": "t", "stat": "sum"}]}') IS NOT NULL AS created;
DROP FUNCTION public.fx_base(int) CASCADE;
\echo :LAST_ERROR_SQLSTATE
DROP SCHEMA fx_types CASCADE;
\echo :LAST_ERROR_SQLSTATE
-- in a savepoint rolled back, and then a drop that takes nothing the board calls
BEGIN;
SAVEPOINT a;
DROP FUNCTION public.fx_base(int) CASCADE;
ROLLBACK TO a;
CREATE FUNCTION public.fx_unused(h int) RETURNS int LANGUAGE sql IMMUTABLE RETURN h;
CREATE FUNCTION public.fx_unused_atomic(h int) RETURNS int IMMUTABLE BEGIN ATOMIC SELECT public.fx_unused(h); END;
DROP FUNCTION public.fx_unused(int) CASCADE;
COMMIT;
SELECT proname FROM pg_proc WHERE proname LIKE 'fx\_%' AND pronamespace = 'public'::regnamespace ORDER BY 1;
INSERT INTO fx_calls (agent_id, at, h) VALUES (1, '2026-10-05', 7);
SELECT count(*) AS differences FROM leaderboard.verify('fx_dep');
-- a role that may not see the board's owner's rights is not told its name
CREATE ROLE fx_other;
CREATE FUNCTION public.fx_theirs(h int) RETURNS int LANGUAGE sql IMMUTABLE RETURN h;
CREATE FUNCTION public.fx_mine(h int) RETURNS int IMMUTABLE BEGIN ATOMIC SELECT public.fx_theirs(h); END;
ALTER FUNCTION public.fx_theirs(int) OWNER TO fx_other;
SELECT leaderboard.drop_board('fx_dep');
SELECT leaderboard.create_board(name => 'fx_dep', source => 'fx_calls', agent => 'agent_id', at => 'at',
  metrics => ARRAY['public.fx_mine(h) AS a'], periods => ARRAY['all'],
  scorecard => '{"metrics": [{"name": "a", "stat": "sum"}]}') IS NOT NULL AS created;
SET ROLE fx_other;
DROP FUNCTION public.fx_theirs(int) CASCADE;
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
-- with the board gone, the drops go through
SELECT leaderboard.drop_board('fx_dep');
SET client_min_messages = warning;
DROP FUNCTION public.fx_base(int) CASCADE;
DROP FUNCTION public.fx_theirs(int) CASCADE;
DROP SCHEMA fx_types CASCADE;
RESET client_min_messages;
DROP ROLE fx_other;
SELECT proname FROM pg_proc WHERE proname LIKE 'fx\_%' AND pronamespace = 'public'::regnamespace ORDER BY 1;

-- once the board is gone, so is the guard
SELECT leaderboard.drop_board('fx');
DROP FUNCTION fx.weight(int);
DROP TABLE fx_calls;
DROP SCHEMA fx CASCADE;

-- A board whose expression no longer analyzes for another reason than a function (a cast
-- its owner dropped) is not this DDL's doing: it blocks no other role's CREATE or DROP
-- FUNCTION (before, every such statement failed from then on with the cast's error)
CREATE TYPE fx_t AS (a int);
CREATE FUNCTION fx_tf(int) RETURNS fx_t LANGUAGE sql IMMUTABLE AS 'SELECT ROW($1)::public.fx_t';
CREATE CAST (int AS fx_t) WITH FUNCTION fx_tf(int);
CREATE TABLE fx_cast_calls (agent_id int NOT NULL, at timestamptz NOT NULL);
SELECT leaderboard.create_board(name => 'fx_cast', source => 'fx_cast_calls', agent => 'agent_id', at => 'at',
  metrics => ARRAY['(agent_id::public.fx_t).a AS x'], scorecard => '{"metrics": [{"name": "x", "stat": "sum"}], "scale": 1}',
  periods => ARRAY['all'], time_zone => 'UTC') IS NOT NULL AS created;
DROP CAST (int AS fx_t);
CREATE FUNCTION fx_unrelated() RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT 1';
DROP FUNCTION fx_unrelated();
SELECT leaderboard.drop_board('fx_cast');
DROP TABLE fx_cast_calls;
DROP FUNCTION fx_tf(int);
DROP TYPE fx_t;
