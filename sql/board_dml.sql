-- Every way rows reach or leave a source keeps the board exact: after each statement
-- below, verify() (a from-scratch recomputation) finds no difference.
CREATE TABLE dml_calls (
  call_id bigserial PRIMARY KEY, agent_id int, team_id int, started_at timestamptz,
  handle_seconds int NOT NULL, converted boolean NOT NULL, csat smallint);
INSERT INTO dml_calls (agent_id, team_id, started_at, handle_seconds, converted, csat)
SELECT 1 + i % 12, i % 3, timestamptz '2026-10-05 08:00+00' + (i % 9) * interval '1 day' + (i % 5) * interval '1 hour',
       120 + (i * 37) % 700, i % 4 = 0, CASE WHEN i % 3 = 0 THEN 1 + i % 5 END
FROM generate_series(1, 300) i;

SELECT leaderboard.create_board(name => 'dml', source => 'dml_calls', agent => 'agent_id', at => 'started_at',
  metrics => ARRAY['converted AS conv', 'handle_seconds AS aht', 'csat', 'call_id AS calls'],
  scorecard => '{"metrics": [{"name": "conv", "stat": "rate", "weight": 40, "target": 0.25},
    {"name": "aht", "stat": "avg", "weight": 20, "better": "lower", "range": [180, 900]},
    {"name": "csat", "stat": "avg", "weight": 20, "range": [1, 5]},
    {"name": "calls", "stat": "count", "weight": 20, "target": 30}], "min_rows": 3}',
  periods => ARRAY['day', 'week', 'month', 'all'], partition_by => ARRAY['team_id'],
  ladder => 'Bronze: 0, Silver: 50, Gold: 70', time_zone => 'UTC');

-- existing rows were loaded at creation
SELECT period, count(*) AS rows, count(rank) AS ranked, sum(leaderboard.rows(kpis)) AS calls
FROM dml_standings GROUP BY period ORDER BY period;
SELECT count(*) AS differences FROM leaderboard.verify('dml');

-- multi-row INSERT, including rows the board does not count (NULL agent or time)
INSERT INTO dml_calls (agent_id, team_id, started_at, handle_seconds, converted, csat)
VALUES (1, 0, '2026-10-06 09:00+00', 200, true, 5), (2, 1, '2026-10-06 10:00+00', 300, false, NULL),
       (NULL, 1, '2026-10-06 10:00+00', 300, true, 4), (3, 1, NULL, 300, true, 4),
       (13, NULL, '2026-10-07 11:00+00', 250, true, 3);
SELECT count(*) AS differences FROM leaderboard.verify('dml');
-- a NULL partition value is a scope of its own
SELECT period, team_id, agent_id, rank FROM dml_standings WHERE team_id IS NULL ORDER BY period;

-- COPY, text and binary
COPY (SELECT agent_id, team_id, started_at, handle_seconds, converted, csat FROM dml_calls WHERE call_id <= 40)
  TO '/tmp/lb_board_dml.bin' (FORMAT binary);
COPY dml_calls (agent_id, team_id, started_at, handle_seconds, converted, csat) FROM '/tmp/lb_board_dml.bin' (FORMAT binary);
SELECT count(*) AS differences FROM leaderboard.verify('dml');
COPY dml_calls (agent_id, team_id, started_at, handle_seconds, converted, csat) FROM stdin;
4	2	2026-10-08 12:00:00+00	333	t	2
5	2	2026-10-08 12:30:00+00	150	f	\N
\.
SELECT count(*) AS differences FROM leaderboard.verify('dml');

-- UPDATE moving a call to another agent, another period, another partition; changing a
-- metric; and changing only columns the board does not read
UPDATE dml_calls SET agent_id = 7 WHERE call_id % 10 = 1;
UPDATE dml_calls SET started_at = started_at + interval '8 days' WHERE call_id % 10 = 2;
UPDATE dml_calls SET team_id = 2 WHERE call_id % 10 = 3;
UPDATE dml_calls SET handle_seconds = 1000, csat = 1 WHERE call_id % 10 = 4;
UPDATE dml_calls SET call_id = call_id WHERE call_id % 10 = 5;
SELECT count(*) AS differences FROM leaderboard.verify('dml');

-- DELETE of the call holding an extreme: no card of this board reads aht's max, so the
-- board forgets it (kpi_max is NULL) instead of re-reading the calls; never a wrong value
SELECT leaderboard.kpi_max(kpis, 2) AS max_aht_before FROM dml_standings WHERE period = 'all' AND team_id = 2 AND agent_id = 3;
DELETE FROM dml_calls WHERE agent_id = 3 AND team_id = 2 AND handle_seconds = (
  SELECT max(handle_seconds) FROM dml_calls WHERE agent_id = 3 AND team_id = 2);
SELECT leaderboard.kpi_max(kpis, 2) AS max_aht_after,
       (SELECT max(handle_seconds) FROM dml_calls WHERE agent_id = 3 AND team_id = 2) AS recomputed
FROM dml_standings WHERE period = 'all' AND team_id = 2 AND agent_id = 3;
DELETE FROM dml_calls WHERE call_id % 7 = 0;
SELECT count(*) AS differences FROM leaderboard.verify('dml');
-- deleting an agent's last call removes the agent's rows
DELETE FROM dml_calls WHERE agent_id = 13;
SELECT count(*) AS agent_13_rows FROM dml_standings WHERE agent_id = 13;

-- INSERT ... ON CONFLICT, both the insert and the update arm
INSERT INTO dml_calls (call_id, agent_id, team_id, started_at, handle_seconds, converted, csat)
VALUES (2, 9, 1, '2026-10-09 09:00+00', 222, true, 5), (100000, 9, 1, '2026-10-09 09:00+00', 222, true, 5)
ON CONFLICT (call_id) DO UPDATE SET converted = NOT dml_calls.converted, agent_id = EXCLUDED.agent_id;
SELECT count(*) AS differences FROM leaderboard.verify('dml');

-- MERGE with insert, update and delete arms
MERGE INTO dml_calls c
USING (VALUES (3, 'update'), (6, 'delete'), (100001, 'insert')) AS v(id, action) ON c.call_id = v.id
WHEN MATCHED AND v.action = 'update' THEN UPDATE SET agent_id = 11
WHEN MATCHED AND v.action = 'delete' THEN DELETE
WHEN NOT MATCHED THEN INSERT (call_id, agent_id, team_id, started_at, handle_seconds, converted, csat)
  VALUES (v.id, 11, 0, '2026-10-10 09:00+00', 400, true, 4);
SELECT count(*) AS differences FROM leaderboard.verify('dml');

-- a rolled-back savepoint takes its part of the change with it; the rest commits
BEGIN;
INSERT INTO dml_calls (agent_id, team_id, started_at, handle_seconds, converted, csat) VALUES (20, 0, '2026-10-11 09:00+00', 100, true, 5);
SAVEPOINT s1;
INSERT INTO dml_calls (agent_id, team_id, started_at, handle_seconds, converted, csat) VALUES (21, 0, '2026-10-11 09:00+00', 100, true, 5);
DELETE FROM dml_calls WHERE agent_id = 1;
ROLLBACK TO s1;
INSERT INTO dml_calls (agent_id, team_id, started_at, handle_seconds, converted, csat) VALUES (22, 0, '2026-10-11 09:00+00', 100, true, 5);
COMMIT;
SELECT agent_id, count(*) AS rows FROM dml_standings WHERE agent_id IN (1, 20, 21, 22) AND period = 'all' GROUP BY 1 ORDER BY 1;
SELECT count(*) AS differences FROM leaderboard.verify('dml');

-- a rolled-back transaction leaves nothing behind
BEGIN;
INSERT INTO dml_calls (agent_id, team_id, started_at, handle_seconds, converted, csat) VALUES (30, 0, '2026-10-11 09:00+00', 100, true, 5);
ROLLBACK;
SELECT count(*) AS agent_30_rows FROM dml_standings WHERE agent_id = 30;

-- standings are applied at commit: inside the writing transaction they are not yet updated
BEGIN;
INSERT INTO dml_calls (agent_id, team_id, started_at, handle_seconds, converted, csat) VALUES (31, 0, '2026-10-11 09:00+00', 100, true, 5);
SELECT count(*) AS agent_31_rows_before_commit FROM dml_standings WHERE agent_id = 31;
COMMIT;
SELECT count(*) AS agent_31_rows_after_commit FROM dml_standings WHERE agent_id = 31;

-- foreign-key cascades delete and update calls through statements of their own
CREATE TABLE dml_agents (id int PRIMARY KEY);
INSERT INTO dml_agents SELECT DISTINCT agent_id FROM dml_calls WHERE agent_id IS NOT NULL;
ALTER TABLE dml_calls ADD CONSTRAINT dml_calls_agent FOREIGN KEY (agent_id) REFERENCES dml_agents
  ON DELETE CASCADE ON UPDATE CASCADE;
DELETE FROM dml_agents WHERE id = 3;
UPDATE dml_agents SET id = 400 WHERE id = 4;
SELECT count(*) FILTER (WHERE agent_id = 3) AS agent_3_rows, count(*) FILTER (WHERE agent_id = 400) > 0 AS agent_400_ranked
FROM dml_standings;
SELECT count(*) AS differences FROM leaderboard.verify('dml');
ALTER TABLE dml_calls DROP CONSTRAINT dml_calls_agent;
DROP TABLE dml_agents;

-- TRUNCATE rolled back changes nothing; committed, it empties the board
BEGIN;
TRUNCATE dml_calls;
ROLLBACK;
SELECT count(*) > 0 AS still_there FROM dml_standings;
SELECT count(*) AS differences FROM leaderboard.verify('dml');
BEGIN;
TRUNCATE dml_calls;
INSERT INTO dml_calls (agent_id, team_id, started_at, handle_seconds, converted, csat) VALUES (40, 1, '2026-10-12 09:00+00', 100, true, 5);
COMMIT;
SELECT period, agent_id, rank FROM dml_standings ORDER BY period;
SELECT count(*) AS differences FROM leaderboard.verify('dml');
-- no sentinel row outlives its transaction
SELECT count(*) AS pending_rows FROM leaderboard.pending;

-- verify reports a corrupted standings row
UPDATE dml_standings SET rank = 99 WHERE agent_id = 40 AND period = 'day';
SELECT problem, period, partition, agent, stored ->> 'rank' AS stored_rank, expected ->> 'rank' AS expected_rank
FROM leaderboard.verify('dml');
SELECT leaderboard.rebuild('dml') AS rows_rebuilt;
SELECT count(*) AS differences FROM leaderboard.verify('dml');

-- renaming the source or the standings table keeps the board working in this session,
-- whose cached statements named the old tables
ALTER TABLE dml_calls RENAME TO dml_calls_renamed;
ALTER TABLE dml_standings RENAME TO dml_standings_renamed;
INSERT INTO dml_calls_renamed (agent_id, team_id, started_at, handle_seconds, converted, csat) VALUES (41, 1, '2026-10-12 10:00+00', 100, true, 5);
SELECT count(*) AS agent_41_rows FROM dml_standings_renamed WHERE agent_id = 41;
SELECT count(*) AS differences FROM leaderboard.verify('dml');
ALTER TABLE dml_calls_renamed RENAME TO dml_calls;
ALTER TABLE dml_standings_renamed RENAME TO dml_standings;

SELECT leaderboard.drop_board('dml');
DROP TABLE dml_calls;

-- dropping a source drops its boards
CREATE TABLE gone (agent_id int, at date, ok boolean);
SELECT leaderboard.create_board(name => 'gone', source => 'gone', agent => 'agent_id', at => 'at',
  metrics => ARRAY['ok'], scorecard => '{"metrics": [{"name": "ok", "stat": "count"}]}') IS NOT NULL AS created;
DROP TABLE gone;
SELECT count(*) AS boards_left FROM leaderboard.boards WHERE name = 'gone';
SELECT count(*) AS objects_left FROM pg_class WHERE relname LIKE 'gone%';

-- a change to the source that would break a board is refused
CREATE TABLE guarded (agent_id int, at date, won boolean, note text);
SELECT leaderboard.create_board(name => 'guarded', source => 'guarded', agent => 'agent_id', at => 'at',
  metrics => ARRAY['won'], scorecard => '{"metrics": [{"name": "won", "stat": "count"}]}') IS NOT NULL AS created;
\set VERBOSITY sqlstate
ALTER TABLE guarded RENAME COLUMN won TO converted;
ALTER TABLE guarded DROP COLUMN at;
\set VERBOSITY default
-- other changes go through
ALTER TABLE guarded DROP COLUMN note;
INSERT INTO guarded VALUES (1, '2026-10-01', true);
SELECT count(*) AS differences FROM leaderboard.verify('guarded');
SELECT leaderboard.drop_board('guarded');
DROP TABLE guarded;
-- so is a column the board reads dropped along with its type (DROP TYPE ... CASCADE);
-- one it does not read goes
CREATE TYPE guarded_outcome AS ENUM ('sale', 'none');
CREATE DOMAIN guarded_note AS text;
CREATE TABLE guarded (agent_id int, at date, outcome guarded_outcome, note guarded_note);
SELECT leaderboard.create_board(name => 'guarded', source => 'guarded', agent => 'agent_id', at => 'at',
  metrics => ARRAY[$$outcome = 'sale' AS sales$$], scorecard => '{"metrics": [{"name": "sales", "stat": "rate"}]}') IS NOT NULL AS created;
SET client_min_messages = warning;
\set VERBOSITY sqlstate
DROP TYPE guarded_outcome CASCADE;
\set VERBOSITY default
DROP DOMAIN guarded_note CASCADE;
RESET client_min_messages;
SELECT attname FROM pg_attribute WHERE attrelid = 'guarded'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum;
INSERT INTO guarded VALUES (1, '2026-10-01', 'sale');
SELECT count(*) AS differences FROM leaderboard.verify('guarded');
SELECT leaderboard.drop_board('guarded');
DROP TABLE guarded;
DROP TYPE guarded_outcome;
