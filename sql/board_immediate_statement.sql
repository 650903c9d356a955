-- Under SET CONSTRAINTS ALL IMMEDIATE the sentinel queued by a statement's first capture
-- would fire inside that capture, before the statement's other captures (a writable CTE,
-- INSERT ... ON CONFLICT DO UPDATE, a row trigger writing the source): a group recomputed
-- from the source then (the card reads a max, so a removed call is recomputed) counted
-- the rows still to be captured, and counted them again when they were. The apply now
-- waits for the commit, also when a SET CONSTRAINTS ALL IMMEDIATE run inside such a
-- statement (by a row trigger) fires it; verify() finds nothing after each transaction.
CREATE TABLE im_calls (
  call_id bigserial PRIMARY KEY, agent_id int NOT NULL, team_id int NOT NULL,
  started_at timestamptz NOT NULL, handle_seconds int, converted boolean, ext_ref text);
INSERT INTO im_calls (agent_id, team_id, started_at, handle_seconds, converted, ext_ref)
SELECT 1 + i % 4, 1, timestamptz '2024-03-05 08:00+00' + i * interval '10 minutes', 100 + i * 10, i % 3 = 0, 'r' || i
FROM generate_series(1, 40) i;
SELECT setval('im_calls_call_id_seq', 1000);
SELECT leaderboard.create_board(name => 'im', source => 'im_calls', agent => 'agent_id',
  at => 'started_at', metrics => ARRAY['converted AS conv', 'handle_seconds AS aht', '1 AS calls'],
  scorecard => '{"metrics": [{"name": "conv", "stat": "rate", "weight": 50},
                             {"name": "aht", "stat": "max", "weight": 40, "better": "lower", "range": [100, 900]},
                             {"name": "calls", "stat": "count", "weight": 10, "target": 20}]}',
  periods => ARRAY['day', 'week', 'month'], partition_by => ARRAY['team_id'],
  time_zone => 'UTC') IS NOT NULL AS created;
CREATE VIEW im_counts AS
  SELECT (SELECT sum(leaderboard.rows(kpis)) FROM im_standings WHERE period = 'month') AS counted,
         (SELECT count(*) FROM im_calls) AS calls,
         (SELECT count(*) FROM leaderboard.verify('im')) AS differences;

-- a writable CTE moving a call to a new row of the same agent and day
BEGIN;
SET CONSTRAINTS ALL IMMEDIATE;
WITH d AS (DELETE FROM im_calls WHERE call_id = 4 RETURNING *)
INSERT INTO im_calls (agent_id, team_id, started_at, handle_seconds, converted, ext_ref)
SELECT agent_id, team_id, started_at, handle_seconds, converted, ext_ref FROM d;
COMMIT;
SELECT * FROM im_counts;

-- INSERT ... ON CONFLICT DO UPDATE lowering a max and adding a call of the same group
BEGIN;
SET CONSTRAINTS ALL IMMEDIATE;
INSERT INTO im_calls (call_id, agent_id, team_id, started_at, handle_seconds, converted)
VALUES (40, 1, 1, '2024-03-05 14:40+00', 450, true), (2000, 1, 1, '2024-03-05 15:00+00', 200, false)
ON CONFLICT (call_id) DO UPDATE SET handle_seconds = EXCLUDED.handle_seconds;
COMMIT;
SELECT * FROM im_counts;

-- an AFTER INSERT row trigger that deletes the earlier row of a re-sent call
CREATE FUNCTION im_dedupe() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM im_calls WHERE ext_ref = NEW.ext_ref AND call_id <> NEW.call_id;
  RETURN NULL;
END $$;
CREATE TRIGGER im_dedupe AFTER INSERT ON im_calls FOR EACH ROW EXECUTE FUNCTION im_dedupe();
BEGIN;
SET CONSTRAINTS ALL IMMEDIATE;
INSERT INTO im_calls (agent_id, team_id, started_at, handle_seconds, converted, ext_ref)
VALUES (1, 1, '2024-03-05 14:40+00', 300, false, 'r36');
-- a later SET CONSTRAINTS ALL IMMEDIATE applies what is pending then, between statements
SET CONSTRAINTS ALL IMMEDIATE;
INSERT INTO im_calls (agent_id, team_id, started_at, handle_seconds, converted, ext_ref)
VALUES (1, 1, '2024-03-05 14:50+00', 250, true, 'r32');
COMMIT;
SELECT * FROM im_counts;

-- the same inside a savepoint that is rolled back, then one that is kept
BEGIN;
SET CONSTRAINTS ALL IMMEDIATE;
SAVEPOINT s;
INSERT INTO im_calls (agent_id, team_id, started_at, handle_seconds, converted, ext_ref)
VALUES (2, 1, '2024-03-05 10:00+00', 120, true, 'r28');
ROLLBACK TO SAVEPOINT s;
INSERT INTO im_calls (agent_id, team_id, started_at, handle_seconds, converted, ext_ref)
VALUES (3, 1, '2024-03-05 11:00+00', 130, false, 'r24');
COMMIT;
SELECT * FROM im_counts;

-- SET CONSTRAINTS ALL IMMEDIATE run by a row trigger inside the statement that writes
-- the calls: the apply it fires would run before that statement's capture
CREATE OR REPLACE FUNCTION im_dedupe() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM im_calls WHERE ext_ref = NEW.ext_ref AND call_id <> NEW.call_id;
  SET CONSTRAINTS ALL IMMEDIATE;
  RETURN NULL;
END $$;
BEGIN;
INSERT INTO im_calls (agent_id, team_id, started_at, handle_seconds, converted, ext_ref)
VALUES (1, 1, '2024-03-05 14:30+00', 350, false, 'r35');
COMMIT;
SELECT * FROM im_counts;
-- and after a TRUNCATE, whose rebuild would read the statement's rows before their capture
BEGIN;
TRUNCATE im_calls;
INSERT INTO im_calls (agent_id, team_id, started_at, handle_seconds, converted, ext_ref)
VALUES (2, 1, '2024-03-05 09:00+00', 200, true, 'r1'), (3, 1, '2024-03-06 09:00+00', 300, false, 'r2');
COMMIT;
SELECT * FROM im_counts;

-- ... and by a BEFORE ROW trigger for one row of several: no capture of the statement is
-- queued yet when it fires
CREATE FUNCTION im_mid() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.ext_ref = 'mid' THEN
    SET CONSTRAINTS ALL IMMEDIATE;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER im_mid BEFORE INSERT ON im_calls FOR EACH ROW EXECUTE FUNCTION im_mid();
BEGIN;
TRUNCATE im_calls;
INSERT INTO im_calls (agent_id, team_id, started_at, handle_seconds, converted, ext_ref)
VALUES (1, 1, '2024-03-05 09:00+00', 200, true, 'a'), (1, 1, '2024-03-05 10:00+00', 300, false, 'mid'),
       (2, 1, '2024-03-05 11:00+00', 250, true, 'b');
COMMIT;
SELECT * FROM im_counts;
DROP TRIGGER im_mid ON im_calls;
DROP FUNCTION im_mid();

-- SET CONSTRAINTS ALL IMMEDIATE as a statement of its own still applies what is captured
-- then (standings visible in the transaction), a deferred foreign key of the source
-- checked at the same time
CREATE TABLE im_teams (team_id int PRIMARY KEY);
INSERT INTO im_teams VALUES (1), (2);
ALTER TABLE im_calls ADD FOREIGN KEY (team_id) REFERENCES im_teams DEFERRABLE INITIALLY DEFERRED;
BEGIN;
INSERT INTO im_calls (agent_id, team_id, started_at, handle_seconds, converted) VALUES (7, 2, '2024-03-05 12:00+00', 100, true);
INSERT INTO im_calls (agent_id, team_id, started_at, handle_seconds, converted) VALUES (7, 2, '2024-03-05 13:00+00', 100, true);
SET CONSTRAINTS ALL IMMEDIATE;
SELECT period, leaderboard.rows(kpis) AS calls_seen_before_commit FROM im_standings WHERE agent_id = 7 ORDER BY 1;
COMMIT;
SELECT * FROM im_counts;

-- inside a DO block between the statements that write, it applies there too
BEGIN;
DO $$ BEGIN
  INSERT INTO im_calls (agent_id, team_id, started_at, handle_seconds, converted) VALUES (9, 2, '2024-03-05 12:00+00', 100, true);
  SET CONSTRAINTS ALL IMMEDIATE;
END $$;
SELECT period, leaderboard.rows(kpis) AS calls_seen_before_commit FROM im_standings WHERE agent_id = 9 ORDER BY 1;
COMMIT;
SELECT * FROM im_counts;

-- a board dropped after writes, then SET CONSTRAINTS ALL IMMEDIATE: nothing left to apply
DROP VIEW im_counts;
BEGIN;
INSERT INTO im_calls (agent_id, team_id, started_at, handle_seconds, converted) VALUES (8, 1, '2024-03-05 12:00+00', 100, true);
SELECT leaderboard.drop_board('im');
SET CONSTRAINTS ALL IMMEDIATE;
COMMIT;
SELECT count(*) AS boards FROM leaderboard.boards WHERE name = 'im';
DROP TABLE im_calls, im_teams;
DROP FUNCTION im_dedupe();
