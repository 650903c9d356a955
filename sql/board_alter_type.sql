-- ALTER TABLE ... ALTER COLUMN ... TYPE of a column a board reads is refused (2BP01), like
-- its rename or drop: the standings were counted from the column's values as they are. A
-- type change to text would make every later write fail, timestamptz to timestamp would
-- file new calls under other days, and USING may rewrite every value the board counted.
CREATE TABLE at_calls (agent_id int, team_id int, at timestamptz, handle_seconds int,
                       won boolean, channel varchar(8), note text, spare int);
INSERT INTO at_calls VALUES
  (1, 1, '2026-10-05 10:00+00', 100, true, 'phone', 'a', 1),
  (2, 1, '2026-10-05 23:30+00', 200, false, 'chat', 'b', 2);
SELECT leaderboard.create_board(name => 'at_board', source => 'at_calls', agent => 'agent_id', at => 'at',
  metrics => ARRAY['handle_seconds * 2 AS doubled', 'won'], partition_by => ARRAY['team_id'],
  filter => $$channel <> 'test'$$, time_zone => 'America/New_York',
  scorecard => '{"metrics": [{"name": "doubled", "stat": "sum"}]}') IS NOT NULL AS created;
\set SHOW_CONTEXT never
-- a metric's column, even to the same type with USING rewriting its values
ALTER TABLE at_calls ALTER COLUMN handle_seconds TYPE int USING handle_seconds * 2;
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY terse
ALTER TABLE at_calls ALTER COLUMN handle_seconds TYPE bigint;
-- the time column: to timestamp (other days) or to text (every write fails)
ALTER TABLE at_calls ALTER COLUMN at TYPE timestamp;
ALTER TABLE at_calls ALTER COLUMN at TYPE text;
-- the agent, a partition column, a filter's column, a plain metric column
ALTER TABLE at_calls ALTER COLUMN agent_id TYPE bigint;
ALTER TABLE at_calls ALTER COLUMN team_id TYPE text;
ALTER TABLE at_calls ALTER COLUMN channel TYPE varchar(20);
ALTER TABLE at_calls ALTER COLUMN won SET DATA TYPE int USING won::int;
-- one read column among other subcommands refuses the whole statement
ALTER TABLE at_calls ALTER COLUMN spare TYPE bigint, ALTER COLUMN won TYPE text;
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default
-- nothing changed
SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute
WHERE attrelid = 'at_calls'::regclass AND attnum > 0 ORDER BY attnum;
SELECT agent_id, handle_seconds FROM at_calls ORDER BY 1;
-- columns the board does not read change freely
ALTER TABLE at_calls ALTER COLUMN spare TYPE bigint, ALTER COLUMN note TYPE varchar(100);
INSERT INTO at_calls VALUES (1, 1, '2026-10-06 10:00+00', 50, true, 'phone', 'c', 3);
SELECT count(*) AS differences FROM leaderboard.verify('at_board');
-- the way the hint gives: drop the board, alter the column, declare the board again
SELECT leaderboard.drop_board('at_board');
ALTER TABLE at_calls ALTER COLUMN handle_seconds TYPE bigint;
SELECT leaderboard.create_board(name => 'at_board', source => 'at_calls', agent => 'agent_id', at => 'at',
  metrics => ARRAY['handle_seconds * 2 AS doubled'], time_zone => 'America/New_York',
  scorecard => '{"metrics": [{"name": "doubled", "stat": "sum"}]}') IS NOT NULL AS created;
SELECT count(*) AS differences FROM leaderboard.verify('at_board');
SELECT leaderboard.drop_board('at_board');
DROP TABLE at_calls;

-- a partitioned source: the ALTER on the parent, which recurses to every partition
CREATE TABLE at_parted (agent_id int, at date, handle_seconds int, spare int) PARTITION BY RANGE (at);
CREATE TABLE at_parted_2026 PARTITION OF at_parted FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE TABLE at_parted_2027 PARTITION OF at_parted FOR VALUES FROM ('2027-01-01') TO ('2028-01-01');
INSERT INTO at_parted VALUES (1, '2026-10-05', 100, 1), (2, '2027-02-01', 200, 2);
SELECT leaderboard.create_board(name => 'at_tree', source => 'at_parted', agent => 'agent_id', at => 'at',
  metrics => ARRAY['handle_seconds'], scorecard => '{"metrics": [{"name": "handle_seconds", "stat": "sum"}]}') IS NOT NULL AS created;
ALTER TABLE at_parted ALTER COLUMN handle_seconds TYPE bigint;
\echo :LAST_ERROR_SQLSTATE
-- spare is read by no board (a board cannot be kept over one partition: board_source_family)
ALTER TABLE at_parted ALTER COLUMN spare TYPE bigint;
SELECT c.relname, format_type(a.atttypid, a.atttypmod) AS spare_type FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
WHERE a.attname = 'spare' AND c.relname LIKE 'at\_parted%' ORDER BY 1;
INSERT INTO at_parted VALUES (1, '2027-03-01', 10, 3);
SELECT count(*) AS differences FROM leaderboard.verify('at_tree');
SELECT leaderboard.drop_board('at_tree');
DROP TABLE at_parted;

-- a typed table (CREATE TABLE ... OF a composite type): ALTER TYPE ... CASCADE changes its
-- columns with no ALTER TABLE of its own, and is refused the same way for columns a board
-- reads; attributes no board reads still change
CREATE TYPE at_calltype AS (agent_id int, at timestamptz, handle_seconds numeric, won boolean, spare int);
CREATE TABLE at_typed OF at_calltype (agent_id WITH OPTIONS NOT NULL);
INSERT INTO at_typed VALUES (1, '2026-10-05 10:00+00', 100.4, true, 1), (2, '2026-10-05 11:00+00', 200.6, false, 2);
SELECT leaderboard.create_board(name => 'at_typed_board', source => 'at_typed', agent => 'agent_id', at => 'at',
  metrics => ARRAY['handle_seconds', 'won'], scorecard => '{"metrics": [{"name": "handle_seconds", "stat": "sum"}]}',
  time_zone => 'UTC') IS NOT NULL AS created;
ALTER TYPE at_calltype ALTER ATTRIBUTE handle_seconds TYPE int CASCADE;
\echo :LAST_ERROR_SQLSTATE
ALTER TYPE at_calltype RENAME ATTRIBUTE won TO converted CASCADE;
\echo :LAST_ERROR_SQLSTATE
ALTER TYPE at_calltype DROP ATTRIBUTE won CASCADE;
\echo :LAST_ERROR_SQLSTATE
ALTER TYPE at_calltype ALTER ATTRIBUTE spare TYPE bigint CASCADE;
ALTER TYPE at_calltype RENAME ATTRIBUTE spare TO extra CASCADE;
ALTER TYPE at_calltype ADD ATTRIBUTE note text CASCADE;
SELECT a.attname, format_type(a.atttypid, a.atttypmod) AS type FROM pg_attribute a
WHERE a.attrelid = 'at_typed'::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum;
INSERT INTO at_typed VALUES (1, '2026-10-06 10:00+00', 50.5, true, 3, 'x');
SELECT agent_id, leaderboard.kpi_sum(kpis, 1) AS handle_sum FROM at_typed_board_standings WHERE period = 'month' ORDER BY 1;
SELECT count(*) AS differences FROM leaderboard.verify('at_typed_board');
SELECT leaderboard.drop_board('at_typed_board');
DROP TABLE at_typed;
DROP TYPE at_calltype;
