-- A board counts each row once only while its triggers keep their modes: lb_<board>_ins,
-- _upd and _del enabled for ordinary sessions (O), lb_<board>_trunc always (A) and the row
-- trigger lb_<board>_repl for replicas only (R). ALTER TABLE ... ENABLE/DISABLE TRIGGER on
-- the source, a partition or its parent changes them; an event trigger puts them back with
-- a warning, and the board stays exact through the writes that follow.
CREATE TABLE mode_calls (agent_id int NOT NULL, at date NOT NULL, won boolean NOT NULL);
INSERT INTO mode_calls SELECT 1 + i % 3, date '2026-10-01' + i % 5, i % 2 = 0 FROM generate_series(1, 30) i;
SELECT leaderboard.create_board(name => 'modes', source => 'mode_calls', agent => 'agent_id', at => 'at',
  metrics => ARRAY['won'], periods => ARRAY['all'],
  scorecard => '{"metrics": [{"name": "won", "stat": "sum"}], "scale": 1}') IS NOT NULL AS created;
-- the board's triggers whose mode is not the one they need (none after each ALTER below)
CREATE VIEW wrong_modes AS
  SELECT tgrelid::regclass::text AS relation, tgname, tgenabled FROM pg_trigger
  WHERE tgname ~ '^lb_(modes|pmodes)_'
    AND tgenabled <> CASE WHEN tgname LIKE '%\_repl' THEN 'R' WHEN tgname LIKE '%\_trunc' THEN 'A' ELSE 'O' END
  ORDER BY 1, 2;
SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid = 'mode_calls'::regclass AND tgname LIKE 'lb_%' ORDER BY 1;

-- ENABLE TRIGGER USER would make the row trigger fire beside the statement triggers
ALTER TABLE mode_calls ENABLE TRIGGER USER;
SELECT * FROM wrong_modes;
INSERT INTO mode_calls VALUES (1, '2026-10-02', true), (2, '2026-10-02', true);
UPDATE mode_calls SET won = NOT won WHERE agent_id = 3;
SELECT count(*) AS differences FROM leaderboard.verify('modes');

-- DISABLE TRIGGER USER around a bulk load: the load is counted all the same
ALTER TABLE mode_calls DISABLE TRIGGER USER;
SELECT * FROM wrong_modes;
INSERT INTO mode_calls SELECT 1 + i % 4, date '2026-10-03', true FROM generate_series(1, 100) i;
ALTER TABLE mode_calls ENABLE TRIGGER USER;
SELECT count(*) AS differences FROM leaderboard.verify('modes');
SELECT agent_id, score, rank FROM modes_standings ORDER BY rank, agent_id;

-- ALL (superuser), one trigger by name, and several subcommands in one ALTER
ALTER TABLE mode_calls DISABLE TRIGGER ALL;
ALTER TABLE mode_calls ENABLE TRIGGER ALL;
ALTER TABLE mode_calls ENABLE ALWAYS TRIGGER lb_modes_repl;
ALTER TABLE mode_calls DISABLE TRIGGER lb_modes_ins, ENABLE REPLICA TRIGGER lb_modes_del, ENABLE TRIGGER lb_modes_trunc;
SELECT * FROM wrong_modes;
INSERT INTO mode_calls VALUES (4, '2026-10-04', true);
DELETE FROM mode_calls WHERE agent_id = 2 AND at = '2026-10-02';
SELECT count(*) AS differences FROM leaderboard.verify('modes');
-- rows applied as a logical-replication subscriber does are still counted once
SET session_replication_role = replica;
INSERT INTO mode_calls VALUES (3, '2026-10-04', true);
RESET session_replication_role;
SELECT count(*) AS differences FROM leaderboard.verify('modes');
-- an ALTER that touches no board trigger warns nothing
ALTER TABLE mode_calls ALTER COLUMN won SET DEFAULT false;

-- The second line of defence: with the event trigger disabled, the row trigger enabled for
-- ordinary sessions fires on every local write but captures only under
-- session_replication_role = replica, so nothing counts twice.
ALTER EVENT TRIGGER leaderboard_keep_trigger_modes DISABLE;
ALTER TABLE mode_calls ENABLE TRIGGER lb_modes_repl;
SELECT * FROM wrong_modes;
INSERT INTO mode_calls VALUES (1, '2026-10-05', true), (4, '2026-10-05', true);
SELECT count(*) AS differences FROM leaderboard.verify('modes');
ALTER EVENT TRIGGER leaderboard_keep_trigger_modes ENABLE;
ALTER TABLE mode_calls ENABLE REPLICA TRIGGER lb_modes_repl;

-- A partitioned source: the row trigger's clones on the partitions follow an ALTER of the
-- parent; an ALTER of one partition changes that partition's own triggers.
CREATE TABLE pmode_calls (agent_id int NOT NULL, at date NOT NULL, won boolean NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE pmode_calls_oct PARTITION OF pmode_calls FOR VALUES FROM ('2026-10-01') TO ('2026-11-01')
  PARTITION BY LIST (agent_id);
CREATE TABLE pmode_calls_oct_a PARTITION OF pmode_calls_oct FOR VALUES IN (1, 2);
CREATE TABLE pmode_calls_oct_b PARTITION OF pmode_calls_oct DEFAULT;
CREATE TABLE pmode_calls_nov PARTITION OF pmode_calls FOR VALUES FROM ('2026-11-01') TO ('2026-12-01');
INSERT INTO pmode_calls SELECT 1 + i % 4, date '2026-10-20' + i % 20, i % 2 = 0 FROM generate_series(1, 40) i;
SELECT leaderboard.create_board(name => 'pmodes', source => 'pmode_calls', agent => 'agent_id', at => 'at',
  metrics => ARRAY['won'], periods => ARRAY['month'],
  scorecard => '{"metrics": [{"name": "won", "stat": "sum"}], "scale": 1}') IS NOT NULL AS created;
ALTER TABLE pmode_calls ENABLE TRIGGER USER;
SELECT * FROM wrong_modes;
ALTER TABLE pmode_calls_oct DISABLE TRIGGER USER;
SELECT * FROM wrong_modes;
ALTER TABLE pmode_calls_oct_b DISABLE TRIGGER lb_pmodes_upd, ENABLE ALWAYS TRIGGER lb_pmodes_repl;
SELECT * FROM wrong_modes;
INSERT INTO pmode_calls VALUES (1, '2026-10-05', true), (5, '2026-11-05', true);
INSERT INTO pmode_calls_oct VALUES (2, '2026-10-06', true);
UPDATE pmode_calls_oct_b SET won = true;
SELECT count(*) AS differences FROM leaderboard.verify('pmodes');
SET session_replication_role = replica;
INSERT INTO pmode_calls VALUES (3, '2026-10-07', true);
UPDATE pmode_calls SET at = '2026-11-07' WHERE agent_id = 2 AND at = '2026-10-21';
RESET session_replication_role;
SELECT count(*) AS differences FROM leaderboard.verify('pmodes');

-- An ALTER of a partitioned table by its owner recurses to the row trigger's clones on the
-- partitions, whoever owns them, and so does the ALTER that puts them back
CREATE ROLE mode_owner;
ALTER TABLE pmode_calls OWNER TO mode_owner;
SET ROLE mode_owner;
ALTER TABLE pmode_calls DISABLE TRIGGER USER;
RESET ROLE;
SELECT * FROM wrong_modes;
INSERT INTO pmode_calls VALUES (4, '2026-11-08', true);
SELECT count(*) AS differences FROM leaderboard.verify('pmodes');
SELECT agent_id, score, rank FROM pmodes_standings WHERE period_start = '2026-11-01' ORDER BY rank, agent_id;

SELECT leaderboard.drop_board('modes'), leaderboard.drop_board('pmodes');
DROP VIEW wrong_modes;
DROP TABLE mode_calls, pmode_calls;
DROP ROLE mode_owner;

-- A board announces its events only while lb_events on its standings fires always, also
-- in replica mode: ALTER TABLE ... DISABLE/ENABLE TRIGGER ALL (as pg_restore
-- --disable-triggers runs it) makes it fire in ordinary sessions only, and is put back
CREATE TABLE emode_calls (agent_id int NOT NULL, at timestamptz NOT NULL, won boolean NOT NULL);
INSERT INTO emode_calls VALUES (1, '2026-10-05', true), (2, '2026-10-05', false);
SELECT leaderboard.create_board(name => 'emodes', source => 'emode_calls', agent => 'agent_id', at => 'at',
  metrics => ARRAY['won::int AS won'], periods => ARRAY['all'], time_zone => 'UTC',
  scorecard => '{"metrics": [{"name": "won", "stat": "sum"}], "scale": 1}') IS NOT NULL AS created;
SELECT leaderboard.alter_board('emodes', events => '{"new_leader": true, "rank_climb": 1}');
CREATE VIEW emode_trigger AS
  SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid = 'emodes_standings'::regclass AND tgname = 'lb_events';
ALTER TABLE emodes_standings DISABLE TRIGGER ALL;
ALTER TABLE emodes_standings ENABLE TRIGGER ALL;
SELECT * FROM emode_trigger;
SET session_replication_role = replica;
INSERT INTO emode_calls VALUES (2, '2026-10-06', true), (2, '2026-10-07', true);
RESET session_replication_role;
SELECT kind, agent, new ->> 'rank' AS rank FROM leaderboard.events WHERE board = 'emodes' ORDER BY id;
-- with the event trigger that puts modes back off (a superuser's doing), the direct apply
-- still records every change itself; the apply by statements, which only the trigger can
-- record for, refuses to lose them (55000); alter_board puts the mode back
ALTER EVENT TRIGGER leaderboard_keep_trigger_modes DISABLE;
ALTER TABLE emodes_standings DISABLE TRIGGER lb_events;
ALTER EVENT TRIGGER leaderboard_keep_trigger_modes ENABLE ALWAYS;
SELECT * FROM emode_trigger;
INSERT INTO emode_calls VALUES (1, '2026-10-08', true), (1, '2026-10-09', true);
SELECT kind, agent, new ->> 'rank' AS rank FROM leaderboard.events WHERE board = 'emodes' ORDER BY id;
SET leaderboard.direct_apply_max_groups = 0;
INSERT INTO emode_calls VALUES (2, '2026-10-10', true);
SELECT leaderboard.alter_board('emodes');
SELECT * FROM emode_trigger;
INSERT INTO emode_calls VALUES (2, '2026-10-11', true), (2, '2026-10-12', true);
RESET leaderboard.direct_apply_max_groups;
SELECT kind, agent, new ->> 'rank' AS rank FROM leaderboard.events WHERE board = 'emodes' ORDER BY id;
SELECT count(*) AS differences FROM leaderboard.verify('emodes');
DROP VIEW emode_trigger;
SELECT leaderboard.drop_board('emodes');
DROP TABLE emode_calls;
