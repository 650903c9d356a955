-- A board counts what its capture triggers see, as it made them. DROP TRIGGER of one, on
-- the source or on a partition, puts it back with a warning (as a restore with --clean
-- needs); renaming one (which the capture refuses, and a later DROP would complete) or
-- making one otherwise with CREATE OR REPLACE TRIGGER fails with 2BP01. drop_board, DROP
-- TABLE and DETACH PARTITION still remove them.
\set VERBOSITY default
\set SHOW_CONTEXT never
CREATE TABLE td_calls (agent_id int NOT NULL, at date NOT NULL, won boolean NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE td_calls_oct PARTITION OF td_calls FOR VALUES FROM ('2026-10-01') TO ('2026-11-01');
CREATE TABLE td_calls_nov PARTITION OF td_calls FOR VALUES FROM ('2026-11-01') TO ('2026-12-01');
INSERT INTO td_calls VALUES (1, '2026-10-05', true), (2, '2026-11-06', false);
SELECT leaderboard.create_board(name => 'td', source => 'td_calls', agent => 'agent_id', at => 'at',
  metrics => ARRAY['won'], periods => ARRAY['all'], scorecard => '{"metrics": [{"name": "won", "stat": "sum"}]}') IS NOT NULL AS created;
SELECT count(*) AS triggers FROM pg_trigger WHERE tgname LIKE 'lb\_td\_%';

DROP TRIGGER lb_td_ins ON td_calls;
DROP TRIGGER lb_td_upd ON td_calls_oct;
DROP TRIGGER lb_td_trunc ON td_calls_nov;
DROP TRIGGER lb_td_repl ON td_calls;
ALTER TRIGGER lb_td_del ON td_calls RENAME TO td_del;
\echo :LAST_ERROR_SQLSTATE
ALTER TRIGGER lb_td_ins ON td_calls_nov RENAME TO td_ins;
CREATE FUNCTION td_noop() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NULL; END';
CREATE OR REPLACE TRIGGER lb_td_ins AFTER INSERT ON td_calls FOR EACH STATEMENT EXECUTE FUNCTION td_noop();
\echo :LAST_ERROR_SQLSTATE
CREATE OR REPLACE TRIGGER lb_td_upd AFTER DELETE ON td_calls_oct REFERENCING OLD TABLE AS lb_old
  FOR EACH STATEMENT EXECUTE FUNCTION leaderboard._board_capture();
CREATE OR REPLACE TRIGGER lb_td_del AFTER DELETE ON td_calls_nov REFERENCING OLD TABLE AS lb_old
  FOR EACH STATEMENT WHEN (false) EXECUTE FUNCTION leaderboard._board_capture();
-- replaced even as it was made (which resets its mode), or made to depend on an extension
CREATE OR REPLACE TRIGGER lb_td_trunc AFTER TRUNCATE ON td_calls_oct
  FOR EACH STATEMENT EXECUTE FUNCTION leaderboard._board_capture();
ALTER TRIGGER lb_td_ins ON td_calls DEPENDS ON EXTENSION plpgsql;
SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid = 'td_calls_oct'::regclass AND tgname = 'lb_td_trunc';
SELECT count(*) AS extension_dependencies FROM pg_depend d JOIN pg_trigger tg ON d.classid = 'pg_trigger'::regclass AND d.objid = tg.oid
WHERE tg.tgname LIKE 'lb\_td\_%' AND d.deptype = 'x';
-- the triggers are all there, each as the board made it
SELECT count(*) AS triggers FROM pg_trigger WHERE tgname LIKE 'lb\_td\_%';
SELECT count(*) AS not_as_made
FROM leaderboard._board_triggers_not_as_made(ARRAY['td_calls', 'td_calls_oct', 'td_calls_nov']::regclass[]);
-- every write is still counted
INSERT INTO td_calls VALUES (3, '2026-10-07', true);
INSERT INTO td_calls_nov VALUES (4, '2026-11-08', true);
UPDATE td_calls_oct SET won = NOT won;
DELETE FROM td_calls WHERE agent_id = 2;
SELECT count(*) AS differences FROM leaderboard.verify('td');

-- other triggers on the source come and go as before
CREATE TRIGGER td_audit AFTER INSERT ON td_calls FOR EACH STATEMENT EXECUTE FUNCTION td_noop();
ALTER TRIGGER td_audit ON td_calls RENAME TO td_audit2;
DROP TRIGGER td_audit2 ON td_calls;

-- a detached partition loses the board's triggers; a dropped one takes them along
ALTER TABLE td_calls DETACH PARTITION td_calls_nov;
SELECT count(*) AS triggers_on_detached FROM pg_trigger WHERE tgrelid = 'td_calls_nov'::regclass AND tgname LIKE 'lb\_td\_%';
DROP TABLE td_calls_oct;
SELECT count(*) AS differences FROM leaderboard.verify('td');
-- drop_board removes every trigger of the board
SELECT leaderboard.drop_board('td');
SELECT count(*) AS triggers FROM pg_trigger WHERE tgname LIKE 'lb\_td\_%';

-- a plain source
CREATE TABLE td_plain (agent_id int NOT NULL, at date NOT NULL, won boolean NOT NULL);
SELECT leaderboard.create_board(name => 'td_plain', source => 'td_plain', agent => 'agent_id', at => 'at',
  metrics => ARRAY['won'], periods => ARRAY['all'], scorecard => '{"metrics": [{"name": "won", "stat": "sum"}]}') IS NOT NULL AS created;
DROP TRIGGER lb_td_plain_del ON td_plain;
SELECT tgname FROM pg_trigger WHERE tgrelid = 'td_plain'::regclass ORDER BY 1;
-- dropping the source drops the board with it
DROP TABLE td_plain;
SELECT count(*) AS boards FROM leaderboard.boards WHERE name LIKE 'td%';
DROP TABLE td_calls, td_calls_nov;
DROP FUNCTION td_noop();
